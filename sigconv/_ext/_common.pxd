# Shared declarations of sigconv's kernels: the fused element type and the
# boundary index helpers. Everything here is inline, nogil and noexcept so it
# compiles into the loops that use it.

cimport numpy as cnp

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
