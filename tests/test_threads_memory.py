"""Threads and memory: the same bits for any thread count, no growth, no races."""
import gc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import sigconv

rng = np.random.default_rng(1234)


def _arr(shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


X2 = _arr((96, 130), np.float64)
K2 = _arr((5, 7), np.float64)
X3 = _arr((20, 24, 36), np.float32)
K3 = _arr((3, 3, 3), np.float32)
P = _arr((3, 64, 80), np.float32)
T = _arr((9, 9), np.float32)
L = _arr((4, 3000), np.float64)
I = rng.integers(-100, 100, (3, 64, 80)).astype(np.int16)

# one call per kernel family, parametrised by ``workers``
CALLS = {
    "direct-2d": lambda w: sigconv.convolve(X2, K2, "same", method="direct", workers=w),
    "direct-3d-wrap": lambda w: sigconv.correlate(X3, K3, "same", method="direct",
                                                  boundary="wrap", workers=w),
    "direct-stride": lambda w: sigconv.convolve(X2, K2, "valid", method="direct", stride=2,
                                                workers=w),
    "toeplitz": lambda w: sigconv.convolve(X2, K2, "full", method="toeplitz", workers=w),
    "toeplitz-f32": lambda w: sigconv.convolve(X3, K3, "same", method="toeplitz", workers=w),
    "fft": lambda w: sigconv.convolve(X2, K2, "full", method="fft", workers=w),
    "oa": lambda w: sigconv.convolve(L, L[:1, :40], "same", method="oa", axes=-1, workers=w),
    "max-pool": lambda w: sigconv.max_pool(P, 3, stride=1, axes=(-2, -1), workers=w),
    "max-pool-int": lambda w: sigconv.max_pool(I, (5, 3), stride=2, axes=(-2, -1), workers=w),
    "avg-pool": lambda w: sigconv.pool(P, 9, "avg", stride=1, axes=(-2, -1), workers=w),
    "sum-pool-3d": lambda w: sigconv.pool(P, (2, 7, 7), "sum", stride=1, workers=w),
    "argmax-pool": lambda w: sigconv.max_pool(P, 2, axes=(-2, -1), return_indices=True,
                                              workers=w),
    "normalized": lambda w: sigconv.normalized_correlate(P[0], T, workers=w),
    "normalized-3d": lambda w: sigconv.normalized_correlate(X3, K3, workers=w),
    "autocorrelate": lambda w: sigconv.autocorrelate(L, maxlag=300, method="direct", axes=-1,
                                                     workers=w),
}


def _bits(result):
    if isinstance(result, tuple):
        return tuple(_bits(r) for r in result)
    if hasattr(result, "toarray"):
        result = result.toarray()
    a = np.asarray(result)
    return a.dtype.str, a.shape, a.tobytes()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_bitwise_equal_for_any_worker_count(name):
    call = CALLS[name]
    serial = _bits(call(1))
    for workers in (2, 3, 4, -1, None):
        assert _bits(call(workers)) == serial, "workers=%r" % (workers,)


def test_eight_python_threads_give_the_serial_results():
    names = sorted(CALLS)
    expected = {name: _bits(CALLS[name](1)) for name in names}
    jobs = [names[i % len(names)] for i in range(4 * len(names))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda name: (name, _bits(CALLS[name](None))), jobs))
    assert len(got) == len(jobs)
    for name, bits in got:
        assert bits == expected[name], name


def _rss_bytes():
    psutil = pytest.importorskip("psutil")
    return psutil.Process().memory_info().rss


def test_rss_flat_over_many_small_calls():
    small = [
        lambda: sigconv.convolve(X2[:16, :16], K2, "same", method="direct"),
        lambda: sigconv.convolve(X2[:16, :20], K2[:3, :3], "full", method="toeplitz"),
        lambda: sigconv.convolve(X2[:16, :16], K2, "full", method="fft"),
        lambda: sigconv.max_pool(P[:, :16, :16], 2, axes=(-2, -1)),
        lambda: sigconv.pool(I[:, :16, :16], 3, "sum", stride=1, axes=(-2, -1)),
        lambda: sigconv.normalized_correlate(P[0, :16, :16], T[:4, :4]),
        lambda: sigconv.autocorrelate(L[0, :64], maxlag=10),
    ]
    for i in range(500):                       # warm caches and plans
        small[i % len(small)]()
    gc.collect()
    before = _rss_bytes()
    for i in range(10_000):
        small[i % len(small)]()
    gc.collect()
    grown = _rss_bytes() - before
    # a leak of one small buffer per call would be megabytes
    assert grown < 4 * 2**20, "RSS grew by %.1f MiB" % (grown / 2**20)
