# The butterfly stages and strip copies of sigconv._ext._tilefft (included
# there): written in C (_tilefft_kernels.h, where every row a kernel writes
# is a restrict pointer, so the loops vectorise with no overlap checks) and
# given here one name for both element types.

cdef extern from "_tilefft_kernels.h" nogil:
    #: columns per strip: the width of every butterfly loop
    enum: CHUNK "SIGCONV_TF_CHUNK"

    void sc_tf_dif2_d(double*, double*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const double*,
                      const double*, Py_ssize_t)
    void sc_tf_dif2_f(float*, float*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const float*,
                      const float*, Py_ssize_t)
    void sc_tf_dif4_d(double*, double*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const double*,
                      const double*, Py_ssize_t)
    void sc_tf_dif4_f(float*, float*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const float*,
                      const float*, Py_ssize_t)
    void sc_tf_dit2_d(double*, double*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const double*,
                      const double*, Py_ssize_t)
    void sc_tf_dit2_f(float*, float*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const float*,
                      const float*, Py_ssize_t)
    void sc_tf_dit4_d(double*, double*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const double*,
                      const double*, Py_ssize_t)
    void sc_tf_dit4_f(float*, float*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const float*,
                      const float*, Py_ssize_t)
    void sc_tf_rows_in_d(const double*, const double*, Py_ssize_t, Py_ssize_t, double*,
                         double*)
    void sc_tf_rows_in_f(const float*, const float*, Py_ssize_t, Py_ssize_t, float*, float*)
    void sc_tf_rows_in_tw_d(const double*, const double*, Py_ssize_t, Py_ssize_t, double*,
                            double*, const double*, const double*)
    void sc_tf_rows_in_tw_f(const float*, const float*, Py_ssize_t, Py_ssize_t, float*,
                            float*, const float*, const float*)
    void sc_tf_rows_out_d(double*, double*, Py_ssize_t, Py_ssize_t, Py_ssize_t,
                          const double*, const double*)
    void sc_tf_rows_out_f(float*, float*, Py_ssize_t, Py_ssize_t, Py_ssize_t, const float*,
                          const float*)
    void sc_tf_rows_out_tw_d(double*, double*, Py_ssize_t, Py_ssize_t, const double*,
                             const double*, const double*, const double*)
    void sc_tf_rows_out_tw_f(float*, float*, Py_ssize_t, Py_ssize_t, const float*,
                             const float*, const float*, const float*)
    void sc_tf_product_d(double*, double*, const double*, const double*, Py_ssize_t)
    void sc_tf_product_f(float*, float*, const float*, const float*, Py_ssize_t)
    int sc_tf_finite_d(const double*, Py_ssize_t)
    int sc_tf_finite_f(const float*, Py_ssize_t)


# One stage (radix 2) or two (radix 4) of half-size ``h`` on a strip of
# CHUNK columns of ``n`` rows of stride ``ld``; twiddles of length ``wn``.

cdef inline void _r2_dif(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld, Py_ssize_t h,
                         const floating* wr, const floating* wi, Py_ssize_t wn) noexcept nogil:
    if floating is double:
        sc_tf_dif2_d(re, im, n, ld, h, wr, wi, wn)
    else:
        sc_tf_dif2_f(re, im, n, ld, h, wr, wi, wn)


cdef inline void _r4_dif(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld, Py_ssize_t h,
                         const floating* wr, const floating* wi, Py_ssize_t wn) noexcept nogil:
    if floating is double:
        sc_tf_dif4_d(re, im, n, ld, h, wr, wi, wn)
    else:
        sc_tf_dif4_f(re, im, n, ld, h, wr, wi, wn)


cdef inline void _r2_dit(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld, Py_ssize_t h,
                         const floating* wr, const floating* wi, Py_ssize_t wn) noexcept nogil:
    if floating is double:
        sc_tf_dit2_d(re, im, n, ld, h, wr, wi, wn)
    else:
        sc_tf_dit2_f(re, im, n, ld, h, wr, wi, wn)


cdef inline void _r4_dit(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld, Py_ssize_t h,
                         const floating* wr, const floating* wi, Py_ssize_t wn) noexcept nogil:
    if floating is double:
        sc_tf_dit4_d(re, im, n, ld, h, wr, wi, wn)
    else:
        sc_tf_dit4_f(re, im, n, ld, h, wr, wi, wn)


# Strip copies: rows become columns (``b[j, q] = x[q, j]``) and back.

cdef inline void _rows_in(const floating* re, const floating* im, Py_ssize_t n1,
                          Py_ssize_t ld, floating* br, floating* bi) noexcept nogil:
    if floating is double:
        sc_tf_rows_in_d(re, im, n1, ld, br, bi)
    else:
        sc_tf_rows_in_f(re, im, n1, ld, br, bi)


cdef inline void _rows_in_tw(const floating* re, const floating* im, Py_ssize_t n1,
                             Py_ssize_t ld, floating* br, floating* bi, const floating* tr,
                             const floating* ti) noexcept nogil:
    if floating is double:
        sc_tf_rows_in_tw_d(re, im, n1, ld, br, bi, tr, ti)
    else:
        sc_tf_rows_in_tw_f(re, im, n1, ld, br, bi, tr, ti)


cdef inline void _rows_out(floating* re, floating* im, Py_ssize_t ld, Py_ssize_t j0,
                           Py_ssize_t j1, const floating* br, const floating* bi) noexcept nogil:
    if floating is double:
        sc_tf_rows_out_d(re, im, ld, j0, j1, br, bi)
    else:
        sc_tf_rows_out_f(re, im, ld, j0, j1, br, bi)


cdef inline void _rows_out_tw(floating* re, floating* im, Py_ssize_t n1, Py_ssize_t ld,
                              const floating* br, const floating* bi, const floating* tr,
                              const floating* ti) noexcept nogil:
    if floating is double:
        sc_tf_rows_out_tw_d(re, im, n1, ld, br, bi, tr, ti)
    else:
        sc_tf_rows_out_tw_f(re, im, n1, ld, br, bi, tr, ti)


cdef inline void _product(floating* br, floating* bi, const floating* hr, const floating* hi,
                          Py_ssize_t n) noexcept nogil:
    if floating is double:
        sc_tf_product_d(br, bi, hr, hi, n)
    else:
        sc_tf_product_f(br, bi, hr, hi, n)


cdef inline bint _finite(const floating* p, Py_ssize_t n) noexcept nogil:
    """Whether the ``n`` values at ``p`` hold no NaN or Inf."""
    if floating is double:
        return sc_tf_finite_d(p, n)
    else:
        return sc_tf_finite_f(p, n)
