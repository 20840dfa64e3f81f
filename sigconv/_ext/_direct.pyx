"""Direct (summation) correlation kernel, N-D, all boundaries, strided.

One general mechanism serves every dimension: the output is cut into
*lines* along its last axis, and each line into *segments* of at most
``CHUNK`` outputs; consecutive segments are grouped into tasks of about
``CHUNK`` outputs, the units of the parallel loop. For a task
the kernel's rows (all taps but the last axis) are resolved once into
pointers to input rows -- boundary handling on the outer axes is index
arithmetic, never a copy -- and then:

* interior segments (every tap of every output inside the input along the
  last axis) read the input rows in place, a tile of outputs held in vector
  registers across the taps of each row;
* border segments first extend every kernel row's span into a per-thread
  buffer with the boundary rule (one row at a time when a huge kernel does
  not fit), then run the same tiles on the buffer.

Tiles have compile-time sizes (64/32/16/8/4 outputs); a remainder of fewer
than 4 outputs is computed as a 4-tile into a temporary, which is why
interior runs are cut to multiples of 4 and border buffers carry slack.

The caller (sigconv._backends.direct) has already flipped / conjugated the
kernel, split complex data, moved the convolved axes last and resolved
broadcasting into per-output-item batch indices, so this module computes

    out[b, o] = sum_k w[wbatch[b], k] * X[xbatch[b], o * step + lo + k]

where X is the input extended by ``boundary`` (fill value ``fill``).
"""

from cython.parallel cimport prange, threadid
from libc.stdlib cimport malloc, free
cimport numpy as cnp

from ._common cimport (real_t, map_index, Geometry, MAXDIM, geometry_init, kernel_rows,
                       unravel, ceil_div, floor_div, pad64, team_size, team_counters,
                       team_report, team_stamp)

cdef extern from "_direct_kernels.h":
    # 1 after computing a tile of ``tile`` outputs; 0 for a size it lacks
    bint sigconv_unit_tile_f32(float* dst, const float** rows, const float** wrows,
                               Py_ssize_t nrows, Py_ssize_t K, Py_ssize_t off, float init,
                               int accumulate, Py_ssize_t tile) noexcept nogil
    bint sigconv_unit_tile_f64(double* dst, const double** rows, const double** wrows,
                               Py_ssize_t nrows, Py_ssize_t K, Py_ssize_t off, double init,
                               int accumulate, Py_ssize_t tile) noexcept nogil

cdef enum:
    CHUNK = 2048      # outputs of one line per task
    TILE_MAX = 64     # largest register tile (outputs)
    SMALL_TILE = 4    # smallest one; remainders are computed as one of these
    BUDGET = 32768    # elements of a thread's border buffer (fits in L2)


cdef inline void _block(real_t* dst, const real_t** rows, const real_t** wrows,
                        Py_ssize_t nrows, Py_ssize_t K, Py_ssize_t s, Py_ssize_t off,
                        real_t init, bint accumulate, Py_ssize_t j,
                        Py_ssize_t tile) noexcept nogil:
    """``tile`` outputs (j .. j+tile-1 of a segment) into dst[0 .. tile-1].

    Output j is sum_r sum_k wrows[r][k] * rows[r][off + j*s + k]. Inlined
    with constant ``tile`` (and ``s == 1``), the compiler keeps ``acc`` in
    vector registers across the taps of a row and turns the ``t`` loop into
    vector FMAs reading the input in place.
    """
    cdef real_t acc[TILE_MAX]
    cdef Py_ssize_t t, r, k
    cdef const real_t* xp
    cdef const real_t* wp
    cdef real_t wk
    if accumulate:
        for t in range(tile):
            acc[t] = dst[t]
    else:
        for t in range(tile):
            acc[t] = init
    for r in range(nrows):
        xp = rows[r] + off + j * s
        wp = wrows[r]
        for k in range(K):
            wk = wp[k]
            for t in range(tile):
                acc[t] = acc[t] + wk * xp[t * s + k]
    for t in range(tile):
        dst[t] = acc[t]


cdef inline void _unit_block(real_t* dst, const real_t** rows, const real_t** wrows,
                             Py_ssize_t nrows, Py_ssize_t K, Py_ssize_t off, real_t init,
                             bint accumulate, Py_ssize_t tile) noexcept nogil:
    """``tile`` outputs of unit stride (64, 32, 16, 8 or 4) into dst.

    float32 and float64 tiles of whole vectors take the named-vector tiles
    of ``_direct_kernels.h``; the others the generic ``_block``, each call
    with its size as a constant.
    """
    if real_t is float:
        if sigconv_unit_tile_f32(dst, rows, wrows, nrows, K, off, init, accumulate, tile):
            return
    elif real_t is double:
        if sigconv_unit_tile_f64(dst, rows, wrows, nrows, K, off, init, accumulate, tile):
            return
    if tile == 32:
        _block(dst, rows, wrows, nrows, K, 1, off, init, accumulate, 0, 32)
    elif tile == 16:
        _block(dst, rows, wrows, nrows, K, 1, off, init, accumulate, 0, 16)
    elif tile == 8:
        _block(dst, rows, wrows, nrows, K, 1, off, init, accumulate, 0, 8)
    else:
        _block(dst, rows, wrows, nrows, K, 1, off, init, accumulate, 0, SMALL_TILE)


cdef inline void _segment(real_t* dst, Py_ssize_t count, const real_t** rows,
                          const real_t** wrows, Py_ssize_t nrows, Py_ssize_t K,
                          Py_ssize_t s, Py_ssize_t off, real_t init,
                          bint accumulate) noexcept nogil:
    """``count`` outputs into dst (as in ``_block``).

    Every block has a compile-time size. A last remainder of fewer than
    ``SMALL_TILE`` outputs is computed as a whole small tile into a
    temporary, so the rows must be readable ``SMALL_TILE * s`` elements past
    the segment (interior segments are cut to a multiple of ``SMALL_TILE``;
    border buffers carry the slack).
    """
    cdef Py_ssize_t j = 0
    cdef Py_ssize_t tile, t
    cdef real_t tmp[SMALL_TILE]
    # Tiles of 8 vector registers: enough independent FMA chains to hide
    # the FMA latency, few enough to leave registers for the loads.
    if real_t is float:
        tile = 64
    elif real_t is double:
        tile = 32
    elif real_t is cnp.int64_t:
        tile = 32
    else:
        tile = 8
    if s == 1:
        while j + tile <= count:
            _unit_block(dst + j, rows, wrows, nrows, K, off + j, init, accumulate, tile)
            j = j + tile
        if tile > 32 and count - j >= 32:
            _unit_block(dst + j, rows, wrows, nrows, K, off + j, init, accumulate, 32)
            j = j + 32
        if tile > 16 and count - j >= 16:
            _unit_block(dst + j, rows, wrows, nrows, K, off + j, init, accumulate, 16)
            j = j + 16
        if tile > 8 and count - j >= 8:
            _unit_block(dst + j, rows, wrows, nrows, K, off + j, init, accumulate, 8)
            j = j + 8
        if count - j >= SMALL_TILE:
            _unit_block(dst + j, rows, wrows, nrows, K, off + j, init, accumulate, SMALL_TILE)
            j = j + SMALL_TILE
        if j < count:
            for t in range(count - j):
                tmp[t] = dst[j + t]
            _unit_block(tmp, rows, wrows, nrows, K, off + j, init, accumulate, SMALL_TILE)
            for t in range(count - j):
                dst[j + t] = tmp[t]
    else:
        while j + 8 <= count:
            _block(dst + j, rows, wrows, nrows, K, s, off, init, accumulate, j, 8)
            j = j + 8
        if count - j >= SMALL_TILE:
            _block(dst + j, rows, wrows, nrows, K, s, off, init, accumulate, j, SMALL_TILE)
            j = j + SMALL_TILE
        if j < count:
            for t in range(count - j):
                tmp[t] = dst[j + t]
            _block(tmp, rows, wrows, nrows, K, s, off, init, accumulate, j, SMALL_TILE)
            for t in range(count - j):
                dst[j + t] = tmp[t]


cdef inline void _extend_row(real_t* dst, const real_t* row, Py_ssize_t start,
                             Py_ssize_t span, Py_ssize_t slack, Py_ssize_t n,
                             int boundary, real_t fill) noexcept nogil:
    """dst[q] = row extended by ``boundary`` at start + q; ``slack`` zeros after."""
    cdef Py_ssize_t q, i, mi
    for q in range(span):
        i = start + q
        if 0 <= i < n:
            dst[q] = row[i]
        else:
            mi = map_index(i, n, boundary)
            dst[q] = fill if mi < 0 else row[mi]
    for q in range(span, span + slack):
        dst[q] = 0


cdef inline void _run_task(const real_t* x, const real_t* w, real_t* out,
                           const Geometry* g, const cnp.intp_t* xbatch,
                           const cnp.intp_t* wbatch, const Py_ssize_t* seg,
                           const Py_ssize_t* groups, Py_ssize_t ngroups, bint rows_at_once,
                           Py_ssize_t task, real_t fill, Py_ssize_t* offs,
                           const real_t** rows, const real_t** wrows, const real_t** xrows,
                           real_t* buf) noexcept nogil:
    cdef int last = g.ndim - 1
    cdef Py_ssize_t line = task // ngroups
    cdef Py_ssize_t grp = task % ngroups
    cdef Py_ssize_t sg
    cdef Py_ssize_t b = line // g.line_count
    cdef Py_ssize_t rem = line % g.line_count
    cdef Py_ssize_t o[MAXDIM]
    cdef Py_ssize_t r, k, q, nr = 0
    cdef real_t fillsum = 0
    cdef real_t init
    cdef const real_t* xbase = x + xbatch[b] * g.xitem
    cdef const real_t* wbase = w + wbatch[b] * g.witem
    cdef real_t* obase = out + b * g.oitem + rem * g.oshape[last]
    cdef Py_ssize_t K = g.wshape[last]
    cdef Py_ssize_t n = g.xshape[last]
    cdef Py_ssize_t s = g.step[last]
    cdef Py_ssize_t lo = g.lo[last]
    cdef Py_ssize_t j0, j1
    cdef Py_ssize_t span, slack

    unravel(rem, g.oshape, last, o)
    kernel_rows(g, o, offs)
    for r in range(g.nrows):
        if offs[r] < 0:
            # a row wholly beyond the edge: its taps all meet the fill value
            # (summed tap by tap, so 0 * inf and nan fills behave as padding)
            for k in range(K):
                fillsum = fillsum + fill * wbase[r * K + k]
        else:
            rows[nr] = xbase + offs[r]
            wrows[nr] = wbase + r * K
            nr = nr + 1

    init = fillsum
    slack = SMALL_TILE * s
    for sg in range(groups[grp], groups[grp + 1]):
        j0 = seg[3 * sg]
        j1 = seg[3 * sg + 1]
        if seg[3 * sg + 2]:
            # interior: every tap in range, rows read in place
            _segment(obase + j0, j1 - j0, rows, wrows, nr, K, s, j0 * s + lo, init, False)
            continue
        # border: extend the rows' spans into the thread's buffer
        span = (j1 - j0 - 1) * s + K
        if rows_at_once:
            for r in range(nr):
                _extend_row(buf + r * (span + slack), rows[r], j0 * s + lo, span, slack,
                            n, g.boundary, fill)
                xrows[r] = buf + r * (span + slack)
            _segment(obase + j0, j1 - j0, xrows, wrows, nr, K, s, 0, init, False)
        else:
            # a kernel too large for all rows at once: accumulate row by row
            for q in range(j0, j1):
                obase[q] = init
            for r in range(nr):
                _extend_row(buf, rows[r], j0 * s + lo, span, slack, n, g.boundary, fill)
                xrows[0] = buf
                _segment(obase + j0, j1 - j0, xrows, wrows + r, 1, K, s, 0, init, True)


cdef Py_ssize_t _add_segments(Py_ssize_t* seg, Py_ssize_t nseg, Py_ssize_t start,
                              Py_ssize_t stop, Py_ssize_t length,
                              bint interior) noexcept nogil:
    """Append [start, stop) cut into segments of at most ``length`` outputs."""
    while start < stop:
        seg[3 * nseg] = start
        seg[3 * nseg + 1] = min(start + length, stop)
        seg[3 * nseg + 2] = interior
        nseg = nseg + 1
        start = start + length
    return nseg


def correlate(const real_t[::1] x, const real_t[::1] w, real_t[::1] out,
              tuple xshape, tuple wshape, tuple oshape, tuple lo, tuple step,
              const cnp.intp_t[::1] xbatch, const cnp.intp_t[::1] wbatch,
              int boundary, real_t fill, int nthreads):
    """out[b, o] = sum_k w[wbatch[b], k] * X[xbatch[b], o*step + lo + k].

    x, w, out are C-ordered flat buffers of items of shape xshape, wshape,
    oshape (one item per batch index); X is x extended by ``boundary``.
    """
    cdef Geometry g
    cdef int d
    cdef Py_ssize_t nbatch
    cdef Py_ssize_t m, n, K, s, lo_l, j_in, j_out, nseg, ngroups, ntasks, task
    cdef Py_ssize_t bufsize, rowsize, per_row, border_len, stride_p, a2, count
    cdef bint rows_at_once
    cdef Py_ssize_t* seg = NULL
    cdef Py_ssize_t* groups = NULL
    cdef Py_ssize_t* offs = NULL
    cdef Py_ssize_t* done = NULL
    cdef const real_t** ptrs = NULL
    cdef const real_t** p0
    cdef real_t* buf = NULL
    cdef int tid
    geometry_init(&g, xshape, wshape, oshape, lo, step, boundary)
    d = g.ndim
    nbatch = out.shape[0] // g.oitem if g.oitem else 0
    if g.oitem == 0 or nbatch == 0:
        return
    if xbatch.shape[0] < nbatch or wbatch.shape[0] < nbatch:
        raise ValueError("batch index arrays are too short")

    # Segments of one line: border / interior / border along the last axis.
    m = g.oshape[d - 1]
    n = g.xshape[d - 1]
    K = g.wshape[d - 1]
    s = g.step[d - 1]
    lo_l = g.lo[d - 1]
    j_in = max(<Py_ssize_t>0, ceil_div(-lo_l, s))              # first interior output
    j_out = min(m, floor_div(n - K - lo_l, s) + 1)             # one past the last
    if j_out < j_in:
        j_in = j_out = m
    # interior runs are whole small tiles; the rest joins the right border
    j_out = j_in + (j_out - j_in) // SMALL_TILE * SMALL_TILE

    # A thread's border buffer holds every kernel row's span of a border
    # segment (plus the slack a remainder tile reads) when that fits;
    # otherwise the rows are accumulated one at a time.
    bufsize = max(<Py_ssize_t>BUDGET, K + (CHUNK + 2 * SMALL_TILE) * s)
    per_row = bufsize // g.nrows
    rows_at_once = per_row >= K + 2 * SMALL_TILE * s
    if rows_at_once:
        border_len = min(<Py_ssize_t>CHUNK, (per_row - K - SMALL_TILE * s) // s + 1)
    else:
        border_len = min(<Py_ssize_t>CHUNK, (bufsize - K - SMALL_TILE * s) // s + 1)
    bufsize = pad64(bufsize)

    nseg = 4 + ceil_div(j_in, border_len) + ceil_div(m - j_out, border_len) \
        + (j_out - j_in) // CHUNK
    seg = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * 3 * nseg)
    if seg == NULL:
        raise MemoryError()
    nseg = _add_segments(seg, 0, 0, j_in, border_len, False)
    nseg = _add_segments(seg, nseg, j_in, j_out, CHUNK, True)
    nseg = _add_segments(seg, nseg, j_out, m, border_len, False)
    # Group consecutive segments into tasks of at least CHUNK outputs, so a
    # short line is one task and its kernel rows are resolved once.
    groups = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * (nseg + 1))
    if groups == NULL:
        free(seg)
        raise MemoryError()
    ngroups = 0
    groups[0] = 0
    count = 0
    for a2 in range(nseg):
        count = count + seg[3 * a2 + 1] - seg[3 * a2]
        if count >= CHUNK or a2 == nseg - 1:
            ngroups = ngroups + 1
            groups[ngroups] = a2 + 1
            count = 0
    ntasks = nbatch * g.line_count * ngroups
    nthreads = team_size(nthreads, ntasks)

    # Per-thread scratch, each thread's share padded to whole cache lines
    # (threads rewrite their row tables on every task: no false sharing).
    rowsize = pad64(g.nrows)
    stride_p = 3 * rowsize                        # row pointers per thread
    ptrs = <const real_t**> malloc(sizeof(real_t*) * stride_p * nthreads)
    offs = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * rowsize * nthreads)
    buf = <real_t*> malloc(sizeof(real_t) * bufsize * nthreads)
    done = team_counters(nthreads)
    if ptrs == NULL or offs == NULL or buf == NULL or done == NULL:
        free(seg); free(groups); free(ptrs); free(offs); free(buf); free(done)
        raise MemoryError()
    try:
        with nogil:
            # one path for any thread count; dynamic, so that a thread that
            # shares its core with another process takes fewer tasks instead
            # of holding the others up; every output is computed by exactly
            # one task, in one order, whatever the thread count
            team_stamp(done, 2)
            for task in prange(ntasks, schedule='dynamic', num_threads=nthreads):
                tid = threadid()
                p0 = ptrs + tid * stride_p
                _run_task(&x[0], &w[0], &out[0], &g, &xbatch[0], &wbatch[0], seg,
                          groups, ngroups, rows_at_once, task, fill, offs + tid * rowsize,
                          p0, p0 + rowsize, p0 + 2 * rowsize, buf + tid * bufsize)
                done[8 * tid] = done[8 * tid] + 1
                if tid == 0:
                    team_stamp(done, 1)
            team_report(nthreads, ntasks, done)
    finally:
        free(done)
        free(seg)
        free(groups)
        free(ptrs)
        free(offs)
        free(buf)
