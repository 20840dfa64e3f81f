"""sigconv.kernels against scipy.signal.firwin, scipy.ndimage and scikit-image."""
import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as ss

import sigconv
from sigconv import kernels


def _impulse(shape):
    x = np.zeros(shape)
    x[tuple(s // 2 for s in shape)] = 1.0
    return x


@pytest.mark.parametrize("sigma,truncate", [(1.0, 4.0), (2.5, 3.0), ((1.0, 2.0), 4.0),
                                            ((0.7, 1.3, 2.0), 2.5), (0.3, 4.0)])
def test_gaussian_is_ndimage_kernel(sigma, truncate):
    k = kernels.gaussian(sigma, truncate=truncate)
    # gaussian_filter of an impulse is its kernel (symmetric, so no flip)
    ref = ndi.gaussian_filter(_impulse(k.shape), sigma, truncate=truncate, mode="constant")
    assert k.shape == ref.shape
    np.testing.assert_allclose(k, ref, rtol=0, atol=1e-15)


def test_gaussian_filter_equals_ndimage_on_data():
    x = np.random.default_rng(0).standard_normal((20, 30))
    out = sigconv.convolve(x, kernels.gaussian((1.5, 2.0)), mode="same", boundary="symmetric")
    np.testing.assert_allclose(out, ndi.gaussian_filter(x, (1.5, 2.0)), atol=1e-13)


def test_gaussian_options():
    assert kernels.gaussian(1.0, ndim=3, radius=2).shape == (5, 5, 5)
    assert kernels.gaussian(0).tolist() == [1.0]
    with pytest.raises(ValueError, match="sigma"):
        kernels.gaussian(-1)
    with pytest.raises(ValueError, match="values for"):
        kernels.gaussian((1, 2), ndim=3)


def test_box_is_uniform_filter():
    x = np.random.default_rng(1).standard_normal((15, 16))
    out = sigconv.convolve(x, kernels.box(3, ndim=2), mode="same", boundary="symmetric")
    np.testing.assert_allclose(out, ndi.uniform_filter(x, 3), atol=1e-13)
    with pytest.raises(ValueError, match="positive integer"):
        kernels.box(2.5)


@pytest.mark.parametrize("ndim,axis", [(1, 0), (2, 0), (2, 1), (2, -1), (3, 0), (3, 2)])
def test_sobel_is_ndimage_sobel(ndim, axis):
    x = np.random.default_rng(2).standard_normal((7, 8, 9)[:ndim])
    out = sigconv.convolve(x, kernels.sobel(ndim, axis), mode="same", boundary="symmetric")
    np.testing.assert_allclose(out, ndi.sobel(x, axis), atol=1e-12)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_laplace_is_ndimage_laplace(ndim):
    x = np.random.default_rng(3).standard_normal((7, 8, 9)[:ndim])
    out = sigconv.convolve(x, kernels.laplace(ndim), mode="same", boundary="symmetric")
    np.testing.assert_allclose(out, ndi.laplace(x), atol=1e-12)


@pytest.mark.parametrize("axis", [0, 1])
def test_scharr_is_separable_correlation(axis):
    # scipy.ndimage's building blocks: a derivative along axis, [3, 10, 3] across
    x = np.random.default_rng(4).standard_normal((9, 10))
    ref = ndi.correlate1d(x, [-1, 0, 1], axis=axis)
    ref = ndi.correlate1d(ref, [3, 10, 3], axis=1 - axis)
    out = sigconv.convolve(x, kernels.scharr(2, axis), mode="same", boundary="symmetric")
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_scharr_against_skimage():
    filters = pytest.importorskip("skimage.filters")
    x = np.random.default_rng(5).standard_normal((12, 12))
    # skimage scales by 1/16 (the sum of the smoothing weights); interior only
    ours = sigconv.convolve(x, kernels.scharr(2, 0), mode="same", boundary="symmetric") / 16
    np.testing.assert_allclose(ours[1:-1, 1:-1], filters.scharr_h(x)[1:-1, 1:-1], atol=1e-12)


def test_edge_kernel_errors():
    with pytest.raises(ValueError, match="out of range"):
        kernels.sobel(2, axis=2)
    with pytest.raises(ValueError, match="ndim"):
        kernels.laplace(0)


def test_gabor_against_skimage():
    filters = pytest.importorskip("skimage.filters")
    sk_f, sk_theta, sx, sy = 0.15, 0.6, 3.0, 2.0
    ref = np.real(filters.gabor_kernel(sk_f, theta=sk_theta, sigma_x=sx, sigma_y=sy,
                                       offset=0.4))
    ours = kernels.gabor(ref.shape, 2 * np.pi * sk_f, theta=sk_theta, phase=0.4,
                         sigma=(sx, sy), alpha=1 / (2 * np.pi * sx * sy))
    np.testing.assert_allclose(ours, ref, atol=1e-12)


def test_gabor_form_and_quadrature_pair():
    g0 = kernels.gabor((9, 11), 0.8, theta=0.3, beta=(0.05, 0.1), alpha=2.0)
    g1 = kernels.gabor((9, 11), 0.8, theta=0.3, beta=(0.05, 0.1), alpha=2.0,
                       phase=np.pi / 2)
    y, x = np.mgrid[0:9, 0:11] - np.array([4, 5])[:, None, None]
    xr = x * np.cos(0.3) + y * np.sin(0.3)
    yr = -x * np.sin(0.3) + y * np.cos(0.3)
    env = 2.0 * np.exp(-0.05 * xr ** 2 - 0.1 * yr ** 2)
    np.testing.assert_allclose(g0, env * np.cos(0.8 * xr), atol=1e-14)
    np.testing.assert_allclose(g1, -env * np.sin(0.8 * xr), atol=1e-14)
    # quadrature: the squared pair is the squared envelope
    np.testing.assert_allclose(g0 ** 2 + g1 ** 2, env ** 2, atol=1e-13)
    with pytest.raises(ValueError, match="not both"):
        kernels.gabor(5, 1.0, beta=1, sigma=1)


FIRWIN_CASES = [
    ("lowpass", dict(numtaps=31, cutoff=0.3), dict(numtaps=31, cutoff=0.3)),
    ("lowpass", dict(numtaps=64, cutoff=4000, fs=48000), dict(numtaps=64, cutoff=4000, fs=48000)),
    ("lowpass", dict(numtaps=255, cutoff=4000, fs=44100, window="hann"),
     dict(numtaps=255, cutoff=4000, fs=44100, window="hann")),
    ("lowpass", dict(numtaps=51, cutoff=0.2, window=("kaiser", 8.0)),
     dict(numtaps=51, cutoff=0.2, window=("kaiser", 8.0))),
    ("highpass", dict(numtaps=101, cutoff=1000, fs=16000),
     dict(numtaps=101, cutoff=1000, fs=16000, pass_zero=False)),
    ("highpass", dict(numtaps=7, cutoff=0.5), dict(numtaps=7, cutoff=0.5, pass_zero=False)),
    ("bandpass", dict(numtaps=63, low=300, high=3400, fs=16000),
     dict(numtaps=63, cutoff=[300, 3400], fs=16000, pass_zero=False)),
    ("bandpass", dict(numtaps=64, low=0.1, high=0.9, window="blackman"),
     dict(numtaps=64, cutoff=[0.1, 0.9], window="blackman", pass_zero=False)),
]


@pytest.mark.parametrize("name,ours,theirs", FIRWIN_CASES)
def test_fir_design_equals_firwin(name, ours, theirs):
    np.testing.assert_allclose(getattr(kernels, name)(**ours), ss.firwin(**theirs),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call,match", [
    (lambda: kernels.highpass(30, 0.2), "odd"),
    (lambda: kernels.lowpass(31, 1.0), "Nyquist"),
    (lambda: kernels.lowpass(31, 30000, fs=48000), "Nyquist"),
    (lambda: kernels.bandpass(31, 0.5, 0.2), "increase"),
    (lambda: kernels.lowpass(0, 0.2), "numtaps"),
])
def test_fir_design_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("spec,kwargs,expected", [
    ("lowpass:cutoff=4000,numtaps=255", dict(samplerate=48000),
     lambda: ss.firwin(255, 4000, fs=48000)),
    ("lowpass:cutoff=4000", dict(samplerate=48000), lambda: ss.firwin(255, 4000, fs=48000)),
    ("highpass:cutoff=200,numtaps=101,window=hann", dict(samplerate=8000),
     lambda: ss.firwin(101, 200, fs=8000, window="hann", pass_zero=False)),
    ("bandpass:low=300,high=3400,numtaps=63", dict(samplerate=16000),
     lambda: ss.firwin(63, [300, 3400], fs=16000, pass_zero=False)),
    ("gaussian:sigma=2", {}, lambda: kernels.gaussian(2.0)),
    ("gaussian:sigma=2", dict(ndim=2), lambda: kernels.gaussian(2.0, ndim=2)),
    ("gaussian:sigma=1x2,truncate=3", {}, lambda: kernels.gaussian((1, 2), truncate=3)),
    ("sobel:axis=0", dict(ndim=3), lambda: kernels.sobel(3, 0)),
    ("laplace", dict(ndim=1), lambda: np.array([1.0, -2.0, 1.0])),
    ("BOX : size = 5", {}, lambda: np.full(5, 0.2)),
])
def test_spec_parser(spec, kwargs, expected):
    np.testing.assert_allclose(kernels.from_spec(spec, **kwargs), expected(), atol=1e-15)


@pytest.mark.parametrize("spec,match", [
    ("", "NAME"), ("wobble:x=1", "unknown kernel"), ("gaussian:sigma", "KEY=VALUE"),
    ("lowpass:cutoff=100", "sample rate"), ("gaussian:sigma=1,colour=red", "colour"),
])
def test_spec_parser_errors(spec, match):
    with pytest.raises(ValueError, match=match):
        kernels.from_spec(spec)
