"""Fused separable correlation of 2-D items: both 1-D passes in one sweep.

For an item ``x`` of shape ``(n0, n1)`` and the 1-D factors ``f0`` (rows,
length ``K0``) and ``f1`` (columns, length ``K1``) this computes

    out[o0, o1] = sum_k0 f0[k0] * sum_k1 f1[k1] * X[o0*s0 + lo0 + k0, o1*s1 + lo1 + k1]

with ``X`` the item extended by a boundary rule, one output row at a time:

1. the vertical pass: ``V[c] = sum_k0 f0[k0] * X[row(o0, k0), c]`` over
   the columns the row needs, reading the ``K0`` input rows in place (a
   tile of columns held in vector registers across the rows) into a
   per-thread line that stays in the cache;
2. the columns beyond the item's edges are filled in from ``V`` by the
   column index map (``V`` is a linear function of each column, so the
   boundary rule commutes with the vertical pass), or with
   ``sum(f0) * fill`` for the fill boundary;
3. the horizontal pass: ``out[o1] = sum_k1 f1[k1] * V[o1*s1 + k1]``, a
   tile of outputs in registers across the taps, straight into the output.

No intermediate array the size of the image is made and the input is read
from memory once. The boundary rules come in as index maps made by the
caller (``sigconv._boundary.map_index``): ``rmap[p]`` for the extended row
``p = o0*s0 + k0`` (relative to ``lo0``) and ``cmap[j]`` for the extended
column ``j = o1*s1 + k1`` (relative to ``lo1``): the input row / column, or
-1 for the fill value. The V line covers the columns ``[vc0, vc1)`` of the
item, every column ``cmap`` names. Output rows are cut into strips, the
tasks of a dynamic parallel loop.
"""

from cython.parallel cimport prange, threadid
from libc.stdlib cimport malloc, free
cimport numpy as cnp

from ._common cimport (real_t, pad64, team_size, team_counters, team_report, team_stamp,
                       sigconv_wtime)

cdef extern from "_separable_helpers.h":
    cnp.int64_t sigconv_fetch_add(cnp.int64_t* p, cnp.int64_t v) noexcept nogil
    cnp.int64_t sigconv_fetch_or(cnp.int64_t* p, cnp.int64_t v) noexcept nogil
    cnp.int64_t sigconv_load(cnp.int64_t* p) noexcept nogil
    void sigconv_yield() noexcept nogil

cdef enum:
    TILE_MAX = 64     # largest register tile (outputs)
    # a shared team's counters (``ctrl``, int64, one 64-byte line each):
    NEXT = 0          # the next task
    JOINED = 8        # helpers that joined (bit CLOSED: the team is closed)
    LEFT = 16         # helpers that are done
    COUNTS = 24       # tasks member t did: ctrl[COUNTS + 8 * t]
    CTRL_SIZE = 24    # and 8 more per member
    BLOCK = 4         # output rows whose vertical passes share their loads
    BLOCK_TILE = 32   # largest tile of those four rows (outputs per row)

#: entries of a shared team's ``ctrl`` array (see ``correlate``): this
#: many, and 8 per member
TEAM_CTRL = CTRL_SIZE


cdef inline void _vtile(real_t* dst, const real_t** bases, const Py_ssize_t* strides,
                        const Py_ssize_t* counts, const real_t** wts, Py_ssize_t nruns,
                        Py_ssize_t c, real_t init, Py_ssize_t tile) noexcept nogil:
    """dst[t] = init + sum over the runs q and their rows r of
    wts[q][r] * bases[q][r * strides[q] + c + t], t < tile (tile constant
    when inlined: ``acc`` stays in vector registers across the rows).

    The rows come as runs of a constant stride (not as one pointer per
    row), which is also the form compilers vectorise best."""
    cdef real_t acc[TILE_MAX]
    cdef Py_ssize_t t, q, r, st
    cdef const real_t* xp
    cdef const real_t* wp
    cdef real_t wk
    for t in range(tile):
        acc[t] = init
    for q in range(nruns):
        xp = bases[q] + c
        st = strides[q]
        wp = wts[q]
        for r in range(counts[q]):
            wk = wp[r]
            for t in range(tile):
                acc[t] = acc[t] + wk * xp[r * st + t]
    for t in range(tile):
        dst[t] = acc[t]


cdef void _vertical(real_t* dst, const real_t** bases, const Py_ssize_t* strides,
                           const Py_ssize_t* counts, const real_t** wts, Py_ssize_t nruns,
                           Py_ssize_t c0, Py_ssize_t c1, real_t init) noexcept nogil:
    """dst[c - c0] = the vertical pass at column c (see ``_vtile``), c0 <= c < c1."""
    cdef Py_ssize_t c = c0
    cdef Py_ssize_t tile
    if real_t is float:
        tile = 64
    elif real_t is double or real_t is cnp.int64_t:
        tile = 32
    else:
        tile = 8
    while c + tile <= c1:
        _vtile(dst + (c - c0), bases, strides, counts, wts, nruns, c, init, tile)
        c = c + tile
    if tile > 16 and c + 16 <= c1:
        _vtile(dst + (c - c0), bases, strides, counts, wts, nruns, c, init, 16)
        c = c + 16
    if tile > 8 and c + 8 <= c1:
        _vtile(dst + (c - c0), bases, strides, counts, wts, nruns, c, init, 8)
        c = c + 8
    if c + 4 <= c1:
        _vtile(dst + (c - c0), bases, strides, counts, wts, nruns, c, init, 4)
        c = c + 4
    while c < c1:
        _vtile(dst + (c - c0), bases, strides, counts, wts, nruns, c, init, 1)
        c = c + 1


cdef inline void _vbtile(real_t* dst, Py_ssize_t dstride, const real_t* x0, Py_ssize_t n1,
                         const real_t* f0, Py_ssize_t K0, Py_ssize_t c) noexcept nogil:
    """The vertical pass of four consecutive output rows (``BLOCK``, step 1)
    at columns c .. c+tile-1 (``tile``: a constant of the type), the input
    rows at ``x0 + i * n1``.

    Output row ``r`` reads the rows ``i = r .. r + K0 - 1``: the rows
    ``3 <= i < K0`` that all four read are loaded once for all of them,
    the first and last three for those that read them. One accumulator
    tile per output row, held in vector registers; writes ``dst[r *
    dstride + c + t]``. Needs ``K0 > 3``.
    """
    cdef real_t a0[BLOCK_TILE]
    cdef real_t a1[BLOCK_TILE]
    cdef real_t a2[BLOCK_TILE]
    cdef real_t a3[BLOCK_TILE]
    cdef Py_ssize_t t, i
    cdef const real_t* xp
    cdef real_t v, w0, w1, w2, w3
    cdef Py_ssize_t tile
    if real_t is float:
        tile = 32
    elif real_t is double or real_t is cnp.int64_t:
        tile = 16
    else:
        tile = 4
    # (every sum starts from zero and adds one product at a time, as the
    # one-row pass does, so that both round alike)
    for t in range(tile):
        a0[t] = 0
        a1[t] = 0
        a2[t] = 0
        a3[t] = 0
    # rows 0, 1, 2: read by the first one, two, three output rows
    xp = x0 + c
    w0 = f0[0]
    for t in range(tile):
        a0[t] = a0[t] + w0 * xp[t]
    xp = x0 + n1 + c
    w0 = f0[1]
    w1 = f0[0]
    for t in range(tile):
        v = xp[t]
        a0[t] = a0[t] + w0 * v
        a1[t] = a1[t] + w1 * v
    xp = x0 + 2 * n1 + c
    w0 = f0[2]
    w1 = f0[1]
    w2 = f0[0]
    for t in range(tile):
        v = xp[t]
        a0[t] = a0[t] + w0 * v
        a1[t] = a1[t] + w1 * v
        a2[t] = a2[t] + w2 * v
    xp = x0 + 3 * n1 + c
    w0 = f0[3]
    w1 = f0[2]
    w2 = f0[1]
    w3 = f0[0]
    for t in range(tile):
        v = xp[t]
        a0[t] = a0[t] + w0 * v
        a1[t] = a1[t] + w1 * v
        a2[t] = a2[t] + w2 * v
        a3[t] = a3[t] + w3 * v
    # rows 4 .. K0-1: read by all four
    for i in range(4, K0):
        xp = x0 + i * n1 + c
        w0 = f0[i]
        w1 = f0[i - 1]
        w2 = f0[i - 2]
        w3 = f0[i - 3]
        for t in range(tile):
            v = xp[t]
            a0[t] = a0[t] + w0 * v
            a1[t] = a1[t] + w1 * v
            a2[t] = a2[t] + w2 * v
            a3[t] = a3[t] + w3 * v
    # rows K0, K0+1, K0+2: read by the last three, two, one output rows
    xp = x0 + K0 * n1 + c
    w1 = f0[K0 - 1]
    w2 = f0[K0 - 2]
    w3 = f0[K0 - 3]
    for t in range(tile):
        v = xp[t]
        a1[t] = a1[t] + w1 * v
        a2[t] = a2[t] + w2 * v
        a3[t] = a3[t] + w3 * v
    xp = x0 + (K0 + 1) * n1 + c
    w2 = f0[K0 - 1]
    w3 = f0[K0 - 2]
    for t in range(tile):
        v = xp[t]
        a2[t] = a2[t] + w2 * v
        a3[t] = a3[t] + w3 * v
    xp = x0 + (K0 + 2) * n1 + c
    w3 = f0[K0 - 1]
    for t in range(tile):
        a3[t] = a3[t] + w3 * xp[t]
    for t in range(tile):
        dst[c + t] = a0[t]
        dst[dstride + c + t] = a1[t]
        dst[2 * dstride + c + t] = a2[t]
        dst[3 * dstride + c + t] = a3[t]


cdef void _vertical_block(real_t* dst, Py_ssize_t dstride, const real_t* x0, Py_ssize_t n1,
                          const real_t* f0, Py_ssize_t K0, Py_ssize_t c0,
                          Py_ssize_t c1) noexcept nogil:
    """``_vbtile`` over the columns c0 <= c < c1 (``x0`` and ``dst`` from
    column c0); the last columns short of a tile one by one."""
    cdef Py_ssize_t c = 0
    cdef Py_ssize_t n = c1 - c0
    cdef Py_ssize_t tile, r, i
    cdef real_t acc
    if real_t is float:
        tile = 32
    elif real_t is double or real_t is cnp.int64_t:
        tile = 16
    else:
        tile = 4
    while c + tile <= n:
        _vbtile(dst, dstride, x0, n1, f0, K0, c)
        c = c + tile
    while c < n:
        for r in range(BLOCK):
            acc = 0
            for i in range(K0):
                acc = acc + f0[i] * x0[(r + i) * n1 + c]
            dst[r * dstride + c] = acc
        c = c + 1


cdef inline void _htile(real_t* dst, const real_t* v, const real_t* w, Py_ssize_t K,
                        Py_ssize_t s, bint accumulate, Py_ssize_t tile) noexcept nogil:
    """dst[t] (+)= sum_k w[k] * v[t*s + k], t < tile (tile constant when inlined)."""
    cdef real_t acc[TILE_MAX]
    cdef Py_ssize_t t, k
    cdef real_t wk
    for t in range(tile):
        acc[t] = 0
    for k in range(K):
        wk = w[k]
        for t in range(tile):
            acc[t] = acc[t] + wk * v[t * s + k]
    if accumulate:
        for t in range(tile):
            dst[t] = dst[t] + acc[t]
    else:
        for t in range(tile):
            dst[t] = acc[t]


cdef void _horizontal(real_t* dst, Py_ssize_t m, const real_t* v, const real_t* w,
                             Py_ssize_t K, Py_ssize_t s, bint accumulate) noexcept nogil:
    """dst[o] (+)= sum_k w[k] * v[o*s + k] for o < m."""
    cdef Py_ssize_t o = 0
    cdef Py_ssize_t tile
    if real_t is float:
        tile = 64
    elif real_t is double or real_t is cnp.int64_t:
        tile = 32
    else:
        tile = 8
    if s == 1:
        while o + tile <= m:
            _htile(dst + o, v + o, w, K, 1, accumulate, tile)
            o = o + tile
        if tile > 16 and o + 16 <= m:
            _htile(dst + o, v + o, w, K, 1, accumulate, 16)
            o = o + 16
        if tile > 8 and o + 8 <= m:
            _htile(dst + o, v + o, w, K, 1, accumulate, 8)
            o = o + 8
        if o + 4 <= m:
            _htile(dst + o, v + o, w, K, 1, accumulate, 4)
            o = o + 4
        while o < m:
            _htile(dst + o, v + o, w, K, 1, accumulate, 1)
            o = o + 1
    else:
        while o + 8 <= m:
            _htile(dst + o, v + o * s, w, K, s, accumulate, 8)
            o = o + 8
        while o < m:
            _htile(dst + o, v + o * s, w, K, s, accumulate, 1)
            o = o + 1


cdef inline void _finish_row(real_t* line, real_t* orow, const real_t* f1, Py_ssize_t K1,
                             Py_ssize_t M1, Py_ssize_t s1, const cnp.intp_t* cmap,
                             Py_ssize_t L, Py_ssize_t jl, Py_ssize_t jr, Py_ssize_t vc0,
                             Py_ssize_t lo1, real_t fillv, bint accumulate) noexcept nogil:
    """The extended columns of a V line, then its horizontal pass into ``orow``.

    ``line`` holds column ``c`` of the item (vc0 <= c < vc1) at
    ``line[c - base]`` and extended column ``lo1 + j`` at ``line[lo1 + j -
    base]``, ``base = min(lo1, vc0)``.
    """
    cdef Py_ssize_t j, mi
    cdef Py_ssize_t base = lo1 if lo1 < vc0 else vc0
    cdef real_t* ext = line + (lo1 - base)
    cdef real_t* vline = line + (vc0 - base)
    # the columns beyond the item's edges: j < jl and j >= jr
    for j in range(jl):
        mi = cmap[j]
        ext[j] = fillv if mi < 0 else vline[mi - vc0]
    for j in range(jr, L):
        mi = cmap[j]
        ext[j] = fillv if mi < 0 else vline[mi - vc0]
    _horizontal(orow, M1, ext, f1, K1, s1, accumulate)


cdef inline void _row_line(const real_t* x, const real_t* f0, real_t* vline, Py_ssize_t n1,
                           Py_ssize_t K0, const cnp.intp_t* rm, Py_ssize_t vc0,
                           Py_ssize_t vc1, real_t fill, const real_t** bases,
                           const real_t** wts, Py_ssize_t* strides,
                           Py_ssize_t* counts) noexcept nogil:
    """The V line of one output row (columns vc0 .. vc1-1 into ``vline``),
    ``rm[k0]`` its input rows (-1: the fill value)."""
    cdef Py_ssize_t k, mi, step, nruns = 0
    cdef real_t init = 0
    # the kernel's rows as runs of input rows at a constant stride (one run
    # inside the item; reflected, repeated or wrapped rows start new runs)
    k = 0
    while k < K0:
        mi = rm[k]
        if mi < 0:
            # a row of the fill value (summed tap by tap, as the direct
            # method does, so that 0 * inf and NaN fills behave alike)
            init = init + fill * f0[k]
            k = k + 1
            continue
        bases[nruns] = x + mi * n1
        wts[nruns] = f0 + k
        counts[nruns] = 1
        step = 0
        if k + 1 < K0 and rm[k + 1] >= 0:
            step = rm[k + 1] - mi
            k = k + 1
            while k < K0 and rm[k] >= 0 and rm[k] - rm[k - 1] == step:
                counts[nruns] = counts[nruns] + 1
                k = k + 1
        else:
            k = k + 1
        strides[nruns] = step * n1
        nruns = nruns + 1
    _vertical(vline, bases, strides, counts, wts, nruns, vc0, vc1, init)


cdef inline bint _block_inside(const cnp.intp_t* rm, Py_ssize_t count) noexcept nogil:
    """Whether the extended rows rm[0 .. count) are consecutive rows of the item."""
    cdef Py_ssize_t i
    if rm[0] < 0:
        return False
    for i in range(1, count):
        if rm[i] != rm[0] + i:
            return False
    return True


cdef void _strip(const real_t* x, const real_t* f0, const real_t* f1, real_t* out,
                 Py_ssize_t r0, Py_ssize_t r1, Py_ssize_t n1, Py_ssize_t K0, Py_ssize_t K1,
                 Py_ssize_t M1, Py_ssize_t s0, Py_ssize_t s1, const cnp.intp_t* rmap,
                 const cnp.intp_t* cmap, Py_ssize_t L, Py_ssize_t jl, Py_ssize_t jr,
                 Py_ssize_t vc0, Py_ssize_t vc1, Py_ssize_t lo1, real_t fill, real_t fillv,
                 bint accumulate, const real_t** bases, const real_t** wts,
                 Py_ssize_t* strides, Py_ssize_t* counts, real_t* lines,
                 Py_ssize_t linesize) noexcept nogil:
    """Output rows r0 .. r1-1 of one item (``out`` at its row 0): ``BLOCK``
    rows at a time where their input rows are consecutive rows of the item,
    otherwise one at a time."""
    cdef Py_ssize_t o0 = r0
    cdef Py_ssize_t r
    cdef Py_ssize_t base = lo1 if lo1 < vc0 else vc0
    cdef Py_ssize_t span = BLOCK - 1 + K0
    cdef bint blocks = s0 == 1 and K0 >= BLOCK and vc1 > vc0
    while o0 < r1:
        # blocks start at multiples of BLOCK whatever the strips, so that
        # every row is computed alike on any number of threads
        if (blocks and o0 % BLOCK == 0 and o0 + BLOCK <= r1
                and _block_inside(rmap + o0, span)):
            _vertical_block(lines + (vc0 - base), linesize, x + rmap[o0] * n1 + vc0,
                            n1, f0, K0, vc0, vc1)
            for r in range(BLOCK):
                _finish_row(lines + r * linesize, out + (o0 + r) * M1, f1, K1, M1, s1,
                            cmap, L, jl, jr, vc0, lo1, fillv, accumulate)
            o0 = o0 + BLOCK
        else:
            _row_line(x, f0, lines + (vc0 - base), n1, K0, rmap + o0 * s0, vc0, vc1, fill,
                      bases, wts, strides, counts)
            _finish_row(lines, out + o0 * M1, f1, K1, M1, s1, cmap, L, jl, jr, vc0, lo1,
                        fillv, accumulate)
            o0 = o0 + 1


cdef int _member(const real_t* x, const real_t* f0, const real_t* f1, real_t* out,
                 Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t M0, Py_ssize_t M1, Py_ssize_t K0,
                 Py_ssize_t K1, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t lo1,
                 const cnp.intp_t* rmap, const cnp.intp_t* cmap, const cnp.intp_t* xbatch,
                 Py_ssize_t L, Py_ssize_t jl, Py_ssize_t jr, Py_ssize_t vc0, Py_ssize_t vc1,
                 real_t fill, real_t fillv, bint accumulate, Py_ssize_t strip,
                 Py_ssize_t nstrips, Py_ssize_t ntasks, Py_ssize_t linesize,
                 cnp.int64_t* ctrl, int members, bint helper) except -1:
    """One member of a shared team of ``members`` (see ``correlate``): the
    tasks it takes. The calling member (``helper=False``) reports the
    team's shares to the late-thread record (``team_report``)."""
    cdef cnp.int64_t closed = (<cnp.int64_t>1) << 62
    cdef cnp.int64_t task, joined, count = 0
    cdef Py_ssize_t b, r0, r1, t
    cdef int me = 0
    cdef Py_ssize_t rowsize = pad64(K0)
    cdef const real_t** ptrs = NULL
    cdef Py_ssize_t* ints = NULL
    cdef real_t* lines = NULL
    cdef Py_ssize_t* done = NULL
    cdef double started = sigconv_wtime(), finished
    with nogil:
        if helper:
            joined = sigconv_fetch_add(ctrl + JOINED, 1)
            if joined & closed:
                return 0         # too late: the team is done without us
            me = <int>joined + 1
        ptrs = <const real_t**> malloc(sizeof(real_t*) * 2 * rowsize)
        ints = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * 2 * rowsize)
        lines = <real_t*> malloc(sizeof(real_t) * BLOCK * linesize)
        if ptrs != NULL and ints != NULL and lines != NULL:
            while True:
                task = sigconv_fetch_add(ctrl + NEXT, 1)
                if task >= ntasks:
                    break
                b = task // nstrips
                r0 = (task % nstrips) * strip
                r1 = min(r0 + strip, M0)
                _strip(x + xbatch[b] * n0 * n1, f0, f1, out + b * M0 * M1, r0, r1, n1, K0,
                       K1, M1, s0, s1, rmap, cmap, L, jl, jr, vc0, vc1, lo1, fill, fillv,
                       accumulate, ptrs, ptrs + rowsize, ints, ints + rowsize, lines,
                       linesize)
                count = count + 1
        free(ptrs)
        free(ints)
        free(lines)
        if me < members:
            ctrl[COUNTS + 8 * me] = count
        if helper:
            sigconv_fetch_add(ctrl + LEFT, 1)
        else:
            finished = sigconv_wtime()
            # close the team; wait for the helpers that joined before
            joined = sigconv_fetch_or(ctrl + JOINED, closed)
            while sigconv_load(ctrl + LEFT) < joined:
                sigconv_yield()
            # a helper that never came, or came late, counts as a late
            # thread: the library's default runs on one thread for a while
            done = team_counters(members)
            if done != NULL:
                for t in range(members):
                    done[8 * t] = <Py_ssize_t>ctrl[COUNTS + 8 * t]
                done[2] = <Py_ssize_t>(started * 1e6)
                done[1] = <Py_ssize_t>(finished * 1e6)
                team_report(members, ntasks, done)
                free(done)
    if not helper and sigconv_load(ctrl + NEXT) < ntasks:
        raise MemoryError()      # members without scratch left tasks undone
    return 0


def correlate(const real_t[::1] x, const real_t[::1] f0, const real_t[::1] f1,
              real_t[::1] out, Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t M0, Py_ssize_t M1,
              Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t lo1,
              const cnp.intp_t[::1] rmap, const cnp.intp_t[::1] cmap,
              const cnp.intp_t[::1] xbatch, real_t fill, bint accumulate, int nthreads,
              cnp.int64_t[::1] ctrl=None, bint helper=False):
    """out[b, o0, o1] (+)= sum f0[k0] f1[k1] X[xbatch[b], o0*s0 + lo0 + k0, o1*s1 + lo1 + k1].

    ``x``: C-ordered items of shape ``(n0, n1)``; ``out``: items of shape
    ``(M0, M1)``, one per entry of ``xbatch``. ``rmap`` (length ``(M0-1)*s0
    + K0``) and ``cmap`` (length ``(M1-1)*s1 + K1``): the extended rows and
    columns (from ``lo0`` / ``lo1``) as item indices, -1 for the fill value.

    Threads: without ``ctrl``, an OpenMP loop on ``nthreads`` threads.
    With ``ctrl`` (``TEAM_CTRL + 8 * nthreads`` zeroed int64), this call is
    one member of a team of ``nthreads`` calls made side by side from as
    many threads (the same arguments): each takes the next task from the
    shared counter until none is left. The one call with ``helper=False``
    returns when every task is done; a helper that starts after that (held
    up by another process) leaves at once, and nobody waits for it. That
    call reports the members' shares to the late-thread record (a helper
    that did far less than its share makes the library's default one
    thread for a while).
    """
    cdef Py_ssize_t K0 = f0.shape[0]
    cdef Py_ssize_t K1 = f1.shape[0]
    cdef Py_ssize_t nbatch = xbatch.shape[0]
    cdef Py_ssize_t L = (M1 - 1) * s1 + K1
    cdef Py_ssize_t vc0 = n1
    cdef Py_ssize_t vc1 = 0
    cdef Py_ssize_t j, q, jl, jr, base, top, linesize, strip, nstrips, ntasks, task, b, r0, r1
    cdef real_t fillv = 0
    cdef int tid
    cdef const real_t** ptrs = NULL
    cdef Py_ssize_t* ints = NULL
    cdef real_t* lines = NULL
    cdef Py_ssize_t* done = NULL
    cdef Py_ssize_t rowsize
    if M0 <= 0 or M1 <= 0 or nbatch == 0:
        return
    if K0 < 1 or K1 < 1 or s0 < 1 or s1 < 1 or n0 < 1 or n1 < 1:
        raise ValueError("factors, steps and item lengths must be positive")
    if rmap.shape[0] < (M0 - 1) * s0 + K0 or cmap.shape[0] < L:
        raise ValueError("index maps are too short")
    if out.shape[0] < nbatch * M0 * M1:
        raise ValueError("output buffer is too short")
    for j in range(rmap.shape[0]):
        if rmap[j] >= n0:
            raise ValueError("row map out of range")
    for b in range(nbatch):
        if xbatch[b] < 0 or (xbatch[b] + 1) * n0 * n1 > x.shape[0]:
            raise ValueError("batch index out of range")
    # the columns the vertical pass computes: those inside the span, and
    # every column the extended ones map to
    for j in range(L):
        q = lo1 + j
        if cmap[j] >= n1:
            raise ValueError("column map out of range")
        if 0 <= q < n1:
            vc0 = min(vc0, q)
            vc1 = max(vc1, q + 1)
        elif cmap[j] >= 0:
            vc0 = min(vc0, cmap[j])
            vc1 = max(vc1, cmap[j] + 1)
    if vc1 <= vc0:
        vc0 = vc1 = 0
    for j in range(K0):
        fillv = fillv + fill * f0[j]
    # extended columns j < jl lie left of the item, j >= jr right of it
    jl = min(L, max(<Py_ssize_t>0, -lo1))
    jr = max(jl, min(L, n1 - lo1))
    base = lo1 if lo1 < vc0 else vc0
    top = lo1 + L if lo1 + L > vc1 else vc1
    linesize = pad64(top - base)

    # strips of output rows: enough tasks to share out, long enough that a
    # thread's consecutive rows reuse the input rows in its cache
    ntasks = nbatch * M0
    strip = max(<Py_ssize_t>1, min(<Py_ssize_t>8, ntasks // (8 * BLOCK * max(nthreads, 1))))
    strip = strip * BLOCK
    nstrips = (M0 + strip - 1) // strip
    ntasks = nbatch * nstrips
    if ctrl is not None:
        if nthreads < 1 or ctrl.shape[0] < CTRL_SIZE + 8 * nthreads:
            raise ValueError("ctrl needs %d entries and 8 per member" % CTRL_SIZE)
        _member(&x[0], &f0[0], &f1[0], &out[0], n0, n1, M0, M1, K0, K1, s0, s1, lo1,
                &rmap[0], &cmap[0], &xbatch[0], L, jl, jr, vc0, vc1, fill, fillv, accumulate,
                strip, nstrips, ntasks, linesize, &ctrl[0], nthreads, helper)
        return
    nthreads = team_size(nthreads, ntasks)
    rowsize = pad64(K0)
    # per thread: the runs' bases and weights, their strides and counts
    ptrs = <const real_t**> malloc(sizeof(real_t*) * 2 * rowsize * nthreads)
    ints = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * 2 * rowsize * nthreads)
    lines = <real_t*> malloc(sizeof(real_t) * BLOCK * linesize * nthreads)
    done = team_counters(nthreads)
    if ptrs == NULL or ints == NULL or lines == NULL or done == NULL:
        free(ptrs); free(ints); free(lines); free(done)
        raise MemoryError()
    try:
        with nogil:
            team_stamp(done, 2)
            for task in prange(ntasks, schedule='dynamic', num_threads=nthreads):
                tid = threadid()
                b = task // nstrips
                r0 = (task % nstrips) * strip
                r1 = min(r0 + strip, M0)
                _strip(&x[xbatch[b] * n0 * n1], &f0[0], &f1[0], &out[b * M0 * M1], r0, r1,
                       n1, K0, K1, M1, s0, s1, &rmap[0], &cmap[0], L, jl, jr, vc0, vc1, lo1,
                       fill, fillv, accumulate, ptrs + 2 * tid * rowsize,
                       ptrs + (2 * tid + 1) * rowsize, ints + 2 * tid * rowsize,
                       ints + (2 * tid + 1) * rowsize, lines + tid * BLOCK * linesize,
                       linesize)
                done[8 * tid] = done[8 * tid] + 1
                if tid == 0:
                    team_stamp(done, 1)
            team_report(nthreads, ntasks, done)
    finally:
        free(done)
        free(ptrs)
        free(ints)
        free(lines)
