"""The peers: other libraries' functions computing a workload.

Each :class:`Peer` has a ``prepare(workload, x, k)`` that returns ``(label,
call)`` or raises :class:`~sigconv.bench.references.NotApplicable` with the
reason; :data:`PEERS` holds them by the names the workload table uses.
Optional libraries (OpenCV, PyTorch, scikit-image, ducc0, pyFFTW,
pedalboard, dask-image) are imported inside ``prepare``, so a missing one
only skips its peer.

>>> import numpy as np
>>> from sigconv.bench import PEERS, get
>>> w = get("A5")
>>> x, k = w.inputs()
>>> label, call = PEERS["numpy.convolve"].prepare(w, x, k)
>>> label, call().shape
('numpy.convolve', (4111,))
"""
from dataclasses import dataclass

import numpy as np

from .references import NotApplicable, _pool_separable, _same_pads, _size

_SS_DIRECT = "scipy.signal.convolve[direct]"
_ND = "scipy.ndimage.convolve"
_ND1 = "scipy.ndimage.convolve1d"
_C2D = "scipy.signal.convolve2d"
_FFT = ("scipy.signal.fftconvolve", "scipy.signal.oaconvolve")
_SEP2D = "cv2.sepFilter2D"
_ND1_PASSES = "scipy.ndimage.convolve1d passes"
_DUCC0 = "ducc0 r2c/c2r"
_PYFFTW = "scipy.signal.fftconvolve[pyfftw]"
_PEDALBOARD = "pedalboard.Convolution"
_DASK_IMAGE = "dask_image.ndfilters.convolve"


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


# -- separable kernels: the 1-D factors, applied one axis at a time ------------------


def _gaussian_factors(w, who):
    if w.sigma is None:
        raise NotApplicable("%s needs the kernel's 1-D factors (a Gaussian workload)" % who)
    _needs_fill(w, who)
    if w.mode != "same":
        raise NotApplicable("%s gives same-size outputs only" % who)
    return [f.astype(w.dtype) for f in w.factors()]


def _prep_sep_filter(w, x, k):
    import cv2
    if x.ndim != 2:
        raise NotApplicable("cv2.sepFilter2D filters 2-D images")
    fy, fx = _gaussian_factors(w, _SEP2D)
    # sepFilter2D correlates: flip the factors (a Gaussian is symmetric, but
    # the peer must be right for any kernel)
    kx, ky = np.ascontiguousarray(fx[::-1]), np.ascontiguousarray(fy[::-1])
    return (_SEP2D + " (1-D factors)",
            lambda: cv2.sepFilter2D(x, -1, kx, ky, borderType=cv2.BORDER_CONSTANT))


def _prep_convolve1d_passes(w, x, k):
    import scipy.ndimage
    factors = _gaussian_factors(w, _ND1_PASSES)
    axes = w.conv_axes
    # odd lengths: ndimage's centre is scipy's 'same' alignment
    if any(len(f) % 2 == 0 for f in factors):
        raise NotApplicable("even factor lengths")

    def call():
        out = x
        for a, f in zip(axes, factors):
            out = scipy.ndimage.convolve1d(out, f, axis=a, mode="constant")
        return out
    return "scipy.ndimage.convolve1d (%d passes)" % len(axes), call


# -- FFT convolution on other FFT libraries -------------------------------------------


def _mode_crop(w, full_shape, x_shape, k_shape):
    """Slices taking the workload's mode out of a full-size result (scipy's alignment)."""
    index = [slice(None)] * len(full_shape)
    for a in w.conv_axes:
        if w.mode == "same":
            start = (full_shape[a] - x_shape[a]) // 2
            index[a] = slice(start, start + x_shape[a])
        elif w.mode == "valid":
            n = abs(x_shape[a] - k_shape[a]) + 1
            start = min(x_shape[a], k_shape[a]) - 1
            index[a] = slice(start, start + n)
    return tuple(index)


def _prep_ducc0(w, x, k):
    import ducc0
    if w.kind != "convolve" or x.dtype.kind != "f":
        raise NotApplicable("real convolution only")
    _needs_fill(w, _DUCC0)
    axes = w.conv_axes
    full = [x.shape[a] + k.shape[a] - 1 if a in axes else max(x.shape[a], k.shape[a])
            for a in range(x.ndim)]
    lengths = {a: ducc0.fft.good_size(full[a], True) for a in axes}
    crop = _mode_crop(w, full, x.shape, k.shape)
    threads = _sigconv_threads()

    def spectrum(a):
        padded = np.zeros([lengths.get(i, a.shape[i]) for i in range(a.ndim)], a.dtype)
        padded[tuple(slice(0, n) for n in a.shape)] = a
        return ducc0.fft.r2c(padded, axes=axes, nthreads=threads)

    def call():
        prod = spectrum(x)
        prod *= spectrum(k)
        out = ducc0.fft.c2r(prod, axes=axes, lastsize=lengths[axes[-1]], forward=False,
                            inorm=2, nthreads=threads)
        return out[tuple(slice(0, n) for n in full)][crop]
    return "ducc0.fft r2c/c2r by hand (%d threads)" % threads, call


def _prep_pyfftw(w, x, k):
    import pyfftw
    import pyfftw.interfaces.scipy_fft as backend
    import scipy.fft
    import scipy.signal
    if w.kind != "convolve":
        raise NotApplicable("a convolution peer")
    _needs_fill(w, _PYFFTW)
    pyfftw.interfaces.cache.enable()    # plans kept between calls, as a user would
    mode, axes = w.mode, w.conv_axes

    def call():
        with scipy.fft.set_backend(backend):
            return scipy.signal.fftconvolve(x, k, mode, axes=axes)
    return "scipy.signal.fftconvolve on pyFFTW's scipy.fft backend", call


def _pyfftw_threads():
    import pyfftw
    return pyfftw.config.NUM_THREADS


# -- streaming and distributed ----------------------------------------------------------


def _prep_pedalboard(w, x, k):
    import pedalboard
    if w.kind != "stream":
        raise NotApplicable("a streaming peer")
    block, n, rate = w.block, x.shape[-1], 48000.0
    ir = np.ascontiguousarray(k, dtype=np.float32)
    # pedalboard scales the impulse response to 0.125 / (largest channel's
    # L2 norm); one multiply per block undoes it
    gain = float(np.sqrt(np.max(np.sum(ir.astype(np.float64) ** 2, axis=-1)))) / 0.125

    def call():
        reverb = pedalboard.Convolution(ir, sample_rate=rate)
        return np.concatenate([reverb.process(x[..., i:i + block], rate, reset=False) * gain
                               for i in range(0, n, block)], axis=-1)
    return "pedalboard.Convolution (blocks of %d, x gain)" % block, call


_CLIENT = []


def dask_client():
    """The dask client of a local cluster of two processes, started on first use."""
    if not _CLIENT:
        import atexit
        from dask.distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        _CLIENT.append(client)

        def close():
            client.close()
            cluster.close()
        atexit.register(close)
    return _CLIENT[0]


def _prep_dask_image(w, x, k):
    import dask.array as da
    from dask_image import ndfilters
    if w.kind != "dask":
        raise NotApplicable("a dask peer")
    mode, origins, crop = _ndimage_layout(w, x, k, _DASK_IMAGE)
    if crop is not None:
        raise NotApplicable("same mode only")
    dask_client()
    xd = da.from_array(x, chunks=w.chunk)
    return (_DASK_IMAGE + " (2 processes)",
            lambda: ndfilters.convolve(xd, k, mode=mode, origin=origins).compute())


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
    Peer(_SEP2D, "cv2", _cv2_threads, _prep_sep_filter),
    Peer(_ND1_PASSES, "scipy.ndimage", _one, _prep_convolve1d_passes),
    Peer(_DUCC0, "ducc0", _sigconv_threads, _prep_ducc0),
    Peer(_PYFFTW, "pyfftw", _pyfftw_threads, _prep_pyfftw),
    Peer(_PEDALBOARD, "pedalboard", _one, _prep_pedalboard),
    Peer(_DASK_IMAGE, "dask_image", lambda: 2, _prep_dask_image),
)}
