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
    return d1 if d1 is d2 else np.result_type(d1, d2)


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
    if value.ndim != 0:
        raise ValueError("fillvalue must be a scalar, got an array of shape %s"
                         % (value.shape,))
    if value.dtype.kind not in "biufc":
        raise TypeError("fillvalue must be a number, got %r" % (fillvalue,))
    if value.dtype.kind == "c" and dtype.kind != "c":
        if value.imag != 0:
            raise ValueError("fillvalue %r is complex but the output dtype is %s"
                             % (fillvalue, dtype))
        value = value.real
    with np.errstate(invalid="ignore", over="ignore"):
        return value.astype(dtype)[()]
