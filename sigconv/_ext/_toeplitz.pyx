"""Convolution as a matrix product, and convolution matrices.

Two families of loops share one description of a convolution (the one every
method consumes, see ``sigconv._problem``): per convolved axis

    out[o] = sum_k w[k] * X[o * step + lo + k]

with ``X`` the input extended by a boundary rule (``map_index``).

* ``correlate`` evaluates it as matrix products. Tiles of consecutive
  outputs of one input item are *unfolded* (im2col): row ``t`` of the tile's
  window matrix holds the ``taps`` input samples output ``t`` reads, boundary
  extension included. One GEMM multiplies the window matrix by the matrix of
  every kernel that item meets (a filter bank, or one kernel), and writes the
  products straight into the output when the kernels' outputs are evenly
  spaced (a scratch tile and a scatter otherwise). Tiles are the units of an
  OpenMP loop; each thread calls a single GEMM per tile on its own scratch.
* ``dense_matrix`` / ``sparse_matrix`` write the matrix ``A`` of the same
  map, ``A[o, i] = sum of w[k] over the taps k whose extended index maps to
  input sample i``, densely or as CSR arrays.
"""

from cython.parallel cimport prange, threadid
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy
cimport numpy as cnp
from scipy.linalg.cython_blas cimport sgemm, dgemm, cgemm, zgemm, sgemv, dgemv, cgemv, zgemv

from ._common cimport (map_index, Geometry, MAXDIM, geometry_init, kernel_rows, unravel,
                       advance, ceil_div, pad64, team_size, team_counters, team_report,
                       team_stamp)

ctypedef float complex cfloat_t
ctypedef double complex cdouble_t

# The element types BLAS multiplies.
ctypedef fused blas_t:
    float
    double
    cfloat_t
    cdouble_t

# The element types a convolution matrix may have.
ctypedef fused entry_t:
    float
    double
    long double
    float complex
    double complex
    long double complex
    cnp.int64_t


# --------------------------------------------------------------------------
# im2col


cdef inline bint _outside(Py_ssize_t jj, Py_ssize_t s, Py_ssize_t off,
                        Py_ssize_t n) noexcept nogil:
    """Whether output jj's sample jj * s + off lies outside [0, n)."""
    cdef Py_ssize_t i = jj * s + off
    return i < 0 or i >= n


cdef void _unfold(const blas_t* x, blas_t* col, const Geometry* g, Py_ssize_t t0,
                  Py_ssize_t t1, blas_t fill, Py_ssize_t* offs) noexcept nogil:
    """The window matrix of outputs t0 .. t1-1 (flat) of one item, column-major.

    ``col[k * (t1 - t0) + (t - t0)]`` is the extended input sample output
    ``t`` multiplies with tap ``k`` (C order over the kernel's axes): each
    tap's column is a run of consecutive outputs, copied from one input row
    (contiguous when the stride is 1).
    """
    cdef int last = g.ndim - 1
    cdef int a
    cdef Py_ssize_t o[MAXDIM]
    cdef Py_ssize_t M = g.oshape[last]
    cdef Py_ssize_t K = g.wshape[last]
    cdef Py_ssize_t n = g.xshape[last]
    cdef Py_ssize_t s = g.step[last]
    cdef Py_ssize_t lo = g.lo[last]
    cdef Py_ssize_t T = t1 - t0
    cdef Py_ssize_t f = t0
    cdef Py_ssize_t line, j, jend, jj, ja, jb, r, k, mi, cnt
    cdef blas_t* dst
    cdef const blas_t* src
    while f < t1:
        line = f // M
        j = f - line * M
        jend = M if M - j <= t1 - f else j + (t1 - f)
        cnt = jend - j
        unravel(line, g.oshape, last, o)
        kernel_rows(g, o, offs)
        for r in range(g.nrows):
            src = x + offs[r] if offs[r] >= 0 else NULL
            for k in range(K):
                dst = col + (r * K + k) * T + (f - t0) - j
                if src == NULL:
                    for jj in range(j, jend):
                        dst[jj] = fill
                    continue
                # outputs j .. jend-1 read src[jj * s + lo + k]; those inside
                # the row form the run ja .. jb-1
                ja = j
                while ja < jend and _outside(ja, s, lo + k, n):
                    mi = map_index(ja * s + lo + k, n, g.boundary)
                    dst[ja] = fill if mi < 0 else src[mi]
                    ja = ja + 1
                jb = jend
                while jb > ja and _outside(jb - 1, s, lo + k, n):
                    mi = map_index((jb - 1) * s + lo + k, n, g.boundary)
                    dst[jb - 1] = fill if mi < 0 else src[mi]
                    jb = jb - 1
                if s == 1:
                    for jj in range(ja, jb):
                        dst[jj] = src[jj + lo + k]
                else:
                    for jj in range(ja, jb):
                        dst[jj] = src[jj * s + lo + k]
        f = f + cnt


cdef inline void _gemm(char* ta, int m, int n, int k, const blas_t* a, int lda,
                       const blas_t* b, int ldb, blas_t* c, int ldc) noexcept nogil:
    """c (m x n) = op(a) b, b (k x n) and c column-major; op(a) = a (m x k, ``ta`` N)."""
    cdef char* tb = b"N"
    cdef blas_t one = 1
    cdef blas_t zero = 0
    if blas_t is float:
        sgemm(ta, tb, &m, &n, &k, &one, <float*>a, &lda, <float*>b, &ldb, &zero, c, &ldc)
    elif blas_t is double:
        dgemm(ta, tb, &m, &n, &k, &one, <double*>a, &lda, <double*>b, &ldb, &zero, c, &ldc)
    elif blas_t is cfloat_t:
        cgemm(ta, tb, &m, &n, &k, &one, <float complex*>a, &lda, <float complex*>b, &ldb,
              &zero, c, &ldc)
    else:
        zgemm(ta, tb, &m, &n, &k, &one, <double complex*>a, &lda, <double complex*>b, &ldb,
              &zero, c, &ldc)


cdef inline void _gemv(int m, int n, const blas_t* a, const blas_t* b,
                       blas_t* c) noexcept nogil:
    """c (m) = a (m x n, column-major, lda m) times b (n)."""
    cdef char* ta = b"N"
    cdef int one_i = 1
    cdef blas_t one = 1
    cdef blas_t zero = 0
    if blas_t is float:
        sgemv(ta, &m, &n, &one, <float*>a, &m, <float*>b, &one_i, &zero, c, &one_i)
    elif blas_t is double:
        dgemv(ta, &m, &n, &one, <double*>a, &m, <double*>b, &one_i, &zero, c, &one_i)
    elif blas_t is cfloat_t:
        cgemv(ta, &m, &n, &one, <float complex*>a, &m, <float complex*>b, &one_i, &zero,
              c, &one_i)
    else:
        zgemv(ta, &m, &n, &one, <double complex*>a, &m, <double complex*>b, &one_i, &zero,
              c, &one_i)


cdef void _run_task(const blas_t* x, const blas_t* w, blas_t* out, const Geometry* g,
                    const cnp.intp_t* xgroup, const cnp.intp_t* bidx,
                    const cnp.intp_t* kidx, Py_ssize_t nk, Py_ssize_t tile,
                    Py_ssize_t ntiles, Py_ssize_t task, blas_t fill,
                    Py_ssize_t* offs, blas_t* col, blas_t* wbuf,
                    blas_t* cbuf) noexcept nogil:
    cdef Py_ssize_t grp = task // ntiles
    cdef Py_ssize_t t0 = (task - grp * ntiles) * tile
    cdef Py_ssize_t t1 = t0 + tile
    cdef Py_ssize_t j, t, m, taps = g.witem
    cdef Py_ssize_t dk, db
    cdef const cnp.intp_t* brow = bidx + grp * nk
    cdef const cnp.intp_t* krow = kidx + grp * nk
    cdef const blas_t* bmat
    cdef int ldb, ldc
    cdef bint spaced_k = True
    cdef bint spaced_b = True
    if t1 > g.oitem:
        t1 = g.oitem
    m = t1 - t0
    _unfold(x + xgroup[grp] * g.xitem, col, g, t0, t1, fill, offs)

    # The kernels' matrix: read in place when evenly spaced in ``w``.
    dk = krow[1] - krow[0] if nk > 1 else 1
    db = brow[1] - brow[0] if nk > 1 else 1
    for j in range(1, nk):
        if krow[j] - krow[j - 1] != dk:
            spaced_k = False
        if brow[j] - brow[j - 1] != db:
            spaced_b = False
    if dk < 1 or dk * taps > 2147483647:
        spaced_k = False
    if db < 1 or db * g.oitem > 2147483647:
        spaced_b = False
    if spaced_k:
        bmat = w + krow[0] * taps
        ldb = <int>(dk * taps)
    else:
        for j in range(nk):
            memcpy(wbuf + j * taps, w + krow[j] * taps, sizeof(blas_t) * taps)
        bmat = wbuf
        ldb = <int>taps
    if nk == 1:
        _gemv(<int>m, <int>taps, col, bmat, out + brow[0] * g.oitem + t0)
    elif spaced_b:
        # outputs of the item's kernels sit ``db`` items apart: one GEMM in place
        ldc = <int>(db * g.oitem)
        _gemm(b"N", <int>m, <int>nk, <int>taps, col, <int>m, bmat, ldb,
              out + brow[0] * g.oitem + t0, ldc)
    else:
        _gemm(b"N", <int>m, <int>nk, <int>taps, col, <int>m, bmat, ldb, cbuf, <int>m)
        for j in range(nk):
            for t in range(m):
                out[brow[j] * g.oitem + t0 + t] = cbuf[j * m + t]


def correlate(const blas_t[::1] x, const blas_t[::1] w, blas_t[::1] out,
              tuple xshape, tuple wshape, tuple oshape, tuple lo, tuple step,
              const cnp.intp_t[::1] xgroup, const cnp.intp_t[:, ::1] bidx,
              const cnp.intp_t[:, ::1] kidx, int boundary, blas_t fill,
              Py_ssize_t tile, int nthreads):
    """out[bidx[g, j], o] = sum_k w[kidx[g, j], k] * X[xgroup[g], o*step + lo + k].

    x, w, out are C-ordered flat buffers of items of shape xshape, wshape,
    oshape. Group ``g`` is one input item and the ``nk`` kernels it meets;
    its outputs are computed ``tile`` at a time by GEMMs.
    """
    cdef Geometry g
    cdef Py_ssize_t ngroups = bidx.shape[0]
    cdef Py_ssize_t nk = bidx.shape[1]
    cdef Py_ssize_t ntiles, ntasks, task, per_thread
    cdef Py_ssize_t rows_sz, col_sz, wbuf_sz, cbuf_sz
    cdef Py_ssize_t* offs = NULL
    cdef Py_ssize_t* done = NULL
    cdef blas_t* scratch = NULL
    cdef blas_t* mine
    cdef int tid
    geometry_init(&g, xshape, wshape, oshape, lo, step, boundary)
    if g.oitem == 0 or ngroups == 0 or nk == 0:
        return
    if tile < 1:
        raise ValueError("tile must be positive")
    if kidx.shape[0] != ngroups or kidx.shape[1] != nk or xgroup.shape[0] < ngroups:
        raise ValueError("inconsistent group tables")
    if g.witem > 2147483647 or tile * nk > 2147483647:
        raise ValueError("too many taps for BLAS's 32-bit sizes")
    ntiles = ceil_div(g.oitem, tile)
    ntasks = ngroups * ntiles
    nthreads = team_size(nthreads, ntasks)
    # whole 64-byte lines per thread, so threads never share one
    rows_sz = pad64(g.nrows)
    col_sz = tile * g.witem
    wbuf_sz = nk * g.witem
    cbuf_sz = tile * nk
    per_thread = pad64(col_sz + wbuf_sz + cbuf_sz)
    offs = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * rows_sz * nthreads)
    scratch = <blas_t*> malloc(sizeof(blas_t) * per_thread * nthreads)
    done = team_counters(nthreads)
    if offs == NULL or scratch == NULL or done == NULL:
        free(offs)
        free(scratch)
        free(done)
        raise MemoryError()
    try:
        with nogil:
            # one path for any thread count (see sigconv._ext._direct)
            team_stamp(done, 2)
            for task in prange(ntasks, schedule='dynamic', num_threads=nthreads):
                tid = threadid()
                mine = scratch + tid * per_thread
                _run_task(&x[0], &w[0], &out[0], &g, &xgroup[0], &bidx[0, 0],
                          &kidx[0, 0], nk, tile, ntiles, task, fill,
                          offs + tid * rows_sz, mine, mine + col_sz,
                          mine + col_sz + wbuf_sz)
                done[8 * tid] = done[8 * tid] + 1
                if tid == 0:
                    team_stamp(done, 1)
            team_report(nthreads, ntasks, done)
    finally:
        free(offs)
        free(scratch)
        free(done)


# --------------------------------------------------------------------------
# Convolution matrices


cdef inline Py_ssize_t _tap_column(const Geometry* g, const Py_ssize_t* o,
                                   const Py_ssize_t* kk) noexcept nogil:
    """Input sample (flat) output ``o`` reads through tap ``kk``; -1: fill."""
    cdef int a
    cdef Py_ssize_t i, mi, col = 0
    for a in range(g.ndim):
        i = o[a] * g.step[a] + g.lo[a] + kk[a]
        mi = map_index(i, g.xshape[a], g.boundary)
        if mi < 0:
            return -1
        col = col + mi * g.xstride[a]
    return col


cdef void _dense_rows(const entry_t* w, entry_t* A, const Geometry* g, Py_ssize_t r0,
                      Py_ssize_t r1) noexcept nogil:
    cdef Py_ssize_t o[MAXDIM]
    cdef Py_ssize_t kk[MAXDIM]
    cdef Py_ssize_t row, k, c
    cdef int a
    cdef entry_t* arow
    unravel(r0, g.oshape, g.ndim, o)
    for row in range(r0, r1):
        arow = A + row * g.xitem
        for a in range(g.ndim):
            kk[a] = 0
        for k in range(g.witem):
            c = _tap_column(g, o, kk)
            if c >= 0:
                arow[c] = arow[c] + w[k]
            advance(kk, g.wshape, g.ndim)
        advance(o, g.oshape, g.ndim)


def dense_matrix(const entry_t[::1] w, entry_t[:, ::1] A, tuple xshape, tuple wshape,
                 tuple oshape, tuple lo, tuple step, int boundary, int nthreads):
    """Add every tap of ``w`` (correlation order) into the zeroed matrix ``A``."""
    cdef Geometry g
    cdef Py_ssize_t nblocks, blk, block = 256
    geometry_init(&g, xshape, wshape, oshape, lo, step, boundary)
    if A.shape[0] != g.oitem or A.shape[1] != g.xitem or w.shape[0] != g.witem:
        raise ValueError("inconsistent matrix shape")
    if g.oitem == 0 or g.xitem == 0:
        return
    nblocks = ceil_div(g.oitem, block)
    nthreads = team_size(nthreads, nblocks)
    with nogil:
        for blk in prange(nblocks, schedule='dynamic', num_threads=nthreads):
            _dense_rows(&w[0], &A[0, 0], &g, blk * block, min((blk + 1) * block, g.oitem))


def sparse_matrix(const entry_t[::1] w, entry_t[::1] data, cnp.int64_t[::1] indices,
                  cnp.int64_t[::1] indptr, tuple xshape, tuple wshape, tuple oshape,
                  tuple lo, tuple step, int boundary):
    """CSR arrays of the matrix (duplicate columns possible); returns nnz.

    ``data`` and ``indices`` must hold rows x taps entries, ``indptr`` rows + 1.
    Zero taps are left out.
    """
    cdef Geometry g
    cdef Py_ssize_t o[MAXDIM]
    cdef Py_ssize_t kk[MAXDIM]
    cdef Py_ssize_t row, k, c, nnz = 0
    cdef int a
    geometry_init(&g, xshape, wshape, oshape, lo, step, boundary)
    if indptr.shape[0] != g.oitem + 1 or data.shape[0] < g.oitem * g.witem \
            or indices.shape[0] < g.oitem * g.witem or w.shape[0] != g.witem:
        raise ValueError("inconsistent CSR buffers")
    with nogil:
        indptr[0] = 0
        for a in range(g.ndim):
            o[a] = 0
        for row in range(g.oitem):
            for a in range(g.ndim):
                kk[a] = 0
            for k in range(g.witem):
                if w[k] != 0:
                    c = _tap_column(&g, o, kk)
                    if c >= 0:
                        data[nnz] = w[k]
                        indices[nnz] = c
                        nnz = nnz + 1
                advance(kk, g.wshape, g.ndim)
            indptr[row + 1] = nnz
            advance(o, g.oshape, g.ndim)
    return nnz


# --------------------------------------------------------------------------
# One kernel per input item: blocks of outputs times a banded kernel matrix


cdef void _unfold_blocks(const blas_t* x, blas_t* R, const Geometry* g, Py_ssize_t b0,
                         Py_ssize_t b1, Py_ssize_t B, Py_ssize_t nbl, Py_ssize_t L,
                         blas_t fill, Py_ssize_t* offs) noexcept nogil:
    """Rows b0 .. b1-1 of the block window matrix of one item, row-major.

    Block ``blk`` is outputs ``i*B .. i*B+B-1`` of output line ``blk // nbl``
    (``i = blk % nbl``); its row holds, for every kernel row, the ``L``
    extended input samples those outputs read.
    """
    cdef int last = g.ndim - 1
    cdef int a
    cdef Py_ssize_t o[MAXDIM]
    cdef Py_ssize_t n = g.xshape[last]
    cdef Py_ssize_t s = g.step[last]
    cdef Py_ssize_t lo = g.lo[last]
    cdef Py_ssize_t Ltot = g.nrows * L
    cdef Py_ssize_t blk, line, i, r, q, start, mi
    cdef Py_ssize_t prev = -1
    cdef blas_t* dst
    cdef const blas_t* src
    for blk in range(b0, b1):
        line = blk // nbl
        i = blk - line * nbl
        if line != prev:
            unravel(line, g.oshape, last, o)
            kernel_rows(g, o, offs)
            prev = line
        start = i * B * s + lo
        dst = R + (blk - b0) * Ltot
        for r in range(g.nrows):
            src = x + offs[r] if offs[r] >= 0 else NULL
            if src == NULL:
                for q in range(L):
                    dst[q] = fill
            elif start >= 0 and start + L <= n:
                src = src + start
                for q in range(L):
                    dst[q] = src[q]
            else:
                for q in range(L):
                    mi = map_index(start + q, n, g.boundary)
                    dst[q] = fill if mi < 0 else src[mi]
            dst = dst + L


cdef void _run_block_task(const blas_t* x, const blas_t* wb, blas_t* out,
                          const Geometry* g, const cnp.intp_t* xgroup,
                          const cnp.intp_t* ogroup, const cnp.intp_t* kgroup,
                          Py_ssize_t B, Py_ssize_t L, Py_ssize_t nbl, Py_ssize_t tile,
                          Py_ssize_t ntiles, Py_ssize_t task, blas_t fill,
                          Py_ssize_t* offs, blas_t* R, blas_t* cbuf) noexcept nogil:
    cdef int last = g.ndim - 1
    cdef Py_ssize_t grp = task // ntiles
    cdef Py_ssize_t nblocks = g.line_count * nbl
    cdef Py_ssize_t b0 = (task - grp * ntiles) * tile
    cdef Py_ssize_t b1 = b0 + tile
    cdef Py_ssize_t Ltot = g.nrows * L
    cdef Py_ssize_t M = g.oshape[last]
    cdef Py_ssize_t blk, line, i, j, valid
    cdef blas_t* dst
    cdef const blas_t* src
    if b1 > nblocks:
        b1 = nblocks
    _unfold_blocks(x + xgroup[grp] * g.xitem, R, g, b0, b1, B, nbl, L, fill, offs)
    # cbuf (B x blocks, column-major) = wblock^T (B x Ltot) times R^T (Ltot x blocks)
    _gemm(b"T", <int>B, <int>(b1 - b0), <int>Ltot, wb + kgroup[grp] * Ltot * B, <int>Ltot,
          R, <int>Ltot, cbuf, <int>B)
    for blk in range(b0, b1):
        line = blk // nbl
        i = blk - line * nbl
        valid = M - i * B
        if valid > B:
            valid = B
        dst = out + ogroup[grp] * g.oitem + line * M + i * B
        src = cbuf + (blk - b0) * B
        for j in range(valid):
            dst[j] = src[j]


def correlate_blocks(const blas_t[::1] x, const blas_t[::1] wb, blas_t[::1] out,
                     tuple xshape, tuple wshape, tuple oshape, tuple lo, tuple step,
                     const cnp.intp_t[::1] xgroup, const cnp.intp_t[::1] ogroup,
                     const cnp.intp_t[::1] kgroup, int boundary, blas_t fill,
                     Py_ssize_t B, Py_ssize_t tile, int nthreads):
    """out[ogroup[g], o] = sum_k w[kgroup[g], k] * X[xgroup[g], o*step + lo + k].

    Each output line is cut into blocks of ``B`` outputs; a block's samples
    (``L = (B - 1) * step + K`` per kernel row) form one row of a window
    matrix, and ``wb`` holds each kernel as the banded matrix mapping such a
    row to the block's outputs (``nrows * L`` x ``B``, column-major), so
    ``tile`` blocks are one GEMM.
    """
    cdef Geometry g
    cdef Py_ssize_t ngroups = xgroup.shape[0]
    cdef Py_ssize_t L, nbl, nblocks, ntiles, ntasks, task, per_thread, rows_sz, kmax
    cdef Py_ssize_t* offs = NULL
    cdef Py_ssize_t* done = NULL
    cdef blas_t* scratch = NULL
    cdef blas_t* mine
    cdef int tid
    cdef int last
    geometry_init(&g, xshape, wshape, oshape, lo, step, boundary)
    if g.oitem == 0 or ngroups == 0:
        return
    last = g.ndim - 1
    L = (B - 1) * g.step[last] + g.wshape[last]
    if B < 1 or tile < 1:
        raise ValueError("block and tile sizes must be positive")
    kmax = 0
    for task in range(ngroups):
        if kgroup[task] < 0:
            raise ValueError("negative kernel index")
        if kgroup[task] > kmax:
            kmax = kgroup[task]
    if ogroup.shape[0] < ngroups or wb.shape[0] < (kmax + 1) * g.nrows * L * B:
        raise ValueError("the block kernel matrices are too short")
    if g.nrows * L > 2147483647 or B * tile > 2147483647:
        raise ValueError("too many taps for BLAS's 32-bit sizes")
    nbl = ceil_div(g.oshape[last], B)
    nblocks = g.line_count * nbl
    ntiles = ceil_div(nblocks, tile)
    ntasks = ngroups * ntiles
    nthreads = team_size(nthreads, ntasks)
    rows_sz = pad64(g.nrows)
    per_thread = pad64(tile * g.nrows * L + tile * B)
    offs = <Py_ssize_t*> malloc(sizeof(Py_ssize_t) * rows_sz * nthreads)
    scratch = <blas_t*> malloc(sizeof(blas_t) * per_thread * nthreads)
    done = team_counters(nthreads)
    if offs == NULL or scratch == NULL or done == NULL:
        free(offs)
        free(scratch)
        free(done)
        raise MemoryError()
    try:
        with nogil:
            # one path for any thread count (see sigconv._ext._direct)
            team_stamp(done, 2)
            for task in prange(ntasks, schedule='dynamic', num_threads=nthreads):
                tid = threadid()
                mine = scratch + tid * per_thread
                _run_block_task(&x[0], &wb[0], &out[0], &g, &xgroup[0], &ogroup[0],
                                &kgroup[0], B, L, nbl, tile, ntiles, task, fill,
                                offs + tid * rows_sz, mine, mine + tile * g.nrows * L)
                done[8 * tid] = done[8 * tid] + 1
                if tid == 0:
                    team_stamp(done, 1)
            team_report(nthreads, ntasks, done)
    finally:
        free(offs)
        free(scratch)
        free(done)
