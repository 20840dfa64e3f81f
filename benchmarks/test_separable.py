"""Separable kernels and the small-call path, each group with its peers.

* ``S1``: a 2048x2048 float32 image, 15x15 Gaussian (sigma 3), ``same``
  with a zero fill: ``sigconv.convolve`` (``auto`` finds the kernel
  separable), ``cv2.filter2D`` (the whole kernel), ``cv2.sepFilter2D``
  (given the true 1-D factors), ``scipy.ndimage.convolve``;
* ``S2``: a 256^3 float32 volume, 9^3 Gaussian (sigma 1.5): ``sigconv``
  against three ``scipy.ndimage.convolve1d`` passes;
* ``A5``: 4096 float64 samples, 16 taps, ``full``: ``sigconv.convolve``
  against ``numpy.convolve``.

Every contender's result is checked against a float64 reference before it
is timed. OpenCV is optional (its contenders are skipped when absent).
Run: ``PYTHONPATH=. pytest benchmarks/test_separable.py --benchmark-only
--benchmark-group-by=group``.
"""
import numpy as np
import pytest

pytest.importorskip("pytest_benchmark")

import scipy.ndimage  # noqa: E402

import sigconv  # noqa: E402


def gaussian(n, sigma, dtype=np.float32):
    k = np.arange(n) - (n - 1) / 2
    g = np.exp(-k**2 / (2 * sigma**2))
    return (g / g.sum()).astype(dtype)


def _run(benchmark, group, name, call, check, rounds=7):
    benchmark.group = group
    benchmark.name = name
    check(call())
    from sigconv._ext._buildinfo import build_info
    benchmark.extra_info.update(openmp=build_info()["openmp"])
    benchmark.pedantic(call, rounds=rounds, iterations=1, warmup_rounds=1)


# ------------------------------------------------------------------- S1

@pytest.fixture(scope="module")
def s1():
    x = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    g = gaussian(15, 3.0)
    G = np.outer(g, g)
    ref = x.astype(np.float64)
    for axis in (0, 1):
        ref = scipy.ndimage.convolve1d(ref, g.astype(np.float64), axis, mode="constant")
    return x, g, G, ref


S1_PEERS = ["sigconv.convolve", "cv2.filter2D", "cv2.sepFilter2D", "scipy.ndimage.convolve"]


@pytest.mark.parametrize("who", S1_PEERS)
def test_s1(benchmark, s1, who):
    x, g, G, ref = s1
    if who.startswith("cv2"):
        cv2 = pytest.importorskip("cv2")
        # kernels are symmetric: cv2's correlation is the convolution
        call = {"cv2.filter2D": lambda: cv2.filter2D(x, -1, G,
                                                     borderType=cv2.BORDER_CONSTANT),
                "cv2.sepFilter2D": lambda: cv2.sepFilter2D(
                    x, -1, g, g, borderType=cv2.BORDER_CONSTANT)}[who]
    elif who == "sigconv.convolve":
        call = lambda: sigconv.convolve(x, G, "same")  # noqa: E731
    else:
        call = lambda: scipy.ndimage.convolve(x, G, mode="constant")  # noqa: E731

    def check(r):
        np.testing.assert_allclose(r, ref, atol=1e-5)
    _run(benchmark, "S1", who, call, check, rounds=3 if who.startswith("scipy") else 9)


# ------------------------------------------------------------------- S2

@pytest.fixture(scope="module")
def s2():
    v = np.random.default_rng(0).standard_normal((256, 256, 256)).astype(np.float32)
    g = gaussian(9, 1.5)
    G = np.multiply.outer(np.outer(g, g), g)
    return v, g, G


def _passes(v, g):
    y = scipy.ndimage.convolve1d(v, g, 0, mode="constant")
    y = scipy.ndimage.convolve1d(y, g, 1, mode="constant")
    return scipy.ndimage.convolve1d(y, g, 2, mode="constant")


@pytest.mark.parametrize("who", ["sigconv.convolve", "scipy.ndimage.convolve1d x3"])
def test_s2(benchmark, s2, who):
    v, g, G = s2
    if who == "sigconv.convolve":
        call = lambda: sigconv.convolve(v, G, "same")  # noqa: E731
    else:
        call = lambda: _passes(v, g)  # noqa: E731
    ref = _passes(v.astype(np.float64), g.astype(np.float64))

    def check(r):
        np.testing.assert_allclose(r, ref, atol=1e-5)
    _run(benchmark, "S2", who, call, check, rounds=5)


# ------------------------------------------------------------------- A5

@pytest.mark.parametrize("who", ["sigconv.convolve", "numpy.convolve"])
def test_a5(benchmark, who):
    rng = np.random.default_rng(0)
    x, h = rng.standard_normal(4096), rng.standard_normal(16)
    ref = np.convolve(x, h)
    call = {"sigconv.convolve": lambda: sigconv.convolve(x, h),
            "numpy.convolve": lambda: np.convolve(x, h)}[who]
    benchmark.group = "A5"
    benchmark.name = who
    np.testing.assert_allclose(call(), ref, atol=1e-12 * np.abs(ref).max())
    benchmark(call)
