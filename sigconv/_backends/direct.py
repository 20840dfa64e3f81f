"""The direct method: summation over the kernel taps (``sigconv._ext._direct``)."""
import numpy as np

from .._ext import _direct
from .._threads import resolve_workers
from ._layout import batch_indices, finish, to_canonical


def _real_correlate(x, w, problem, xi, wi, count, fill, nthreads):
    out = np.empty((count,) + problem.out_conv_shape, dtype=x.dtype)
    nconv = len(problem.axes)
    _direct.correlate(x.reshape(-1), w.reshape(-1), out.reshape(-1),
                      x.shape[-nconv:], w.shape[-nconv:], problem.out_conv_shape,
                      problem.lo, problem.step, xi, wi, problem.boundary, fill, nthreads)
    return out


def run(problem, signal, kernel, workers=None):
    """Evaluate ``problem`` by direct summation; returns the finished array."""
    dt = problem.compute_dtype
    nthreads = resolve_workers(workers, problem.work)
    flip = problem.flip_kernel
    fill = problem.fillvalue
    out_batch = problem.batch_shape + problem.out_conv_shape
    if not problem.is_complex:
        x = to_canonical(signal, problem, dt)
        w = to_canonical(kernel, problem, dt, flip=flip)
        xi, wi, count = batch_indices(problem, x, w)
        fill = dt.type(fill.real) if dt.kind == "f" else int(fill)
        out = _real_correlate(x, w, problem, xi, wi, count, fill, nthreads)
        return finish(out.reshape(out_batch), problem)

    # Complex: four (or two) real correlations of the parts.
    x = to_canonical(signal, problem, None)
    w = to_canonical(kernel, problem, None, flip=flip)
    if problem.conj_kernel:
        w = np.conjugate(w)
    xi, wi, count = batch_indices(problem, x, w)
    xparts = [(np.ascontiguousarray(x.real, dtype=dt), dt.type(fill.real))]
    if x.dtype.kind == "c":
        xparts.append((np.ascontiguousarray(x.imag, dtype=dt), dt.type(fill.imag)))
    wr = np.ascontiguousarray(w.real, dtype=dt)
    wim = np.ascontiguousarray(w.imag, dtype=dt) if w.dtype.kind == "c" else None
    result = np.empty((count,) + problem.out_conv_shape, dtype=problem.out_dtype)
    xr, fr = xparts[0]
    result.real = _real_correlate(xr, wr, problem, xi, wi, count, fr, nthreads)
    if wim is not None:
        result.imag = _real_correlate(xr, wim, problem, xi, wi, count, fr, nthreads)
    else:
        result.imag = 0
    if len(xparts) == 2:
        xim, fim = xparts[1]
        result.imag += _real_correlate(xim, wr, problem, xi, wi, count, fim, nthreads)
        if wim is not None:
            result.real -= _real_correlate(xim, wim, problem, xi, wi, count, fim, nthreads)
    return finish(result.reshape(out_batch), problem)
