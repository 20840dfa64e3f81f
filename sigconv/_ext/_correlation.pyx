"""Loops of the correlation family: normalized cross-correlation, lags.

``autocorrelation_lags_direct`` sums the lags ``0 .. H`` of real lines
directly (tiles of lags in vector registers, see its docstring); the rest of
the module serves ``normalized_correlate``.

The zero-normalized cross-correlation of a template ``t`` (``n`` points,
mean removed: ``t0``) and a window ``w`` of a signal is

    score = sum(w * t0) / sqrt(var_w * sum(t0**2)),
    var_w = sum(w**2) - sum(w)**2 / n.

The numerator is a correlation (computed by the library's fastest method);
this module supplies the window sums ``sum(w)`` and ``sum(w**2)`` of every
window, in float64, by running sums -- O(1) per window and axis whatever
the template size -- and the final division.

Window sums are separable. In 1-D and 2-D (``ncc_2d``) one pass over the
output rows keeps, per column, the sum over the template's height (updated
by the row that enters and the one that leaves, vectorised across the row),
runs along the row for the window sums, and turns them and the numerators
into scores: no temporary arrays. In more dimensions the sums go axis by
axis (``axis_sums``, ``line_sums_inplace``) and
``scores`` finishes. A running sum adds the entering sample and subtracts
the leaving one; so that its rounding error does not build up along a long
line, it is recomputed from scratch at least every ``RESTART`` steps.
"""

from cython.parallel cimport prange, threadid
from libc.math cimport sqrt

from libc.stdlib cimport free

from ._common cimport (real_t, float32_64_t, ceil_div, team_size, team_counters, team_report,
                       team_stamp)

cdef enum:
    RESTART = 1024       # running-sum steps between fresh sums
    COLUMNS = 512        # columns per parallel task of the row-wise pass
    PARALLEL_MIN = 1 << 18


cdef inline int _threads(int nthreads, Py_ssize_t tasks, Py_ssize_t size) noexcept nogil:
    """Threads of a pass over ``size`` elements in ``tasks`` tasks: one below
    PARALLEL_MIN (memory-bound passes that threads do not speed up)."""
    return team_size(nthreads if size >= PARALLEL_MIN else 1, tasks)


cdef inline void _line_inplace(double* s, Py_ssize_t L, Py_ssize_t K) noexcept nogil:
    """Window sums of length ``K`` along one line, written over its first ``L - K + 1`` entries.

    Entry ``i`` is written after the last read of the sample it replaces;
    a fresh sum reads only entries not yet written.
    """
    cdef Py_ssize_t m = L - K + 1
    cdef Py_ssize_t i, t
    cdef double a = 0.0
    cdef double leave
    for i in range(m):
        if i % RESTART == 0:
            a = 0.0
            for t in range(i, i + K):
                a = a + s[t]
        leave = s[i]
        s[i] = a
        if i + 1 < m:
            a = a + (s[i + K] - leave)


def line_sums_inplace(double[:, ::1] s1, double[:, ::1] s2, Py_ssize_t K, int nthreads=1):
    """Window sums of length ``K`` along the rows of ``s1`` and ``s2``, in place.

    Row ``r``'s sums occupy its first ``L - K + 1`` entries afterwards.
    """
    cdef Py_ssize_t rows = s1.shape[0]
    cdef Py_ssize_t L = s1.shape[1]
    cdef Py_ssize_t r
    if K < 1 or L - K + 1 < 1:
        raise ValueError("window length %d does not fit in rows of %d" % (K, L))
    if s2.shape[0] != rows or s2.shape[1] != L:
        raise ValueError("s1 and s2 must have the same shape")
    if rows == 0:
        return
    nthreads = _threads(nthreads, rows, rows * L)
    with nogil:
        for r in prange(rows, schedule='dynamic', num_threads=nthreads):
            _line_inplace(&s1[r, 0], L, K)
            _line_inplace(&s2[r, 0], L, K)


cdef inline void _axis_sums(const float32_64_t* a, bint square, Py_ssize_t L, Py_ssize_t K,
                            Py_ssize_t stride, Py_ssize_t j0, Py_ssize_t j1,
                            double* out) noexcept nogil:
    """Window sums of ``a`` (of ``a**2`` if ``square``) along the rows of one
    block ``a[i * stride + j]``, j in [j0, j1)."""
    cdef Py_ssize_t m = L - K + 1
    cdef Py_ssize_t i, t, j
    cdef const float32_64_t* enter
    cdef const float32_64_t* leave
    cdef double* o
    cdef double* prev
    cdef double e, l
    for i in range(m):
        o = out + i * stride
        if i % RESTART == 0:
            for j in range(j0, j1):
                e = a[i * stride + j]
                o[j] = e * e if square else e
            for t in range(i + 1, i + K):
                enter = a + t * stride
                for j in range(j0, j1):
                    e = enter[j]
                    o[j] = o[j] + (e * e if square else e)
        else:
            prev = out + (i - 1) * stride
            enter = a + (i + K - 1) * stride
            leave = a + (i - 1) * stride
            for j in range(j0, j1):
                e = enter[j]
                l = leave[j]
                o[j] = prev[j] + ((e * e - l * l) if square else (e - l))


def axis_sums(const float32_64_t[:, :, ::1] a, const double[:, :, ::1] b, Py_ssize_t K,
              double[:, :, ::1] s1, double[:, :, ::1] s2, int nthreads=1):
    """Window sums of length ``K`` along axis 1 of ``(outer, L, inner)`` arrays:
    of ``a`` into ``s1``, of ``b`` into ``s2`` (``b`` None: of ``a**2``)."""
    cdef Py_ssize_t outer = a.shape[0]
    cdef Py_ssize_t L = a.shape[1]
    cdef Py_ssize_t inner = a.shape[2]
    cdef Py_ssize_t m = L - K + 1
    cdef Py_ssize_t nblocks, tasks, task, o, j0, j1
    cdef const double* bp = NULL
    if K < 1 or m < 1:
        raise ValueError("window length %d does not fit in an axis of %d" % (K, L))
    if b is not None:
        if b.shape[0] != outer or b.shape[1] != L or b.shape[2] != inner:
            raise ValueError("a and b must have the same shape")
    if (s1.shape[0] != outer or s1.shape[1] != m or s1.shape[2] != inner
            or s2.shape[0] != outer or s2.shape[1] != m or s2.shape[2] != inner):
        raise ValueError("outputs must have shape (%d, %d, %d)" % (outer, m, inner))
    if outer == 0 or inner == 0:
        return
    if b is not None:
        bp = &b[0, 0, 0]
    nblocks = ceil_div(inner, COLUMNS)
    tasks = outer * nblocks
    nthreads = _threads(nthreads, tasks, outer * L * inner)
    with nogil:
        for task in prange(tasks, schedule='dynamic', num_threads=nthreads):
            o = task // nblocks
            j0 = (task % nblocks) * COLUMNS
            j1 = min(j0 + COLUMNS, inner)
            _axis_sums(&a[o, 0, 0], False, L, K, inner, j0, j1, &s1[o, 0, 0])
            if bp == NULL:
                _axis_sums(&a[o, 0, 0], True, L, K, inner, j0, j1, &s2[o, 0, 0])
            else:
                _axis_sums(bp + o * L * inner, False, L, K, inner, j0, j1, &s2[o, 0, 0])


cdef inline void _scores(const float32_64_t* num, const double* s1, const double* s2,
                         Py_ssize_t count, double n, double tss, double floor,
                         double flat, float32_64_t* out) noexcept nogil:
    cdef Py_ssize_t i
    cdef double var, den, r
    for i in range(count):
        var = s2[i] - s1[i] * s1[i] / n
        if tss <= 0.0 or var <= flat * (s2[i] + floor):
            out[i] = 0
        else:
            den = sqrt(var * tss)
            r = num[i] / den
            if r > 1.0:
                r = 1.0
            elif r < -1.0:
                r = -1.0
            out[i] = <float32_64_t>r


def scores(const float32_64_t[:, ::1] num, const double[:, ::1] s1, const double[:, ::1] s2,
           const Py_ssize_t[::1] srow, const double[::1] tss, double n, double floor,
           double flat, float32_64_t[:, ::1] out, int nthreads=1):
    """Pearson scores from numerators and window sums, one row per output item.

    ``out[r] = num[r] / sqrt(var * tss[r])`` with ``var`` from the window
    sums of row ``srow[r]`` (its first ``width`` entries), clipped to [-1, 1];
    0 where the template is
    flat (``tss[r] <= 0``) or the window is (``var <= flat * (s2 + floor)``).
    ``out`` may be ``num``.
    """
    cdef Py_ssize_t rows = out.shape[0]
    cdef Py_ssize_t width = out.shape[1]
    cdef Py_ssize_t r, c, chunks, task, i0, i1
    cdef Py_ssize_t block = 1 << 14
    if (num.shape[0] != rows or num.shape[1] != width or s1.shape[1] < width
            or s2.shape[1] < width or srow.shape[0] != rows or tss.shape[0] != rows
            or s1.shape[0] != s2.shape[0]):
        raise ValueError("inconsistent shapes")
    for r in range(rows):
        if not 0 <= srow[r] < s1.shape[0]:
            raise ValueError("window-sum row index out of range")
    if rows == 0 or width == 0:
        return
    chunks = ceil_div(width, block)
    nthreads = _threads(nthreads, rows * chunks, rows * width)
    with nogil:
        for task in prange(rows * chunks, schedule='dynamic', num_threads=nthreads):
            r = task // chunks
            c = task % chunks
            i0 = c * block
            i1 = i0 + block
            if i1 > width:
                i1 = width
            _scores(&num[r, i0], &s1[srow[r], i0], &s2[srow[r], i0], i1 - i0, n,
                    tss[r], floor, flat, &out[r, i0])


cdef inline void _ncc_strip(const float32_64_t* d, Py_ssize_t L0, Py_ssize_t L1,
                            Py_ssize_t K0, Py_ssize_t K1, Py_ssize_t i0, Py_ssize_t i1,
                            float32_64_t* num, double n, double tss, double floor, double flat,
                            double* c1, double* c2, double* w1, double* w2) noexcept nogil:
    """Scores of output rows ``i0 .. i1 - 1`` of one 2-D item, in place in ``num``.

    ``c1``, ``c2`` (``L1`` each): the sums over ``K0`` rows of ``d`` and
    ``d**2`` per column, fresh at ``i0`` and then running; ``w1``, ``w2``
    (``L1 - K1 + 1`` each): the window sums of one output row.
    """
    cdef Py_ssize_t m1 = L1 - K1 + 1
    cdef Py_ssize_t i, j, t
    cdef const float32_64_t* enter
    cdef const float32_64_t* leave
    cdef double e, l, a1, a2
    for i in range(i0, i1):
        if i == i0:
            for j in range(L1):
                c1[j] = 0.0
                c2[j] = 0.0
            for t in range(i, i + K0):
                enter = d + t * L1
                for j in range(L1):
                    e = enter[j]
                    c1[j] = c1[j] + e
                    c2[j] = c2[j] + e * e
        else:
            enter = d + (i + K0 - 1) * L1
            leave = d + (i - 1) * L1
            for j in range(L1):
                e = enter[j]
                l = leave[j]
                c1[j] = c1[j] + (e - l)
                c2[j] = c2[j] + (e * e - l * l)
        # running sums along the row, fresh every RESTART windows
        a1 = 0.0
        a2 = 0.0
        for j in range(m1):
            if j % RESTART == 0:
                a1 = 0.0
                a2 = 0.0
                for t in range(j, j + K1):
                    a1 = a1 + c1[t]
                    a2 = a2 + c2[t]
            else:
                a1 = a1 + (c1[j + K1 - 1] - c1[j - 1])
                a2 = a2 + (c2[j + K1 - 1] - c2[j - 1])
            w1[j] = a1
            w2[j] = a2
        _scores(num + i * m1, w1, w2, m1, n, tss, floor, flat, num + i * m1)


def ncc_2d(const float32_64_t[:, :, ::1] d, float32_64_t[:, :, ::1] num, const Py_ssize_t[::1] srow,
           const double[::1] tss, Py_ssize_t K0, Py_ssize_t K1, double floor, double flat,
           double[:, ::1] scratch, int nthreads=1):
    """Window sums and scores of 2-D items in one pass, the scores over ``num``.

    ``d``: the shifted signals (items, L0, L1); ``num``: the numerators
    (out items, L0 - K0 + 1, L1 - K1 + 1), replaced by the scores; ``srow``:
    the signal item of each output item; ``tss``: the template energy per
    output item (0: flat). Output rows are cut into strips of a length that
    depends on ``K0`` only (each strip starts its column sums afresh), the
    tasks of the parallel loop, so that the result does not depend on the
    thread count. ``scratch``: one row of ``4 * L1`` per thread.
    """
    cdef Py_ssize_t items = num.shape[0]
    cdef Py_ssize_t L0 = d.shape[1]
    cdef Py_ssize_t L1 = d.shape[2]
    cdef Py_ssize_t m0 = L0 - K0 + 1
    cdef Py_ssize_t m1 = L1 - K1 + 1
    cdef Py_ssize_t strip, nstrips, tasks, task, item, i0, i1, r
    cdef double n = <double>(K0 * K1)
    cdef int tid
    if K0 < 1 or K1 < 1 or m0 < 1 or m1 < 1:
        raise ValueError("the template does not fit in the signal")
    if num.shape[1] != m0 or num.shape[2] != m1:
        raise ValueError("num must have shape (%d, %d, %d)" % (items, m0, m1))
    if srow.shape[0] != items or tss.shape[0] != items:
        raise ValueError("srow and tss need one entry per output item")
    for r in range(items):
        if not 0 <= srow[r] < d.shape[0]:
            raise ValueError("signal item index out of range")
    if items == 0:
        return
    strip = 4 * K0
    if strip < 256:
        strip = 256
    nstrips = ceil_div(m0, strip)
    tasks = items * nstrips
    nthreads = _threads(nthreads, tasks, items * L0 * L1)
    if scratch.shape[0] < nthreads or scratch.shape[1] < 4 * L1:
        raise ValueError("scratch must have shape (>= %d, >= %d)" % (nthreads, 4 * L1))
    with nogil:
        for task in prange(tasks, schedule='dynamic', num_threads=nthreads):
            tid = threadid()
            item = task // nstrips
            i0 = (task % nstrips) * strip
            i1 = min(i0 + strip, m0)
            _ncc_strip(&d[srow[item], 0, 0], L0, L1, K0, K1, i0, i1, &num[item, 0, 0],
                       n, tss[item], floor, flat, &scratch[tid, 0],
                       &scratch[tid, L1], &scratch[tid, 2 * L1], &scratch[tid, 3 * L1])


# --------------------------------------------------------------------------
# Autocorrelation of 1-D lines at the lags 0 .. H, directly

cdef enum:
    LAG_TILE = 32        # lags held in vector registers across the samples
    LAG_TILE_SMALL = 8   # the tile of the last few lags


cdef inline void _lag_sums(const real_t* x, Py_ssize_t n_end, Py_ssize_t l0, Py_ssize_t T,
                           real_t* tmp) noexcept nogil:
    """``tmp[t] = sum_{n < n_end} x[n + l0 + t] * x[n]``, t < T (all partners exist).

    Called with a constant ``T`` (LAG_TILE or LAG_TILE_SMALL) and inlined, so
    that the compiler keeps the ``T`` sums in vector registers.
    """
    cdef real_t acc[LAG_TILE]
    cdef Py_ssize_t n, t
    cdef real_t xn
    cdef const real_t* xl = x + l0
    for t in range(T):
        acc[t] = 0
    for n in range(n_end):
        xn = x[n]
        for t in range(T):
            acc[t] = acc[t] + xl[n + t] * xn
    for t in range(T):
        tmp[t] = acc[t]


cdef inline void _lag_tile(const real_t* x, Py_ssize_t N, Py_ssize_t l0, Py_ssize_t T,
                           Py_ssize_t count, real_t* out) noexcept nogil:
    """``out[t] = sum_n x[n + l0 + t] * x[n]`` for ``t < count`` (``count <= T``).

    The samples whose partners exist for every lag of the tile go through a
    tile of constant size (its sums in vector registers); the last few
    samples are added lag by lag. Each lag is one sum in the order of ``n``.
    """
    cdef real_t tmp[32]
    cdef Py_ssize_t n, t, full_end
    full_end = N - l0 - T + 1
    if full_end < 0:
        full_end = 0
    if T == LAG_TILE:
        _lag_sums(x, full_end, l0, LAG_TILE, tmp)
    else:
        _lag_sums(x, full_end, l0, LAG_TILE_SMALL, tmp)
    for t in range(count):
        for n in range(full_end, N - l0 - t):
            tmp[t] = tmp[t] + x[n + l0 + t] * x[n]
        out[t] = tmp[t]


def autocorrelation_lags_direct(const real_t[:, ::1] x, real_t[:, ::1] out, int nthreads=1):
    """``out[r, l] = sum_n x[r, n + l] * x[r, n]`` for ``l < out.shape[1]`` (real data).

    Lags are cut into tiles (of ``LAG_TILE``, the last ones of
    ``LAG_TILE_SMALL``); the tiles of all rows are the tasks of the parallel
    loop, each lag computed by one task in one order: the result does not
    depend on the thread count.
    """
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t N = x.shape[1]
    cdef Py_ssize_t L = out.shape[1]
    cdef Py_ssize_t big, small, ntiles, tasks, task, r, k, l0, T, count
    cdef Py_ssize_t* done
    cdef int tid
    if out.shape[0] != rows:
        raise ValueError("out must have %d rows" % rows)
    if L > N:
        raise ValueError("lags up to %d do not exist in lines of %d" % (L - 1, N))
    if rows == 0 or L == 0:
        return
    big = L // LAG_TILE
    small = (L - big * LAG_TILE + LAG_TILE_SMALL - 1) // LAG_TILE_SMALL
    ntiles = big + small
    tasks = rows * ntiles
    # one code path for any thread count (the same instructions, the same
    # rounding): a parallel loop, on one thread when asked
    nthreads = team_size(nthreads, tasks)
    done = team_counters(nthreads)
    if done == NULL:
        raise MemoryError()
    with nogil:
        team_stamp(done, 2)
        for task in prange(tasks, schedule='dynamic', num_threads=nthreads):
            tid = threadid()
            done[8 * tid] = done[8 * tid] + 1
            r = task // ntiles
            k = task % ntiles
            if k < big:
                l0 = k * LAG_TILE
                T = LAG_TILE
            else:
                l0 = big * LAG_TILE + (k - big) * LAG_TILE_SMALL
                T = LAG_TILE_SMALL
            count = L - l0
            if count > T:
                count = T
            _lag_tile(&x[r, 0], N, l0, T, count, &out[r, l0])
            if tid == 0:
                team_stamp(done, 1)
        team_report(nthreads, tasks, done)
    free(done)
