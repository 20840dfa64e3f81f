"""Large kernels (A3, I3, V3): sigconv beside every installed transform peer.

One benchmark group per workload, holding: sigconv's default call, its
``method='oa'`` (the tile pipeline) and ``method='fft'``; ``cv2.filter2D``
(OpenCV picks its DFT path for large kernels; 1-D and 2-D only);
convolution by hand with ducc0 (``r2c``/``c2r`` at the full padded size, on
all cores); ``scipy.signal.fftconvolve`` on pyFFTW's ``scipy.fft`` backend
(all cores) and on scipy's own. Peers that are not installed are skipped.
Every contender is first checked against the workload's reference.

Run from the repository root::

    PYTHONPATH=. pytest benchmarks/test_large_kernels.py --benchmark-only \\
        --benchmark-group-by=group
"""
import importlib

import numpy as np
import pytest

from sigconv import bench
from sigconv._threads import cpu_count

WORKLOADS = ("A3", "I3", "V3")


def _sigconv(method):
    def prepare(w, x, k):
        label = "sigconv.convolve" + ("" if method == "auto" else "[%s]" % method)
        return label, w.sigconv_call(method, x, k)
    return prepare


def _same_crop(x, k):
    """The ``same`` part of a full convolution of ``x`` with ``k``."""
    return tuple(slice((b - 1) // 2, (b - 1) // 2 + a) for a, b in zip(x.shape, k.shape))


def _ducc0(w, x, k):
    import ducc0
    fft = ducc0.fft
    threads = cpu_count()
    shape = [fft.good_size(a + b - 1, True) for a, b in zip(x.shape, k.shape)]
    axes = tuple(range(x.ndim))
    crop = _same_crop(x, k)

    def call():
        xp = np.zeros(shape, x.dtype)
        xp[tuple(slice(0, n) for n in x.shape)] = x
        kp = np.zeros(shape, k.dtype)
        kp[tuple(slice(0, n) for n in k.shape)] = k
        X = fft.r2c(xp, axes=axes, nthreads=threads)
        X *= fft.r2c(kp, axes=axes, nthreads=threads)
        y = fft.c2r(X, axes=axes, lastsize=shape[-1], forward=False, inorm=2,
                    nthreads=threads, allow_overwriting_input=True)
        return y[crop].copy()
    return "ducc0 r2c/c2r by hand", call


def _pyfftw(w, x, k):
    import pyfftw
    import pyfftw.interfaces.scipy_fft as backend
    import scipy.fft
    import scipy.signal
    pyfftw.interfaces.cache.enable()
    pyfftw.config.NUM_THREADS = cpu_count()

    def call():
        with scipy.fft.set_backend(backend, only=True):
            return scipy.signal.fftconvolve(x, k, w.mode)
    return "scipy.signal.fftconvolve[pyFFTW]", call


def _scipy(w, x, k):
    import scipy.signal
    return "scipy.signal.fftconvolve", lambda: scipy.signal.fftconvolve(x, k, w.mode)


def _cv2(w, x, k):
    if x.ndim == 3:
        raise bench.NotApplicable("cv2.filter2D filters 2-D images")
    return bench.PEERS["cv2.filter2D"].prepare(w, x, k)


CONTENDERS = {
    "sigconv": (None, _sigconv("auto")),
    "sigconv-oa": (None, _sigconv("oa")),
    "sigconv-fft": (None, _sigconv("fft")),
    "cv2": ("cv2", _cv2),
    "ducc0": ("ducc0", _ducc0),
    "pyfftw": ("pyfftw", _pyfftw),
    "scipy": ("scipy", _scipy),
}


@pytest.mark.parametrize("workload_id", WORKLOADS)
@pytest.mark.parametrize("contender", list(CONTENDERS))
def test_large_kernel(measure, prepared, workload_id, contender):
    module, prepare = CONTENDERS[contender]
    if module is not None:
        try:
            importlib.import_module(module)
        except ImportError:
            pytest.skip("%s is not installed" % module)
    w, x, k, reference, scale = prepared(workload_id)
    try:
        label, call = prepare(w, x, k)
    except bench.NotApplicable as exc:
        pytest.skip(str(exc))
    measure(w, label, call, "all cores" if module else "library default", reference, scale)
