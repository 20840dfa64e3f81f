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


# --------------------------------------------------------------------------
# Run-time op code -> tag
#
# Only the pairs of type and operation that can occur are compiled: sums
# run on floating types and int64 only (the caller converts), and for
# integers the NaN-free max / min are max / min themselves.

cdef inline int _kind(int op, num_t* p) noexcept nogil:
    """The op a run-time code means for this element type: OP_PMAX / OP_PMIN
    only for floating types; OP_SUM only where sums are compiled."""
    if num_t is float or num_t is double or num_t is ldouble_t:
        return op
    if op == OP_PMAX:
        return OP_MAX
    if op == OP_PMIN:
        return OP_MIN
    if op == OP_SUM and num_t is not cnp.int64_t:
        return OP_MAX
    return op


cdef inline void _combine(num_t* dst, const num_t* a, const num_t* b, Py_ssize_t w,
                          int op) noexcept nogil:
    cdef max_op mx
    cdef min_op mn
    cdef sum_op sm
    cdef pmax_op px
    cdef pmin_op pn
    op = _kind(op, dst)
    if op == OP_MAX:
        _combine_k(dst, a, b, w, mx)
    elif op == OP_MIN:
        _combine_k(dst, a, b, w, mn)
    elif num_t is float or num_t is double or num_t is ldouble_t:
        if op == OP_PMAX:
            _combine_k(dst, a, b, w, px)
        elif op == OP_PMIN:
            _combine_k(dst, a, b, w, pn)
        else:
            _combine_k(dst, a, b, w, sm)
    elif num_t is cnp.int64_t:
        _combine_k(dst, a, b, w, sm)


cdef inline void _update(num_t* dst, const num_t* b, Py_ssize_t w, int op) noexcept nogil:
    cdef max_op mx
    cdef min_op mn
    cdef sum_op sm
    cdef pmax_op px
    cdef pmin_op pn
    op = _kind(op, dst)
    if op == OP_MAX:
        _update_k(dst, b, w, mx)
    elif op == OP_MIN:
        _update_k(dst, b, w, mn)
    elif num_t is float or num_t is double or num_t is ldouble_t:
        if op == OP_PMAX:
            _update_k(dst, b, w, px)
        elif op == OP_PMIN:
            _update_k(dst, b, w, pn)
        else:
            _update_k(dst, b, w, sm)
    elif num_t is cnp.int64_t:
        _update_k(dst, b, w, sm)


cdef inline void _rows(num_t* dst, const num_t** rows, Py_ssize_t nrows, Py_ssize_t off,
                       Py_ssize_t w, int op) noexcept nogil:
    cdef max_op mx
    cdef min_op mn
    cdef sum_op sm
    op = _kind(op, dst)
    if op == OP_MAX:
        _rows_k(dst, rows, nrows, off, w, mx)
    elif op == OP_MIN:
        _rows_k(dst, rows, nrows, off, w, mn)
    elif num_t is float or num_t is double or num_t is ldouble_t or num_t is cnp.int64_t:
        _rows_k(dst, rows, nrows, off, w, sm)


cdef inline void _horizontal(num_t* out, const num_t* v, num_t* s1, num_t* s2,
                             Py_ssize_t span, Py_ssize_t M, Py_ssize_t k, Py_ssize_t s,
                             Py_ssize_t d, Py_ssize_t phase, int op, int hmode) noexcept nogil:
    cdef max_op mx
    cdef min_op mn
    cdef sum_op sm
    cdef pmax_op px
    cdef pmin_op pn
    op = _kind(op, out)
    if op == OP_MAX:
        _hrun(out, v, s1, s2, span, M, k, s, d, phase, hmode, mx)
    elif op == OP_MIN:
        _hrun(out, v, s1, s2, span, M, k, s, d, phase, hmode, mn)
    elif num_t is float or num_t is double or num_t is ldouble_t:
        if op == OP_PMAX:
            _hrun(out, v, s1, s2, span, M, k, s, d, phase, hmode, px)
        elif op == OP_PMIN:
            _hrun(out, v, s1, s2, span, M, k, s, d, phase, hmode, pn)
        else:
            _hrun(out, v, s1, s2, span, M, k, s, d, phase, hmode, sm)
    elif num_t is cnp.int64_t:
        _hrun(out, v, s1, s2, span, M, k, s, d, phase, hmode, sm)


cdef inline void _divide(num_t* out, Py_ssize_t M, double line_count,
                         const double* col_count) noexcept nogil:
    """Averages: out[j] /= line_count * col_count[j] (floating types only)."""
    cdef Py_ssize_t j
    if num_t is float or num_t is double or num_t is ldouble_t:
        for j in range(M):
            out[j] = out[j] / <num_t>(line_count * col_count[j])


# --------------------------------------------------------------------------
# Tasks

cdef inline void _chunk_span(const Geom* g, Py_ssize_t ch, Py_ssize_t* j0, Py_ssize_t* M,
                             Py_ssize_t* c_lo, Py_ssize_t* span, Py_ssize_t* v0,
                             Py_ssize_t* v1) noexcept nogil:
    """Outputs [j0, j0 + M) of a line; their input span [c_lo, c_lo + span)
    along the last axis, of which [v0, v1) lies inside the input."""
    cdef int a = g.r - 1
    j0[0] = ch * g.chunk
    M[0] = min(g.chunk, g.m[a] - j0[0])
    c_lo[0] = j0[0] * g.s[a] - g.p[a]
    span[0] = (M[0] - 1) * g.s[a] + (g.k[a] - 1) * g.d[a] + 1
    v0[0] = max(c_lo[0], <Py_ssize_t>0)
    v1[0] = min(c_lo[0] + span[0], g.n[a])


cdef inline void _tap_range(Py_ssize_t o, Py_ssize_t n, Py_ssize_t k, Py_ssize_t s,
                            Py_ssize_t p, Py_ssize_t d, Py_ssize_t* lo,
                            Py_ssize_t* hi) noexcept nogil:
    """Taps t of window o with o*s - p + t*d inside [0, n): t in [lo, hi)."""
    cdef Py_ssize_t start = o * s - p
    cdef Py_ssize_t t0 = 0
    cdef Py_ssize_t t1
    if start < 0:
        t0 = (-start + d - 1) // d
    if start >= n:
        lo[0] = hi[0] = 0
        return
    t1 = (n - 1 - start) // d + 1
    lo[0] = t0
    hi[0] = max(t0, min(k, t1))


cdef Py_ssize_t _window_rows(const num_t* xb, const Geom* g, Py_ssize_t rem,
                             const num_t** rows, Py_ssize_t* offs) noexcept nogil:
    """Pointers of the input rows of output line ``rem``'s windows inside the
    input, in row-major order, and their index offsets (sum of position times
    ``istr`` over the axes); returns how many."""
    cdef int last = g.r - 1
    cdef int a
    cdef Py_ssize_t o[MAXDIM]
    cdef Py_ssize_t lo[MAXDIM]
    cdef Py_ssize_t hi[MAXDIM]
    cdef Py_ssize_t t[MAXDIM]
    cdef Py_ssize_t cnt[MAXDIM]
    cdef Py_ssize_t nr = 0
    cdef Py_ssize_t off, ioff
    unravel(rem, g.m, last, o)
    for a in range(last):
        _tap_range(o[a], g.n[a], g.k[a], g.s[a], g.p[a], g.d[a], &lo[a], &hi[a])
        if lo[a] >= hi[a]:
            return 0
        # t counts the taps inside the input from lo
        t[a] = 0
        cnt[a] = hi[a] - lo[a]
    while True:
        off = 0
        ioff = 0
        for a in range(last):
            off = off + (o[a] * g.s[a] - g.p[a] + (lo[a] + t[a]) * g.d[a]) * g.xstr[a]
            ioff = ioff + (o[a] * g.s[a] - g.p[a] + (lo[a] + t[a]) * g.d[a]) * g.istr[a]
        rows[nr] = xb + off
        offs[nr] = ioff
        nr = nr + 1
        if not advance(t, cnt, last):
            return nr


cdef void _task_direct(const num_t* x, num_t* out, const Geom* g, Py_ssize_t task,
                       num_t ident, const double* line_div, const double* col_div,
                       const num_t** rows, Py_ssize_t* offs, num_t* V, num_t* s1,
                       num_t* s2) noexcept nogil:
    cdef int last = g.r - 1
    cdef Py_ssize_t line = task // g.nchunks
    cdef Py_ssize_t ch = task % g.nchunks
    cdef Py_ssize_t b = line // g.nouter
    cdef Py_ssize_t rem = line % g.nouter
    cdef Py_ssize_t j0, M, c_lo, span, v0, v1, nr
    cdef const num_t* vp = V
    cdef num_t* dst = out + line * g.m[last]
    _chunk_span(g, ch, &j0, &M, &c_lo, &span, &v0, &v1)
    nr = _window_rows(x + b * g.xitem, g, rem, rows, offs)
    if g.htrivial:
        # the vertical stage writes the output itself
        if nr == 0:
            _fill(dst + j0, M, ident)
        else:
            _rows(dst + j0, rows, nr, j0, M, g.op)
        if g.divide:
            _divide(dst + j0, M, line_div[line % g.ndiv], col_div + j0)
        return
    if nr == 0 or v1 <= v0:
        _fill(V, span, ident)
    elif nr == 1 and v0 == c_lo and v1 == c_lo + span:
        vp = rows[0] + c_lo
    else:
        _fill(V, v0 - c_lo, ident)
        _fill(V + (v1 - c_lo), c_lo + span - v1, ident)
        _rows(V + (v0 - c_lo), rows, nr, v0, v1 - v0, g.op)
    _horizontal(dst + j0, vp, s1, s2, span, M, g.k[last], g.s[last], g.d[last],
                (j0 * g.s[last]) % (g.k[last] * g.d[last]), g.op, g.hmode)
    if g.divide:
        _divide(dst + j0, M, line_div[line % g.ndiv], col_div + j0)


cdef void _task_vanherk(const num_t* x, num_t* out, const Geom* g, Py_ssize_t task,
                        num_t ident, const double* line_div, const double* col_div,
                        const num_t* identrow, num_t* V, num_t* s1, num_t* s2, num_t* H,
                        num_t* G) noexcept nogil:
    """Bands of output lines of a 2-D item (r == 2), van Herk down the rows.

    Max and min track whether the rows read so far hold a NaN (one compare
    per element, in the pass that first reads a row): until one does, every
    combination runs as a single max/min instruction with the new row as
    its second operand, which passes a NaN of that row on; the NaN-keeping
    three-instruction form takes over from the first NaN on.
    """
    cdef Py_ssize_t per_item = g.nchunks * g.nbands
    cdef Py_ssize_t b = task // per_item
    cdef Py_ssize_t ch = (task % per_item) // g.nbands
    cdef Py_ssize_t band = task % g.nbands
    cdef Py_ssize_t n0 = g.n[0]
    cdef Py_ssize_t n1 = g.n[1]
    cdef Py_ssize_t k = g.k[0]
    cdef Py_ssize_t s = g.s[0]
    cdef Py_ssize_t d = g.d[0]
    cdef Py_ssize_t kd = k * d
    cdef Py_ssize_t o0 = band * g.band
    cdef Py_ssize_t o1 = min(o0 + g.band, g.m[0])
    cdef Py_ssize_t P0 = o0 * s - g.p[0]
    cdef Py_ssize_t nr = (o1 - 1 - o0) * s + (k - 1) * d + 1
    cdef Py_ssize_t j0, M, c_lo, span, v0, v1, w, o, t, B0, bend, q, gq, off, need, i
    cdef Py_ssize_t ta, hphase
    cdef const num_t* xb = x + b * g.xitem
    cdef num_t* Vv
    cdef num_t* dst
    cdef num_t* orow
    cdef num_t* hq
    cdef num_t* slot
    cdef const num_t* row
    # the op for NaN-free operands, and whether NaN needs tracking at all
    cdef int pop = g.op + (OP_PMAX - OP_MAX) if g.op != OP_SUM else OP_SUM
    cdef bint track = g.op != OP_SUM and (num_t is float or num_t is double
                                          or num_t is ldouble_t)
    cdef bint hnan, gnan
    cdef Py_ssize_t hp = g.pitch
    _chunk_span(g, ch, &j0, &M, &c_lo, &span, &v0, &v1)
    hphase = (j0 * g.s[1]) % (g.k[1] * g.d[1])
    w = v1 - v0
    if w <= 0:
        # every window of the chunk lies in the padding
        _fill(V, span, ident)
        for o in range(o0, o1):
            _horizontal(out + (b * g.m[0] + o) * g.m[1] + j0, V, s1, s2, span, M, g.k[1],
                        g.s[1], g.d[1], hphase, g.op, g.hmode)
            if g.divide:
                _divide(out + (b * g.m[0] + o) * g.m[1] + j0, M,
                        line_div[(b * g.m[0] + o) % g.ndiv], col_div + j0)
        return
    _fill(V, v0 - c_lo, ident)
    _fill(V + (v1 - c_lo), c_lo + span - v1, ident)
    Vv = V + (v0 - c_lo)
    o = o0
    while o < o1:
        # blocks of k*d rows aligned on the line's windows, not on the band,
        # so that every output is computed alike however the lines are cut
        # into bands (sums round identically for any number of threads);
        # the band's first block may start before its first row
        t = (o - o0) * s
        ta = o * s
        B0 = t - ta % kd
        bend = min(B0 + kd, nr)
        # suffixes of this block, backwards; each new row is the second
        # operand, the suffix after it (NaN-free until hnan) the first
        hnan = False
        q = bend - 1
        while q >= max(B0, <Py_ssize_t>0):
            i = P0 + q
            row = xb + i * n1 + v0 if 0 <= i < n0 else identrow
            hq = H + (q - B0) * hp
            if q + d >= bend:
                memcpy(hq, row, w * sizeof(num_t))
            else:
                _combine(hq, H + (q + d - B0) * hp, row, w, g.op if hnan else pop)
            if track and not hnan:
                hnan = _has_nan(row, w)
            q = q - 1
        # windows starting in this block, prefixes of the next one as needed
        gq = 0
        gnan = False
        while o < o1:
            t = (o - o0) * s
            if t >= B0 + kd:
                break
            off = t - B0
            orow = out + (b * g.m[0] + o) * g.m[1] + j0
            # a one-tap last axis: the vertical result is the output row
            dst = orow if g.htrivial else Vv
            if off < d:
                memcpy(dst, H + off * hp, w * sizeof(num_t))
            else:
                need = off - d
                while gq <= need:
                    i = P0 + B0 + kd + gq
                    row = xb + i * n1 + v0 if 0 <= i < n0 else identrow
                    slot = G + (gq % d) * hp
                    if gq < d:
                        memcpy(slot, row, w * sizeof(num_t))
                    else:
                        _update(slot, row, w, g.op if gnan else pop)
                    if track and not gnan:
                        gnan = _has_nan(row, w)
                    gq = gq + 1
                _combine(dst, H + off * hp, G + (need % d) * hp, w,
                         g.op if (hnan or gnan) else pop)
            if not g.htrivial:
                _horizontal(orow, V, s1, s2, span, M, g.k[1], g.s[1], g.d[1], hphase,
                            g.op if (hnan or gnan) else pop, g.hmode)
            if g.divide:
                _divide(orow, M, line_div[(b * g.m[0] + o) % g.ndiv], col_div + j0)
            o = o + 1


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
