"""The dtype table: what a call returns and what the kernels compute in.

Output dtypes follow scipy.signal (``numpy.result_type`` of the inputs).
Kernels exist for float32, float64, longdouble and int64; every other
dtype is computed in one of those (exactly for integers: int64 arithmetic
wraps like any narrower integer type, so the cast back equals scipy's
direct result) and complex data in its real and imaginary parts.
"""
import numpy as np

_REAL_KERNEL = {
    "f2": np.dtype(np.float32),  # float16: computed in float32, as numpy's own ufuncs do
    "f4": np.dtype(np.float32),
    "f8": np.dtype(np.float64),
    "c8": np.dtype(np.float32),
    "c16": np.dtype(np.float64),
}


def result_dtype(in1, in2):
    """Output dtype of a call on ``in1`` and ``in2`` (TypeError if unsupported)."""
    d1, d2 = in1.dtype, in2.dtype
    for name, d in (("in1", d1), ("in2", d2)):
        if d.kind not in "biufc":
            raise TypeError("%s has dtype %s; sigconv works on bool, integer, float "
                            "and complex arrays" % (name, d))
    return d1 if d1 is d2 and d1.isnative else np.result_type(d1, d2)


def kernel_dtype(dtype):
    """(real dtype the kernels compute in, whether the data is complex)."""
    kind = dtype.kind
    if kind in "biu":
        return np.dtype(np.int64), False
    key = "%s%d" % (kind, dtype.itemsize)
    if key in _REAL_KERNEL:
        return _REAL_KERNEL[key], kind == "c"
    # longdouble / clongdouble (any platform width)
    return np.dtype(np.longdouble), kind == "c"


def cast_fillvalue(fillvalue, dtype):
    """``fillvalue`` as a scalar of the output ``dtype`` (ValueError otherwise)."""
    if type(fillvalue) is int and fillvalue == 0:
        return dtype.type(0)
    value = np.asarray(fillvalue)
    if value.size != 1:
        raise ValueError("`fillvalue` must be scalar or an array with one element, got "
                         "an array of shape %s" % (value.shape,))
    value = value.reshape(())
    if value.dtype.kind not in "biufc":
        raise TypeError("fillvalue must be a number, got %r" % (fillvalue,))
    if value.dtype.kind == "c" and dtype.kind != "c":
        if value.imag != 0:
            raise ValueError("could not cast `fillvalue` directly to the output dtype: "
                             "fillvalue %r is complex but the output dtype is %s"
                             % (fillvalue, dtype))
        value = value.real
    with np.errstate(invalid="ignore", over="ignore"):
        return value.astype(dtype)[()]


_SIGNED = tuple(np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
_UNSIGNED = tuple(np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))


def _value_range(dtype):
    if dtype.kind == "b":
        return 0, 1
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def exact_sum_dtype(dtype, terms, factor=None):
    """The dtype that holds every sum of ``terms`` values of integer or bool ``dtype``.

    The rule of sigconv's functions that scipy does not define (pooling
    sums, autocorrelation, convolution matrices): the smallest integer type
    of ``dtype``'s signedness (bool counting as unsigned), at least as wide
    as ``dtype``, that holds ``terms`` times the type's extremes -- or,
    with ``factor`` (an integer or bool dtype), ``terms`` times the
    extremes of a product of a ``dtype`` value and a ``factor`` value
    (signed if either is). int64/uint64 at most: sums beyond them wrap
    around modulo 2**64, as numpy's do. scipy's own functions keep scipy's
    dtypes (:func:`result_dtype`).

    >>> exact_sum_dtype(np.dtype(np.int8), 4), exact_sum_dtype(np.dtype(np.uint8), 258)
    (dtype('int16'), dtype('uint32'))
    >>> exact_sum_dtype(np.dtype(np.uint8), 3, np.dtype(np.uint8))
    dtype('uint32')
    """
    lo, hi = _value_range(dtype)
    signed = dtype.kind == "i"
    if factor is not None:
        flo, fhi = _value_range(factor)
        corners = [a * b for a in (lo, hi) for b in (flo, fhi)]
        lo, hi = min(corners), max(corners)
        signed = signed or factor.kind == "i"
    family = _SIGNED if signed else _UNSIGNED
    for cand in family:
        info = np.iinfo(cand)
        if cand.itemsize >= dtype.itemsize and terms * hi <= info.max \
                and terms * lo >= info.min:
            return cand
    return family[-1]
