# Complex transforms of the streaming convolver (included by _stream.pyx).
#
# A transform of P points is a sequence of Stockham steps ("autosort": no
# bit reversal), each taking s interleaved transforms of length n to r * s
# of length n / r:
#
#     a_j = x[q + s (p + j m)]                      (m = n / r, j < r)
#     y[q + s (r p + k)] = w^(p k) sum_j a_j exp(-2 pi i j k / r)
#
# for p < m, q < s, w = exp(-2 pi i / n); after the last step the output is
# in natural order. Complex numbers are held as separate arrays of real and
# imaginary parts, so that the loop over q (s >= 16 after two steps of 4)
# is plain vector arithmetic; the first two steps of 4 (s = 1 and s = 4)
# have loops of their own over p. Radices: 4 while n allows, then 2, then
# the odd primes of P (a generic step, O(r) per output).
#
# The pointers carry C's restrict qualifier: the arrays of one step never
# overlap, which the compiler cannot prove by itself (the offsets are not
# constants), and without which it would not vectorise the loops.

cdef extern from *:
    ctypedef float* f_rp "float * __restrict__"
    ctypedef double* d_rp "double * __restrict__"

ctypedef fused rp_t:
    f_rp
    d_rp


cdef inline void _bfly4(rp_t x0r, rp_t x0i, rp_t x1r, rp_t x1i, rp_t x2r, rp_t x2i,
                        rp_t x3r, rp_t x3i, rp_t y0r, rp_t y0i, rp_t y1r, rp_t y1i,
                        rp_t y2r, rp_t y2i, rp_t y3r, rp_t y3i, float_t w1r, float_t w1i,
                        float_t w2r, float_t w2i, float_t w3r, float_t w3i,
                        Py_ssize_t s) noexcept nogil:
    """s butterflies of 4 with the twiddles w1 = w^p, w2 = w^2p, w3 = w^3p."""
    cdef Py_ssize_t q
    cdef float_t b0r, b0i, b1r, b1i, b2r, b2i, b3r, b3i, cr, ci
    for q in range(s):
        b0r = x0r[q] + x2r[q]
        b0i = x0i[q] + x2i[q]
        b1r = x0r[q] - x2r[q]
        b1i = x0i[q] - x2i[q]
        b2r = x1r[q] + x3r[q]
        b2i = x1i[q] + x3i[q]
        b3r = x1i[q] - x3i[q]          # -i (x1 - x3)
        b3i = x3r[q] - x1r[q]
        y0r[q] = b0r + b2r
        y0i[q] = b0i + b2i
        cr = b1r + b3r
        ci = b1i + b3i
        y1r[q] = cr * w1r - ci * w1i
        y1i[q] = cr * w1i + ci * w1r
        cr = b0r - b2r
        ci = b0i - b2i
        y2r[q] = cr * w2r - ci * w2i
        y2i[q] = cr * w2i + ci * w2r
        cr = b1r - b3r
        ci = b1i - b3i
        y3r[q] = cr * w3r - ci * w3i
        y3i[q] = cr * w3i + ci * w3r


cdef inline void _first4(rp_t x0r, rp_t x0i, rp_t x1r, rp_t x1i, rp_t x2r, rp_t x2i,
                         rp_t x3r, rp_t x3i, rp_t yr, rp_t yi, rp_t w,
                         Py_ssize_t m, float_t* dummy) noexcept nogil:
    """The step of 4 at s = 1: a loop over p (the outputs of one p are adjacent)."""
    cdef Py_ssize_t p
    cdef float_t b0r, b0i, b1r, b1i, b2r, b2i, b3r, b3i, cr, ci
    for p in range(m):
        b0r = x0r[p] + x2r[p]
        b0i = x0i[p] + x2i[p]
        b1r = x0r[p] - x2r[p]
        b1i = x0i[p] - x2i[p]
        b2r = x1r[p] + x3r[p]
        b2i = x1i[p] + x3i[p]
        b3r = x1i[p] - x3i[p]
        b3i = x3r[p] - x1r[p]
        yr[4 * p] = b0r + b2r
        yi[4 * p] = b0i + b2i
        cr = b1r + b3r
        ci = b1i + b3i
        yr[4 * p + 1] = cr * w[p] - ci * w[m + p]
        yi[4 * p + 1] = cr * w[m + p] + ci * w[p]
        cr = b0r - b2r
        ci = b0i - b2i
        yr[4 * p + 2] = cr * w[2 * m + p] - ci * w[3 * m + p]
        yi[4 * p + 2] = cr * w[3 * m + p] + ci * w[2 * m + p]
        cr = b1r - b3r
        ci = b1i - b3i
        yr[4 * p + 3] = cr * w[4 * m + p] - ci * w[5 * m + p]
        yi[4 * p + 3] = cr * w[5 * m + p] + ci * w[4 * m + p]


cdef inline void _second4_q(rp_t x0r, rp_t x0i, rp_t x1r, rp_t x1i, rp_t x2r, rp_t x2i,
                            rp_t x3r, rp_t x3i, rp_t yr, rp_t yi, rp_t w, Py_ssize_t m,
                            Py_ssize_t q, float_t* dummy) noexcept nogil:
    """Column q of the step of 4 at s = 4: a loop over p."""
    cdef Py_ssize_t p, u
    cdef float_t b0r, b0i, b1r, b1i, b2r, b2i, b3r, b3i, cr, ci
    for p in range(m):
        u = 4 * p + q
        b0r = x0r[u] + x2r[u]
        b0i = x0i[u] + x2i[u]
        b1r = x0r[u] - x2r[u]
        b1i = x0i[u] - x2i[u]
        b2r = x1r[u] + x3r[u]
        b2i = x1i[u] + x3i[u]
        b3r = x1i[u] - x3i[u]
        b3i = x3r[u] - x1r[u]
        yr[16 * p + q] = b0r + b2r
        yi[16 * p + q] = b0i + b2i
        cr = b1r + b3r
        ci = b1i + b3i
        yr[16 * p + 4 + q] = cr * w[p] - ci * w[m + p]
        yi[16 * p + 4 + q] = cr * w[m + p] + ci * w[p]
        cr = b0r - b2r
        ci = b0i - b2i
        yr[16 * p + 8 + q] = cr * w[2 * m + p] - ci * w[3 * m + p]
        yi[16 * p + 8 + q] = cr * w[3 * m + p] + ci * w[2 * m + p]
        cr = b1r - b3r
        ci = b1i - b3i
        yr[16 * p + 12 + q] = cr * w[4 * m + p] - ci * w[5 * m + p]
        yi[16 * p + 12 + q] = cr * w[5 * m + p] + ci * w[4 * m + p]


cdef inline void _bfly2(rp_t x0r, rp_t x0i, rp_t x1r, rp_t x1i, rp_t y0r, rp_t y0i,
                        rp_t y1r, rp_t y1i, float_t wr, float_t wi,
                        Py_ssize_t s) noexcept nogil:
    cdef Py_ssize_t q
    cdef float_t cr, ci
    for q in range(s):
        y0r[q] = x0r[q] + x1r[q]
        y0i[q] = x0i[q] + x1i[q]
        cr = x0r[q] - x1r[q]
        ci = x0i[q] - x1i[q]
        y1r[q] = cr * wr - ci * wi
        y1i[q] = cr * wi + ci * wr


cdef void _step_odd(const float_t* xr, const float_t* xi, float_t* yr, float_t* yi,
                    Py_ssize_t r, Py_ssize_t n, Py_ssize_t s,
                    const float_t* w) noexcept nogil:
    """A step of odd radix r: w holds w^(p k) (k = 1 .. r - 1: real parts, then
    imaginary parts, (r - 1) m each) and then the roots exp(-2 pi i j / r)."""
    cdef Py_ssize_t m = n // r, p, q, j, k, e
    cdef const float_t* wi = w + (r - 1) * m
    cdef const float_t* rr = w + 2 * (r - 1) * m
    cdef const float_t* ri = rr + r
    cdef float_t tr, ti, ar, ai, cr, ci
    for p in range(m):
        for k in range(r):
            for q in range(s):
                tr = 0
                ti = 0
                e = 0
                for j in range(r):
                    ar = xr[q + s * (p + j * m)]
                    ai = xi[q + s * (p + j * m)]
                    tr = tr + (ar * rr[e] - ai * ri[e])
                    ti = ti + (ar * ri[e] + ai * rr[e])
                    e = e + k
                    if e >= r:
                        e = e - r
                if k > 0:
                    cr = w[(k - 1) * m + p]
                    ci = wi[(k - 1) * m + p]
                    yr[q + s * (r * p + k)] = tr * cr - ti * ci
                    yi[q + s * (r * p + k)] = tr * ci + ti * cr
                else:
                    yr[q + s * r * p] = tr
                    yi[q + s * r * p] = ti


cdef void _step(rp_t xr, rp_t xi, rp_t yr, rp_t yi, Py_ssize_t r, Py_ssize_t n,
                Py_ssize_t s, rp_t w, float_t* dummy) noexcept nogil:
    cdef Py_ssize_t m = n // r, p, q, a, b, sm = s * m
    if r == 4:
        if s == 1:
            _first4(xr, xi, xr + m, xi + m, xr + 2 * m, xi + 2 * m, xr + 3 * m, xi + 3 * m,
                    yr, yi, w, m, dummy)
        elif s == 4:
            for q in range(4):
                _second4_q(xr, xi, xr + 4 * m, xi + 4 * m, xr + 8 * m, xi + 8 * m,
                           xr + 12 * m, xi + 12 * m, yr, yi, w, m, q, dummy)
        else:
            for p in range(m):
                a = s * p
                b = 4 * s * p
                _bfly4(xr + a, xi + a, xr + a + sm, xi + a + sm, xr + a + 2 * sm,
                       xi + a + 2 * sm, xr + a + 3 * sm, xi + a + 3 * sm,
                       yr + b, yi + b, yr + b + s, yi + b + s, yr + b + 2 * s, yi + b + 2 * s,
                       yr + b + 3 * s, yi + b + 3 * s, <float_t> w[p], <float_t> w[m + p],
                       <float_t> w[2 * m + p], <float_t> w[3 * m + p], <float_t> w[4 * m + p],
                       <float_t> w[5 * m + p], s)
    elif r == 2:
        for p in range(m):
            a = s * p
            b = 2 * s * p
            _bfly2(xr + a, xi + a, xr + a + sm, xi + a + sm, yr + b, yi + b, yr + b + s,
                   yi + b + s, <float_t> w[p], <float_t> w[m + p], s)
    else:
        _step_odd(<const float_t*> xr, <const float_t*> xi, <float_t*> yr, <float_t*> yi,
                  r, n, s, <const float_t*> w)


cdef float_t* _fft(const Py_ssize_t* plan, Py_ssize_t nsteps, const float_t* tw,
                   float_t* ar, float_t* ai, float_t* br, float_t* bi) noexcept nogil:
    """Transform ``ar + i ai`` (destroyed); the result is ``(re, im) = (out, out + off)``.

    ``plan`` holds (radix, n, s, twiddle offset) per step. ``a`` and ``b``
    are the two halves of one buffer of ``4 P`` numbers (``ai = ar + P``,
    ``br = ar + 2 P``, ``bi = ar + 3 P``); the returned pointer is ``ar``
    or ``br`` (the imaginary parts ``P`` further).
    """
    cdef Py_ssize_t st
    cdef float_t* t
    for st in range(nsteps):
        if float_t is float:
            _step(<f_rp> ar, <f_rp> ai, <f_rp> br, <f_rp> bi, plan[4 * st], plan[4 * st + 1],
                  plan[4 * st + 2], <f_rp> (tw + plan[4 * st + 3]), <float*> NULL)
        else:
            _step(<d_rp> ar, <d_rp> ai, <d_rp> br, <d_rp> bi, plan[4 * st], plan[4 * st + 1],
                  plan[4 * st + 2], <d_rp> (tw + plan[4 * st + 3]), <double*> NULL)
        t = ar
        ar = br
        br = t
        t = ai
        ai = bi
        bi = t
    return ar
