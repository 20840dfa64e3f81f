"""Autocorrelation and template matching beyond the workload table.

The standard cases (C1, C1-maxlag, T1) run through the workload table in
``test_methods.py`` and ``test_peers.py``; this file adds the shapes around
them, each a benchmark group with sigconv and its peers side by side:

* ``autocorr-2d``: full 2-D autocorrelation of a 1024x1024 float64 image;
* ``autocorr-maxlag-<m>``: lags -m..m of 2**20 float64 samples, by each
  method (where the direct method stops paying off);
* ``match-3d``: a 16^3 template in a 128^3 float32 volume;
* ``match-small``: an 8x8 template in a 2048x2048 float32 image (the
  numerator by the direct method).

Every contender's result is checked before it is timed.
"""
import numpy as np
import pytest

pytest.importorskip("pytest_benchmark")

import scipy.signal  # noqa: E402

import sigconv  # noqa: E402


def _run(benchmark, group, name, call, check):
    benchmark.group = group
    benchmark.name = name
    check(call())
    from sigconv._ext._buildinfo import build_info
    benchmark.extra_info.update(openmp=build_info()["openmp"])
    benchmark.pedantic(call, rounds=5, iterations=1, warmup_rounds=1)


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(0).standard_normal((1024, 1024))


@pytest.fixture(scope="module")
def image_reference(image):
    return scipy.signal.fftconvolve(image, image[::-1, ::-1])


@pytest.mark.parametrize("who", ["sigconv.autocorrelate", "scipy.signal.correlate",
                                 "scipy.signal.fftconvolve"])
def test_autocorr_2d(benchmark, image, image_reference, who):
    x = image
    call = {"sigconv.autocorrelate": lambda: sigconv.autocorrelate(x),
            "scipy.signal.correlate": lambda: scipy.signal.correlate(x, x),
            "scipy.signal.fftconvolve":
                lambda: scipy.signal.fftconvolve(x, x[::-1, ::-1])}[who]

    def check(r):
        np.testing.assert_allclose(r, image_reference, atol=1e-9 * np.abs(x).sum())
    _run(benchmark, "autocorr-2d", who, call, check)


@pytest.fixture(scope="module")
def signal():
    return np.random.default_rng(0).standard_normal(2**20)


@pytest.mark.parametrize("m", [10, 100, 1000, 10000])
@pytest.mark.parametrize("method", ["direct", "fft", "auto"])
def test_autocorr_maxlag(benchmark, signal, m, method):
    x = signal
    n = x.size
    ref = np.array([np.dot(x[lag:], x[:n - lag]) for lag in (0, 1, m)])

    def check(r):
        got = r[[m, m + 1, 2 * m]]
        np.testing.assert_allclose(got, ref, atol=1e-9 * np.abs(x).sum())
    _run(benchmark, "autocorr-maxlag-%d" % m, "sigconv.autocorrelate[%s]" % method,
         lambda: sigconv.autocorrelate(x, maxlag=m, method=method), check)


def _match_case(shape, tshape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape, dtype=np.float32)
    cut = tuple(slice(n // 3, n // 3 + k) for n, k in zip(shape, tshape))
    t = x[cut] + rng.standard_normal(tshape, dtype=np.float32)
    return x, t


MATCH = {"match-3d": ((128, 128, 128), (16, 16, 16)),
         "match-small": ((2048, 2048), (8, 8))}


@pytest.mark.parametrize("group", list(MATCH))
@pytest.mark.parametrize("who", ["sigconv.normalized_correlate",
                                 "skimage.feature.match_template",
                                 "cv2.matchTemplate(TM_CCOEFF_NORMED)"])
def test_match(benchmark, group, who):
    x, t = _match_case(*MATCH[group])
    if who.startswith("skimage"):
        feature = pytest.importorskip("skimage.feature")
        call = lambda: feature.match_template(x, t)  # noqa: E731
    elif who.startswith("cv2"):
        cv2 = pytest.importorskip("cv2")
        if x.ndim != 2:
            pytest.skip("cv2.matchTemplate is 2-D")
        call = lambda: cv2.matchTemplate(x, t, cv2.TM_CCOEFF_NORMED)  # noqa: E731
    else:
        call = lambda: sigconv.normalized_correlate(x, t)  # noqa: E731
    where = tuple(n // 3 for n in x.shape)

    def check(r):
        assert np.unravel_index(np.argmax(r), r.shape) == where
        assert np.all(np.abs(r) <= 1 + 1e-5)
    _run(benchmark, group, who, call, check)
