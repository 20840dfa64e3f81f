"""The standard workloads: the table that ``sigconv bench`` and ``benchmarks/`` read.

Every workload of the project's workload list (A1 ... P3, S1, S2, AU1, VD1)
is one :class:`Workload` in :data:`WORKLOADS`: its inputs (drawn from
``numpy.random.default_rng(0)``), the sigconv call, the reference it is
checked against (:mod:`sigconv.bench.references`) and the names of the peers
(:mod:`sigconv.bench.peers`) that compute the same thing.
:data:`EXTRA_WORKLOADS` holds odd-size variants and extra cases that run
only when named.

>>> from sigconv.bench import get
>>> get("I2").describe()
'I2  image, medium kernel: x 2048 x 2048, K=15x15, float32, same'
"""
import importlib
import math
from dataclasses import dataclass, field

import numpy as np

from .banks import _BANK_PEERS
from .peers import (_C2D, _DASK_IMAGE, _DUCC0, _FFT, _ND, _ND1, _ND1_PASSES,
                    _PEDALBOARD, _PYFFTW, _SEP2D, _SS_DIRECT)
from .references import _REFERENCES, _size


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
    kind : {'convolve', 'autocorrelate', 'pool', 'match', 'stream', 'dask'}
        Which sigconv function the workload exercises: ``'stream'`` is a
        :class:`sigconv.StreamConvolver` fed ``block``-sample blocks along the
        last axis (result: offline ``full[..., :len]``); ``'dask'`` is
        ``sigconv.dask.convolve`` on a dask array of ``chunk``-sized chunks,
        on a local cluster of two processes.
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
    sigma : float, optional
        The kernel is a sampled Gaussian of this width (the outer product
        of its 1-D factors, see :meth:`factors`) instead of random numbers.
    block, chunk : int, optional
        ``'stream'``: samples per block; ``'dask'``: chunk side.
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
    sigma: float = None
    block: int = None
    chunk: int = None

    @property
    def convolves(self):
        """The workload is a convolution with a kernel (directly, streamed or chunked)."""
        return self.kind in ("convolve", "stream", "dask")

    # -- description ---------------------------------------------------------
    def describe(self):
        """One line: id, what, shapes, dtype, mode."""
        def shape(s):
            return " x ".join(str(n) for n in s) if len(s) > 1 else str(s[0])
        parts = ["x " + shape(self.x_shape)]
        if self.kind == "stream":
            parts.append("IR " + shape(self.k_shape))
            parts.append("blocks of %d" % self.block)
        elif self.convolves:
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
            if self.sigma is not None:
                parts[-1] += " Gaussian (sigma %g)" % self.sigma
            if self.axes is not None and len(self.axes) < len(self.x_shape):
                parts.append("axes %s" % (tuple(self.axes),))
            if self.chunk:
                parts.append("%d^%d chunks" % (self.chunk, len(self.x_shape)))
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
        if self.kind == "stream":
            return tuple(self.x_shape)
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
        if self.kind == "stream":
            return self.k_shape[-1]
        return _size([self.k_shape[a] for a in self.conv_axes]) if self.convolves \
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
        if self.convolves:
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
        if self.convolves and self.sigma is not None:
            k = self.factors()[0]
            for f in self.factors()[1:]:
                k = np.multiply.outer(k, f)
            k = k.astype(self.dtype)
        elif self.convolves:
            k = rng.standard_normal(self.k_shape, dtype=self.dtype)
        if self.kind == "match":
            # a template cut from the signal, with noise: one clear match
            cut = tuple(slice(n // 3, n // 3 + m) for n, m in zip(self.x_shape, self.k_shape))
            k = x[cut] + rng.standard_normal(self.k_shape, dtype=self.dtype)
        return x, k

    def factors(self):
        """The 1-D float64 factors of a Gaussian kernel (``sigma``), one per axis.

        >>> f = get("S1").factors()
        >>> len(f), f[0].shape, round(float(f[0].sum()), 12)
        (2, (15,), 1.0)
        """
        if self.sigma is None:
            raise ValueError("workload %s has no Gaussian kernel" % self.id)
        out = []
        for n in self.k_shape:
            t = np.arange(n) - (n - 1) / 2
            g = np.exp(-0.5 * (t / self.sigma) ** 2)
            out.append(g / g.sum())
        return out

    def sigconv_call(self, method, x, k, workers=None):
        """A no-argument callable computing the workload with sigconv."""
        import sigconv
        if self.kind == "stream":
            block, n = self.block, x.shape[-1]

            def call():
                stream = sigconv.StreamConvolver(k, block)
                return np.concatenate([stream.process(x[..., i:i + block])
                                       for i in range(0, n, block)], axis=-1)
            return call
        if self.kind == "dask":
            import dask.array as da
            from .peers import dask_client
            import sigconv.dask
            dask_client()
            xd = da.from_array(x, chunks=self.chunk)
            return lambda: sigconv.dask.convolve(xd, k, self.mode).compute()
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
        if self.kind in ("stream", "dask"):
            return [], "sigconv.%s is not in this version" % _KIND_FUNCS[self.kind]
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
               "match": "normalized_correlate", "stream": "StreamConvolver",
               "dask": "dask.convolve"}
_HAS = {}


def _sigconv_has(kind, method):
    """Whether this sigconv has ``kind`` by ``method`` (asked once, on a tiny call:
    an unknown method name is refused with ValueError)."""
    key = (kind, method)
    if key not in _HAS:
        import sigconv
        if kind == "dask":
            try:
                func = importlib.import_module("sigconv.dask").convolve
            except (ImportError, AttributeError):
                func = None
        else:
            func = getattr(sigconv, _KIND_FUNCS[kind], None)
        ok = func is not None
        if ok and kind == "convolve":
            try:
                func(np.ones(3), np.ones(2), method=method)
            except ValueError:
                ok = False
        _HAS[key] = ok
    return _HAS[key]


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
#: FFT convolution on other FFT libraries (optional: skipped when absent)
_FFT_LIBS = (_DUCC0, _PYFFTW)


def _slow(seconds, why=""):
    return "~%s s per call%s, run only with --full" % (seconds, why)



#: the standard workloads (the project's workload list), in order
WORKLOADS = (
    Workload("A1", "1D FIR filter", (2**20,), (63,), "float64", "same",
             peers=_PEERS_1D, quick=True, slow_peers={"torch.conv": _slow(2)}),
    Workload("A2", "1D FIR filter", (2**20,), (63,), "float32", "same",
             peers=_PEERS_1D, quick=True),
    Workload("A3", "long FIR", (2**20,), (8191,), "float64", "same",
             methods=_LARGE, slow_methods=("direct",), peers=_PEERS_1D + _FFT + _FFT_LIBS,
             slow_peers={_ND: _slow(9), _ND1: _slow(9)},
             skip_peers={"torch.conv": "float64 conv1d unfolds the input: ~69 GB"}, quick=True),
    Workload("A4", "stereo reverb", (480000, 2), (96000, 2), "float32", "full", axes=(0,),
             methods=_LARGE, slow_methods=("direct",), peers=_FFT + _FFT_LIBS, quick=True),
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
             methods=_LARGE, slow_methods=("direct",), peers=_PEERS_2D + _FFT + _FFT_LIBS,
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
             peers=_PEERS_3D + _FFT_LIBS, quick=True, slow_peers={_SS_DIRECT: _slow(15)}),
    Workload("V3", "volume, large kernel", (256, 256, 256), (15, 15, 15), "float32", "same",
             methods=_LARGE, slow_methods=("direct",), peers=_PEERS_3D + _FFT + _FFT_LIBS,
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
    Workload("S1", "separable 2-D kernel", (2048, 2048), (15, 15), "float32", "same",
             sigma=3.0, methods=("auto", "separable", "direct"),
             peers=("cv2.filter2D", _SEP2D, _ND, _ND1_PASSES), quick=True),
    Workload("S2", "separable 3-D kernel", (256, 256, 256), (9, 9, 9), "float32", "same",
             sigma=1.5, methods=("auto", "separable", "fft", "direct"),
             slow_methods=("direct",), peers=(_ND1_PASSES,), quick=True),
    Workload("AU1", "streaming reverb", (2, 480000), (2, 96000), "float32", "stream",
             kind="stream", block=256, methods=("auto",), peers=(_PEDALBOARD,)),
    Workload("VD1", "distributed volume", (384, 384, 384), (7, 7, 7), "float32", "same",
             kind="dask", sigma=1.0, chunk=128, methods=("auto",), peers=(_DASK_IMAGE,)),
)

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

