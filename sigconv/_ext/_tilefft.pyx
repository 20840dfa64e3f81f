"""sigconv's own transforms for the tile pipeline of ``method='oa'``.

Power-of-two complex transforms along the first axis of a block of lines,
vectorised across the lines (the columns of a row-major block): every
butterfly works on whole rows, so the inner loops are contiguous and the
compiler vectorises them whatever the transform length. Two stages are
done per pass over the data (radix 2 squared), a strip of columns at a
time so the strip stays in the core's cache through all the stages.

The forward transform is decimation in frequency without the bit-reversal
permutation (natural order in, bit-reversed order out); the inverse is
decimation in time from bit-reversed order to natural order, unscaled. A
convolution never needs the spectrum in natural order: the kernel's
spectrum is computed by the same forward transform, so both are in the same
order, and the product followed by the inverse is the cyclic convolution.

Real tiles are transformed two at a time, as the real and imaginary parts
of one complex tile: the kernel is real, so the convolution of ``a + i b``
is ``conv(a) + i conv(b)`` and the two results come back as the real and
imaginary parts. The data are held split (a plane of real parts and a plane
of imaginary parts), so a complex product is four real vector operations.

2-D tiles (``n0 x n1``): the forward transform along axis 0 in strips of
columns; then, per strip of ``S`` rows, the rows are copied transposed
into a small buffer (``n1 x S``), transformed along axis 1, multiplied by
the kernel's spectrum (stored in that buffer layout), transformed back and
copied back, only the columns whose outputs are kept; last, the inverse
transform along axis 0 over the kept columns only.

A 1-D tile of ``N = n0 n1`` points is transformed as an ``n0 x n1`` block by
the four-step method: column transforms, a twiddle per point, row
transforms (:func:`pair1d`). :func:`run_pairs` is the whole tile loop.
"""

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.stdlib cimport free

from ._common cimport team_size, team_counters, team_report, team_stamp

import numpy as np

cdef enum:
    FILL_CODE = -1      # as sigconv._ext._tiles: the fill value
    ZERO_CODE = -2      # outside the transformed part: zero

def twiddles(Py_ssize_t n, dtype):
    """``(cos, -sin)`` of ``2 pi t / n`` for ``t < n / 2`` (at least one entry), in ``dtype``.

    The table of the forward transform of length ``n``; a transform of a
    length ``m`` dividing ``n`` reads it with a stride ``n / m``.
    """
    t = np.arange(max(n // 2, 1), dtype=np.float64)
    ang = 2.0 * np.pi * t / n
    return np.cos(ang).astype(dtype), (-np.sin(ang)).astype(dtype)


include "_tilefft_stages.pxi"


cdef inline int _log2(Py_ssize_t n) noexcept nogil:
    cdef int b = 0
    while (<Py_ssize_t>1 << b) < n:
        b += 1
    return b


#: bytes of a strip (both planes) small enough to stay in the first-level
#: cache through all its stages; larger strips are split (see :func:`_dif`)
cdef enum:
    L1_STRIP = 16384


cdef void _dif(floating* sr, floating* si, Py_ssize_t n, Py_ssize_t ld,
               const floating* wr, const floating* wi, Py_ssize_t wn) noexcept nogil:
    """The forward stages of one strip of ``n`` rows (natural order in, bit-reversed out).

    A strip larger than :data:`L1_STRIP` gets its first two stages in one
    pass over all its rows; its four quarters are then independent
    transforms, each done whole before the next (depth first), so the later
    stages find their rows in the first-level cache.
    """
    cdef Py_ssize_t h, q
    if n < 2:
        return
    if n >= 8 and n * CHUNK * 2 * <Py_ssize_t>sizeof(floating) > L1_STRIP:
        _r4_dif(sr, si, n, ld, n // 2, wr, wi, wn)
        q = n // 4
        for h in range(4):
            _dif(sr + h * q * ld, si + h * q * ld, q, ld, wr, wi, wn)
        return
    h = n // 2
    if _log2(n) % 2:
        _r2_dif(sr, si, n, ld, h, wr, wi, wn)
        h //= 2
    while h >= 2:
        _r4_dif(sr, si, n, ld, h, wr, wi, wn)
        h //= 4


cdef void _dit(floating* sr, floating* si, Py_ssize_t n, Py_ssize_t ld,
               const floating* wr, const floating* wi, Py_ssize_t wn) noexcept nogil:
    """The inverse stages of one strip (bit-reversed in, natural out, unscaled):
    :func:`_dif` mirrored (the quarters first, then the last two stages)."""
    cdef Py_ssize_t h, q
    if n < 2:
        return
    if n >= 8 and n * CHUNK * 2 * <Py_ssize_t>sizeof(floating) > L1_STRIP:
        q = n // 4
        for h in range(4):
            _dit(sr + h * q * ld, si + h * q * ld, q, ld, wr, wi, wn)
        _r4_dit(sr, si, n, ld, q, wr, wi, wn)
        return
    h = 1
    while 4 * h <= n:
        _r4_dit(sr, si, n, ld, h, wr, wi, wn)
        h *= 4
    if h < n:
        _r2_dit(sr, si, n, ld, h, wr, wi, wn)


cdef void columns(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld,
                  Py_ssize_t c0, Py_ssize_t c1, const floating* wr, const floating* wi,
                  Py_ssize_t wn, bint inverse) noexcept nogil:
    """Transform columns ``[c0, c1)`` of an ``n``-row block along axis 0, in place.

    ``c1 - c0`` is a multiple of :data:`CHUNK`; ``ld`` is the row stride
    (elements); the twiddles are those of length ``wn`` (a multiple of
    ``n``). Strip after strip of :data:`CHUNK` columns. Forward: natural
    order to bit-reversed; inverse: bit-reversed to natural, unscaled.
    """
    cdef Py_ssize_t c = c0
    while c < c1:
        if inverse:
            _dit(re + c, im + c, n, ld, wr, wi, wn)
        else:
            _dif(re + c, im + c, n, ld, wr, wi, wn)
        c += CHUNK


cdef inline Py_ssize_t _strips(Py_ssize_t n1) noexcept nogil:
    """The columns of whole strips covering ``n1`` columns."""
    return (n1 + CHUNK - 1) // CHUNK * CHUNK


#: a tile's planes: rows and columns multiples of CHUNK
ALIGN = CHUNK


def plane_width(Py_ssize_t n1):
    """The row stride of a plane holding ``n1`` columns: a multiple of
    :data:`ALIGN` that is not a multiple of 512 bytes' worth of elements
    (rows at a power-of-two stride would share cache sets)."""
    cdef Py_ssize_t w = (n1 + CHUNK - 1) // CHUNK * CHUNK
    if w % 64 == 0:
        w += CHUNK
    return w


cdef int _check(floating[:, ::1] re, floating[:, ::1] im, Py_ssize_t n1,
                Py_ssize_t wlen, Py_ssize_t nb) except -1:
    cdef Py_ssize_t n0 = re.shape[0]
    if re.shape[0] != im.shape[0] or re.shape[1] != im.shape[1]:
        raise ValueError("the planes of a tile must have one shape")
    if n0 % CHUNK or re.shape[1] % CHUNK or re.shape[1] < n1 or n1 < 1:
        raise ValueError("a tile's planes need rows and columns in multiples of %d "
                         "and at least %d columns" % (CHUNK, n1))
    if (n0 & (n0 - 1)) or (n1 & (n1 - 1)) or wlen < max(n0, n1):
        raise ValueError("the transform lengths must be powers of two within the twiddles'")
    if nb < n1 * CHUNK:
        raise ValueError("the scratch buffers need %d elements" % (n1 * CHUNK))
    return 0


def spectrum2d(floating[:, ::1] re, floating[:, ::1] im, Py_ssize_t n1, floating[::1] hre,
               floating[::1] him, const floating[::1] wr, const floating[::1] wi,
               floating[::1] bre, floating[::1] bim, double scale, Py_ssize_t nz1=-1):
    """The spectrum of the tile ``re + i im`` (``n0 x n1``, overwritten), row-strip layout.

    ``hre``/``him`` (``n0 * n1`` each) receive it times ``scale``, strip
    after strip of :data:`CHUNK` rows, each strip ``n1 x CHUNK`` (the layout
    :func:`pair2d` multiplies in). ``bre``/``bim``: scratch of
    ``n1 * CHUNK``. The planes' rows may be longer than ``n1`` (padding).
    ``nz1``: the tile is zero from column ``nz1`` on (a kernel smaller than
    the tile), so the column transforms skip the strips beyond it (they
    stay zero); -1: every column may hold data.
    """
    cdef Py_ssize_t n0 = re.shape[0], ld = re.shape[1], wn = 2 * wr.shape[0]
    cdef Py_ssize_t r0, t, k
    cdef floating f = <floating>scale
    _check(re, im, n1, wn, bre.shape[0])
    if nz1 < 0 or nz1 > n1:
        nz1 = n1
    with nogil:
        columns(&re[0, 0], &im[0, 0], n0, ld, 0, _strips(nz1), &wr[0], &wi[0], wn, False)
        for k in range(n0 // CHUNK):
            r0 = k * CHUNK
            _rows_in(&re[r0, 0], &im[r0, 0], n1, ld, &bre[0], &bim[0])
            columns(&bre[0], &bim[0], n1, CHUNK, 0, CHUNK, &wr[0], &wi[0], wn, False)
            for t in range(n1 * CHUNK):
                hre[r0 * n1 + t] = bre[t] * f
                him[r0 * n1 + t] = bim[t] * f


cdef void _pair2d_core(floating* re, floating* im, Py_ssize_t n0, Py_ssize_t n1,
                       Py_ssize_t ld, const floating* hre, const floating* him,
                       const floating* wr, const floating* wi, Py_ssize_t wn,
                       floating* bre, floating* bim, Py_ssize_t j0,
                       Py_ssize_t j1) noexcept nogil:
    """:func:`pair2d` on raw planes (``n0`` rows of stride ``ld``)."""
    cdef Py_ssize_t r0, k, c0, c1
    c0 = (j0 // CHUNK) * CHUNK
    c1 = min((j1 + CHUNK - 1) // CHUNK * CHUNK, ld)
    columns(re, im, n0, ld, 0, _strips(n1), wr, wi, wn, False)
    for k in range(n0 // CHUNK):
        r0 = k * CHUNK
        _rows_in(re + r0 * ld, im + r0 * ld, n1, ld, bre, bim)
        columns(bre, bim, n1, CHUNK, 0, CHUNK, wr, wi, wn, False)
        _product(bre, bim, hre + r0 * n1, him + r0 * n1, n1 * CHUNK)
        columns(bre, bim, n1, CHUNK, 0, CHUNK, wr, wi, wn, True)
        _rows_out(re + r0 * ld, im + r0 * ld, ld, j0, j1, bre, bim)
    if c0 < c1:
        columns(re, im, n0, ld, c0, c1, wr, wi, wn, True)


def pair2d(floating[:, ::1] re, floating[:, ::1] im, Py_ssize_t n1, const floating[::1] hre,
           const floating[::1] him, const floating[::1] wr, const floating[::1] wi,
           floating[::1] bre, floating[::1] bim, Py_ssize_t j0, Py_ssize_t j1):
    """Cyclic convolution of the tile ``re + i im`` with the kernel of spectrum ``h``, in place.

    ``h`` from :func:`spectrum2d` (scaled by ``1 / (n0 n1)``). Only the
    columns ``[j0, j1)`` of the result are computed (the others hold
    intermediate values).
    """
    cdef Py_ssize_t n0 = re.shape[0], ld = re.shape[1], wn = 2 * wr.shape[0]
    _check(re, im, n1, wn, bre.shape[0])
    if not 0 <= j0 <= j1 <= n1:
        raise ValueError("the kept columns must lie in the tile")
    if hre.shape[0] < n0 * n1 or him.shape[0] < n0 * n1:
        raise ValueError("the spectrum needs %d entries" % (n0 * n1))
    with nogil:
        _pair2d_core(&re[0, 0], &im[0, 0], n0, n1, ld, &hre[0], &him[0], &wr[0], &wi[0], wn,
                     &bre[0], &bim[0], j0, j1)


def four_step_twiddles(Py_ssize_t n0, Py_ssize_t n1, dtype):
    """The twiddles of a transform of ``n0 * n1`` points done as ``n0 x n1`` (four-step).

    ``(real, imaginary)`` planes of ``n0 * n1``: at row ``p`` and column
    ``t``, ``exp(-2 pi i t k / (n0 n1))`` with ``k`` the bit reversal of
    ``p`` over ``log2 n0`` bits (the row order the column transforms leave).
    """
    bits = max(int(n0).bit_length() - 1, 0)
    p = np.arange(n0)
    k = np.zeros(n0, dtype=np.int64)
    for b in range(bits):
        k |= ((p >> b) & 1) << (bits - 1 - b)
    ang = -2.0 * np.pi * np.outer(k, np.arange(n1)) / (n0 * n1)
    return (np.ascontiguousarray(np.cos(ang).ravel(), dtype=dtype),
            np.ascontiguousarray(np.sin(ang).ravel(), dtype=dtype))


cdef int _check1(floating[:, ::1] re, floating[:, ::1] im, const floating[::1] tr,
                 Py_ssize_t wlen, Py_ssize_t nb) except -1:
    cdef Py_ssize_t n0 = re.shape[0], n1 = re.shape[1]
    if im.shape[0] != n0 or im.shape[1] != n1 or tr.shape[0] != n0 * n1:
        raise ValueError("the planes and twiddles of a 1-D tile must have one shape")
    if n0 % CHUNK or n1 % CHUNK or (n0 & (n0 - 1)) or (n1 & (n1 - 1)) or wlen < max(n0, n1):
        raise ValueError("a 1-D tile is n0 x n1 with powers of two, multiples of %d"
                         % CHUNK)
    if nb < n1 * CHUNK:
        raise ValueError("the scratch buffers need %d elements" % (n1 * CHUNK))
    return 0


def spectrum1d(floating[:, ::1] re, floating[:, ::1] im, floating[::1] hre,
               floating[::1] him, const floating[::1] wr, const floating[::1] wi,
               const floating[::1] tr, const floating[::1] ti, floating[::1] bre,
               floating[::1] bim, double scale):
    """The spectrum of the 1-D tile ``re + i im`` (row-major ``n0 x n1``, overwritten).

    As :func:`spectrum2d`, for :func:`pair1d`: the transform of ``n0 n1``
    points by ``n0``-point column transforms, the twiddles ``t`` of
    :func:`four_step_twiddles` and ``n1``-point row transforms.
    """
    cdef Py_ssize_t n0 = re.shape[0], n1 = re.shape[1], wn = 2 * wr.shape[0]
    cdef Py_ssize_t r0, t, k
    cdef floating f = <floating>scale
    _check1(re, im, tr, wn, bre.shape[0])
    with nogil:
        columns(&re[0, 0], &im[0, 0], n0, n1, 0, n1, &wr[0], &wi[0], wn, False)
        for k in range(n0 // CHUNK):
            r0 = k * CHUNK
            _rows_in_tw(&re[r0, 0], &im[r0, 0], n1, n1, &bre[0], &bim[0],
                        &tr[r0 * n1], &ti[r0 * n1])
            columns(&bre[0], &bim[0], n1, CHUNK, 0, CHUNK, &wr[0], &wi[0], wn, False)
            for t in range(n1 * CHUNK):
                hre[r0 * n1 + t] = bre[t] * f
                him[r0 * n1 + t] = bim[t] * f


cdef void _pair1d_core(floating* re, floating* im, Py_ssize_t n0, Py_ssize_t n1,
                       const floating* hre, const floating* him, const floating* wr,
                       const floating* wi, Py_ssize_t wn, const floating* tr,
                       const floating* ti, floating* bre, floating* bim) noexcept nogil:
    """:func:`pair1d` on a raw block (``n0 x n1``, contiguous)."""
    cdef Py_ssize_t r0, k
    columns(re, im, n0, n1, 0, n1, wr, wi, wn, False)
    for k in range(n0 // CHUNK):
        r0 = k * CHUNK
        _rows_in_tw(re + r0 * n1, im + r0 * n1, n1, n1, bre, bim, tr + r0 * n1, ti + r0 * n1)
        columns(bre, bim, n1, CHUNK, 0, CHUNK, wr, wi, wn, False)
        _product(bre, bim, hre + r0 * n1, him + r0 * n1, n1 * CHUNK)
        columns(bre, bim, n1, CHUNK, 0, CHUNK, wr, wi, wn, True)
        _rows_out_tw(re + r0 * n1, im + r0 * n1, n1, n1, bre, bim, tr + r0 * n1, ti + r0 * n1)
    columns(re, im, n0, n1, 0, n1, wr, wi, wn, True)


def pair1d(floating[:, ::1] re, floating[:, ::1] im, const floating[::1] hre,
           const floating[::1] him, const floating[::1] wr, const floating[::1] wi,
           const floating[::1] tr, const floating[::1] ti, floating[::1] bre,
           floating[::1] bim):
    """Cyclic convolution of the 1-D tile ``re + i im`` (row-major ``n0 x n1``), in place.

    ``h`` from :func:`spectrum1d` (scaled by ``1 / (n0 n1)``). Columns
    transformed, twiddled, rows transformed, multiplied, and back.
    """
    cdef Py_ssize_t n0 = re.shape[0], n1 = re.shape[1], wn = 2 * wr.shape[0]
    _check1(re, im, tr, wn, bre.shape[0])
    if hre.shape[0] < n0 * n1 or him.shape[0] < n0 * n1:
        raise ValueError("the spectrum needs %d entries" % (n0 * n1))
    with nogil:
        _pair1d_core(&re[0, 0], &im[0, 0], n0, n1, &hre[0], &him[0], &wr[0], &wi[0], wn,
                     &tr[0], &ti[0], &bre[0], &bim[0])


# --------------------------------------------------------------------------
# The tile loop: gather, pair transform, write-out, for every pair of tiles


cdef inline void _gather_line(const floating* x, Py_ssize_t s, Py_ssize_t i0,
                              Py_ssize_t src, const Py_ssize_t* maps, Py_ssize_t n,
                              floating fill, floating* row) noexcept nogil:
    """One line of a tile: ``n`` samples along the line's axis (stride ``s``).

    ``src`` as in :func:`run_pairs`: ``src >= 0``, the samples
    ``x[(src + t) s]``; otherwise the index map ``maps[-1 - src:]`` (codes
    as in :mod:`sigconv._ext._tiles`). ``i0``: the code of the line along
    the other axis (a fill or zero line), else 0.
    """
    cdef Py_ssize_t t, i
    cdef const Py_ssize_t* m
    if i0 == ZERO_CODE:
        for t in range(n):
            row[t] = 0
    elif src >= 0 and i0 == FILL_CODE:
        for t in range(n):
            row[t] = fill
    elif src >= 0:
        x = x + src * s
        if s == 1:
            for t in range(n):
                row[t] = x[t]
        else:
            for t in range(n):
                row[t] = x[t * s]
    else:
        m = maps - 1 - src
        for t in range(n):
            i = m[t]
            if i == ZERO_CODE:
                row[t] = 0
            elif i0 == FILL_CODE or i == FILL_CODE:
                row[t] = fill
            else:
                row[t] = x[i * s]


cdef inline void _write(floating* o, Py_ssize_t os0, Py_ssize_t os1, const floating* p,
                        Py_ssize_t W, const Py_ssize_t* w0,
                        const Py_ssize_t* w1) noexcept nogil:
    """The kept outputs of a tile: ``o[d0 + i, d1 + j] = p[s0 + i st0, s1 + j st1]``
    with ``(s, d, count, step)`` per axis in ``w0`` and ``w1``."""
    cdef Py_ssize_t i, j
    cdef floating* orow
    cdef const floating* prow
    for i in range(w0[2]):
        orow = o + (w0[1] + i) * os0 + w1[1] * os1
        prow = p + (w0[0] + i * w0[3]) * W + w1[0]
        if os1 == 1 and w1[3] == 1:
            for j in range(w1[2]):
                orow[j] = prow[j]
        else:
            for j in range(w1[2]):
                orow[j * os1] = prow[j * w1[3]]


cdef inline bint _gather_tile(const floating* x, Py_ssize_t xs0, Py_ssize_t xs1,
                              Py_ssize_t src0, const Py_ssize_t* maps0, Py_ssize_t src1,
                              const Py_ssize_t* maps1, Py_ssize_t n0, Py_ssize_t n1,
                              Py_ssize_t W, floating fill, floating* p,
                              bint check) noexcept nogil:
    """A 2-D tile (``n0`` rows of ``n1``, sources as in :func:`run_pairs`) into a
    plane of row stride ``W``; with ``check``, whether its values are all
    finite (else True)."""
    cdef Py_ssize_t i, i0
    cdef bint ok = True
    for i in range(n0):
        i0 = src0 + i if src0 >= 0 else maps0[-1 - src0 + i]
        if i0 >= 0:
            _gather_line(x + i0 * xs0, xs1, 0, src1, maps1, n1, fill, p + i * W)
        else:
            _gather_line(x, xs1, i0, src1, maps1, n1, fill, p + i * W)
        if check and not _finite(p + i * W, n1):
            ok = False
    return ok


cdef int _check_sources(const Py_ssize_t[::1] src, const Py_ssize_t[::1] maps, Py_ssize_t n,
                        Py_ssize_t length, Py_ssize_t count) except -1:
    """That the tiles' sources along an axis of ``length`` (see :func:`run_pairs`)
    stay inside the axis and the maps, and the maps hold indices or codes."""
    cdef Py_ssize_t j, t, v
    if src.shape[0] != count:
        raise ValueError("run_pairs: one source per tile along each axis")
    for j in range(count):
        v = src[j]
        if v >= 0 and v + n > length:
            raise ValueError("run_pairs: a tile reaches past the signal")
        if v < 0 and -1 - v + n > maps.shape[0]:
            raise ValueError("run_pairs: maps shorter than the tiles")
    for t in range(maps.shape[0]):
        if not (ZERO_CODE <= maps[t] < length):
            raise ValueError("run_pairs: an index map entry outside the signal")
    return 0


# per thread: two planes and the row buffer, each padded to whole lines
cdef inline Py_ssize_t _plane_items(Py_ssize_t n0, Py_ssize_t W):
    return (n0 * W + 63) // 64 * 64 + 48     # + 48: the planes do not share cache sets


cdef inline Py_ssize_t _row_buffer_items(Py_ssize_t n1):
    return (n1 * CHUNK + 63) // 64 * 64


def pair_scratch(Py_ssize_t n0, Py_ssize_t n1, bint one_d, int nthreads):
    """Items of work memory :func:`run_pairs` needs for ``n0 x n1`` tiles
    (2-D, or 1-D tiles of ``n0 n1`` points) on up to ``nthreads`` threads."""
    cdef Py_ssize_t W = n1 if one_d else plane_width(n1)
    return max(nthreads, 1) * (2 * _plane_items(n0, W) + 2 * _row_buffer_items(n1))


def run_pairs(const floating[:, :, :] x, floating[:, :, :] out, const Py_ssize_t[::1] xi,
              const Py_ssize_t[::1] hi, const floating[:, ::1] Hr, const floating[:, ::1] Hi,
              const Py_ssize_t[::1] src0, const Py_ssize_t[::1] maps0,
              const Py_ssize_t[::1] src1, const Py_ssize_t[::1] maps1,
              const Py_ssize_t[:, ::1] w0, const Py_ssize_t[:, ::1] w1,
              const floating[::1] wr, const floating[::1] wi, const floating[::1] tr,
              const floating[::1] ti, Py_ssize_t n0, Py_ssize_t n1, double fill,
              int nthreads, bint check=False, floating[::1] scratch=None):
    """Every tile of a 1-D or 2-D problem through the own transforms, two at a time.

    ``x`` ``(signal rows, A, B)`` and ``out`` ``(rows, ...)``: row ``r`` of
    the result is computed from signal row ``xi[r]`` with spectrum row
    ``hi[r]`` of ``Hr``/``Hi``. Tiles are the pairs ``(a, b)`` of tile
    ``a`` along axis 1 of ``x`` and tile ``b`` along axis 2. Where a tile's
    samples along an axis come from is ``src0[a]`` (``src1[b]``): ``>= 0``,
    the signal's samples from that index on (a tile inside the signal);
    otherwise ``-1 - src`` is the offset of the tile's index map in
    ``maps0`` (``maps1``), codes as in :mod:`sigconv._ext._tiles` (a tile
    reaching into the boundary's extension or the zero padding).
    ``w0``/``w1`` hold each tile's write-out ``(source, destination,
    count, step)`` along its axis. 2-D tiles are ``n0 x n1``. With
    four-step twiddles ``tr``/``ti`` (non-empty), the problem is 1-D: axis
    1 is a unit axis (``src0 = [0]``, one ``w0`` row) and each tile along
    axis 2 has ``n0 n1`` points, transformed as an ``n0 x n1`` block.
    Consecutive tiles of one row go in pairs; the pairs are the tasks of
    one parallel loop.

    With ``check``, every gathered sample is tested for NaN and Inf; at the
    first one found the remaining pairs are skipped and the result is
    False (``out`` is then incomplete). Returns True otherwise.

    ``scratch``: work memory of at least :func:`pair_scratch` items
    (contents undefined), or None to allocate it here.
    """
    cdef Py_ssize_t rows = out.shape[0], c0 = w0.shape[0], c1 = w1.shape[0]
    cdef Py_ssize_t ntiles = c0 * c1, npairs = (ntiles + 1) // 2
    cdef Py_ssize_t tasks = rows * npairs, task, r, q, j, a, b, k, W, plane, nb, kb0, kb1
    cdef Py_ssize_t N = 0
    cdef Py_ssize_t wn = 2 * wr.shape[0], xs0, xs1, os0, os1
    cdef bint one_d = tr.shape[0] > 0
    cdef floating f = <floating>fill
    cdef floating* re
    cdef floating* im
    cdef floating* bre
    cdef floating* bim
    cdef const floating* xp
    cdef floating* op
    cdef int tid
    cdef Py_ssize_t* done
    cdef bint ok
    cdef int[::1] bad = np.zeros(1, np.intc)     # shared: a non-finite sample was met
    cdef const Py_ssize_t* mp0 = &maps0[0] if maps0.shape[0] else NULL
    cdef const Py_ssize_t* mp1 = &maps1[0] if maps1.shape[0] else NULL
    if one_d:
        W = n1
        N = n0 * n1
        if c0 != 1 or tr.shape[0] != N or ti.shape[0] != N:
            raise ValueError("run_pairs: a 1-D problem needs one unit row and tiles of n0 n1")
        _check_sources(src0, maps0, 1, x.shape[1], c0)
        _check_sources(src1, maps1, N, x.shape[2], c1)
    else:
        W = plane_width(n1)
        _check_sources(src0, maps0, n0, x.shape[1], c0)
        _check_sources(src1, maps1, n1, x.shape[2], c1)
    if (n0 % CHUNK or W % CHUNK or n0 & (n0 - 1) or n1 & (n1 - 1)
            or max(n0, n1) > wn or Hr.shape[1] < n0 * n1 or Hi.shape[1] < n0 * n1):
        raise ValueError("run_pairs: tiles and tables do not match")
    if w0.shape[0] != c0 or w1.shape[0] != c1 or w0.shape[1] != 4 or w1.shape[1] != 4:
        raise ValueError("run_pairs: one write-out per map row")
    if xi.shape[0] < rows or hi.shape[0] < rows:
        raise ValueError("run_pairs: a signal and a spectrum row per output row")
    if tasks == 0:
        return True
    for k in range(3):
        if x.strides[k] % <Py_ssize_t>sizeof(floating) or out.strides[k] % <Py_ssize_t>sizeof(floating):
            raise ValueError("run_pairs: strides must be whole elements")
    xs0 = x.strides[1] // <Py_ssize_t>sizeof(floating)
    xs1 = x.strides[2] // <Py_ssize_t>sizeof(floating)
    os0 = out.strides[1] // <Py_ssize_t>sizeof(floating)
    os1 = out.strides[2] // <Py_ssize_t>sizeof(floating)
    nthreads = team_size(nthreads, tasks)
    plane = _plane_items(n0, W)
    nb = _row_buffer_items(n1)
    if scratch is None:
        scratch = np.empty(nthreads * (2 * plane + 2 * nb),
                           dtype=np.float32 if floating is float else np.float64)
    elif scratch.shape[0] < nthreads * (2 * plane + 2 * nb):
        raise ValueError("run_pairs: scratch too small")
    cdef floating[::1] sc = scratch
    done = team_counters(nthreads)
    if done == NULL:
        raise MemoryError()
    with nogil:
        team_stamp(done, 2)
        for task in prange(tasks, schedule='dynamic', num_threads=nthreads):
            tid = threadid()
            done[8 * tid] = done[8 * tid] + 1
            if bad[0]:
                continue
            re = &sc[0] + tid * (2 * plane + 2 * nb)
            im = re + plane
            bre = im + plane
            bim = bre + nb
            r = task // npairs
            q = task % npairs
            xp = &x[xi[r], 0, 0]
            op = &out[r, 0, 0]
            j = 2 * q
            a = j // c1
            b = j % c1
            if one_d:
                _gather_line(xp, xs1, 0, src1[b], mp1, N, f, re)
                ok = not check or _finite(re, N)
            else:
                ok = _gather_tile(xp, xs0, xs1, src0[a], mp0, src1[b], mp1, n0, n1, W, f,
                                  re, check)
            kb0 = w1[b, 0]
            kb1 = w1[b, 0] + (w1[b, 2] - 1) * w1[b, 3] + 1
            if j + 1 < ntiles:
                a = (j + 1) // c1
                b = (j + 1) % c1
                if one_d:
                    _gather_line(xp, xs1, 0, src1[b], mp1, N, f, im)
                    ok = ok and (not check or _finite(im, N))
                else:
                    ok = _gather_tile(xp, xs0, xs1, src0[a], mp0, src1[b], mp1, n0, n1, W, f,
                                      im, check) and ok
                kb0 = min(kb0, w1[b, 0])
                kb1 = max(kb1, w1[b, 0] + (w1[b, 2] - 1) * w1[b, 3] + 1)
            else:
                for k in range(n0 * W):
                    im[k] = 0
            if not ok:
                bad[0] = 1
                continue
            if one_d:
                _pair1d_core(re, im, n0, n1, &Hr[hi[r], 0], &Hi[hi[r], 0], &wr[0], &wi[0], wn,
                             &tr[0], &ti[0], bre, bim)
            else:
                _pair2d_core(re, im, n0, n1, W, &Hr[hi[r], 0], &Hi[hi[r], 0], &wr[0], &wi[0],
                             wn, bre, bim, max(kb0, 0), min(kb1, n1))
            a = j // c1
            b = j % c1
            _write(op, os0, os1, re, W, &w0[a, 0], &w1[b, 0])
            if j + 1 < ntiles:
                a = (j + 1) // c1
                b = (j + 1) % c1
                _write(op, os0, os1, im, W, &w0[a, 0], &w1[b, 0])
            if tid == 0:
                team_stamp(done, 1)
        team_report(nthreads, tasks, done)
    free(done)
    return not bad[0]
