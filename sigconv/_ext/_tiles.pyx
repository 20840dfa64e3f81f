"""Element-wise work of the tile pipeline of ``method='oa'``.

The pipeline (:mod:`sigconv._backends.oa`) cuts the outputs into tiles and
takes each tile, on one thread, through: gather the tile's input samples,
forward real transform, product with the kernel spectrum, inverse transform,
write the kept outputs. The transforms are scipy.fft calls (they release
the GIL); everything between them is here, nogil, on arrays small enough to
stay in the core's cache.

Every array is seen as 3-D (a 1-D or 2-D tile has leading axes of length
one). Along each axis an *index map* gives, for each sample of the tile,
where it comes from in the signal: an index ``>= 0``, :data:`FILL_CODE`
for the fill value of the ``fill`` boundary, or :data:`ZERO_CODE` for a
sample outside the transformed part of the extended signal (the zero
padding of the linear convolution). The maps are built once per call from
``map_index`` (``_common.pxd``), so no padded copy of the signal exists.
"""

from cython cimport floating

from ._common cimport map_index

cdef enum:
    FILL_CODE_ = -1
    ZERO_CODE_ = -2

FILL_CODE = FILL_CODE_
ZERO_CODE = ZERO_CODE_


def index_map(Py_ssize_t first, Py_ssize_t length, Py_ssize_t n, Py_ssize_t start,
              Py_ssize_t stop, int boundary, Py_ssize_t[::1] out):
    """Fill ``out[:length]`` with the sources of extended positions ``first + t``.

    Positions outside ``[start, stop)`` (the transformed part) get
    ``ZERO_CODE``; others the index ``map_index`` gives into an axis of
    ``n`` samples, or ``FILL_CODE`` for the fill value.
    """
    cdef Py_ssize_t t, q, a, b
    # the positions inside the signal and the transformed part map to
    # themselves: a plain ramp, with map_index only for the others
    a = max(start, 0) - first
    b = min(stop, n) - first
    a = min(max(a, 0), length)
    b = min(max(b, a), length)
    with nogil:
        for t in range(a, b):
            out[t] = first + t
        for t in range(a):
            q = first + t
            if q < start or q >= stop:
                out[t] = ZERO_CODE_
            else:
                out[t] = map_index(q, n, boundary)
        for t in range(b, length):
            q = first + t
            if q < start or q >= stop:
                out[t] = ZERO_CODE_
            else:
                out[t] = map_index(q, n, boundary)


cdef inline bint _contiguous(const Py_ssize_t[::1] m) noexcept nogil:
    """Whether the map reads consecutive signal samples."""
    cdef Py_ssize_t t, p = m.shape[0]
    if p == 0 or m[0] < 0:
        return False
    for t in range(1, p):
        if m[t] != m[t - 1] + 1:
            return False
    return True


def gather(const floating[:, :, :] x, floating[:, :, :] tile,
           const Py_ssize_t[::1] m0, const Py_ssize_t[::1] m1, const Py_ssize_t[::1] m2,
           double fill):
    """``tile[a, b, c] = x[m0[a], m1[b], m2[c]]`` with the codes of the maps.

    A sample with a ``ZERO_CODE`` along any axis is 0; otherwise one with a
    ``FILL_CODE`` along any axis is ``fill``. ``tile``'s rows are
    contiguous (its lines may be padded).
    """
    cdef Py_ssize_t a, b, c, i0, i1, i2, p0 = tile.shape[0], p1 = tile.shape[1]
    cdef Py_ssize_t p2 = tile.shape[2]
    cdef floating f = <floating>fill
    cdef floating* row
    cdef bint zero, fillrow
    if p2 > 1 and tile.strides[2] != sizeof(floating):
        raise ValueError("gather: the tile's rows must be contiguous")
    with nogil:
        contiguous = _contiguous(m2)
        for a in range(p0):
            i0 = m0[a]
            for b in range(p1):
                i1 = m1[b]
                row = &tile[a, b, 0]
                zero = i0 == ZERO_CODE_ or i1 == ZERO_CODE_
                fillrow = i0 == FILL_CODE_ or i1 == FILL_CODE_
                if zero:
                    for c in range(p2):
                        row[c] = 0
                elif contiguous and not fillrow:
                    i2 = m2[0]
                    if x.strides[2] == sizeof(floating):
                        _copy_row(row, &x[i0, i1, i2], p2)
                    else:
                        for c in range(p2):
                            row[c] = x[i0, i1, i2 + c]
                else:
                    for c in range(p2):
                        i2 = m2[c]
                        if i2 == ZERO_CODE_:
                            row[c] = 0
                        elif fillrow or i2 == FILL_CODE_:
                            row[c] = f
                        else:
                            row[c] = x[i0, i1, i2]


cdef inline void _copy_row(floating* o, const floating* s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t c
    for c in range(n):
        o[c] = s[c]


def multiply(floating[::1] z, const floating[::1] h):
    """``z *= h`` for complex arrays held as interleaved (real, imaginary) pairs.

    ``z`` may hold several spectra of ``h``'s length one after another (a
    group of 1-D tiles): each is multiplied by ``h``.
    """
    cdef Py_ssize_t f, r, n = h.shape[0] // 2, rows = z.shape[0] // h.shape[0]
    cdef floating zr, zi, hr, hi
    cdef floating* zp
    with nogil:
        for r in range(rows):
            zp = &z[r * 2 * n]
            for f in range(n):
                zr = zp[2 * f]
                zi = zp[2 * f + 1]
                hr = h[2 * f]
                hi = h[2 * f + 1]
                zp[2 * f] = zr * hr - zi * hi
                zp[2 * f + 1] = zr * hi + zi * hr


def scatter(const floating[:, :, :] y, floating[:, :, :] out,
            Py_ssize_t s0, Py_ssize_t d0, Py_ssize_t n0, Py_ssize_t st0,
            Py_ssize_t s1, Py_ssize_t d1, Py_ssize_t n1, Py_ssize_t st1,
            Py_ssize_t s2, Py_ssize_t d2, Py_ssize_t n2, Py_ssize_t st2):
    """``out[d0 + i, d1 + j, d2 + k] = y[s0 + i st0, s1 + j st1, s2 + k st2]``.

    ``i < n0``, ``j < n1``, ``k < n2``: the kept outputs of one tile, with
    the stride of the convolution along each axis.
    """
    cdef Py_ssize_t i, j, k
    with nogil:
        for i in range(n0):
            for j in range(n1):
                if st2 == 1 and out.strides[2] == sizeof(floating):
                    _copy_row(&out[d0 + i, d1 + j, d2], &y[s0 + i * st0, s1 + j * st1, s2], n2)
                else:
                    for k in range(n2):
                        out[d0 + i, d1 + j, d2 + k] = y[s0 + i * st0, s1 + j * st1, s2 + k * st2]
