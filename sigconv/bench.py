"""The standard workloads of sigconv and the harness that measures them.

Every workload of the project's workload list (A1 ... P3) is defined once,
in :data:`WORKLOADS`: its inputs (drawn from ``numpy.random.default_rng(0)``),
the sigconv call, the reference it is checked against, and the peers that
compute the same thing. ``sigconv bench`` (:mod:`sigconv.cli`) and the
pytest-benchmark files in ``benchmarks/`` both read this table, so a new
workload, method or peer is one entry here.

Each contender (a sigconv method or a peer) is called once as a warm-up; that
result is checked against the reference (float64, computed once per
workload) and only a matching result is timed. The time is the median of
repeated calls within a time budget per contender; the contenders of a
workload are sampled in interleaved rounds, so that load from other
processes falls on all of them alike. Ratios are ``peer time / sigconv
time``: above 1 means sigconv is faster.

Examples
--------
>>> from sigconv import bench
>>> w = bench.get("A5")
>>> w.describe()
'A5  small call (overhead): x 4096, K=16, float64, full'
>>> x, k = w.inputs()
>>> ok, detail = bench.check(w, w.sigconv_call("direct", x, k)(), w.reference(x, k),
...                          w.scale(x, k))
>>> ok
True
"""
import datetime
import gc
import importlib
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Workload", "WORKLOADS", "EXTRA_WORKLOADS", "PEERS", "BARS", "RELATIVE_BARS", "get",
           "select", "check", "tolerance", "time_call", "time_calls", "matmul_peak",
           "wait_quiet", "run", "format_text", "format_markdown", "NotApplicable"]


class NotApplicable(Exception):
    """A peer cannot compute this workload (the message says why)."""


# --------------------------------------------------------------------------
# Correctness

#: accepted error in units of the result dtype's machine epsilon, relative to
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


# --------------------------------------------------------------------------
# Workloads

_PAD_MODES = {"fill": "constant", "constant": "constant", "wrap": "wrap",
              "symm": "symmetric", "symmetric": "symmetric", "reflect": "reflect",
              "edge": "edge"}


def _size(shape):
    return int(np.prod(shape, dtype=np.int64))


@dataclass(frozen=True)
class Workload:
    """One standard workload.

    Parameters
    ----------
    id, what : str
        Identifier (``"A1"``) and a few words on what it stands for.
    x_shape, k_shape : tuple
        Signal and kernel (or pooling window) shapes.
    dtype : str
    mode : str
        ``full``/``same``/``valid`` (``pool`` for pooling).
    boundary : str
        sigconv's boundary name.
    axes : tuple or None
        Convolved (pooled) axes; ``None`` means all.
    kind : {'convolve', 'autocorrelate', 'pool', 'match'}
        Which sigconv function the workload exercises.
    op, stride : str, int
        Pooling operation and stride.
    methods : tuple
        sigconv methods to measure, best first: the first one sigconv has is
        the one peers are compared with.
    slow_methods : tuple
        While the compared method is one of these the workload is run only
        by a full run (``--full``), or when named explicitly.
    peers : tuple
        Names in :data:`PEERS` that compute the same thing.
    slow_peers : dict
        Peer -> reason: measured only in a full run.
    skip_peers : dict
        Peer -> reason: listed but never run.
    quick : bool
        Part of ``sigconv bench --quick``.
    standard : bool
        In the workload list (``False``: an extra odd-size case).
    via : str or None
        How sigconv computes it, when not by the kind's own function:
        ``'correlate'`` (an autocorrelation as ``correlate(x, x)``) or
        ``'convolver'`` (one :class:`sigconv.Convolver`, made before the
        timing, applied to each item along the first axis in turn).
    maxlag : int, optional
        ``autocorrelate``: keep lags ``-maxlag .. maxlag`` only.
    """

    id: str
    what: str
    x_shape: tuple
    k_shape: tuple = ()
    dtype: str = "float64"
    mode: str = "same"
    boundary: str = "fill"
    axes: tuple = None
    kind: str = "convolve"
    op: str = None
    stride: int = 1
    methods: tuple = ("direct",)
    slow_methods: tuple = ()
    peers: tuple = ()
    slow_peers: dict = field(default_factory=dict)
    skip_peers: dict = field(default_factory=dict)
    quick: bool = False
    standard: bool = True
    via: str = None
    maxlag: int = None

    # -- description ---------------------------------------------------------
    def describe(self):
        """One line: id, what, shapes, dtype, mode."""
        def shape(s):
            return " x ".join(str(n) for n in s) if len(s) > 1 else str(s[0])
        parts = ["x " + shape(self.x_shape)]
        if self.kind == "convolve":
            conv = [self.k_shape[a] for a in self.conv_axes]
            if len(set(self.k_shape)) == 1 and len(self.k_shape) > 2:
                parts.append("K=%d^%d" % (self.k_shape[0], len(self.k_shape)))
            elif len(conv) == 1:
                parts.append("K=%d" % conv[0])
            else:
                parts.append("K=" + "x".join(str(n) for n in self.k_shape))
            bank = [self.k_shape[a] for a in range(len(self.k_shape))
                    if a not in self.conv_axes and self.x_shape[a] == 1 < self.k_shape[a]]
            if bank:
                parts[-1] += " (%d kernels)" % _size(bank)
            elif any(self.k_shape[a] > 1 for a in range(len(self.k_shape))
                     if a not in self.conv_axes):
                parts[-1] += " (one per channel)"
            if self.axes is not None and len(self.axes) < len(self.x_shape):
                parts.append("axes %s" % (tuple(self.axes),))
        elif self.kind == "pool":
            parts.append("%s %s stride %d" % (self.op, "x".join(map(str, self.k_shape)),
                                              self.stride))
        elif self.kind == "match":
            parts.append("template " + "x".join(map(str, self.k_shape)))
        elif self.maxlag is not None:
            parts.append("maxlag %d" % self.maxlag)
        extra = "" if self.boundary == "fill" else ", boundary %s" % self.boundary
        return "%-3s %s: %s, %s, %s%s" % (self.id, self.what, ", ".join(parts), self.dtype,
                                          self.mode, extra)

    @property
    def conv_axes(self):
        nd = len(self.x_shape)
        if self.axes is None:
            return tuple(range(nd))
        return tuple(sorted(a % nd for a in self.axes))

    @property
    def out_shape(self):
        """Shape of the result."""
        if self.kind == "autocorrelate":
            if self.maxlag is not None:
                return tuple(2 * self.maxlag + 1 for n in self.x_shape)
            return tuple(2 * n - 1 for n in self.x_shape)
        if self.kind == "match":
            return tuple(n - k + 1 for n, k in zip(self.x_shape, self.k_shape))
        if self.kind == "pool":
            out = list(self.x_shape)
            for a, size in zip(self.conv_axes, self.k_shape):
                out[a] = (self.x_shape[a] - size) // self.stride + 1
            return tuple(out)
        out = []
        for a, (n, k) in enumerate(zip(self.x_shape, self.k_shape)):
            if a not in self.conv_axes:
                out.append(max(n, k))
            elif self.mode == "full":
                out.append(n + k - 1)
            elif self.mode == "valid":
                out.append(abs(n - k) + 1)
            else:
                out.append(n)
        return tuple(out)

    @property
    def taps(self):
        """Multiply-adds per output."""
        if self.kind == "autocorrelate":
            return _size(self.x_shape)
        if self.kind == "match":
            return _size(self.k_shape)
        return _size([self.k_shape[a] for a in self.conv_axes]) if self.kind == "convolve" \
            else _size(self.k_shape)

    @property
    def flops(self):
        """``2 x outputs x taps``, the arithmetic of a direct evaluation (None for pooling)."""
        if self.kind == "pool":
            return None
        return 2 * _size(self.out_shape) * self.taps

    def scale(self, x, k):
        """Bound on the outputs' magnitude, for :func:`tolerance`."""
        ax = float(np.max(np.abs(x))) if x.size else 0.0
        if self.kind == "convolve":
            return ax * float(np.sum(np.abs(k), dtype=np.float64))
        if self.kind == "autocorrelate":
            return ax * float(np.sum(np.abs(x), dtype=np.float64))
        if self.kind == "match":
            # scores are at most 1; their rounding error grows with the
            # template's size (its numerator is a sum of that many products)
            return math.sqrt(_size(k.shape))
        return ax

    # -- inputs, calls, reference -------------------------------------------------
    def inputs(self):
        """Fresh ``(x, k)`` from ``numpy.random.default_rng(0)`` (``k`` None if unused)."""
        rng = np.random.default_rng(0)
        x = rng.standard_normal(self.x_shape, dtype=self.dtype)
        k = None
        if self.kind == "convolve":
            k = rng.standard_normal(self.k_shape, dtype=self.dtype)
        if self.kind == "match":
            # a template cut from the signal, with noise: one clear match
            cut = tuple(slice(n // 3, n // 3 + m) for n, m in zip(self.x_shape, self.k_shape))
            k = x[cut] + rng.standard_normal(self.k_shape, dtype=self.dtype)
        return x, k

    def sigconv_call(self, method, x, k, workers=None):
        """A no-argument callable computing the workload with sigconv."""
        import sigconv
        if self.via == "convolver":
            plan = sigconv.Convolver(k[0], x.shape[1:], self.mode, method=method,
                                     axes=tuple(a - 1 for a in self.conv_axes))
            shape = self.out_shape

            def call():
                out = np.empty(shape, dtype=plan.dtype)
                for i in range(x.shape[0]):
                    out[i] = plan(x[i], workers=workers)
                return out
            return call
        if self.via == "correlate":
            return lambda: sigconv.correlate(x, x, self.mode, method=method, workers=workers)
        if self.kind == "convolve":
            kwargs = {"method": method, "workers": workers}
            if self.boundary != "fill":
                kwargs["boundary"] = self.boundary
            if self.axes is not None:
                kwargs["axes"] = self.axes
            return lambda: sigconv.convolve(x, k, self.mode, **kwargs)
        if self.kind == "autocorrelate":
            if self.maxlag is not None:
                return lambda: sigconv.autocorrelate(x, maxlag=self.maxlag, method=method,
                                                     workers=workers)
            return lambda: sigconv.autocorrelate(x, mode=self.mode, method=method)
        if self.kind == "match":
            return lambda: sigconv.normalized_correlate(x, k, self.mode, workers=workers)
        if self.kind == "pool":
            size = self.k_shape
            return lambda: sigconv.pool(x, size, self.op, stride=self.stride,
                                        axes=self.conv_axes, workers=workers)
        raise ValueError(self.kind)

    def reference(self, x, k):
        """The result in float64, computed by scipy.signal / numpy."""
        return _REFERENCES[self.kind](self, x, k)

    def sigconv_methods(self):
        """``(methods sigconv has for this workload, reason if none)``."""
        kind = "convolve" if self.via else self.kind
        have = [m for m in self.methods if _sigconv_has(kind, m)]
        if have:
            return have, None
        if self.kind != "convolve":
            return [], "sigconv.%s is not in this version" % _KIND_FUNCS[self.kind]
        return [], "method %s is not in this version" % "/".join(self.methods)

    def full_only(self):
        """Reason the workload runs only with ``--full``, or None."""
        have, _ = self.sigconv_methods()
        real = [m for m in have if m != "auto"]   # auto is one of these underneath
        if real and real[0] in self.slow_methods:
            later = [m for m in self.methods if m not in have]
            return ("slow by %s (%s), run only with --full%s"
                    % (real[0], _human_flops(self.flops),
                       "; %s not yet in sigconv" % "/".join(later) if later else ""))
        return None


def _human_flops(flops):
    return "%.2g GFLOP per call" % (flops / 1e9)


_KIND_FUNCS = {"convolve": "convolve", "autocorrelate": "autocorrelate", "pool": "pool",
               "match": "normalized_correlate"}
_HAS = {}


def _sigconv_has(kind, method):
    """Whether this sigconv has ``kind`` by ``method`` (asked once, on a tiny call)."""
    key = (kind, method)
    if key not in _HAS:
        import sigconv
        func = getattr(sigconv, _KIND_FUNCS[kind], None)
        ok = func is not None
        if ok and kind == "convolve":
            try:
                func(np.ones(3), np.ones(2), method=method)
            except NotImplementedError:
                ok = False
        _HAS[key] = ok
    return _HAS[key]


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


_REFERENCES = {"convolve": _ref_convolve, "autocorrelate": _ref_autocorrelate,
               "pool": _ref_pool, "match": _ref_match}


# --------------------------------------------------------------------------
# Peers


@dataclass(frozen=True)
class Peer:
    """Another library's function computing a workload.

    ``prepare(workload, x, k)`` returns ``(label, call)`` -- ``call`` a
    no-argument callable whose result has the workload's output shape -- or
    raises :class:`NotApplicable`. Work that a user would do once (flipping a
    kernel, wrapping arrays) happens in ``prepare``, outside the timing.
    """

    name: str
    module: str            # module that must import
    threads: object        # () -> int
    prepare: object


def _one():
    return 1


def _needs_fill(w, who):
    if w.boundary not in ("fill", "constant") and w.mode != "valid":
        raise NotApplicable("%s has no %r boundary" % (who, w.boundary))


def _kernel_batch_is_one(w, k, who):
    if any(k.shape[a] != 1 for a in range(k.ndim) if a not in w.conv_axes):
        raise NotApplicable("%s cannot pair kernels with batch items" % who)


def _prep_numpy_convolve(w, x, k):
    import numpy
    _needs_fill(w, "numpy.convolve")
    _kernel_batch_is_one(w, k, "numpy.convolve")
    if len(w.conv_axes) != 1 or w.conv_axes[0] != x.ndim - 1 or x.ndim > 2:
        raise NotApplicable("numpy.convolve is 1-D")
    mode = w.mode
    if x.ndim == 1:
        return "numpy.convolve", lambda: numpy.convolve(x, k, mode)
    k1 = k[0]
    return ("numpy.convolve (row by row)",
            lambda: numpy.stack([numpy.convolve(row, k1, mode) for row in x]))


def _prep_scipy_direct(w, x, k):
    import scipy.signal
    _needs_fill(w, "scipy.signal.convolve")
    _kernel_batch_is_one(w, k, "scipy.signal.convolve(method='direct')")
    mode = w.mode
    return ("scipy.signal.convolve[direct]",
            lambda: scipy.signal.convolve(x, k, mode, method="direct"))


def _prep_convolve2d(w, x, k):
    import scipy.signal
    if x.ndim != 2:
        raise NotApplicable("convolve2d is 2-D")
    _kernel_batch_is_one(w, k, "convolve2d")
    names = {"fill": "fill", "constant": "fill", "wrap": "wrap", "symm": "symm",
             "symmetric": "symm"}
    if w.mode != "valid" and w.boundary not in names:
        raise NotApplicable("convolve2d has no %r boundary" % w.boundary)
    b, mode = names.get(w.boundary, "fill"), w.mode
    return ("scipy.signal.convolve2d",
            lambda: scipy.signal.convolve2d(x, k, mode, boundary=b))


_NDIMAGE_MODES = {"fill": "constant", "constant": "constant", "wrap": "wrap",
                  "symm": "reflect", "symmetric": "reflect", "reflect": "mirror",
                  "edge": "nearest"}


def _ndimage_layout(w, x, k, who):
    """(ndimage mode, origins, crop) giving scipy's same/valid result."""
    if w.mode == "full":
        raise NotApplicable("%s computes same-size outputs only (no full mode)" % who)
    if w.mode == "valid" and any(k.shape[a] > x.shape[a] for a in w.conv_axes):
        raise NotApplicable("valid mode with the kernel larger than the signal")
    _kernel_batch_is_one(w, k, who)
    mode = "constant" if w.mode == "valid" else _NDIMAGE_MODES[w.boundary]
    # ndimage centres a kernel of length K on K // 2; scipy's same mode on
    # (K - 1) // 2: an origin of -1 for even lengths moves it there.
    origins = [0 if n % 2 else -1 for n in k.shape]
    crop = None
    if w.mode == "valid":  # valid[i] = same[i + K // 2]
        crop = tuple(slice(n // 2, n // 2 + x.shape[a] - n + 1) for a, n in enumerate(k.shape))
    return mode, origins, crop


def _prep_ndimage(w, x, k):
    import scipy.ndimage
    mode, origins, crop = _ndimage_layout(w, x, k, "scipy.ndimage.convolve")
    if crop is None:
        return ("scipy.ndimage.convolve",
                lambda: scipy.ndimage.convolve(x, k, mode=mode, origin=origins))
    return ("scipy.ndimage.convolve (+crop to valid)",
            lambda: scipy.ndimage.convolve(x, k, mode=mode, origin=origins)[crop])


def _prep_ndimage_1d(w, x, k):
    import scipy.ndimage
    long_axes = [a for a in range(k.ndim) if k.shape[a] > 1]
    if len(long_axes) > 1:
        raise NotApplicable("convolve1d needs a 1-D kernel")
    axis = long_axes[0] if long_axes else x.ndim - 1
    mode, origins, crop = _ndimage_layout(w, x, k, "scipy.ndimage.convolve1d")
    k1 = np.ascontiguousarray(k.reshape(-1))
    origin = origins[axis]
    if crop is None:
        return ("scipy.ndimage.convolve1d",
                lambda: scipy.ndimage.convolve1d(x, k1, axis=axis, mode=mode, origin=origin))
    return ("scipy.ndimage.convolve1d (+crop to valid)",
            lambda: scipy.ndimage.convolve1d(x, k1, axis=axis, mode=mode,
                                             origin=origin)[crop])


def _cv2_threads():
    import cv2
    return cv2.getNumThreads()


def _prep_cv2(w, x, k):
    import cv2
    if x.ndim > 2:
        raise NotApplicable("cv2.filter2D filters 2-D images")
    if w.mode == "full":
        raise NotApplicable("cv2.filter2D gives same-size outputs only (no full mode)")
    if w.mode == "valid" and any(k.shape[a] > x.shape[a] for a in range(x.ndim)):
        raise NotApplicable("valid mode with the kernel larger than the signal")
    img = x if x.ndim == 2 else x[None, :]          # 1-D: a 1 x N image
    ker = k if k.ndim == 2 else k[None, :]
    # filter2D correlates: flip the kernel. Its default anchor (the kernel
    # centre, K // 2) then gives scipy's same alignment for odd and even K.
    ker = np.ascontiguousarray(ker[::-1, ::-1])
    shape = w.out_shape
    # OpenCV switches to a DFT from 130 taps in float32 and 50 in float64
    # (timed here: the cost jumps there); below, it sums directly.
    dft = ker.size >= (130 if x.dtype == np.float32 else 50)
    borders = {"fill": cv2.BORDER_CONSTANT, "constant": cv2.BORDER_CONSTANT,
               "symm": cv2.BORDER_REFLECT, "symmetric": cv2.BORDER_REFLECT,
               "reflect": cv2.BORDER_REFLECT_101, "edge": cv2.BORDER_REPLICATE}
    note = ""
    if w.mode == "valid":
        rows, cols = ker.shape
        crop = (slice(rows // 2, rows // 2 + img.shape[0] - rows + 1),
                slice(cols // 2, cols // 2 + img.shape[1] - cols + 1))
        note = " (+crop to valid)"

        def call():
            return cv2.filter2D(img, -1, ker, borderType=cv2.BORDER_CONSTANT)[crop].reshape(shape)
    elif w.boundary == "wrap":
        # filter2D has no BORDER_WRAP: extend with numpy.pad, filter, keep the
        # valid part (the padding is inside the timing).
        rows, cols = ker.shape
        pads = (_same_pads(rows), _same_pads(cols))
        crop = (slice(rows // 2, rows // 2 + img.shape[0]),
                slice(cols // 2, cols // 2 + img.shape[1]))
        note = " (numpy.pad wrap + crop)"

        def call():
            xp = np.pad(img, pads, mode="wrap")
            return cv2.filter2D(xp, -1, ker, borderType=cv2.BORDER_CONSTANT)[crop].reshape(shape)
    else:
        border = borders[w.boundary]

        def call():
            return cv2.filter2D(img, -1, ker, borderType=border).reshape(shape)
    return "cv2.filter2D" + note + (" [DFT]" if dft else ""), call


def _torch_threads():
    import torch
    return torch.get_num_threads()


def _prep_torch(w, x, k):
    import torch
    import torch.nn.functional as F
    conv_axes = w.conv_axes
    nconv = len(conv_axes)
    if nconv > 3 or conv_axes != tuple(range(x.ndim - nconv, x.ndim)):
        raise NotApplicable("torch convolves the last 1-3 axes")
    _kernel_batch_is_one(w, k, "torch.conv%dd" % nconv)
    name = "torch.conv%dd" % nconv
    ks = [k.shape[a] for a in conv_axes]
    if x.dtype == np.float64 and w.flops / 2 * 8 > 4e9:
        # float64 convolutions go through an unfolded (im2col) copy of the input
        raise NotApplicable("%s in float64 unfolds the input: needs ~%.0f GB"
                            % (name, w.flops / 2 * 8 / 1e9))
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nconv]
    batch = _size(x.shape[:x.ndim - nconv])
    xt = torch.from_numpy(x).reshape((batch, 1) + x.shape[x.ndim - nconv:])
    flip = (slice(None, None, -1),) * nconv
    wt = torch.from_numpy(np.ascontiguousarray(k.reshape(ks)[flip])).reshape([1, 1] + ks)
    shape = w.out_shape
    pad = None       # F.pad argument (last axis first) when padding is not symmetric zeros
    padding = 0
    pad_mode = "constant"
    if w.mode == "full":
        padding = tuple(n - 1 for n in ks)
    elif w.mode == "same":
        torch_modes = {"fill": "constant", "constant": "constant", "wrap": "circular",
                       "reflect": "reflect", "edge": "replicate"}
        if w.boundary not in torch_modes:
            raise NotApplicable("torch has no %r padding" % w.boundary)
        pad_mode = torch_modes[w.boundary]
        if pad_mode == "constant" and all(n % 2 for n in ks):
            padding = tuple(n // 2 for n in ks)
        else:
            pad = [p for n in reversed(ks) for p in _same_pads(n)]
    note = "" if pad is None or pad_mode == "constant" else " (+F.pad %s)" % pad_mode

    def call():
        with torch.inference_mode():
            xi = xt if pad is None else F.pad(xt, pad, mode=pad_mode)
            return conv(xi, wt, padding=padding).numpy().reshape(shape)
    return name + note, call


def _prep_fftconvolve(w, x, k):
    import scipy.signal
    if w.kind == "autocorrelate":
        xr = x[::-1]
        return ("scipy.signal.fftconvolve(x, x[::-1])",
                lambda: scipy.signal.fftconvolve(x, xr, "full"))
    _needs_fill(w, "fftconvolve")
    mode, axes = w.mode, w.conv_axes
    return "scipy.signal.fftconvolve", lambda: scipy.signal.fftconvolve(x, k, mode, axes=axes)


def _prep_fftconvolve_each(w, x, k):
    import scipy.signal
    if w.via != "convolver":
        raise NotApplicable("for the Convolver workload")
    mode, axes = w.mode, tuple(a - 1 for a in w.conv_axes)
    k0, shape = k[0], w.out_shape

    def call():
        out = np.empty(shape, dtype=x.dtype)
        for i in range(x.shape[0]):
            out[i] = scipy.signal.fftconvolve(x[i], k0, mode, axes=axes)
        return out
    return "scipy.signal.fftconvolve (one call per input)", call


def _prep_oaconvolve(w, x, k):
    import scipy.signal
    _needs_fill(w, "oaconvolve")
    mode, axes = w.mode, w.conv_axes
    return "scipy.signal.oaconvolve", lambda: scipy.signal.oaconvolve(x, k, mode, axes=axes)


def _prep_scipy_correlate(w, x, k):
    import scipy.signal
    return ("scipy.signal.correlate[auto]",
            lambda: scipy.signal.correlate(x, x, w.mode))


def _prep_torch_pool(w, x, k):
    import torch
    import torch.nn.functional as F
    n = len(w.conv_axes)
    if n > 3 or w.conv_axes != tuple(range(x.ndim - n, x.ndim)):
        raise NotApplicable("torch pools the last 1-3 axes")
    name = "%s_pool%dd" % ("max" if w.op == "max" else "avg", n)
    fn = getattr(F, name)
    xt = torch.from_numpy(x).reshape((1, _size(x.shape[:x.ndim - n])) + x.shape[x.ndim - n:])
    size, stride, shape = tuple(w.k_shape), w.stride, w.out_shape

    def call():
        with torch.inference_mode():
            return fn(xt, size, stride).numpy().reshape(shape)
    return "torch." + name, call


def _prep_block_reduce(w, x, k):
    from skimage.measure import block_reduce
    if w.stride != w.k_shape[0] or len(set(w.k_shape)) != 1:
        raise NotApplicable("block_reduce pools non-overlapping blocks")
    if any(x.shape[a] % w.stride for a in w.conv_axes):
        raise NotApplicable("block_reduce pads partial blocks")
    block = tuple(w.stride if a in w.conv_axes else 1 for a in range(x.ndim))
    func = np.max if w.op == "max" else np.mean
    return "skimage.measure.block_reduce", lambda: block_reduce(x, block, func)


def _prep_numpy_pool(w, x, k):
    """What a numpy user writes: a reshape into blocks for non-overlapping
    windows, sliding_window_view (one axis at a time) for overlapping ones."""
    func = np.max if w.op == "max" else np.mean
    if all(w.stride == n for n in w.k_shape) and \
            not any(x.shape[a] % w.stride for a in w.conv_axes):
        shape, red = [], []
        for a, n in enumerate(x.shape):
            if a in w.conv_axes:
                shape += [n // w.stride, w.stride]
                red.append(len(shape) - 1)
            else:
                shape.append(n)
        shape, red = tuple(shape), tuple(red)
        return ("numpy reshape + %s" % func.__name__,
                lambda: func(x.reshape(shape), axis=red))
    if w.op != "max":
        raise NotApplicable("numpy peer: overlapping averages are not in a workload")
    axes, sizes, stride = w.conv_axes, w.k_shape, w.stride
    return ("numpy sliding_window_view + max (separable)",
            lambda: _pool_separable(x, axes, sizes, stride, np.max))


def _prep_maximum_filter(w, x, k):
    import scipy.ndimage
    if w.op != "max":
        raise NotApplicable("maximum_filter takes maxima")
    size = [1] * x.ndim
    for a, n in zip(w.conv_axes, w.k_shape):
        size[a] = n
    # ndimage's window of length n at i covers i - n // 2 ... i - n // 2 + n - 1;
    # keep every stride-th window along the pooled axes
    crop = tuple(slice(n // 2, n // 2 + (o - 1) * w.stride + 1, w.stride)
                 if a in w.conv_axes else slice(None)
                 for a, (n, o) in enumerate(zip(size, w.out_shape)))
    return ("scipy.ndimage.maximum_filter (+crop)",
            lambda: scipy.ndimage.maximum_filter(x, size=size)[crop])


def _crop_lags(w):
    """Slice of the full autocorrelation holding the workload's lags."""
    n = w.x_shape[0]
    m = n - 1 if w.maxlag is None else w.maxlag
    return slice(n - 1 - m, n + m)


def _prep_scipy_correlate_crop(w, x, k):
    import scipy.signal
    if w.kind != "autocorrelate":
        raise NotApplicable("an autocorrelation peer")
    crop = _crop_lags(w)
    return ("scipy.signal.correlate(x, x)[lags]",
            lambda: scipy.signal.correlate(x, x, "full")[crop])


def _prep_sigconv_full_crop(w, x, k):
    import sigconv
    if w.kind != "autocorrelate":
        raise NotApplicable("an autocorrelation peer")
    crop = _crop_lags(w)
    return ("sigconv.autocorrelate(x)[lags] (full, FFT)",
            lambda: sigconv.autocorrelate(x, method="fft")[crop])


def _prep_skimage_match(w, x, k):
    from skimage.feature import match_template
    if w.kind != "match" or w.mode != "valid":
        raise NotApplicable("template matching in valid mode")
    return "skimage.feature.match_template", lambda: match_template(x, k)


def _prep_cv2_match(w, x, k):
    import cv2
    if w.kind != "match" or w.mode != "valid" or x.ndim != 2:
        raise NotApplicable("2-D template matching in valid mode")
    if x.dtype != np.float32:
        raise NotApplicable("cv2.matchTemplate takes float32 or uint8 images")
    return ("cv2.matchTemplate(TM_CCOEFF_NORMED)",
            lambda: cv2.matchTemplate(x, k, cv2.TM_CCOEFF_NORMED))


def _sigconv_threads():
    from sigconv._threads import resolve_workers
    return resolve_workers(None)


#: every peer sigconv is compared with, by name
PEERS = {p.name: p for p in (
    Peer("numpy.convolve", "numpy", _one, _prep_numpy_convolve),
    Peer("scipy.signal.convolve[direct]", "scipy.signal", _one, _prep_scipy_direct),
    Peer("scipy.signal.convolve2d", "scipy.signal", _one, _prep_convolve2d),
    Peer("scipy.ndimage.convolve", "scipy.ndimage", _one, _prep_ndimage),
    Peer("scipy.ndimage.convolve1d", "scipy.ndimage", _one, _prep_ndimage_1d),
    Peer("cv2.filter2D", "cv2", _cv2_threads, _prep_cv2),
    Peer("torch.conv", "torch", _torch_threads, _prep_torch),
    Peer("scipy.signal.fftconvolve", "scipy.signal", _one, _prep_fftconvolve),
    Peer("scipy.signal.oaconvolve", "scipy.signal", _one, _prep_oaconvolve),
    Peer("scipy.signal.fftconvolve (each)", "scipy.signal", _one, _prep_fftconvolve_each),
    Peer("scipy.signal.correlate", "scipy.signal", _one, _prep_scipy_correlate),
    Peer("torch.pool", "torch", _torch_threads, _prep_torch_pool),
    Peer("skimage.measure.block_reduce", "skimage.measure", _one, _prep_block_reduce),
    Peer("scipy.ndimage.maximum_filter", "scipy.ndimage", _one, _prep_maximum_filter),
    Peer("scipy.signal.correlate+crop", "scipy.signal", _one, _prep_scipy_correlate_crop),
    Peer("sigconv.autocorrelate(full)+crop", "sigconv", _sigconv_threads,
         _prep_sigconv_full_crop),
    Peer("skimage.feature.match_template", "skimage.feature", _one, _prep_skimage_match),
    Peer("cv2.matchTemplate", "cv2", _cv2_threads, _prep_cv2_match),
    Peer("numpy", "numpy", _one, _prep_numpy_pool),
)}

_SS_DIRECT = "scipy.signal.convolve[direct]"
_ND = "scipy.ndimage.convolve"
_ND1 = "scipy.ndimage.convolve1d"
_C2D = "scipy.signal.convolve2d"
_FFT = ("scipy.signal.fftconvolve", "scipy.signal.oaconvolve")
_PEERS_1D = ("numpy.convolve", _SS_DIRECT, _ND, _ND1, "cv2.filter2D", "torch.conv")
_PEERS_2D = (_SS_DIRECT, _C2D, _ND, "cv2.filter2D", "torch.conv")
_PEERS_3D = (_SS_DIRECT, _ND, "torch.conv")
#: pooling peers (each says where it does not apply)
_PEERS_POOL = ("torch.pool", "skimage.measure.block_reduce", "scipy.ndimage.maximum_filter",
               "numpy")
#: large kernels: compared through method="auto" (what a caller gets), with
#: each method also measured; direct alone is slow, so such a workload runs
#: only in a full run while direct is all sigconv has
_LARGE = ("auto", "fft", "oa", "direct")


def _slow(seconds, why=""):
    return "~%s s per call%s, run only with --full" % (seconds, why)


#: the standard workloads (the project's workload list), in order
WORKLOADS = (
    Workload("A1", "1D FIR filter", (2**20,), (63,), "float64", "same",
             peers=_PEERS_1D, quick=True, slow_peers={"torch.conv": _slow(2)}),
    Workload("A2", "1D FIR filter", (2**20,), (63,), "float32", "same",
             peers=_PEERS_1D, quick=True),
    Workload("A3", "long FIR", (2**20,), (8191,), "float64", "same",
             methods=_LARGE, slow_methods=("direct",), peers=_PEERS_1D + _FFT,
             slow_peers={_ND: _slow(9), _ND1: _slow(9)},
             skip_peers={"torch.conv": "float64 conv1d unfolds the input: ~69 GB"}, quick=True),
    Workload("A4", "stereo reverb", (480000, 2), (96000, 2), "float32", "full", axes=(0,),
             methods=_LARGE, slow_methods=("direct",), peers=_FFT, quick=True),
    Workload("A5", "small call (overhead)", (4096,), (16,), "float64", "full",
             peers=("numpy.convolve", _SS_DIRECT, "torch.conv"), quick=True),
    Workload("A6", "batch of signals", (256, 4096), (1, 31), "float32", "same", axes=(-1,),
             methods=("direct", "toeplitz", "auto"),
             peers=("numpy.convolve", _SS_DIRECT, _C2D, _ND, _ND1, "cv2.filter2D",
                    "torch.conv"), quick=True),
    Workload("I1", "image, small kernel", (2048, 2048), (3, 3), "float32", "same",
             peers=_PEERS_2D, quick=True),
    Workload("I2", "image, medium kernel", (2048, 2048), (15, 15), "float32", "same",
             peers=_PEERS_2D, quick=True,
             slow_peers={_SS_DIRECT: _slow(17), _C2D: _slow(2.5), "torch.conv": _slow(8)}),
    Workload("I3", "image, large kernel", (2048, 2048), (63, 63), "float64", "same",
             methods=_LARGE, slow_methods=("direct",), peers=_PEERS_2D + _FFT,
             slow_peers={_C2D: _slow(46), _ND: _slow(26)},
             skip_peers={_SS_DIRECT: "~5 min per call (17 s for I2's 225 taps; I3 has 3969)",
                         "torch.conv": "float64 conv2d unfolds the input: ~133 GB"}, quick=True),
    Workload("I4", "image, valid", (512, 512), (5, 5), "float64", "valid",
             peers=_PEERS_2D, quick=True),
    Workload("I5", "image, cyclic boundary", (1024, 1024), (7, 7), "float64", "same",
             boundary="wrap", peers=_PEERS_2D, quick=True),
    Workload("V1", "volume, small kernel", (128, 128, 128), (3, 3, 3), "float32", "same",
             peers=_PEERS_3D, quick=True),
    Workload("V2", "volume, medium kernel", (128, 128, 128), (7, 7, 7), "float32", "same",
             peers=_PEERS_3D, quick=True, slow_peers={_SS_DIRECT: _slow(15)}),
    Workload("V3", "volume, large kernel", (256, 256, 256), (15, 15, 15), "float32", "same",
             methods=_LARGE, slow_methods=("direct",), peers=_PEERS_3D + _FFT,
             slow_peers={_ND: _slow(80), "torch.conv": _slow(80)},
             skip_peers={_SS_DIRECT: "~20 min per call (15 s for V2; V3 has 80x the work)"}, quick=True),
    Workload("C1", "autocorrelation", (2**20,), (), "float64", "full", kind="autocorrelate",
             methods=("auto",), peers=("scipy.signal.correlate", "scipy.signal.fftconvolve"),
             quick=True),
    Workload("P1", "max pooling 2x2 stride 2", (16, 1024, 1024), (2, 2), "float32", "pool",
             axes=(1, 2), kind="pool", op="max", stride=2, methods=("auto",),
             peers=_PEERS_POOL, quick=True),
    Workload("P2", "sliding max 3x3 stride 1", (2048, 2048), (3, 3), "float32", "pool",
             kind="pool", op="max", stride=1, methods=("auto",), peers=_PEERS_POOL,
             quick=True),
    Workload("P3", "average pooling 2x2x2 stride 2", (256, 256, 256), (2, 2, 2), "float32",
             "pool", kind="pool", op="avg", stride=2, methods=("auto",), peers=_PEERS_POOL,
             quick=True),
)

# -- filter banks: one signal, many kernels, broadcast along a batch axis --------


def _bank_split(w, x, k, who):
    """(workload of one signal and one kernel, the signal, the kernels) of a filter bank."""
    batch = [a for a in range(x.ndim) if a not in w.conv_axes]
    if batch != [0] or x.shape[0] != 1 or k.shape[0] < 2:
        raise NotApplicable("%s: not a filter bank (one signal, kernels along axis 0)" % who)
    import dataclasses
    sub = dataclasses.replace(w, x_shape=x.shape[1:], k_shape=k.shape[1:], axes=None)
    return sub, np.ascontiguousarray(x[0]), k


def _looped(prepare, who):
    """A peer computing a filter bank by calling ``prepare``'s function once per kernel."""
    def looped(w, x, k):
        sub, x1, ks = _bank_split(w, x, k, who)
        calls = []
        label = who
        for kj in ks:
            label, call = prepare(sub, x1, np.ascontiguousarray(kj))
            calls.append(call)
        shape = w.out_shape
        return ("%s (loop over %d kernels)" % (label, len(calls)),
                lambda: np.stack([c() for c in calls]).reshape(shape))
    return looped


def _prep_scipy_auto(w, x, k):
    import scipy.signal
    _needs_fill(w, "scipy.signal.convolve")
    _kernel_batch_is_one(w, k, "scipy.signal.convolve")
    mode = w.mode
    return "scipy.signal.convolve[auto]", lambda: scipy.signal.convolve(x, k, mode)


def _prep_torch_bank(w, x, k):
    import torch
    import torch.nn.functional as F
    sub, x1, ks = _bank_split(w, x, k, "torch.conv")
    nconv = x1.ndim
    if nconv > 3:
        raise NotApplicable("torch convolves 1-3 axes")
    _needs_fill(w, "torch.conv (filter bank)")
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nconv]
    kshape = list(ks.shape[1:])
    flip = (slice(None),) + (slice(None, None, -1),) * nconv
    xt = torch.from_numpy(x1)[None, None]
    wt = torch.from_numpy(np.ascontiguousarray(ks[flip]))[:, None]
    pad, padding = None, 0
    if w.mode == "full":
        padding = tuple(n - 1 for n in kshape)
    elif w.mode == "same":
        if all(n % 2 for n in kshape):
            padding = tuple(n // 2 for n in kshape)
        else:
            pad = [p for n in reversed(kshape) for p in _same_pads(n)]
    shape = w.out_shape

    def call():
        with torch.inference_mode():
            xi = xt if pad is None else F.pad(xt, pad)
            return conv(xi, wt, padding=padding).numpy().reshape(shape)
    return "torch.conv%dd (%d output channels)" % (nconv, ks.shape[0]), call


def _prep_spectral_bank(name):
    def prepare(w, x, k):
        import scipy.signal
        _bank_split(w, x, k, name)
        _needs_fill(w, name)
        func = getattr(scipy.signal, name)
        axes, shape = w.conv_axes, x.shape
        if w.mode != "same":
            mode = w.mode
            return "scipy.signal.%s" % name, lambda: func(x, k, mode, axes=axes)
        return ("scipy.signal.%s (full + crop: its 'same' crops the bank)" % name,
                lambda: _same_crop(func(x, k, "full", axes=axes), shape, axes))
    return prepare


PEERS.update({p.name: p for p in (
    Peer("scipy.signal.convolve[auto] per kernel", "scipy.signal", _one,
         _looped(_prep_scipy_auto, "scipy.signal.convolve[auto]")),
    Peer("scipy.signal.convolve[direct] per kernel", "scipy.signal", _one,
         _looped(_prep_scipy_direct, _SS_DIRECT)),
    Peer("scipy.signal.convolve2d per kernel", "scipy.signal", _one,
         _looped(_prep_convolve2d, _C2D)),
    Peer("scipy.ndimage.convolve1d per kernel", "scipy.ndimage", _one,
         _looped(_prep_ndimage_1d, _ND1)),
    Peer("scipy.ndimage.convolve per kernel", "scipy.ndimage", _one,
         _looped(_prep_ndimage, _ND)),
    Peer("torch.conv filter bank", "torch", _torch_threads, _prep_torch_bank),
    Peer("scipy.signal.fftconvolve filter bank", "scipy.signal", _one,
         _prep_spectral_bank("fftconvolve")),
    Peer("scipy.signal.oaconvolve filter bank", "scipy.signal", _one,
         _prep_spectral_bank("oaconvolve")),
)})

_BANK_PEERS = ("scipy.signal.convolve[auto] per kernel",
               "scipy.signal.convolve[direct] per kernel",
               "scipy.signal.fftconvolve filter bank", "scipy.signal.oaconvolve filter bank",
               "torch.conv filter bank")

#: filter banks: every kernel applied to one signal in one call (``axes``)
_FILTER_BANKS = (
    Workload("F1", "filter bank", (1, 2**16), (64, 31), "float32", "same", axes=(-1,),
             methods=("toeplitz", "direct", "auto"),
             peers=_BANK_PEERS + ("scipy.ndimage.convolve1d per kernel",), standard=False),
    Workload("F2", "2-D filter bank", (1, 512, 512), (32, 5, 5), "float32", "same",
             axes=(1, 2), methods=("toeplitz", "direct", "auto"),
             peers=_BANK_PEERS + ("scipy.signal.convolve2d per kernel",
                                  "scipy.ndimage.convolve per kernel"), standard=False,
             slow_peers={"scipy.signal.convolve[direct] per kernel": _slow(5)}),
)


#: odd, prime and even-kernel variants of the standard workloads
EXTRA_WORKLOADS = (
    Workload("A1-odd", "1D FIR, odd length", (2**20 + 7,), (61,), "float64", "same",
             peers=_PEERS_1D, standard=False, slow_peers={"torch.conv": _slow(3)}),
    Workload("A2-even", "1D FIR, prime length, even K", (999983,), (64,), "float32", "same",
             peers=_PEERS_1D, standard=False),
    Workload("A6-odd", "batch of signals, odd sizes", (251, 4099), (1, 29), "float32", "same",
             axes=(-1,), peers=("numpy.convolve", _SS_DIRECT, _C2D, _ND, _ND1,
                                "cv2.filter2D", "torch.conv"), standard=False),
    Workload("I2-odd", "image, prime sides", (2039, 2053), (13, 13), "float32", "same",
             peers=_PEERS_2D, standard=False,
             slow_peers={_SS_DIRECT: _slow(11), _C2D: _slow(3), "torch.conv": _slow(6)}),
    Workload("I4-even", "image, valid, even kernel", (509, 521), (6, 4), "float64", "valid",
             peers=_PEERS_2D, standard=False),
    Workload("I5-odd", "image, cyclic, prime sides", (1021, 1031), (7, 5), "float64", "same",
             boundary="wrap", peers=_PEERS_2D, standard=False),
    Workload("V2-odd", "volume, odd sides", (127, 131, 113), (7, 5, 3), "float32", "same",
             peers=_PEERS_3D, standard=False,
             slow_peers={_SS_DIRECT: _slow(6), "torch.conv": _slow(3)}),
    Workload("C1-xcorr", "autocorrelation as correlate(x, x)", (2**20,), (), "float64",
             "full", kind="autocorrelate", via="correlate", methods=("auto", "fft", "oa"),
             peers=("scipy.signal.correlate", "scipy.signal.fftconvolve"), standard=False),
    Workload("R1", "one kernel, 64 images (Convolver)", (64, 512, 512), (1, 31, 31),
             "float64", "same", axes=(1, 2), via="convolver", methods=("auto", "fft", "oa"),
             peers=("scipy.signal.fftconvolve (each)", "scipy.signal.fftconvolve",
                    "scipy.signal.oaconvolve"), standard=False),
    Workload("C1-maxlag", "autocorrelation, lags -100..100", (2**20,), (), "float64", "full",
             kind="autocorrelate", maxlag=100, methods=("auto", "direct", "fft"),
             peers=("sigconv.autocorrelate(full)+crop", "scipy.signal.correlate+crop"),
             standard=False),
    Workload("T1", "template matching", (2048, 2048), (64, 64), "float32", "valid",
             kind="match", methods=("auto",),
             peers=("skimage.feature.match_template", "cv2.matchTemplate"), standard=False),
    Workload("P2-15", "sliding max 15x15 stride 1", (2048, 2048), (15, 15), "float32", "pool",
             kind="pool", op="max", stride=1, methods=("auto",), peers=_PEERS_POOL,
             standard=False, slow_peers={"torch.pool": _slow(1)}),
) + _FILTER_BANKS

_BY_ID = {w.id.upper(): w for w in WORKLOADS + EXTRA_WORKLOADS}


def get(workload_id):
    """The workload with this id (case-insensitive); KeyError naming the ids otherwise."""
    try:
        return _BY_ID[workload_id.strip().upper()]
    except KeyError:
        raise KeyError("unknown workload %r; known: %s"
                       % (workload_id, ", ".join(w.id for w in WORKLOADS + EXTRA_WORKLOADS))
                       ) from None


def select(ids=None, full=False):
    """Workloads to run: ``ids`` if given, else all standard ones (``full``) or the quick set."""
    if ids:
        return [get(i) for i in ids]
    return [w for w in WORKLOADS if full or w.quick]


#: what the direct method has to reach, and where
@dataclass(frozen=True)
class Bar:
    text: str
    ids: tuple
    peers: tuple
    factor: float
    method: str = "direct"


BARS = (
    Bar("sigconv direct faster than the fastest of scipy.signal.convolve[direct], "
        "numpy.convolve, scipy.signal.convolve2d, scipy.ndimage.convolve",
        ("A1", "A2", "A5", "A6", "I1", "I2", "I4", "I5", "V1", "V2"),
        (_SS_DIRECT, "numpy.convolve", _C2D, _ND), 1.0),
    Bar("sigconv direct at least 3x faster than scipy.signal.convolve[direct]",
        ("A2", "I2", "V2"), (_SS_DIRECT,), 3.0),
    Bar("sigconv.pool faster than every installed peer (torch, "
        "skimage.measure.block_reduce, scipy.ndimage.maximum_filter, numpy)",
        ("P1", "P2", "P3"), _PEERS_POOL, 1.0, method="auto"),
)


@dataclass(frozen=True)
class RelativeBar:
    """sigconv on workload ``id`` takes at most ``factor`` times its own time on
    ``base_id`` (the ratio reported is that quotient)."""
    text: str
    id: str
    base_id: str
    factor: float


RELATIVE_BARS = (
    RelativeBar("sigconv's 15x15 sliding max (P2-15) within 1.5x of its 3x3 one (P2): "
                "ratio = P2-15 time / P2 time", "P2-15", "P2", 1.5),
)


# --------------------------------------------------------------------------
# Timing

#: calls shorter than this are timed in loops of several calls per sample
MIN_SAMPLE = 2e-3


def time_calls(calls, firsts, budget, repeat, min_samples=None):
    """Median seconds of each of ``calls``, timed side by side.

    Each call has had a warm-up call taking ``firsts[i]`` seconds. A call
    gets samples until ``budget`` seconds of its own are spent or ``repeat``
    samples exist, but at least ``min_samples[i]``; calls shorter than
    :data:`MIN_SAMPLE` are looped within a sample. The samples of all calls
    are taken in interleaved rounds, so a burst of load from other processes
    hits every contender alike instead of one of them. A warm-up that alone
    exceeds the budget is that call's only sample (a call that long has
    nothing left to warm).

    Returns
    -------
    list of dict
        Per call: ``seconds`` (median), ``best`` (fastest sample),
        ``samples``, ``number`` (calls per sample) and ``spread``
        (interquartile range / median, None below 4 samples).
    """
    min_samples = min_samples or [1] * len(calls)
    plans = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for fn, first, least in zip(calls, firsts, min_samples):
            if first >= budget:
                plans.append({"times": [first], "number": 1, "target": 1, "fn": fn})
                continue
            t0 = time.perf_counter()
            fn()
            est = max(time.perf_counter() - t0, 1e-9)
            number = max(1, int(math.ceil(MIN_SAMPLE / est)))
            target = max(least, min(repeat, int(budget / (est * number))))
            plans.append({"times": [est] if number == 1 else [], "number": number,
                          "target": target, "fn": fn})
        rounds = max((p["target"] for p in plans), default=0)
        for r in range(rounds):
            for p in plans:
                # spread each call's samples evenly over the rounds
                while len(p["times"]) < math.ceil((r + 1) * p["target"] / rounds):
                    fn, number = p["fn"], p["number"]
                    t0 = time.perf_counter()
                    for _ in range(number):
                        fn()
                    p["times"].append((time.perf_counter() - t0) / number)
    finally:
        if gc_was:
            gc.enable()
    results = []
    for p in plans:
        times = p["times"]
        med = statistics.median(times)
        spread = None
        if len(times) >= 4:
            q = statistics.quantiles(times, n=4)
            spread = (q[2] - q[0]) / med if med else None
        results.append({"seconds": med, "best": min(times), "samples": len(times),
                        "number": p["number"], "spread": spread})
    return results


def time_call(fn, first, budget, repeat, min_samples=1):
    """:func:`time_calls` for one call."""
    return time_calls([fn], [first], budget, repeat, [min_samples])[0]


def matmul_peak(dtype, sizes=(2048,), seconds=1.5):
    """Best GFLOP/s of ``a @ b`` on square matrices of ``dtype`` (``2 n^3`` flops).

    Each size in ``sizes`` is called for about ``seconds`` after a warm-up;
    the best single call counts (a peak, not a typical speed).
    """
    rng = np.random.default_rng(0)
    best = 0.0
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=dtype)
        b = rng.standard_normal((n, n), dtype=dtype)
        a @ b
        start = time.perf_counter()
        for _ in range(20):
            t0 = time.perf_counter()
            a @ b
            t = time.perf_counter() - t0
            best = max(best, 2.0 * n ** 3 / t / 1e9)
            if time.perf_counter() - start > seconds:
                break
    return best


# --------------------------------------------------------------------------
# Environment


def _cpu_model():
    """CPU model name, family/model numbers and vector extensions (Linux), else the platform's."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break                       # the first processor is enough
                key, _, value = line.partition(":")
                info[key.strip().lower()] = value.strip()
    except OSError:
        return platform.processor() or platform.machine()
    name = info.get("model name") or platform.processor() or platform.machine()
    extra = []
    if "cpu family" in info:
        extra.append("family %s model %s" % (info["cpu family"], info.get("model", "?")))
    flags = info.get("flags", "").split()
    isa = [f for f in ("avx512f", "avx2", "fma", "neon") if f in flags]
    if isa:
        extra.append(" ".join(isa))
    return name + (" (%s)" % ", ".join(extra) if extra else "")


def _memory_gib():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (AttributeError, ValueError, OSError):
        return None


def _optional(module):
    """``(module or None, reason)``."""
    try:
        return importlib.import_module(module), None
    except Exception as exc:  # ImportError, or a broken install
        return None, "not installed" if isinstance(exc, ImportError) else repr(exc)


def _load():
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _cpu_snapshot():
    """(wall s, busy CPU s of the machine, CPU s of this process, CPU s stolen by the host)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        return None
    # user nice system idle iowait irq softirq steal
    busy = (sum(fields[:3]) + fields[5] + fields[6]) / ticks
    steal = fields[7] / ticks if len(fields) > 7 else 0.0
    t = os.times()
    return time.perf_counter(), busy, t.user + t.system, steal


def _other_cpu(start, end, cores):
    """Fractions of the cores' time used by other processes, and stolen by the
    host (a virtual machine's neighbours), between two snapshots."""
    if start is None or end is None:
        return None, None
    wall = end[0] - start[0]
    if wall <= 0:
        return None, None
    other = (end[1] - start[1]) - (end[2] - start[2])
    steal = end[3] - start[3]
    return (max(0.0, min(1.0, other / (wall * cores))),
            max(0.0, min(1.0, steal / (wall * cores))))


def environment(peaks=True, peak_sizes=(2048,)):
    """Machine, versions, sigconv's build and thread state, matmul peaks."""
    import scipy
    import sigconv
    from sigconv._ext._buildinfo import build_info, omp_max_threads
    from sigconv._threads import cpu_count, resolve_workers
    env = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu_model(), "cores": cpu_count(),
                    "memory_gib": _memory_gib(), "platform": platform.platform()},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scipy": scipy.__version__, "sigconv": sigconv.__version__},
        "sigconv": dict(build_info(), default_threads=resolve_workers(None),
                        omp_max_threads=omp_max_threads(),
                        OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS")),
        "optional": {},
        "load_before": _load(),
    }
    for label, module, attr in (("opencv", "cv2", "__version__"),
                                ("torch", "torch", "__version__"),
                                ("scikit-image", "skimage", "__version__"),
                                ("threadpoolctl", "threadpoolctl", "__version__")):
        mod, why = _optional(module)
        env["versions"][label] = getattr(mod, attr, "?") if mod else None
        if mod is None:
            env["optional"][label] = why
    tpc, _ = _optional("threadpoolctl")
    if tpc is not None:
        env["threadpools"] = [
            {k: info.get(k) for k in ("user_api", "internal_api", "prefix", "num_threads",
                                      "version")}
            for info in tpc.threadpool_info()]
    if peaks:
        env["peak_gflops"] = {d: matmul_peak(d, peak_sizes) for d in ("float32", "float64")}
        env["peak_n"] = "/".join(str(n) for n in peak_sizes)
    return env


# --------------------------------------------------------------------------
# Running


def _entry(w, contender, label, kind, threads):
    return {"workload": w.id, "contender": contender, "label": label, "kind": kind,
            "threads": threads, "status": None, "detail": "", "seconds": None,
            "samples": None, "gflops": None, "pct_peak": None, "ratio": None}


def _warm_and_check(e, w, call, reference, scale):
    """Call once (the warm-up) and check the result; returns the call's seconds
    if it matched, else None with ``e``'s status saying why."""
    try:
        t0 = time.perf_counter()
        out = call()
        first = time.perf_counter() - t0
    except NotApplicable as exc:
        e.update(status="n/a", detail=str(exc))
        return None
    except Exception as exc:  # a failing contender is reported, not fatal
        e.update(status="error", detail="%s: %s" % (type(exc).__name__, str(exc)[:200]))
        return None
    ok, detail = check(w, out, reference, scale)
    if ok and e["kind"] == "sigconv" and w.kind == "convolve" \
            and np.asarray(out).dtype != np.dtype(w.dtype):
        ok, detail = False, "dtype %s, expected %s" % (np.asarray(out).dtype, w.dtype)
    del out
    e["detail"] = detail
    e["status"] = "ok" if ok else "MISMATCH"
    return first if ok else None


def wait_quiet(max_wait, threshold=0.1, probe=1.0, settle=3):
    """Wait up to ``max_wait`` seconds until other processes have used less
    than ``threshold`` of the cores' time for ``settle`` probes of ``probe``
    seconds in a row.

    Returns the last measured fraction (None where /proc/stat is missing).
    """
    cores = os.cpu_count() or 1
    deadline = time.perf_counter() + max_wait
    calm = 0
    while True:
        start = _cpu_snapshot()
        time.sleep(probe)
        other, _ = _other_cpu(start, _cpu_snapshot(), cores)
        if other is None:
            return None
        calm = calm + 1 if other < threshold else 0
        if calm >= settle or time.perf_counter() >= deadline:
            return other


#: a workload during which other processes used more than this share of the
#: cores is measured again (once) when waiting for quiet is asked for
BUSY = 0.2


def run(workloads, *, full=False, repeat=None, budget=None, workers=None, explicit=False,
        progress=None, env=None, quiet_wait=0):
    """Measure ``workloads``; returns the report (a JSON-serialisable dict).

    The matrix-product peak is measured at the start and again at the end;
    the higher of the two counts.

    Parameters
    ----------
    workloads : list of Workload
    full : bool
        Run slow peers and workloads that are slow by the available method,
        and sigconv on one thread besides the default.
    repeat : int, optional
        Most timed samples per contender (default 7, full run 15).
    budget : float, optional
        Seconds of timing per contender after its warm-up call (default 0.4,
        full run 2).
    workers : int, optional
        sigconv's ``workers`` (default: the library's choice).
    explicit : bool
        The workloads were named by the user: run full-only ones too.
    progress : callable, optional
        Called with one line per step (``"[3/10] I2 scipy.ndimage.convolve"``).
    env : dict, optional
        :func:`environment` output to include (computed if None).
    quiet_wait : float
        Before each workload, wait up to this many seconds for other
        processes to leave the cores (:func:`wait_quiet`), and measure a
        workload again (once) if they used more than :data:`BUSY` of the
        cores' time during it; 0 does neither.
    """
    repeat = repeat or (15 if full else 7)
    budget = budget or (2.0 if full else 0.4)
    report = env if env is not None else environment(
        peak_sizes=(2048, 4096) if full else (2048,))
    report.update(mode="full" if full else "quick", repeat=repeat, budget=budget,
                  workers=workers, results=[], not_run=[], workloads={})
    missing = report.setdefault("optional", {})
    say = progress or (lambda line: None)
    peaks = report.get("peak_gflops", {})
    total = len(workloads)
    cores = report["machine"]["cores"]
    run_start = _cpu_snapshot()
    for i, w in enumerate(workloads, 1):
        tag = "[%d/%d] %s" % (i, total, w.id)
        report["workloads"][w.id] = {"description": w.describe(), "flops": w.flops,
                                     "standard": w.standard}
        methods, why = w.sigconv_methods()
        if not methods:
            report["not_run"].append({"workload": w.id, "reason": why})
            say("%s skipped: %s" % (tag, why))
            continue
        slow = w.full_only()
        if slow and not (full or explicit):
            report["not_run"].append({"workload": w.id, "reason": slow})
            say("%s skipped: %s" % (tag, slow))
            continue
        if quiet_wait:
            other = wait_quiet(quiet_wait)
            if other is not None and other >= 0.1:
                say("%s other processes still use %.0f%% of the cores" % (tag, 100 * other))
        say("%s inputs and reference" % tag)
        x, k = w.inputs()
        try:
            reference = w.reference(x, k)
            scale = w.scale(x, k)
        except Exception as exc:
            report["not_run"].append({"workload": w.id, "reason": "reference: %r" % exc})
            continue
        for attempt in (1, 2):
            w_start = _cpu_snapshot()
            entries = _measure_workload(w, methods, x, k, reference, scale, full=full,
                                        workers=workers, budget=budget, repeat=repeat,
                                        say=lambda line: say(tag + " " + line),
                                        missing=missing)
            _finish(w, entries, peaks)
            other, steal = _other_cpu(w_start, _cpu_snapshot(), cores)
            report["workloads"][w.id].update(other_cpu=other, steal=steal, attempts=attempt)
            if not quiet_wait or other is None or other <= BUSY or attempt == 2:
                break
            say("%s other processes used %.0f%% of the cores: measuring again"
                % (tag, 100 * other))
            wait_quiet(quiet_wait)
        report["results"].extend(entries)
        del x, k, reference
        gc.collect()
    report["load_after"] = _load()
    report["other_cpu"], report["steal"] = _other_cpu(run_start, _cpu_snapshot(), cores)
    if peaks and report["results"]:
        # measured again at the end: a peak taken while others used the cores
        # would understate it; the higher of the two counts
        if quiet_wait:
            wait_quiet(quiet_wait)
        sizes = tuple(int(n) for n in str(report.get("peak_n", "2048")).split("/"))
        for d in peaks:
            peaks[d] = max(peaks[d], matmul_peak(d, sizes))
        for e in report["results"]:
            if e.get("gflops") is not None:
                e["pct_peak"] = 100.0 * e["gflops"] / peaks[_dtype_of(report, e)]
    report["bars"] = evaluate_bars(report)
    report["failed"] = [e["label"] + " on " + e["workload"] for e in report["results"]
                        if e["kind"] == "sigconv" and e["status"] != "ok"]
    return report


def _measure_workload(w, methods, x, k, reference, scale, *, full, workers, budget, repeat,
                      say, missing):
    """Check and time sigconv's methods and the peers on one workload; returns the entries."""
    from sigconv._threads import resolve_workers
    entries = []
    timed = []       # (entry, call, warm-up seconds) of the matching contenders
    work = w.flops // 2 if w.flops else None
    runs = [(m, workers) for m in methods]
    if full and w.kind in ("convolve", "pool") and resolve_workers(workers, work) > 1:
        runs.append((methods[0], 1))
    for m, nw in runs:
        func = {"correlate": "correlate", "convolver": "Convolver"}.get(w.via,
                                                                       _KIND_FUNCS[w.kind])
        label = "sigconv.%s[%s]" % (func, m)
        if nw is not None:
            label += " workers=%d" % nw
        threads = resolve_workers(nw, work)
        say("%s ..." % label)
        e = _entry(w, "sigconv:%s:%s" % (m, nw or ""), label, "sigconv", threads)
        e["method"] = m
        e["primary"] = (m == methods[0] and nw == workers)
        call = w.sigconv_call(m, x, k, nw)
        first = _warm_and_check(e, w, call, reference, scale)
        if first is not None:
            timed.append((e, call, first))
        entries.append(e)
    for name in w.peers:
        peer = PEERS[name]
        e = _entry(w, name, name, "peer", None)
        if name in w.skip_peers:
            e.update(status="not run", detail=w.skip_peers[name])
            entries.append(e)
            continue
        if name in w.slow_peers and not full:
            e.update(status="not run", detail=w.slow_peers[name])
            entries.append(e)
            continue
        mod, why = _optional(peer.module)
        if mod is None:
            e.update(status="skipped", detail="%s %s" % (peer.module, why))
            missing.setdefault(peer.module.split(".")[0], why)
            entries.append(e)
            continue
        try:
            e["label"], call = peer.prepare(w, x, k)
        except NotApplicable as exc:
            e.update(status="n/a", detail=str(exc))
            entries.append(e)
            continue
        e["threads"] = peer.threads()
        say("%s ..." % e["label"])
        first = _warm_and_check(e, w, call, reference, scale)
        if first is not None:
            timed.append((e, call, first))
        entries.append(e)
    if timed:
        say("timing %d contenders side by side ..." % len(timed))
        results = time_calls([c for _, c, _ in timed], [f for _, _, f in timed], budget,
                             repeat, [3 if e["kind"] == "sigconv" else 1
                                      for e, _, _ in timed])
        for (e, _, _), res in zip(timed, results):
            e.update(res)
    return entries


def _dtype_of(report, e):
    return get(e["workload"]).dtype


def _finish(w, entries, peaks):
    """Fill in ratios against the compared sigconv method, and GFLOP/s and % of
    peak for sigconv's direct method (the only contender known to do the
    ``2 x outputs x taps`` flops; an FFT would show a meaningless rate)."""
    base = next((e for e in entries if e.get("primary")), None)
    base_t = base["seconds"] if base and base["status"] == "ok" else None
    for e in entries:
        t = e["seconds"]
        if t is None or e["status"] != "ok":
            continue
        if w.flops and e.get("method") == "direct":
            e["gflops"] = w.flops / t / 1e9
            if peaks.get(w.dtype):
                e["pct_peak"] = 100.0 * e["gflops"] / peaks[w.dtype]
        if base_t and not e.get("primary"):
            e["ratio"] = t / base_t


def evaluate_bars(report):
    """Each bar per workload: met, missed or not measured."""
    out = []
    by = {}
    for e in report["results"]:
        by.setdefault(e["workload"], []).append(e)
    for bar in BARS:
        rows = []
        for wid in (i for i in bar.ids if i in by):
            entries = by.get(wid, [])
            base = next((e for e in entries if e.get("primary") and e.get("method") == bar.method
                         and e["status"] == "ok"), None)
            peers = [e for e in entries if e["contender"] in bar.peers and e["status"] == "ok"]
            if base is None or not peers:
                rows.append({"workload": wid, "status": "not measured"})
                continue
            best = min(peers, key=lambda e: e["seconds"])
            ratio = best["seconds"] / base["seconds"]
            met = ratio > bar.factor if bar.factor == 1.0 else ratio >= bar.factor
            rows.append({"workload": wid, "status": "met" if met else "MISSED",
                         "ratio": ratio, "against": best["label"],
                         "unmeasured": [e["contender"] for e in entries
                                        if e["contender"] in bar.peers
                                        and e["status"] in ("not run", "skipped")]})
        if rows:
            out.append({"bar": bar.text, "factor": bar.factor, "rows": rows})
    for bar in RELATIVE_BARS:
        if bar.id not in by and bar.base_id not in by:
            continue
        times = {}
        for wid in (bar.id, bar.base_id):
            base = next((e for e in by.get(wid, []) if e.get("primary")
                         and e["status"] == "ok"), None)
            times[wid] = base["seconds"] if base else None
        if None in times.values():
            row = {"workload": bar.id, "status": "not measured"}
        else:
            ratio = times[bar.id] / times[bar.base_id]
            row = {"workload": bar.id, "status": "met" if ratio <= bar.factor else "MISSED",
                   "ratio": ratio, "against": "sigconv on %s" % bar.base_id,
                   "unmeasured": []}
        out.append({"bar": bar.text, "factor": bar.factor, "rows": [row]})
    return out


# --------------------------------------------------------------------------
# Reports


def _fmt_time(t):
    if t is None:
        return "-"
    for unit, f in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if t >= f:
            return "%.3g %s" % (t / f, unit)
    return "%.3g ns" % (t * 1e9)


def _fmt(v, spec):
    return "-" if v is None else spec % v


def _status(e):
    if e["status"] == "ok":
        if e["samples"] == 1:
            return "ok (1 call)"
        return "ok"
    return e["status"]


def _busy(env):
    """A warning if other processes competed for the cores during the run."""
    other, steal = env.get("other_cpu"), env.get("steal")
    notes = []
    if other is not None and other > 0.1:
        notes.append("other processes used %.0f%% of the cores' time during the run"
                     % (100 * other))
    if steal is not None and steal > 0.05:
        notes.append("the host took %.0f%% of the cores' time (steal)" % (100 * steal))
    if notes:
        return "; ".join(notes) + ", so timings (multi-threaded ones most) are pessimistic"
    return ""


def format_text(report, file=None):
    """Print the report as plain tables (to ``file``, default stdout)."""
    out = file or sys.stdout
    env = report
    sc = env.get("sigconv", {})
    peaks = env.get("peak_gflops", {})
    print("sigconv %s bench (%s run), %s, %s cores; OpenMP %s, default threads %s"
          % (env["versions"]["sigconv"], env["mode"], env["machine"]["cpu"],
             env["machine"]["cores"], "on" if sc.get("openmp") else "off",
             sc.get("default_threads")), file=out)
    if peaks:
        print("matmul peak: float32 %.0f GFLOP/s, float64 %.0f GFLOP/s (numpy @, n=%s)"
              % (peaks["float32"], peaks["float64"], env.get("peak_n", 0)), file=out)
    busy = _busy(env)
    if busy:
        print("note: " + busy, file=out)
    print("time: median of repeated calls after a warm-up, contenders sampled in "
          "interleaved rounds; ratio = peer time / sigconv time (> 1: sigconv faster)\n",
          file=out)
    head = "%-8s %-44s %3s %10s %8s %8s %6s  %s" % ("id", "contender", "thr", "time",
                                                    "ratio", "GFLOP/s", "%peak", "check")
    print(head, file=out)
    print("-" * len(head), file=out)
    last = None
    for e in report["results"]:
        wid = e["workload"] if e["workload"] != last else ""
        last = e["workload"]
        check_txt = _status(e)
        if e["status"] == "ok":
            check_txt += " " + e["detail"]
        else:
            check_txt += ": " + e["detail"]
        print("%-8s %-44s %3s %10s %8s %8s %6s  %s" % (
            wid, e["label"][:44], _fmt(e["threads"], "%d"),
            _fmt_time(e["seconds"]) if e["status"] == "ok" else "-",
            _fmt(e["ratio"], "%.2f"), _fmt(e["gflops"], "%.1f"),
            _fmt(e["pct_peak"], "%.0f%%"), check_txt), file=out)
    if report["not_run"]:
        print("\nnot run:", file=out)
        for n in report["not_run"]:
            print("  %-8s %s" % (n["workload"], n["reason"]), file=out)
    if report.get("optional"):
        print("\noptional peers skipped: " + ", ".join(
            "%s (%s)" % kv for kv in sorted(report["optional"].items())), file=out)
    for bar in report.get("bars", []):
        print("\nbar: %s" % bar["bar"], file=out)
        for r in bar["rows"]:
            if r["status"] == "not measured":
                print("  %-4s not measured" % r["workload"], file=out)
            else:
                extra = ""
                if r["unmeasured"]:
                    extra = " (not measured here: %s)" % ", ".join(r["unmeasured"])
                print("  %-4s %-6s %6.2fx vs %s%s" % (r["workload"], r["status"], r["ratio"],
                                                      r["against"], extra), file=out)
    if report["failed"]:
        print("\nFAILED: " + "; ".join(report["failed"]), file=out)


def _md_table(rows, header):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


_SUMMARY_ORDER = ("numpy.convolve", _SS_DIRECT, _C2D, _ND, _ND1, "cv2.filter2D",
                  "torch.conv") + _FFT


def slower_than(report):
    """Lines stating where the compared sigconv method is slower than a peer."""
    lines = []
    method = {e["workload"]: e.get("method") for e in report["results"] if e.get("primary")}
    for e in report["results"]:
        if e["kind"] == "peer" and e["ratio"] is not None and e["ratio"] < 1:
            lines.append("%s: %s takes %s, sigconv %s %s: sigconv is %.2fx slower"
                         % (e["workload"], e["label"], _fmt_time(e["seconds"]),
                            method.get(e["workload"]), _fmt_time(e["seconds"] / e["ratio"]),
                            1 / e["ratio"]))
    return lines


def format_markdown(report, command=None):
    """The report as a markdown document (environment, tables per workload, bars)."""
    env = report
    m, v, sc = env["machine"], env["versions"], env.get("sigconv", {})
    peaks = env.get("peak_gflops", {})
    out = ["# sigconv benchmark results", ""]
    out.append("Date: %s. Command: `%s` (%s run: at most %d timed samples or %.1f s "
               "per contender)." % (env["date"], command or "sigconv bench", env["mode"],
                                    env["repeat"], env["budget"]))
    out += ["", "Times are medians of repeated calls after a warm-up call whose result was "
            "checked against a float64 scipy.signal reference; the contenders of a workload "
            "are sampled in interleaved rounds, so load from other processes falls on all "
            "of them alike. **Ratio = peer time / sigconv time** (above 1: sigconv is "
            "faster). GFLOP/s = 2 x outputs x taps / time; % of "
            "peak is against the measured matrix-product peak of the workload's dtype.", ""]
    out += ["## Machine", ""]
    mem = "%.0f GiB" % m["memory_gib"] if m.get("memory_gib") else "?"
    out.append("- CPU: %s, %d cores, %s memory (%s)" % (m["cpu"], m["cores"], mem,
                                                      m["platform"]))
    if peaks:
        out.append("- Matrix-product peak (best numpy `@` call, n = %s): float32 %.0f "
                   "GFLOP/s, float64 %.0f GFLOP/s" % (env["peak_n"], peaks["float32"],
                                                      peaks["float64"]))
    other, steal = env.get("other_cpu"), env.get("steal")
    out.append("- Load average (1 min) before / after the run: %s / %s; during the run "
               "other processes used %s of the cores' time and the host took %s (steal)"
               % (env.get("load_before"), env.get("load_after"),
                  "?" if other is None else "%.1f%%" % (100 * other),
                  "?" if steal is None else "%.1f%%" % (100 * steal)))
    if _busy(env):
        out.append("- **Note:** " + _busy(env))
    out += ["", "## Versions", ""]
    out.append("- python %s, numpy %s, scipy %s" % (v["python"], v["numpy"], v["scipy"]))
    out.append("- sigconv %s: compiler %s, flags `%s`, OpenMP %s, default threads %s "
               "(omp_get_max_threads %s, OMP_NUM_THREADS %s)"
               % (v["sigconv"], sc.get("compiler"), sc.get("flags"),
                  "on" if sc.get("openmp") else "off", sc.get("default_threads"),
                  sc.get("omp_max_threads"), sc.get("OMP_NUM_THREADS") or "unset"))
    for name in ("opencv", "torch", "scikit-image", "threadpoolctl"):
        out.append("- %s %s" % (name, v.get(name) or "not installed"))
    if env.get("threadpools"):
        out.append("- thread pools: " + "; ".join(
            "%s%s (%s threads)" % (p["internal_api"], " " + p["version"] if p.get("version") else "",
                                   p["num_threads"])
            for p in env["threadpools"]))

    by = {}
    for e in report["results"]:
        by.setdefault(e["workload"], []).append(e)
    seen = {e["contender"] for e in report["results"] if e["kind"] == "peer"}
    peer_names = [p for p in _SUMMARY_ORDER if p in seen]
    peer_names += sorted(p for p in seen if p not in peer_names)

    out += ["", "## Summary", "", "Per workload and sigconv method (default threads): "
            "sigconv's time, GFLOP/s (direct method only) and the ratio against each peer "
            "(peer time / that sigconv time; `-` not applicable; `not run` see below).", ""]
    short = {p: p.replace("scipy.signal.", "ss.").replace("scipy.ndimage.", "nd.")
             .replace("[direct]", "(direct)") for p in peer_names}
    rows = []
    for wid, entries in by.items():
        peers = [e for e in entries if e["kind"] == "peer"]
        for base in entries:
            if base["kind"] != "sigconv" or base["contender"].split(":")[2] != \
                    str(report.get("workers") or ""):
                continue
            ok = base["status"] == "ok"
            t = base["seconds"] if ok else None
            row = [wid, base["method"], _fmt_time(t) if ok else base["status"],
                   _fmt(base["gflops"], "%.1f"), _fmt(base["pct_peak"], "%.0f%%")]
            for p in peer_names:
                e = next((x for x in peers if x["contender"] == p), None)
                if e is None or e["status"] == "n/a":
                    row.append("-")
                elif e["status"] == "ok" and t:
                    r = e["seconds"] / t
                    row.append("**%.2f**" % r if r < 1 else "%.2f" % r)
                elif e["status"] in ("not run", "skipped"):
                    row.append("not run")
                else:
                    row.append(e["status"])
            timed = [e for e in peers if e["status"] == "ok"]
            if timed and t:
                best = min(timed, key=lambda e: e["seconds"])
                row.append("%s (%.2f)" % (best["label"], best["seconds"] / t))
            else:
                row.append("-")
            rows.append(row)
    out.append(_md_table(rows, ["id", "method", "sigconv", "GFLOP/s", "% peak"]
                         + [short[p] for p in peer_names] + ["fastest peer (ratio)"]))
    out += ["", "Bold ratios: sigconv is slower than that peer."]

    slow = slower_than(report)
    out += ["", "## Where sigconv is slower than a peer", ""]
    out += ["- " + s for s in slow] if slow else ["Nowhere among the measured peers."]

    out += ["", "## Per workload", ""]
    for wid, entries in by.items():
        out += ["### " + report["workloads"][wid]["description"], ""]
        info = report["workloads"][wid]
        other = info.get("other_cpu")
        if other is not None and other > 0.1:
            out += ["Other processes used %.0f%% of the cores' time while this workload "
                    "ran%s." % (100 * other, " (its second measurement)"
                                if info.get("attempts", 1) > 1 else ""), ""]
        rows = []
        for e in entries:
            ok = e["status"] == "ok"
            rows.append([e["label"], _fmt(e["threads"], "%d"),
                         _fmt_time(e["seconds"]) if ok else "-",
                         _fmt_time(e.get("best")) if ok else "-",
                         _fmt(e.get("samples"), "%d") if ok else "-",
                         _fmt(e["ratio"], "%.2f"), _fmt(e["gflops"], "%.1f"),
                         _fmt(e["pct_peak"], "%.0f%%"),
                         (_status(e) + ", " + e["detail"]) if ok
                         else "%s: %s" % (e["status"], e["detail"])])
        out.append(_md_table(rows, ["contender", "threads", "median", "best", "samples",
                                    "ratio", "GFLOP/s", "% peak", "check"]))
        out.append("")

    cv = [e for e in report["results"] if e["contender"] == "cv2.filter2D"]
    out += ["## Against cv2.filter2D", ""]
    if cv:
        rows = []
        for e in cv:
            mine = [x for x in by[e["workload"]] if x["kind"] == "sigconv"
                    and x["status"] == "ok" and x["contender"].endswith(":")]
            direct = next((x for x in mine if x.get("method") == "direct"), None)
            best = min(mine, key=lambda x: x["seconds"]) if mine else None
            ok = e["status"] == "ok"
            row = [e["workload"], e["label"], _fmt_time(e["seconds"]) if ok else e["status"]]
            for x in (direct, best):
                if x is None or not ok:
                    row += ["-", "-"]
                else:
                    r = e["seconds"] / x["seconds"]
                    row += ["%s %s" % (x["method"], _fmt_time(x["seconds"])),
                            "**%.2f**" % r if r < 1 else "%.2f" % r]
            rows.append(row)
        out.append(_md_table(rows, ["id", "cv2 call", "cv2 time", "sigconv direct",
                                    "ratio", "fastest sigconv", "ratio"]))
        out += ["", "cv2.filter2D correlates, so the kernel is flipped once outside the "
                "timing; its default anchor gives scipy's `same` alignment for odd and even "
                "kernels; 1-D signals are 1 x N images; valid mode keeps the inner part of "
                "its same-size output; it has no wrap border, so I5 pads with `numpy.pad` "
                "(inside the timing) and keeps the valid part. From 130 taps in float32 "
                "and 50 in float64 it filters through a DFT (marked [DFT]), not by direct "
                "summation: there it is an FFT method, to be compared with sigconv's fft or "
                "oa method where sigconv has one."]
    else:
        out.append("cv2.filter2D was not measured (OpenCV is not installed, or no workload "
                   "it applies to was run).")

    out += ["", "## Bars", ""]
    for bar in report.get("bars", []):
        out.append("**%s**" % bar["bar"])
        out.append("")
        rows = []
        for r in bar["rows"]:
            if r["status"] == "not measured":
                rows.append([r["workload"], "not measured", "-", "-"])
            else:
                rows.append([r["workload"], r["status"], "%.2f" % r["ratio"], r["against"]
                             + (" (not measured: %s)" % ", ".join(r["unmeasured"])
                                if r["unmeasured"] else "")])
        out.append(_md_table(rows, ["id", "bar", "ratio", "fastest peer of the bar"]))
        out.append("")

    if report["not_run"] or env.get("optional"):
        out += ["## Not run", ""]
        out += ["- %s: %s" % (n["workload"], n["reason"]) for n in report["not_run"]]
        out += ["- optional peer %s: %s" % kv for kv in sorted(env.get("optional", {}).items())]
        out.append("")
    return "\n".join(out) + "\n"
