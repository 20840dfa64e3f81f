"""method='oa' (blocks by overlap-save): block FFT convolution gives the direct result.

The block length comes from a cost model that keeps small inputs in one
block; most tests therefore force the blocks (``oa.choose_block``) to odd,
short lengths, so that partial last blocks, transforms longer than a block
needs (more good samples than the block keeps) and blocks on several axes
at once are all exercised on small inputs.
"""
import math

import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (ALL_MODES, OPS, assert_close, fft_tolerance, fresh_plans, random_array,
                      shape_mode_params)
from reference import batched, boundary_reference, circular_reference
from sigconv._backends import fft as fft_backend
from sigconv._backends import _lengths
from sigconv._backends import oa
from sigconv._problem import make_problem


def reference(op, x, h, mode, **kw):
    if mode == "circular":
        return circular_reference(op, x, h)
    return boundary_reference(op, x, h, mode, **kw)


def check(got, expected, x, h, *, axes=None, mode="full", fillvalue=0):
    atol = fft_tolerance(np.result_type(x, h), x, h, axes=axes,
                         circular=(mode == "circular"), fillvalue=fillvalue)
    assert_close(got, expected, inputs=(x, h), fillvalue=fillvalue, atol=atol)
    assert got.flags.c_contiguous


@pytest.fixture(params=[(1, 0), (2, 3), (3, 1), (5, 7)], ids=lambda p: "B%d+%d" % p)
def forced_blocks(request, monkeypatch):
    """Blocks of ``B`` samples (at most the axis) in transforms ``extra`` longer than needed."""
    B, extra = request.param
    calls = []

    def choose(n, K, real_last, fft_size, single=False):
        calls.append((n, K))
        b = max(1, min(B, n - 1))
        return b, b + K - 1 + extra

    monkeypatch.setattr(oa, "choose_block", choose)
    fresh_plans(monkeypatch)
    return calls


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3), ALL_MODES))
@pytest.mark.parametrize("op", OPS)
def test_matches_reference(rng, forced_blocks, s1, s2, mode, op):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.complex128)
    check(sigconv.convolve(x, h, mode, method="oa") if op == "convolve" else
          sigconv.correlate(x, h, mode, method="oa"), reference(op, x, h, mode), x, h,
          mode=mode)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex64])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("op", OPS)
def test_dtypes(rng, forced_blocks, dtype, mode, op):
    x = random_array(rng, (17, 9), dtype)
    h = random_array(rng, (4, 3), dtype)
    got = getattr(sigconv, op)(x, h, mode, method="oa")
    assert got.dtype == dtype
    check(got, reference(op, x, h, mode), x, h)


@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "reflect", "edge"])
@pytest.mark.parametrize("op", OPS)
def test_boundaries_and_stride(rng, forced_blocks, boundary, op):
    x = random_array(rng, (19, 8))
    h = random_array(rng, (5, 3))
    got = getattr(sigconv, op)(x, h, "same", method="oa", boundary=boundary,
                               fillvalue=2.5, stride=(2, 3))
    expected = boundary_reference(op, x, h, "same", boundary, 2.5)[::2, ::3]
    check(got, expected, x, h, fillvalue=2.5)


@pytest.mark.parametrize("xshape, hshape, axes", [
    ((4, 30), (1, 7), 1), ((1, 30), (5, 7), 1), ((3, 1, 12, 9), (1, 4, 5, 3), (2, 3)),
    ((25, 3), (4, 3), 0)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_axes_broadcasting(rng, forced_blocks, xshape, hshape, axes, mode):
    x = random_array(rng, xshape)
    h = random_array(rng, hshape, np.complex128)
    got = sigconv.correlate(x, h, mode, method="oa", axes=axes)
    expected = batched(lambda a, b: reference("correlate", a, b, mode), x, h, axes)
    check(got, expected, x, h, axes=axes)


@pytest.mark.parametrize("dtype", [np.int16, np.uint8, np.bool_])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_integers_exact(rng, forced_blocks, dtype, mode):
    x = random_array(rng, (40,), dtype)
    h = random_array(rng, (6,), dtype)
    np.testing.assert_array_equal(sigconv.convolve(x, h, mode, method="oa"),
                                  sigconv.convolve(x, h, mode, method="direct"))


def test_integers_beyond_the_bound_are_rounded(rng):
    # the rule of sigconv._exact: the rounded float64 result (as scipy's
    # method='fft'); 'auto' keeps to the exact direct method
    x = rng.integers(0, 2**30, size=20000, dtype=np.int64)
    h = rng.integers(0, 2**20, size=50, dtype=np.int64)
    assert oa.choose_block(x.size, h.size, True, 2**15) is not None
    got = sigconv.convolve(x, h, method="oa")
    direct = sigconv.convolve(x, h, method="direct")
    assert got.dtype == np.int64
    assert np.abs(got - direct).max() <= 2**20     # far inside the bound (~1e7)
    assert np.array_equal(sigconv.convolve(x, h), direct)


def test_circular_is_the_fft_method(rng):
    x = random_array(rng, (12, 7))
    h = random_array(rng, (30, 2))
    got = sigconv.correlate(x, h, "circular", method="oa")
    np.testing.assert_array_equal(got, sigconv.correlate(x, h, "circular", method="fft"))
    check(got, circular_reference("correlate", x, h), x, h, mode="circular")


# ------------------------------------------------- the block-length model


def _smooth(n, primes=(2, 3, 5)):
    for p in primes:
        while n % p == 0:
            n //= p
    return n == 1


@pytest.mark.parametrize("n, K", [(100000, 31), (2**20, 63), (2**20, 8191), (4096, 16),
                                  (30000, 101), (2**18, 255)])
def test_block_choice_long_signal_short_kernel(n, K):
    # bounds that do not come from the cost model: the block transform holds a
    # block and the kernel's overlap, is a fast length, is short next to the
    # whole axis but a few kernels long, and the blocks' butterflies
    # (P log2 P each) are fewer than those of one transform of the whole axis
    from scipy.fft import next_fast_len
    whole = next_fast_len(n + K - 1, True)
    B, P = oa.choose_block(n, K, True, whole)
    assert B == P - K + 1 and B < n
    assert _smooth(P) and 2 * K <= P <= 64 * K and P < whole
    blocks = -(-n // B)
    assert blocks >= 2
    assert blocks * P * math.log2(P) < whole * math.log2(whole)


@pytest.mark.parametrize("n, K", [(300, 200), (50, 50), (480000, 96000), (10, 40)])
def test_one_block_when_the_kernel_is_comparable(n, K):
    from scipy.fft import next_fast_len
    assert oa.choose_block(n, K, True, next_fast_len(n + K - 1, True)) is None


@pytest.mark.parametrize("shape, kshape", [((30000,), (101,)), ((300, 256), (9, 7))])
def test_natural_blocks_match(rng, shape, kshape):
    # the model's own choice (several blocks here), against scipy
    x = random_array(rng, shape)
    h = random_array(rng, kshape)
    plans = fft_backend.linear_axes(make_problem(x, h, op="convolve", mode="same")[0])
    whole = _lengths.fast_lengths([p.size for p in plans], True)
    assert any(oa.choose_block(p.length, p.K, i == len(plans) - 1, whole[i]) is not None
               for i, p in enumerate(plans))
    got = sigconv.convolve(x, h, "same", method="oa")
    check(got, scipy.signal.oaconvolve(x, h, "same"), x, h)
    check(got, scipy.signal.convolve(x, h, "same", method="direct"), x, h)
