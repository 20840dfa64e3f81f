# Shared declarations of sigconv's kernels: the fused element type and the
# boundary index helpers. Everything here is inline, nogil and noexcept so it
# compiles into the loops that use it.

from libc.stdlib cimport calloc
cimport numpy as cnp

from ._buildinfo cimport team_report

# One fused type for every array of a call. Complex data is split into real
# and imaginary parts by the Python layer; integers and bool are computed in
# int64 (exact, wrapping like the output type); float16 in float32.
ctypedef fused real_t:
    float
    double
    long double
    cnp.int64_t

# Boundary codes; the Python layer maps names to these (sigconv._boundary).
cdef enum:
    BOUNDARY_FILL = 0
    BOUNDARY_WRAP = 1
    BOUNDARY_SYMMETRIC = 2
    BOUNDARY_REFLECT = 3
    BOUNDARY_EDGE = 4


cdef inline Py_ssize_t _modulo(Py_ssize_t i, Py_ssize_t p) noexcept nogil:
    """i mod p in [0, p) for p > 0 (C's % keeps the sign of i)."""
    i = i % p
    if i < 0:
        i = i + p
    return i


cdef inline Py_ssize_t map_index(Py_ssize_t i, Py_ssize_t n, int boundary) noexcept nogil:
    """Index into an axis of length n of the extended input's element i.

    Returns -1 when the element is the fill value. Extensions repeat
    periodically, so any i is valid (as numpy.pad does for wide pads).
    """
    if 0 <= i < n:
        return i
    if boundary == BOUNDARY_FILL:
        return -1
    if boundary == BOUNDARY_WRAP:
        return _modulo(i, n)
    if boundary == BOUNDARY_SYMMETRIC:
        i = _modulo(i, 2 * n)
        return i if i < n else 2 * n - 1 - i
    if boundary == BOUNDARY_REFLECT:
        if n == 1:
            return 0
        i = _modulo(i, 2 * n - 2)
        return i if i < n else 2 * n - 2 - i
    # BOUNDARY_EDGE
    return 0 if i < 0 else n - 1


# --------------------------------------------------------------------------
# Float types of the kernels that compute in floating point only

# The precisions of the transforms (scipy.fft computes in each natively).
ctypedef fused float_t:
    float
    double
    long double

# Single and double precision (the normalized correlation's scores).
ctypedef fused float32_64_t:
    float
    double


# --------------------------------------------------------------------------
# Index arithmetic

cdef inline Py_ssize_t ceil_div(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """a / b rounded toward +infinity, for b > 0 and either sign of a."""
    return -((-a) // b) if a < 0 else (a + b - 1) // b


cdef inline Py_ssize_t floor_div(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """a / b rounded toward -infinity, for b > 0 and either sign of a."""
    return a // b if a >= 0 else -((-a + b - 1) // b)


cdef inline Py_ssize_t unravel(Py_ssize_t flat, const Py_ssize_t* shape, int n,
                               Py_ssize_t* idx) noexcept nogil:
    """idx[0 .. n) = the C-order position of ``flat`` in ``shape[0 .. n)``.

    Returns what is left of ``flat`` above those axes (its quotient by
    ``prod(shape[:n])``). The axes' lengths must be positive.
    """
    cdef int a = n - 1
    while a >= 0:
        idx[a] = flat % shape[a]
        flat = flat // shape[a]
        a = a - 1
    return flat


cdef inline bint advance(Py_ssize_t* idx, const Py_ssize_t* shape, int n) noexcept nogil:
    """Step the C-order position idx[0 .. n) in ``shape``; False after the last
    (idx is then all zeros again)."""
    cdef int a = n - 1
    while a >= 0:
        idx[a] = idx[a] + 1
        if idx[a] < shape[a]:
            return True
        idx[a] = 0
        a = a - 1
    return False


# --------------------------------------------------------------------------
# Geometry of a correlation, per convolved axis
#
#     out[o] = sum_k w[k] * X[o * step + lo + k]
#
# with X the input extended by ``boundary``; items are C-ordered.

cdef enum:
    MAXDIM = 32       # numpy's own limit on dimensions


cdef struct Geometry:
    int ndim
    int boundary
    Py_ssize_t xshape[MAXDIM]
    Py_ssize_t wshape[MAXDIM]
    Py_ssize_t oshape[MAXDIM]
    Py_ssize_t lo[MAXDIM]
    Py_ssize_t step[MAXDIM]
    Py_ssize_t xstride[MAXDIM]  # element strides of an input item
    Py_ssize_t xitem            # elements of one input item
    Py_ssize_t witem            # taps of one kernel
    Py_ssize_t oitem            # outputs of one item
    Py_ssize_t nrows            # kernel rows: prod(wshape[:-1])
    Py_ssize_t line_count       # output lines of one item: prod(oshape[:-1])


cdef inline int geometry_init(Geometry* g, tuple xshape, tuple wshape, tuple oshape,
                              tuple lo, tuple step, int boundary) except -1:
    cdef int d = len(xshape)
    cdef int a
    if d < 1 or d > MAXDIM:
        raise ValueError("1 to %d convolved axes are supported" % MAXDIM)
    if len(wshape) != d or len(oshape) != d or len(lo) != d or len(step) != d:
        raise ValueError("one length, offset and step per convolved axis")
    g.ndim = d
    g.boundary = boundary
    g.xitem = g.witem = g.oitem = g.nrows = g.line_count = 1
    for a in range(d - 1, -1, -1):
        g.xshape[a] = xshape[a]
        g.wshape[a] = wshape[a]
        g.oshape[a] = oshape[a]
        g.lo[a] = lo[a]
        g.step[a] = step[a]
        g.xstride[a] = g.xitem
        g.xitem = g.xitem * g.xshape[a]
        g.witem = g.witem * g.wshape[a]
        g.oitem = g.oitem * g.oshape[a]
        if a < d - 1:
            g.nrows = g.nrows * g.wshape[a]
            g.line_count = g.line_count * g.oshape[a]
    return 0


cdef inline void kernel_rows(const Geometry* g, const Py_ssize_t* o,
                             Py_ssize_t* offs) noexcept nogil:
    """The input row each kernel row meets on output line ``o``.

    ``o`` holds the line's position on the axes before the last;
    ``offs[r]`` (r < nrows, C order over ``wshape[:-1]``) becomes the
    row's offset in an input item, or -1 where the row lies wholly in the
    fill value. Boundaries are index arithmetic, never a copy.
    """
    cdef int last = g.ndim - 1
    cdef int a
    cdef Py_ssize_t kk[MAXDIM]
    cdef Py_ssize_t r, mi, off
    for a in range(last):
        kk[a] = 0
    for r in range(g.nrows):
        off = 0
        for a in range(last):
            mi = map_index(o[a] * g.step[a] + g.lo[a] + kk[a], g.xshape[a], g.boundary)
            if mi < 0:
                off = -1
                break
            off = off + mi * g.xstride[a]
        offs[r] = off
        advance(kk, g.wshape, last)


# --------------------------------------------------------------------------
# Threads

cdef inline Py_ssize_t pad64(Py_ssize_t count) noexcept nogil:
    """A count of elements (or pointers) rounded up so that each thread's share
    of a scratch array fills whole 64-byte lines for any element type."""
    return (count + 63) // 64 * 64


cdef inline int team_size(int nthreads, Py_ssize_t ntasks) noexcept nogil:
    """Threads of a parallel loop over ``ntasks`` tasks: at least one, at most
    one per task."""
    if ntasks < nthreads:
        nthreads = <int>ntasks
    return nthreads if nthreads > 1 else 1


cdef extern from "_openmp.h":
    double sigconv_wtime() noexcept nogil


cdef inline void team_stamp(Py_ssize_t* counters, int slot) noexcept nogil:
    """The time in microseconds into ``counters[slot]``: slot 2 as a loop
    starts, slot 1 as the first thread finishes a task (see team_report)."""
    counters[slot] = <Py_ssize_t>(sigconv_wtime() * 1e6)


cdef inline Py_ssize_t* team_counters(int nthreads) noexcept nogil:
    """Zeroed counters of the tasks each thread of a loop takes, one per
    64-byte line (``counters[8 * tid]``); free() them after team_report.
    NULL when out of memory."""
    return <Py_ssize_t*> calloc(8 * <size_t>nthreads, sizeof(Py_ssize_t))
