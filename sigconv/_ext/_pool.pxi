# Pooling kernels, the body shared by the modules sigconv._ext._pool_*: each
# defines the fused element type ``num_t`` (the dtypes it serves) and includes
# this file.
#
# Pooling kernels: max, min and sum over the windows of N-D arrays.
#
# The caller (sigconv.pooling) flattens the axes before the first pooled one
# into a batch axis and gives every other axis after it a window (the
# trivial one, one tap, where it is not pooled), so the input is C-ordered
# items of shape ``(n_1, ..., n_r)`` and the output items of shape
# ``(m_1, ..., m_r)`` with
#
#     out[b, o] = op over t of x[b, o * s - p + t * d]      (per axis, t < k)
#
# where positions outside the input are skipped (they hold the identity of
# ``op``: -inf/+inf or the integer extremes for max/min, 0 for sums, so the
# result is the same). Averages are sums divided by a count per output; the
# caller computes the counts, the kernel divides.
#
# The output is cut into *lines* along its last axis, and each line into
# *chunks*; a task (the unit of the parallel loop) computes one chunk in two
# stages, both running along contiguous memory:
#
# 1. **vertical**: the window's rows (all pooled axes but the last) reduced
#    element by element into a line buffer ``V`` -- rows read in place,
#    vector operations along the row. Either *direct* (every row of the window
#    combined, cost ``prod k`` per element, one streaming pass over the input:
#    best for small or non-overlapping windows) or *van Herk / Gil-Werman*
#    along the second-to-last axis (``r == 2`` only; the caller reduces
#    earlier axes in separate passes): per block of ``k`` rows, suffix
#    reductions backwards and prefix reductions forwards, so that any window
#    is one suffix combined with one prefix -- three vector operations per
#    element whatever ``k``. A task then covers a band of output lines, and
#    streams through its rows keeping one block of suffixes and ``d`` rows of
#    prefixes in a per-thread buffer.
# 2. **horizontal**: ``V`` (padded with the identity where the windows leave
#    the input) reduced along the line into the output. *Direct* for short
#    windows (the taps unrolled, or added one by one into a tile of outputs);
#    for max/min *widening* (windows of 4, 16, 64, ... taps, each level one
#    vectorised pass combining four windows of the level below, the output
#    up to four overlapping windows of the last level -- max and min are
#    idempotent): ``ceil(log4 k) + 1`` passes; and van Herk / Gil-Werman
#    (serial scans, constant cost per element) for sums of long windows and
#    very long max/min windows.
#
# With dilation ``d`` a window's taps are every ``d``-th element: van Herk's
# blocks are then ``k * d`` elements long, holding one block of each of the
# ``d`` interleaved residue classes. Blocks are aligned on the windows of the
# whole line, so the arithmetic of every output is the same however the
# output is cut into tasks (results do not depend on the number of threads).
#
# NaN propagates through max and min (as in numpy.max and torch): ``a if a >
# b else b`` is x86's ``maxps a, b``, which passes a NaN in ``b``; a second
# select passes a NaN in ``a``. The van Herk stage checks each row for NaN
# when it first reads it and, as long as none was seen, combines with the
# single instruction, the new row as second operand. A separate kernel
# (``pool_arg``) returns the flat index of the extreme of each window as
# torch does: first occurrence in row-major order among equal values, the
# last NaN of a window containing NaN.

from cython.parallel cimport prange, threadid
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy
cimport numpy as cnp

from ._common cimport MAXDIM, ceil_div, unravel, advance, team_size, team_counters, team_report

ctypedef long double ldouble_t

cdef extern from *:
    # gcc/clang builtin (a hint only; nothing elsewhere)
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define SIGCONV_PREFETCH(p) __builtin_prefetch((p), 0, 3)
    #else
    #define SIGCONV_PREFETCH(p) ((void)0)
    #endif
    """
    void SIGCONV_PREFETCH(const void* p) noexcept nogil

cdef enum:
    OP_MAX = 0
    OP_MIN = 1
    OP_SUM = 2
    # max / min for data known to hold no NaN where it matters: one vector
    # instruction; a NaN in the second operand still propagates
    OP_PMAX = 3
    OP_PMIN = 4

cdef enum:
    V_DIRECT = 0
    V_VANHERK = 1

cdef enum:
    H_DIRECT = 0
    H_WIDEN = 1
    H_VANHERK = 2

cdef enum:
    TILE = 64             # outputs of a register tile (horizontal)
    ROW_BLOCK = 2048      # columns of a block of the vertical stage (8 KiB of float32)
    SPAN_TARGET = 8192    # elements of a line buffer: a chunk's input span
    BLOCK_BYTES = 196608  # van Herk's per-thread block of suffix rows (fits in L2)
    MIN_COLS = 256        # narrowest column chunk of the van Herk vertical stage
    TASKS_PER_THREAD = 4  # at least this many tasks per thread where the data allows
    GRAIN = 32768         # input elements per grain of tasks handed to a thread
    PF_BYTES = 64         # a prefetch per cache line ...
    PF_AHEAD = 2048       # ... this many bytes ahead of the rows being read ...
    PF_ROW_BYTES = 4096   # ... when they are shorter than this (measured: P3 -20%)


cdef struct Geom:
    int r                     # pooled axes
    int op
    int vmode
    int hmode
    bint divide
    bint htrivial             # last axis: one tap, stride 1, no padding (a plain copy)
    Py_ssize_t nbatch
    Py_ssize_t n[MAXDIM]      # input lengths
    Py_ssize_t m[MAXDIM]      # output lengths
    Py_ssize_t k[MAXDIM]      # window taps
    Py_ssize_t s[MAXDIM]      # stride
    Py_ssize_t p[MAXDIM]      # padding before
    Py_ssize_t d[MAXDIM]      # dilation
    Py_ssize_t xstr[MAXDIM]   # element strides of an input item
    Py_ssize_t istr[MAXDIM]   # index strides (pool_arg's flat indices)
    Py_ssize_t xitem
    Py_ssize_t oitem
    Py_ssize_t nouter         # prod m[:-1]: lines per batch item
    Py_ssize_t ndiv           # line divisors: line L is divided by line_div[L % ndiv]
    Py_ssize_t chunk          # outputs per chunk of a line
    Py_ssize_t nchunks
    Py_ssize_t band           # output lines per task (van Herk vertical)
    Py_ssize_t nbands
    Py_ssize_t span_max       # longest input span of a chunk
    Py_ssize_t pitch          # elements between rows of the van Herk buffers
    Py_ssize_t nrows_max      # window rows (direct vertical)


# --------------------------------------------------------------------------
# Element operations
#
# The operation is a compile-time parameter: an empty tag struct of a fused
# type, so that every loop below is compiled once per operation with the
# operation inlined (and vectorised), whatever the compiler decides to
# inline. The drivers turn the run-time op code into a tag once per row.

cdef struct max_op:
    char unused
cdef struct min_op:
    char unused
cdef struct sum_op:
    char unused
cdef struct pmax_op:
    char unused
cdef struct pmin_op:
    char unused

ctypedef fused op_t:
    max_op
    min_op
    sum_op
    pmax_op
    pmin_op


cdef inline num_t _op(num_t a, num_t b, op_t tag) noexcept nogil:
    """max / min keeping NaN from either side, or the sum.

    ``a if a > b else b`` is exactly x86's ``maxps a, b``, which returns b
    when either is NaN (so a NaN b propagates); the second select passes a
    NaN a. Three vector instructions (max, unordered compare, blend).
    """
    cdef num_t r
    if op_t is max_op:
        r = a if a > b else b
        return a if a != a else r
    elif op_t is min_op:
        r = a if a < b else b
        return a if a != a else r
    elif op_t is pmax_op:
        return a if a > b else b
    elif op_t is pmin_op:
        return a if a < b else b
    else:
        return a + b


cdef inline bint _has_nan(const num_t* a, Py_ssize_t w) noexcept nogil:
    """Whether a[0 .. w) holds a NaN (never, for integers)."""
    cdef Py_ssize_t i
    cdef int f = 0
    if num_t is float or num_t is double or num_t is ldouble_t:
        for i in range(w):
            f = f | (a[i] != a[i])
    return f != 0


cdef inline void _fill(num_t* dst, Py_ssize_t n, num_t value) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        dst[i] = value


cdef inline void _combine_k(num_t* dst, const num_t* a, const num_t* b, Py_ssize_t w,
                            op_t tag) noexcept nogil:
    """dst[i] = op(a[i], b[i]); dst must not overlap a or b."""
    cdef Py_ssize_t i
    for i in range(w):
        dst[i] = _op(a[i], b[i], tag)


cdef inline void _combine_pf(num_t* dst, const num_t* a, const num_t* b, Py_ssize_t w,
                             op_t tag) noexcept nogil:
    """_combine_k reading ahead: rows straight from memory."""
    cdef Py_ssize_t i, c, cw
    cdef Py_ssize_t step = PF_BYTES // <Py_ssize_t>sizeof(num_t)
    c = 0
    while c < w:
        cw = min(step, w - c)
        SIGCONV_PREFETCH(a + c + PF_AHEAD // <Py_ssize_t>sizeof(num_t))
        SIGCONV_PREFETCH(b + c + PF_AHEAD // <Py_ssize_t>sizeof(num_t))
        for i in range(cw):
            dst[c + i] = _op(a[c + i], b[c + i], tag)
        c = c + cw


cdef inline void _update_k(num_t* dst, const num_t* b, Py_ssize_t w, op_t tag) noexcept nogil:
    """dst[i] = op(dst[i], b[i])."""
    cdef Py_ssize_t i
    for i in range(w):
        dst[i] = _op(dst[i], b[i], tag)


cdef inline void _update_pf(num_t* dst, const num_t* b, Py_ssize_t w, op_t tag) noexcept nogil:
    """_update_k reading ahead."""
    cdef Py_ssize_t i, c, cw
    cdef Py_ssize_t step = PF_BYTES // <Py_ssize_t>sizeof(num_t)
    c = 0
    while c < w:
        cw = min(step, w - c)
        SIGCONV_PREFETCH(b + c + PF_AHEAD // <Py_ssize_t>sizeof(num_t))
        for i in range(cw):
            dst[c + i] = _op(dst[c + i], b[c + i], tag)
        c = c + cw


# --------------------------------------------------------------------------
# Vertical stage: rows reduced element-wise

cdef inline void _rows_k(num_t* dst, const num_t** rows, Py_ssize_t nrows, Py_ssize_t off,
                         Py_ssize_t w, op_t tag) noexcept nogil:
    """dst[c] = op over the rows of rows[r][off + c] (nrows >= 1).

    In column blocks that stay in L1: the first two rows combined into
    dst, then each further row into it -- every pass a plain vector loop.
    """
    cdef Py_ssize_t c, bw, r
    if nrows == 1:
        memcpy(dst, rows[0] + off, w * sizeof(num_t))
        return
    if w * <Py_ssize_t>sizeof(num_t) < PF_ROW_BYTES:
        # short rows, each a short stream that the hardware prefetcher
        # barely starts on: read ahead into the rows of the next lines
        _combine_pf(dst, rows[0] + off, rows[1] + off, w, tag)
        for r in range(2, nrows):
            _update_pf(dst, rows[r] + off, w, tag)
        return
    c = 0
    while c < w:
        bw = min(<Py_ssize_t>ROW_BLOCK, w - c)
        _combine_k(dst + c, rows[0] + off + c, rows[1] + off + c, bw, tag)
        for r in range(2, nrows):
            _update_k(dst + c, rows[r] + off + c, bw, tag)
        c = c + bw


# --------------------------------------------------------------------------
# Horizontal stage: a padded line v of ``span`` elements into M outputs,
# out[j] = op over t < k of v[j * s + t * d]

cdef inline void _htile(num_t* out, const num_t* v, Py_ssize_t w, Py_ssize_t k,
                        Py_ssize_t s, Py_ssize_t d, op_t tag) noexcept nogil:
    """w <= TILE outputs, the taps added one by one into registers."""
    cdef num_t acc[TILE]
    cdef Py_ssize_t u, t
    cdef const num_t* vt
    for u in range(w):
        acc[u] = v[u * s]
    for t in range(1, k):
        vt = v + t * d
        for u in range(w):
            acc[u] = _op(acc[u], vt[u * s], tag)
    for u in range(w):
        out[u] = acc[u]


cdef inline void _hdirect_s(num_t* out, const num_t* v, Py_ssize_t M, Py_ssize_t k,
                            Py_ssize_t s, Py_ssize_t d, op_t tag) noexcept nogil:
    cdef Py_ssize_t j = 0
    while j + TILE <= M:
        _htile(out + j, v + j * s, TILE, k, s, d, tag)
        j = j + TILE
    if j < M:
        _htile(out + j, v + j * s, M - j, k, s, d, tag)


cdef inline void _hblocks(num_t* out, const num_t* v, Py_ssize_t M, Py_ssize_t K,
                          op_t tag) noexcept nogil:
    """Adjacent windows of K taps (k == s, d == 1): out[j] = op of v[j*K : j*K + K].

    With K a constant the taps of all windows form one interleaved group of
    loads, which the compiler vectorises with whole-vector loads and
    shuffles (one tap at a time, ``v[j*K + t]`` alone is a strided access
    that it would gather element by element).
    """
    cdef Py_ssize_t j, t
    cdef num_t acc
    for j in range(M):
        acc = v[j * K]
        for t in range(1, K):
            acc = _op(acc, v[j * K + t], tag)
        out[j] = acc


cdef inline void _hslide(num_t* out, const num_t* v, Py_ssize_t M, Py_ssize_t K,
                         Py_ssize_t d, op_t tag) noexcept nogil:
    """Stride 1, K taps (a constant): out[j] = op of v[j], v[j + d], ...

    With K constant the taps unroll and the loop over j is one vector loop
    of K loads per vector of outputs.
    """
    cdef Py_ssize_t j, t
    cdef num_t acc
    for j in range(M):
        acc = v[j]
        for t in range(1, K):
            acc = _op(acc, v[j + t * d], tag)
        out[j] = acc


cdef void _hdirect(num_t* out, const num_t* v, Py_ssize_t M, Py_ssize_t k, Py_ssize_t s,
                   Py_ssize_t d, op_t tag) noexcept nogil:
    """Direct: each output's taps combined one by one (short windows)."""
    if s == 1 and 2 <= k <= 5:
        if k == 2:
            _hslide(out, v, M, 2, d, tag)
        elif k == 3:
            _hslide(out, v, M, 3, d, tag)
        elif k == 4:
            _hslide(out, v, M, 4, d, tag)
        else:
            _hslide(out, v, M, 5, d, tag)
    elif k == s and d == 1 and k <= 4:
        if k == 2:
            _hblocks(out, v, M, 2, tag)
        elif k == 3:
            _hblocks(out, v, M, 3, tag)
        elif k == 4:
            _hblocks(out, v, M, 4, tag)
        else:
            memcpy(out, v, M * sizeof(num_t))
    elif s == 1:
        _hdirect_s(out, v, M, k, 1, d, tag)
    elif s == 2:
        _hdirect_s(out, v, M, k, 2, d, tag)
    else:
        _hdirect_s(out, v, M, k, s, d, tag)


cdef void _hwiden(num_t* out, const num_t* v, num_t* a, num_t* b, Py_ssize_t span,
                     Py_ssize_t M, Py_ssize_t k, Py_ssize_t s, Py_ssize_t d,
                     op_t tag) noexcept nogil:
    """max/min by repeated widening: level w holds the reductions of w taps,
    each level four windows of the one below (w = 1, 4, 16, ...); the output
    combines ceil(k / w) <= 4 windows of the first level with k <= 4 w, the
    last one overlapping the others -- max and min do not mind the overlap.

    Every level is one vector pass over the line (in L1): ceil(log4 k) + 1
    passes, for 15 taps two (binary doubling would take four, and each
    pass costs as much as its loads, not its arithmetic).
    """
    cdef Py_ssize_t w = 1
    cdef Py_ssize_t length = span
    cdef Py_ssize_t i, j, off, pieces
    cdef const num_t* src = v
    cdef num_t* dst = a
    while k > 4 * w:
        off = w * d
        length = length - 3 * off
        for i in range(length):
            dst[i] = _op(_op(src[i], src[i + off], tag),
                         _op(src[i + 2 * off], src[i + 3 * off], tag), tag)
        src = dst
        dst = b if dst == a else a
        w = 4 * w
    pieces = (k + w - 1) // w
    off = w * d
    i = (k - w) * d                   # the last piece, overlapping
    if s == 1:
        if pieces == 1:
            memcpy(out, src, M * sizeof(num_t))
        elif pieces == 2:
            for j in range(M):
                out[j] = _op(src[j], src[j + i], tag)
        elif pieces == 3:
            for j in range(M):
                out[j] = _op(_op(src[j], src[j + off], tag), src[j + i], tag)
        else:
            for j in range(M):
                out[j] = _op(_op(src[j], src[j + off], tag),
                             _op(src[j + 2 * off], src[j + i], tag), tag)
    else:
        for j in range(M):
            out[j] = src[j * s]
            if pieces > 1:
                out[j] = _op(out[j], src[j * s + i], tag)
            if pieces > 2:
                out[j] = _op(out[j], src[j * s + off], tag)
            if pieces > 3:
                out[j] = _op(out[j], src[j * s + 2 * off], tag)


cdef void _hvanherk(num_t* out, const num_t* v, num_t* g, num_t* h, Py_ssize_t span,
                    Py_ssize_t M, Py_ssize_t k, Py_ssize_t s, Py_ssize_t d, Py_ssize_t phase,
                    op_t tag) noexcept nogil:
    """van Herk / Gil-Werman: blocks of k*d elements (one block of k taps per
    residue class mod d); suffixes h and prefixes g within blocks; a window
    starting inside a block is the block's suffix combined with the next
    block's prefix, one starting at a block's first class element is a whole
    block (h).

    Blocks start where ``(q + phase) % (k*d) == 0``: ``phase`` places v[0]
    among the blocks of the whole line, so that every output is computed
    alike however the line is cut into chunks (sums round identically for
    any number of threads)."""
    cdef Py_ssize_t kd = k * d
    cdef Py_ssize_t b0 = 0
    cdef Py_ssize_t b1, q, j, t, tail, r
    while b0 < span:
        b1 = min(b0 + kd - (b0 + phase) % kd, span)
        tail = max(b0, b1 - d)
        for q in range(tail, b1):
            h[q] = v[q]
        q = tail - 1
        while q >= b0:
            h[q] = _op(v[q], h[q + d], tag)
            q = q - 1
        tail = min(b0 + d, b1)
        for q in range(b0, tail):
            g[q] = v[q]
        for q in range(tail, b1):
            g[q] = _op(g[q - d], v[q], tag)
        b0 = b1
    r = phase % kd                    # (t + phase) % kd, kept without dividing
    t = 0
    for j in range(M):
        if r < d:
            out[j] = h[t]
        else:
            out[j] = _op(h[t], g[t + (k - 1) * d], tag)
        t = t + s
        r = r + s
        if r >= kd:
            r = r - kd if r < 2 * kd else r % kd


cdef inline void _hrun(num_t* out, const num_t* v, num_t* s1, num_t* s2, Py_ssize_t span,
                       Py_ssize_t M, Py_ssize_t k, Py_ssize_t s, Py_ssize_t d,
                       Py_ssize_t phase, int hmode, op_t tag) noexcept nogil:
    if hmode == H_DIRECT:
        _hdirect(out, v, M, k, s, d, tag)
    elif hmode == H_WIDEN:
        _hwiden(out, v, s1, s2, span, M, k, s, d, tag)
    else:
        _hvanherk(out, v, s1, s2, span, M, k, s, d, phase, tag)


include "_pool_tasks.pxi"
include "_pool_drivers.pxi"
