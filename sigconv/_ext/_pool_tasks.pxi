# Pooling kernels, part 2 of 3 (included by _pool.pxi): run-time operation
# codes, the horizontal pass of a row and the window tasks.

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

