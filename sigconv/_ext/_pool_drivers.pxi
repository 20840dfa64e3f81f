# Pooling kernels, part 3 of 3 (included by _pool.pxi): the geometry and the
# drivers the modules export (pool, pool_arg).

# --------------------------------------------------------------------------
# Drivers

cdef inline Py_ssize_t _pitch(Py_ssize_t n) noexcept nogil:
    """Elements between consecutive scratch rows: n rounded up to whole
    cache lines, plus 64 elements, so that rows are never a multiple of
    4 KiB apart (a store and a later load 4 KiB apart stall on a false
    dependency: "4K aliasing")."""
    return (n + 63) // 64 * 64 + 64


cdef int _geometry(Geom* g, tuple xshape, tuple oshape, tuple size, tuple stride,
                   tuple pad, tuple dil) except -1:
    cdef int r = len(size)
    cdef int a
    if r < 1 or r > MAXDIM or len(xshape) != r + 1 or len(oshape) != r + 1:
        raise ValueError("pooling kernel: inconsistent geometry")
    g.r = r
    g.nbatch = xshape[0]
    if oshape[0] != g.nbatch:
        raise ValueError("pooling kernel: batch lengths differ")
    g.xitem = 1
    g.oitem = 1
    g.nouter = 1
    for a in range(r - 1, -1, -1):
        g.n[a] = xshape[a + 1]
        g.m[a] = oshape[a + 1]
        g.k[a] = size[a]
        g.s[a] = stride[a]
        g.p[a] = pad[a]
        g.d[a] = dil[a]
        if g.k[a] < 1 or g.s[a] < 1 or g.d[a] < 1 or g.p[a] < 0:
            raise ValueError("pooling kernel: bad window")
        g.xstr[a] = g.xitem
        g.istr[a] = g.xitem
        g.xitem = g.xitem * g.n[a]
        g.oitem = g.oitem * g.m[a]
        if a < r - 1:
            g.nouter = g.nouter * g.m[a]
    return 0


def pool(const num_t[::1] x, num_t[::1] out, tuple xshape, tuple oshape, tuple size,
         tuple stride, tuple pad, tuple dil, int op, int vmode, int hmode, num_t ident,
         const double[::1] line_div, const double[::1] col_div, bint divide, int nthreads):
    """out[b, o] = op over the window of o (see the module docstring).

    ``xshape = (B, n_1, ..., n_r)``, ``oshape = (B, m_1, ..., m_r)``; size,
    stride, pad, dil per pooled axis. ``vmode`` V_DIRECT (any r) or
    V_VANHERK (r == 2); ``hmode`` H_DIRECT, H_WIDEN (max/min) or
    H_VANHERK. ``ident``: op's identity (the padding value). With
    ``divide``, output line L (the flat index of ``[b, o]`` without o's last
    coordinate) is divided element-wise by ``line_div[L % len(line_div)] *
    col_div``.
    """
    cdef Geom g
    cdef int last, a, tid
    cdef Py_ssize_t ntasks, task, m_last, k_last, s_last, d_last, kd, w_max
    cdef Py_ssize_t want, rowsize, vsize, hsize, gsize, chunk_cols, per
    cdef const num_t** rows = NULL
    cdef Py_ssize_t* offs = NULL
    cdef Py_ssize_t* done = NULL
    cdef num_t* buf = NULL
    cdef num_t* identrow = NULL
    cdef num_t* tb
    cdef Py_ssize_t per_thread
    cdef int grain
    _geometry(&g, xshape, oshape, size, stride, pad, dil)
    g.op = op
    g.vmode = vmode
    g.hmode = hmode
    g.divide = divide
    last = g.r - 1
    g.htrivial = g.k[last] == 1 and g.s[last] == 1 and g.p[last] == 0
    if g.nbatch == 0 or g.oitem == 0:
        return
    if x.shape[0] < g.nbatch * g.xitem or out.shape[0] < g.nbatch * g.oitem:
        raise ValueError("pooling kernel: buffers too small")
    if vmode == V_VANHERK and g.r != 2:
        raise ValueError("pooling kernel: van Herk vertical stage needs 2 pooled axes")
    if hmode == H_WIDEN and op == OP_SUM:
        raise ValueError("pooling kernel: widening is for max and min")
    if op != OP_MAX and op != OP_MIN and op != OP_SUM:
        raise ValueError("pooling kernel: unknown op %d" % op)
    g.ndiv = line_div.shape[0]
    if divide and (g.ndiv < 1 or col_div.shape[0] < g.m[last]):
        raise ValueError("pooling kernel: divisor arrays too short")
    if line_div.shape[0] < 1 or col_div.shape[0] < 1:
        raise ValueError("pooling kernel: divisor arrays must not be empty")
    if op == OP_SUM and not (num_t is float or num_t is double or num_t is ldouble_t
                             or num_t is cnp.int64_t):
        raise ValueError("pooling kernel: sums run on floating types and int64")
    nthreads = team_size(nthreads, 1 << 30)
    m_last = g.m[last]
    k_last = g.k[last]
    s_last = g.s[last]
    d_last = g.d[last]

    # Chunks of a line: an input span of about SPAN_TARGET elements (for the
    # van Herk stage few enough columns that a block of k*d suffix rows fits
    # in cache), and enough tasks for the threads where the data allows.
    if vmode == V_VANHERK:
        kd = g.k[0] * g.d[0]
        chunk_cols = max(<Py_ssize_t>MIN_COLS, BLOCK_BYTES // (kd * <Py_ssize_t>sizeof(num_t)))
    else:
        chunk_cols = SPAN_TARGET
    g.chunk = max(<Py_ssize_t>1, (chunk_cols - (k_last - 1) * d_last - 1) // s_last + 1)
    g.chunk = min(g.chunk, m_last)
    if vmode == V_DIRECT:
        want = TASKS_PER_THREAD * nthreads
        if nthreads > 1 and g.nbatch * g.nouter * ceil_div(m_last, g.chunk) < want:
            g.chunk = max(min(g.chunk, <Py_ssize_t>TILE),
                          ceil_div(m_last, ceil_div(want, g.nbatch * g.nouter)))
    g.nchunks = ceil_div(m_last, g.chunk)
    g.span_max = (g.chunk - 1) * s_last + (k_last - 1) * d_last + 1
    g.band = g.m[0]
    g.nbands = 1
    if vmode == V_VANHERK:
        # bands of output lines: each re-reads the k*d rows before it, so
        # keep them long, but cut enough of them for the threads
        want = TASKS_PER_THREAD * nthreads
        per = g.nbatch * g.nchunks
        if per < want:
            g.nbands = min(g.m[0], ceil_div(want, per))
            g.nbands = max(<Py_ssize_t>1, min(g.nbands,
                           g.m[0] * g.s[0] // max(<Py_ssize_t>1, 4 * g.k[0] * g.d[0])))
            g.band = ceil_div(g.m[0], g.nbands)
            g.nbands = ceil_div(g.m[0], g.band)
        ntasks = g.nbatch * g.nchunks * g.nbands
    else:
        ntasks = g.nbatch * g.nouter * g.nchunks
    nthreads = team_size(nthreads, ntasks)
    # dynamic scheduling, so that a thread sharing its core with another
    # process takes fewer tasks instead of holding the others up; tasks
    # handed out in grains of about GRAIN input elements
    grain = <int>max(<Py_ssize_t>1, min(ntasks // (8 * nthreads),
                                        GRAIN // max(<Py_ssize_t>1, g.nbatch * g.xitem // ntasks)))

    # Per-thread scratch: V, two horizontal buffers; the window's row
    # pointers (direct) or a block of suffix rows and d prefix rows (van Herk).
    g.nrows_max = 1
    for a in range(last):
        g.nrows_max = g.nrows_max * g.k[a]
    w_max = min(g.span_max, g.n[last])
    vsize = _pitch(g.span_max)
    g.pitch = _pitch(w_max)
    hsize = 0
    gsize = 0
    if vmode == V_VANHERK:
        hsize = g.k[0] * g.d[0] * g.pitch
        gsize = g.d[0] * g.pitch
    per_thread = 3 * vsize + hsize + gsize
    rowsize = (g.nrows_max + 7) // 8 * 8
    buf = <num_t*> malloc(sizeof(num_t) * per_thread * nthreads)
    if vmode == V_VANHERK:
        identrow = <num_t*> malloc(sizeof(num_t) * max(w_max, <Py_ssize_t>1))
    else:
        rows = <const num_t**> malloc(sizeof(num_t*) * rowsize * nthreads)
        offs = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * rowsize * nthreads)
    done = team_counters(nthreads)
    if buf == NULL or done == NULL or (vmode == V_VANHERK and identrow == NULL) or \
            (vmode != V_VANHERK and (rows == NULL or offs == NULL)):
        free(buf); free(identrow); free(rows); free(offs); free(done)
        raise MemoryError()
    if identrow != NULL:
        _fill(identrow, w_max, ident)
    try:
        with nogil:
            # one path for any thread count
            for task in prange(ntasks, schedule='dynamic', chunksize=grain,
                               num_threads=nthreads):
                tid = threadid()
                tb = buf + tid * per_thread
                if vmode == V_VANHERK:
                    _task_vanherk(&x[0], &out[0], &g, task, ident, &line_div[0],
                                  &col_div[0], identrow, tb, tb + vsize, tb + 2 * vsize,
                                  tb + 3 * vsize, tb + 3 * vsize + hsize)
                else:
                    _task_direct(&x[0], &out[0], &g, task, ident, &line_div[0],
                                 &col_div[0], rows + tid * rowsize,
                                 offs + tid * rowsize, tb, tb + vsize, tb + 2 * vsize)
                done[8 * tid] = done[8 * tid] + 1
            team_report(nthreads, ntasks, done)
    finally:
        free(done)
        free(buf)
        free(identrow)
        free(rows)
        free(offs)


# --------------------------------------------------------------------------
# Values and indices of the extremes (return_indices)

cdef void _task_arg(const num_t* x, num_t* vals, cnp.int64_t* idx, const Geom* g,
                    Py_ssize_t line, num_t ident, const num_t** rows,
                    Py_ssize_t* offs) noexcept nogil:
    cdef int last = g.r - 1
    cdef Py_ssize_t b = line // g.nouter
    cdef Py_ssize_t rem = line % g.nouter
    cdef Py_ssize_t nr = _window_rows(x + b * g.xitem, g, rem, rows, offs)
    cdef Py_ssize_t n = g.n[last]
    cdef Py_ssize_t k = g.k[last]
    cdef Py_ssize_t s = g.s[last]
    cdef Py_ssize_t p = g.p[last]
    cdef Py_ssize_t d = g.d[last]
    cdef Py_ssize_t j, r, t, lo, hi, i, bi
    cdef Py_ssize_t istep = g.istr[last]
    cdef num_t best, v
    cdef bint first
    cdef num_t* vo = vals + line * g.m[last]
    cdef cnp.int64_t* io = idx + line * g.m[last]
    for j in range(g.m[last]):
        _tap_range(j, n, k, s, p, d, &lo, &hi)
        first = True
        best = ident
        bi = -1
        for r in range(nr):
            for t in range(lo, hi):
                i = j * s - p + t * d
                v = rows[r][i]
                if first:
                    best = v
                    bi = offs[r] + i * istep
                    first = False
                elif g.op == OP_MAX:
                    if v > best or v != v:
                        best = v
                        bi = offs[r] + i * istep
                else:
                    if v < best or v != v:
                        best = v
                        bi = offs[r] + i * istep
        vo[j] = best
        io[j] = bi


def pool_arg(const num_t[::1] x, num_t[::1] vals, cnp.int64_t[::1] idx, tuple xshape,
             tuple oshape, tuple size, tuple stride, tuple pad, tuple dil, tuple istride,
             int op, num_t ident, int nthreads):
    """Max (op 0) or min (op 1) of each window and its index.

    The index of the element at position ``i`` of an item is ``sum(i[a] *
    istride[a])`` (the flat index in the item for C strides; 0 strides leave
    axes out).

    Taps are scanned in row-major order; a later tap replaces the kept one
    if it is strictly greater (smaller) or NaN, as torch does. A window
    with no tap inside the input gives ``ident`` and index -1.
    """
    cdef Geom g
    cdef Py_ssize_t nlines, line, rowsize
    cdef int a, tid
    cdef const num_t** rows = NULL
    cdef Py_ssize_t* offs = NULL
    _geometry(&g, xshape, oshape, size, stride, pad, dil)
    g.op = op
    if len(istride) != g.r:
        raise ValueError("pooling kernel: one index stride per axis")
    for a in range(g.r):
        g.istr[a] = istride[a]
    if op != OP_MAX and op != OP_MIN:
        raise ValueError("pooling kernel: indices are for max and min")
    if g.nbatch == 0 or g.oitem == 0:
        return
    if x.shape[0] < g.nbatch * g.xitem or vals.shape[0] < g.nbatch * g.oitem or \
            idx.shape[0] < g.nbatch * g.oitem:
        raise ValueError("pooling kernel: buffers too small")
    nlines = g.nbatch * g.nouter
    nthreads = team_size(nthreads, nlines)
    rowsize = 1
    for a in range(g.r - 1):
        rowsize = rowsize * g.k[a]
    rowsize = (rowsize + 7) // 8 * 8
    rows = <const num_t**> malloc(sizeof(num_t*) * rowsize * nthreads)
    offs = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * rowsize * nthreads)
    if rows == NULL or offs == NULL:
        free(rows); free(offs)
        raise MemoryError()
    try:
        with nogil:
            # one path for any thread count
            for line in prange(nlines, schedule='dynamic', num_threads=nthreads):
                tid = threadid()
                _task_arg(&x[0], &vals[0], &idx[0], &g, line, ident,
                          rows + tid * rowsize, offs + tid * rowsize)
    finally:
        free(rows)
        free(offs)
