"""Element-wise work of the FFT method: the product of two spectra.

Spectra arrive as 2-D arrays of interleaved (real, imaginary) pairs, one
row per spectrum (a batch item, or a block of overlap-add), so that

    out[r] = a[arow[r]] * b[brow[r]]          (or * conj(b[brow[r]]))

covers broadcasting between batches, one kernel spectrum for many blocks
and the conjugate product of a cyclic correlation. ``out`` may be ``a`` or
``b`` itself (when that operand's rows are the identity): every element is
read before it is written, at the same place, so the product is computed in
place without a temporary.

The complex product is written out in real arithmetic: a compiler turns the
inner loop into vector multiplies, where C99's complex ``*`` would call a
library routine for its NaN/Inf special cases.
"""

from cython.parallel cimport prange

# float_t: the real types of the transforms (float32, float64 and long
# double). The data is complex; the arrays hold its parts interleaved.
from ._common cimport float_t, ceil_div, team_size

cdef enum:
    BLOCK = 8192             # complex elements per parallel task
    # The product is memory-bound: about 2 ms per million complex elements
    # on one core, small next to the transforms around it. Threads pay off
    # only on large spectra.
    PARALLEL_MIN = 1 << 20


cdef inline void _row(float_t* o, const float_t* x, const float_t* y, Py_ssize_t f0,
                      Py_ssize_t f1, bint conj_y, float_t scale) noexcept nogil:
    """o[f] = x[f] * y[f] (or * conj(y[f])) * scale for complex f in [f0, f1)."""
    cdef Py_ssize_t f
    cdef float_t xr, xi, yr, yi
    if conj_y:
        for f in range(f0, f1):
            xr = x[2 * f]
            xi = x[2 * f + 1]
            yr = y[2 * f]
            yi = y[2 * f + 1]
            o[2 * f] = (xr * yr + xi * yi) * scale
            o[2 * f + 1] = (xi * yr - xr * yi) * scale
    else:
        for f in range(f0, f1):
            xr = x[2 * f]
            xi = x[2 * f + 1]
            yr = y[2 * f]
            yi = y[2 * f + 1]
            o[2 * f] = (xr * yr - xi * yi) * scale
            o[2 * f + 1] = (xr * yi + xi * yr) * scale


cdef int _multiply(float_t* out, const float_t* a, const float_t* b,
                   const Py_ssize_t* arow, const Py_ssize_t* brow, Py_ssize_t rows,
                   Py_ssize_t nfreq, Py_ssize_t astride, Py_ssize_t bstride,
                   Py_ssize_t ostride, bint conj_b, float_t scale,
                   int nthreads) noexcept nogil:
    cdef Py_ssize_t per_row = ceil_div(nfreq, BLOCK)
    cdef Py_ssize_t ntasks = rows * per_row
    cdef Py_ssize_t t, r, f0, f1
    if rows * nfreq < PARALLEL_MIN:
        nthreads = 1
    nthreads = team_size(nthreads, ntasks)
    # one path for any thread count; dynamic: a thread that shares its core
    # with another process must not hold up the others (the tasks are equal,
    # the cores may not be)
    for t in prange(ntasks, nogil=True, schedule="dynamic", num_threads=nthreads):
        r = t // per_row
        f0 = (t - r * per_row) * BLOCK
        f1 = f0 + BLOCK
        if f1 > nfreq:
            f1 = nfreq
        _row(out + r * ostride, a + arow[r] * astride, b + brow[r] * bstride,
             f0, f1, conj_b, scale)
    return 0


def multiply(const float_t[:, ::1] a, const float_t[:, ::1] b, float_t[:, ::1] out,
             const Py_ssize_t[::1] arow, const Py_ssize_t[::1] brow, bint conj_b=False,
             double scale=1.0, int nthreads=1):
    """``out[r] = a[arow[r]] * b[brow[r]] * scale`` on interleaved complex rows.

    ``conj_b`` conjugates ``b``. ``out`` may be ``a`` (with ``arow[r] == r``)
    or ``b`` (with ``brow[r] == r``). All three hold complex numbers as
    (real, imaginary) pairs: rows of ``2 * nfreq`` values.
    """
    cdef Py_ssize_t rows = out.shape[0]
    cdef Py_ssize_t width = out.shape[1]
    cdef Py_ssize_t r
    if a.shape[1] != width or b.shape[1] != width or width % 2:
        raise ValueError("spectra of different lengths: %d, %d, %d"
                         % (a.shape[1], b.shape[1], width))
    if arow.shape[0] != rows or brow.shape[0] != rows:
        raise ValueError("row maps of %d and %d entries for %d rows"
                         % (arow.shape[0], brow.shape[0], rows))
    for r in range(rows):
        if not (0 <= arow[r] < a.shape[0] and 0 <= brow[r] < b.shape[0]):
            raise IndexError("row %d maps outside the spectra" % r)
    if rows == 0 or width == 0:
        return
    with nogil:
        _multiply(&out[0, 0], &a[0, 0], &b[0, 0], &arow[0], &brow[0], rows, width // 2,
                  a.shape[1], b.shape[1], width, conj_b, <float_t>scale, nthreads)


def row_norms(const double[:, ::1] a, double[:, ::1] out):
    """Per row of ``a``: ``out[r] = (sum |a[r]|, sum a[r]**2, max |a[r]|)``.

    One pass, no temporaries (the integer-exactness bound of the FFT method
    needs these norms of arrays as large as the transforms).
    """
    cdef Py_ssize_t rows = a.shape[0]
    cdef Py_ssize_t n = a.shape[1]
    cdef Py_ssize_t r, i
    cdef double s1, s2, mx, v
    if out.shape[0] != rows or out.shape[1] != 3:
        raise ValueError("out must have shape (%d, 3)" % rows)
    with nogil:
        for r in range(rows):
            s1 = 0.0
            s2 = 0.0
            mx = 0.0
            for i in range(n):
                v = a[r, i]
                if v < 0:
                    v = -v
                s1 = s1 + v
                s2 = s2 + v * v
                if v > mx:
                    mx = v
            out[r, 0] = s1
            out[r, 1] = s2
            out[r, 2] = mx
