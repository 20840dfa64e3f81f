"""References and the check every benchmark result passes before it is timed.

A reference is the workload's result in float64, computed by scipy.signal or
numpy (never by sigconv); :func:`check` compares a contender's result with it
to the tolerance of the workload's dtype.

>>> import numpy as np
>>> from sigconv.bench import get, check
>>> w = get("A5")
>>> x, k = w.inputs()
>>> check(w, np.convolve(x, k), w.reference(x, k), w.scale(x, k))[0]
True
"""

import numpy as np


class NotApplicable(Exception):
    """A peer cannot compute this workload (the message says why)."""


#: ``max|x| * sum|k|`` (the largest value a sum of products of these inputs
#: can take). Direct sums in either order and FFT-based peers stay within a
#: few epsilon of it; a wrong tap or a shifted alignment is off by ~1e-3.
RTOL_EPS = 32


def tolerance(dtype, scale):
    """Largest accepted ``max|result - reference|`` for a result of ``dtype``.

    ``scale`` bounds the magnitude of any output (``max|x| * sum|k|`` for a
    convolution); rounding errors grow with it.

    >>> float(tolerance("float64", 1.0)) == 32 * float(np.finfo(np.float64).eps)
    True
    """
    dtype = np.dtype(dtype)
    eps = np.finfo(dtype).eps if dtype.kind in "fc" else 0.0
    return RTOL_EPS * float(eps) * scale


def check(workload, result, reference, scale):
    """``(ok, detail)``: does ``result`` equal ``reference`` to the dtype's tolerance?

    ``scale`` is :meth:`Workload.scale` of the inputs. ``detail`` gives the
    largest error relative to it (or what is wrong: shape, NaN).
    """
    result = np.asarray(result)
    if result.shape != reference.shape:
        return False, "shape %s, expected %s" % (result.shape, reference.shape)
    if not np.all(np.isfinite(result)):
        return False, "non-finite values"
    err = float(np.max(np.abs(result.astype(np.float64) - reference))) if result.size else 0.0
    tol = tolerance(workload.dtype, scale)
    rel = err / scale if scale else err
    return err <= tol, "err %.1e" % rel



_PAD_MODES = {"fill": "constant", "constant": "constant", "wrap": "wrap",
              "symm": "symmetric", "symmetric": "symmetric", "reflect": "reflect",
              "edge": "edge"}


def _size(shape):
    return int(np.prod(shape, dtype=np.int64))



def _same_pads(k):
    """Extension before/after an axis of ``same`` mode (scipy's alignment)."""
    return k // 2, (k - 1) // 2


def _ref_convolve(w, x, k):
    import scipy.signal
    x = x.astype(np.float64)
    k = k.astype(np.float64)
    axes = w.conv_axes
    if w.mode == "same" and w.boundary in ("fill", "constant") and any(
            x.shape[a] < k.shape[a] for a in range(x.ndim) if a not in axes):
        # scipy's 'same' crops every axis to in1's shape, batch axes too
        return _same_crop(scipy.signal.fftconvolve(x, k, "full", axes=axes), x.shape, axes)
    if w.boundary in ("fill", "constant") or w.mode == "valid":
        return scipy.signal.fftconvolve(x, k, w.mode, axes=axes)
    if w.mode != "same":
        raise NotApplicable("reference for %s mode with boundary %s" % (w.mode, w.boundary))
    pads = [_same_pads(k.shape[a]) if a in axes else (0, 0) for a in range(x.ndim)]
    xp = np.pad(x, pads, mode=_PAD_MODES[w.boundary])
    return scipy.signal.fftconvolve(xp, k, "valid", axes=axes)


def _same_crop(full, x_shape, axes):
    """The 'same' part (scipy's centring) of a full result along ``axes``."""
    index = [slice(None)] * full.ndim
    for a in axes:
        start = (full.shape[a] - x_shape[a]) // 2
        index[a] = slice(start, start + x_shape[a])
    return full[tuple(index)]


def _ref_autocorrelate(w, x, k):
    import scipy.signal
    x = x.astype(np.float64)
    if w.maxlag is not None:
        # the lags -m..m by their definition, one dot product each
        n, m = x.size, w.maxlag
        half = np.array([np.dot(x[lag:], x[:n - lag]) for lag in range(m + 1)])
        return np.concatenate((half[:0:-1], half))
    return scipy.signal.fftconvolve(x, x[::-1], "full")


def _pool_separable(x, axes, sizes, stride, reduce):
    """Windows of ``sizes`` along ``axes`` every ``stride``, reduced one axis
    at a time with numpy's sliding_window_view (``reduce``: np.max, np.sum)."""
    out = x
    for a, size in zip(axes, sizes):
        win = np.lib.stride_tricks.sliding_window_view(out, size, axis=a)
        out = reduce(win[(slice(None),) * a + (slice(None, None, stride),)], axis=-1)
    return out


def _ref_pool(w, x, k):
    # separable (exact for max; sums in float64), then the mean's divisor
    reduce = np.max if w.op == "max" else np.sum
    out = _pool_separable(x.astype(np.float64), w.conv_axes, w.k_shape, w.stride, reduce)
    if w.op != "max":
        out /= _size(w.k_shape)
    return out


def _ref_match(w, x, k):
    """Pearson coefficients of every window, in float64 (cumulative sums about the mean)."""
    import scipy.signal
    x = x.astype(np.float64)
    x = x - x.mean()
    t = k.astype(np.float64)
    t0 = t - t.mean()
    num = scipy.signal.fftconvolve(x, t0[(slice(None, None, -1),) * t0.ndim], "valid")
    s1, s2 = x, x * x
    for ax, m in enumerate(t.shape):
        sums = []
        for s in (s1, s2):
            c = np.cumsum(s, axis=ax)
            c = np.concatenate((np.zeros_like(np.take(c, [0], axis=ax)), c), axis=ax)
            n = c.shape[ax]
            sums.append(np.take(c, np.arange(m, n), axis=ax)
                        - np.take(c, np.arange(0, n - m), axis=ax))
        s1, s2 = sums
    var = np.maximum(s2 - s1 * s1 / t.size, 0)
    den = np.sqrt(var * np.sum(t0 * t0))
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _ref_stream(w, x, k):
    """Offline: the full convolution along the last axis, cut to the input's length."""
    import scipy.signal
    full = scipy.signal.fftconvolve(x.astype(np.float64), k.astype(np.float64), axes=-1)
    return full[..., :x.shape[-1]]


_REFERENCES = {"convolve": _ref_convolve, "autocorrelate": _ref_autocorrelate,
               "pool": _ref_pool, "match": _ref_match, "stream": _ref_stream,
               "dask": _ref_convolve}
