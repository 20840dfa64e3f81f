"""The short path of small calls: a 1-D float signal and kernel, default options.

A call of a few thousand samples with a short kernel spends most of its
time in Python: validating, building the :class:`~sigconv._problem.Problem`,
choosing the method and the threads, moving axes. For the commonest small
call -- ``convolve``/``correlate`` of two 1-D arrays of one float dtype,
``method='auto'`` or ``'direct'``, the zero ``fill`` boundary, no
``axes``/``stride``/``workers`` -- this module keeps what depends only on the
lengths, the mode and the operation (the first output's offset, the number
of outputs, whether the call qualifies) in a small table, built by
:func:`~sigconv._problem.make_problem` itself the first time, and calls the
direct kernel at once. Whatever the table does not cover takes the general
path, which validates and reports errors as always; a call the short path
takes gives bitwise the general path's result (the same kernel call: such
calls run on one thread and ``auto`` chooses the direct method for them).
"""
import numpy as np

from ._ext import _direct
from ._problem import make_problem
from ._threads import PARALLEL_THRESHOLD

_ZERO = np.zeros(1, dtype=np.intp)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

#: (op, mode, N, K, dtype char) -> (lo, M) of a call the short path takes,
#: or None for one it leaves to the general path
_TABLE = {}
_TABLE_SIZE = 512


def _geometry(op, mode, N, K, dtype):
    """``(lo, M)`` when the call qualifies, else None (errors raise as usual)."""
    # views of one element: nothing of the call's size is allocated (make_problem
    # refuses outputs larger than memory)
    zero = np.zeros((), dtype)
    problem, _, _ = make_problem(np.broadcast_to(zero, (N,)), np.broadcast_to(zero, (K,)),
                                 op=op, mode=mode)
    if (problem.swapped or problem.mode == "circular" or problem.work >= PARALLEL_THRESHOLD
            or K * 8 > N):
        # swapped roles, the cyclic mode, threads, or a kernel long enough
        # that the direct backend pads the line first: the general path
        return None
    return problem.lo[0], problem.out_conv_shape[0]


def small_call(op, in1, in2, mode, method, boundary, fillvalue, axes, stride, workers):
    """The result of a small default call, or None to take the general path."""
    if (type(in1) is not np.ndarray or type(in2) is not np.ndarray
            or in1.ndim != 1 or in2.ndim != 1 or type(mode) is not str
            or type(method) is not str or (method != "auto" and method != "direct")):
        return None
    if (type(boundary) is not str or boundary != "fill" or type(fillvalue) is not int
            or fillvalue != 0 or axes is not None or type(stride) is not int
            or stride != 1 or not (workers is None or (type(workers) is int and workers == 1))):
        return None
    dt = in1.dtype
    if dt != in2.dtype or dt not in _FLOATS:
        return None
    N = in1.shape[0]
    K = in2.shape[0]
    if N == 0 or K == 0:
        return None
    key = (op, mode, N, K, dt.char)
    try:
        geo = _TABLE[key]
    except KeyError:
        geo = _geometry(op, mode, N, K, dt)
        if len(_TABLE) >= _TABLE_SIZE:
            _TABLE.clear()
        _TABLE[key] = geo
    if geo is None:
        return None
    # a non-finite kernel takes the general path (its role swap)
    with np.errstate(over="ignore", invalid="ignore"):
        if not np.isfinite(np.add.reduce(in2)):
            return None
    lo, M = geo
    x = in1 if in1.flags.c_contiguous else np.ascontiguousarray(in1)
    w = np.ascontiguousarray(in2[::-1] if op == "convolve" else in2)
    out = np.empty(M, dt)
    _direct.correlate(x, w, out, (N,), (K,), (M,), (lo,), (1,), _ZERO, _ZERO, 0,
                      dt.type(0), 1)
    return out
