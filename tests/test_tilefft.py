"""sigconv's own tile transforms (sigconv._ext._tilefft) against numpy's FFT.

The pair kernels compute the cyclic convolution of two real tiles at once
(the real and imaginary parts of one complex tile) with a kernel whose
spectrum the same module made; the reference is numpy.fft's cyclic
convolution of each tile in float64. Tolerances are a small multiple of the
dtype's epsilon times log2 of the length, relative to the result's peak:
they hold whatever the vector width or fused multiply-add use.
"""
import numpy as np
import pytest

from sigconv._ext import _tilefft as T

DTYPES = [np.float64, np.float32]


def cyclic(a, k):
    axes = tuple(range(a.ndim))
    return np.real(np.fft.ifftn(np.fft.fftn(a) * np.fft.fftn(k, a.shape, axes=axes)))


def tol(dtype, n):
    return 8 * np.finfo(dtype).eps * max(np.log2(n), 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n0, n1", [(16, 1), (16, 4), (16, 16), (32, 128), (64, 16),
                                    (128, 512), (256, 256), (512, 32)])
@pytest.mark.parametrize("keep", ["all", "inner"])
def test_pair2d(rng, dtype, n0, n1, keep):
    wr, wi = T.twiddles(max(n0, n1), dtype)
    W = T.plane_width(n1)
    k = rng.standard_normal((min(5, n0), min(7, n1)))
    kr = np.zeros((n0, W), dtype)
    kr[:k.shape[0], :k.shape[1]] = k
    ki = np.zeros_like(kr)
    hre, him = np.empty(n0 * n1, dtype), np.empty(n0 * n1, dtype)
    buf = np.empty((2, n1 * T.ALIGN), dtype)
    # the columns beyond the kernel are known zero: their transforms skipped
    nz1 = k.shape[1]
    T.spectrum2d(kr, ki, n1, hre, him, wr, wi, buf[0], buf[1], 1.0 / (n0 * n1), nz1)
    a, b = rng.standard_normal((2, n0, n1))
    # the padding columns hold NaN: they must not reach the result
    re = np.full((n0, W), np.nan, dtype)
    im = np.full((n0, W), np.nan, dtype)
    re[:, :n1], im[:, :n1] = a, b
    j0, j1 = (1, n1 - 1) if keep == "inner" and n1 > 2 else (0, n1)
    T.pair2d(re, im, n1, hre, him, wr, wi, buf[0], buf[1], j0, j1)
    ra, rb = cyclic(a, k), cyclic(b, k)
    scale = max(np.abs(ra).max(), np.abs(rb).max())
    t = tol(dtype, n0 * n1) * scale
    np.testing.assert_allclose(re[:, j0:j1], ra[:, j0:j1], rtol=0, atol=t)
    np.testing.assert_allclose(im[:, j0:j1], rb[:, j0:j1], rtol=0, atol=t)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n0, n1", [(16, 16), (32, 64), (64, 32), (256, 128), (16, 256)])
def test_pair1d_four_step(rng, dtype, n0, n1):
    N = n0 * n1
    wr, wi = T.twiddles(max(n0, n1), dtype)
    tr, ti = T.four_step_twiddles(n0, n1, dtype)
    k = rng.standard_normal(min(N, 37))
    kr = np.zeros((n0, n1), dtype)
    kr.reshape(-1)[:k.size] = k
    ki = np.zeros_like(kr)
    hre, him = np.empty(N, dtype), np.empty(N, dtype)
    buf = np.empty((2, n1 * T.ALIGN), dtype)
    T.spectrum1d(kr, ki, hre, him, wr, wi, tr, ti, buf[0], buf[1], 1.0 / N)
    a, b = rng.standard_normal((2, N))
    re = a.astype(dtype).reshape(n0, n1)
    im = b.astype(dtype).reshape(n0, n1)
    T.pair1d(re, im, hre, him, wr, wi, tr, ti, buf[0], buf[1])
    ra, rb = cyclic(a, k), cyclic(b, k)
    t = tol(dtype, N) * max(np.abs(ra).max(), np.abs(rb).max())
    np.testing.assert_allclose(re.reshape(-1), ra, rtol=0, atol=t)
    np.testing.assert_allclose(im.reshape(-1), rb, rtol=0, atol=t)


def test_bad_shapes_are_refused():
    wr, wi = T.twiddles(16, np.float64)
    buf = np.empty(16 * T.ALIGN)
    h = np.zeros(16 * 16)
    with pytest.raises(ValueError):        # rows not a multiple of the chunk
        T.pair2d(np.zeros((8, 16)), np.zeros((8, 16)), 16, h, h, wr, wi, buf, buf, 0, 16)
    with pytest.raises(ValueError):        # not a power of two
        T.pair2d(np.zeros((16, 16)), np.zeros((16, 16)), 12, h, h, wr, wi, buf, buf, 0, 12)
    with pytest.raises(ValueError):        # kept columns outside the tile
        T.pair2d(np.zeros((16, 16)), np.zeros((16, 16)), 16, h, h, wr, wi, buf, buf, 0, 17)
    tr, ti = T.four_step_twiddles(16, 2, np.float64)
    with pytest.raises(ValueError):        # 1-D rows shorter than a chunk
        T.pair1d(np.zeros((16, 2)), np.zeros((16, 2)), h, h, wr, wi, tr, ti, buf, buf)


def _run_pairs_args(dtype=np.float64):
    """A valid call of run_pairs: a 56 x 56 signal, 2 x 2 tiles of 32 x 32
    (24 outputs each, kernel 9 x 9), the first tile of each axis at the
    edge (an index map), the second inside the signal."""
    n = 32
    wr, wi = T.twiddles(n, dtype)
    x = np.ones((1, 56, 56), dtype)
    out = np.zeros((1, 48, 48), dtype)
    H = np.zeros((1, n * n), dtype)
    first = np.arange(-8, 24, dtype=np.intp)
    maps = np.where(first < 0, -2, first).astype(np.intp)     # zero padding before
    src = np.array([-1, 16], np.intp)                         # map at 0; inside from 16
    w = np.array([[8, 0, 24, 1], [8, 24, 24, 1]], np.intp)
    none = np.empty(0, dtype)
    return [x, out, np.zeros(1, np.intp), np.zeros(1, np.intp), H, H, src, maps, src, maps,
            w, w, wr, wi, none, none, n, n, 0.0, 1]


def test_run_pairs_sources():
    args = _run_pairs_args()
    assert T.run_pairs(*args) is True
    np.testing.assert_array_equal(args[1], 0)      # a zero kernel: zeros everywhere
    bad = []
    for i, value in [(6, np.array([-1, 25], np.intp)),        # reaches past the signal
                     (6, np.array([-2, 16], np.intp)),        # map shorter than the tile
                     (6, np.array([-1], np.intp)),            # one source per tile
                     (7, np.full(32, 56, np.intp)),           # index outside the signal
                     (7, np.full(32, -3, np.intp))]:          # not a code
        broken = list(args)
        broken[i] = value
        bad.append(broken)
    for broken in bad:
        with pytest.raises(ValueError, match="run_pairs"):
            T.run_pairs(*broken)


def test_run_pairs_check_finite(rng):
    args = _run_pairs_args()
    x = args[0]
    x[0, 20, 30] = np.nan          # read by the inside tiles
    assert T.run_pairs(*args[:-1], 1, True) is False
    x[0, 20, 30] = 1.0
    x[0, 3, 5] = np.inf            # read through the edge maps
    assert T.run_pairs(*args[:-1], 1, True) is False
    assert T.run_pairs(*args[:-1], 1, False) is True


def test_run_pairs_scratch(rng):
    # work memory handed in (contents undefined: filled with NaN here) gives
    # the same bits as memory allocated by the call; too little is an error
    args = _run_pairs_args()
    n = args[16]
    args[4] = args[5] = rng.standard_normal((1, n * n))
    args[0] = rng.standard_normal(args[0].shape)
    T.run_pairs(*args)
    expected = args[1].copy()
    size = T.pair_scratch(n, n, False, 1)
    args[1][...] = 0
    assert T.run_pairs(*args, False, np.full(size, np.nan)) is True
    np.testing.assert_array_equal(args[1], expected)
    with pytest.raises(ValueError, match="scratch too small"):
        T.run_pairs(*args, False, np.empty(size - 1))


def test_scratch_pool():
    from sigconv._backends import _scratch
    _scratch.clear()
    a = _scratch.take(1000, np.float64)
    b = _scratch.take(1000, np.float64)
    assert a.shape == (1000,) and a.dtype == np.float64 and not np.shares_memory(a, b)
    _scratch.give(a)
    assert _scratch.take(1000, np.float32) is not a       # another dtype: not lent
    assert _scratch.take(1000, np.float64) is a           # the same key: the kept one
    assert _scratch.take(1000, np.float64) is not a       # lent once at a time
    # at most KEEP_BYTES are kept, the least recently given back going first
    big = _scratch.KEEP_BYTES // 8 // 2
    c, d, e = (_scratch.take(big, np.float64) for _ in range(3))
    _scratch.give(c, d, e)
    assert _scratch._kept_bytes <= _scratch.KEEP_BYTES
    kept = [_scratch.take(big, np.float64) for _ in range(2)]
    assert not any(k is c for k in kept) and any(k is e for k in kept)
    _scratch.clear()
    assert _scratch._kept_bytes == 0
