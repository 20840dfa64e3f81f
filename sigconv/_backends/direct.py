"""The direct method: summation over the kernel taps (``sigconv._ext._direct``)."""
import numpy as np

from .._boundary import extend
from .._ext import _direct
from .._threads import resolve_workers
from ._layout import batch_indices, finish, to_canonical


def _last_axis_padding(problem):
    """(left, right) extension of the last convolved axis worth materialising.

    The kernel extends a line's ends itself, copying every kernel row's span
    for each border output: about ``2 * rows * K`` scattered element copies
    per output line. Padding the last axis once costs about ``n + K``
    contiguous copies per line. Short lines under tall kernels (volumes,
    large 2-D kernels) are cheaper padded; ``None`` means leave it to the
    kernel.
    """
    if problem.mode == "valid":
        return None
    n = problem.x_shape[-1]
    K = problem.k_shape[-1]
    rows = 1
    for k in problem.k_shape[:-1]:
        rows *= k
    if rows * K * 8 <= n:
        return None
    M, s, lo = problem.out_conv_shape[-1], problem.step[-1], problem.lo[-1]
    left = max(0, -lo)
    right = max(0, (M - 1) * s + lo + K - n)
    if left == 0 and right == 0:
        return None
    return left, right


def _pad_last(x, pad, problem, fill):
    widths = [(0, 0)] * (x.ndim - 1) + [pad]
    return extend(x, widths, problem.boundary, fill)


def run(problem, signal, kernel, workers=None):
    """Evaluate ``problem`` by direct summation; returns the finished array."""
    dt = problem.compute_dtype
    nthreads = resolve_workers(workers, problem.work)
    nconv = len(problem.axes)
    out_shape = problem.batch_shape + problem.out_conv_shape
    pad = _last_axis_padding(problem)
    lo = problem.lo
    if pad is not None:
        lo = lo[:-1] + (lo[-1] + pad[0],)

    def correlate_real(x, fill, w, out=None):
        if pad is not None:
            x = _pad_last(x, pad, problem, fill)
        if out is None:
            out = np.empty((count,) + problem.out_conv_shape, dtype=dt)
        _direct.correlate(x.reshape(-1), w.reshape(-1), out.reshape(-1),
                          x.shape[-nconv:], w.shape[-nconv:], problem.out_conv_shape,
                          lo, problem.step, xi, wi, problem.boundary, fill, nthreads)
        return out

    fill = problem.fillvalue
    if not problem.is_complex:
        x = to_canonical(signal, problem, dt)
        w = to_canonical(kernel, problem, dt, flip=problem.flip_kernel)
        xi, wi, count = batch_indices(problem, x, w)
        # integers compute in int64: the fill value's bits modulo 2**64
        fill = dt.type(fill.real) if dt.kind == "f" else int(np.asarray(fill).astype(np.int64))
        out = correlate_real(x, fill, w)
        return finish(out.reshape(out_shape), problem)

    # Complex data: sums of real correlations of the parts,
    # (xr + i xi)(wr + i wi) = (xr wr - xi wi) + i (xr wi + xi wr).
    x = to_canonical(signal, problem, None)
    w = to_canonical(kernel, problem, None, flip=problem.flip_kernel)
    if problem.conj_kernel:
        w = np.conjugate(w)
    xi, wi, count = batch_indices(problem, x, w)
    xr = np.ascontiguousarray(x.real, dtype=dt)
    wr = np.ascontiguousarray(w.real, dtype=dt)
    fr, fim = dt.type(fill.real), dt.type(fill.imag)
    result = np.empty((count,) + problem.out_conv_shape, dtype=problem.out_dtype)
    result.real = correlate_real(xr, fr, wr)
    w_complex = w.dtype.kind == "c"
    if w_complex:
        wim = np.ascontiguousarray(w.imag, dtype=dt)
        result.imag = correlate_real(xr, fr, wim)
    else:
        result.imag = 0
    # a real signal still has an imaginary part beyond its edges when the
    # fill value is complex
    if x.dtype.kind == "c" or fim != 0:
        xim = np.ascontiguousarray(x.imag, dtype=dt) if x.dtype.kind == "c" \
            else np.zeros(x.shape, dtype=dt)
        result.imag += correlate_real(xim, fim, wr)
        if w_complex:
            result.real -= correlate_real(xim, fim, wim)
    return finish(result.reshape(out_shape), problem)
