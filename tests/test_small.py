"""The short path of small 1-D calls gives the general path's results and errors."""
import numpy as np
import pytest

import sigconv
from sigconv import _small


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, k", [(4096, 16), (100, 7), (64, 8), (33, 4), (16, 16),
                                  (10, 30)])
def test_equals_general_path_and_numpy(rng, op, mode, dtype, n, k):
    x = rng.standard_normal(n).astype(dtype)
    h = rng.standard_normal(k).astype(dtype)
    got = getattr(sigconv, op)(x, h, mode)
    # axes=0 is the same call through the general path
    general = getattr(sigconv, op)(x, h, mode, axes=0)
    assert got.dtype == general.dtype == dtype
    np.testing.assert_array_equal(got, general)
    if k > n:
        return       # numpy's 'same' and 'valid' differ from scipy's there
    ref = getattr(np, op)(x.astype(np.float64), h.astype(np.float64), mode)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * np.abs(ref).max())


def test_the_short_path_is_taken(rng):
    _small._TABLE.clear()
    x, h = rng.standard_normal(4096), rng.standard_normal(16)
    sigconv.convolve(x, h)
    assert _small._TABLE[("convolve", "full", 4096, 16, "d")] == (-15, 4111)
    # a long kernel (the line is padded first) and a swap take the general path
    sigconv.convolve(x[:100], h, "same")
    assert _small._TABLE[("convolve", "same", 100, 16, "d")] is None
    sigconv.convolve(h, x, "valid")
    assert _small._TABLE[("convolve", "valid", 16, 4096, "d")] is None


def test_strided_read_only_and_untouched(rng):
    x = rng.standard_normal(800)[::-2]
    h = rng.standard_normal(9)[::3]
    x.flags.writeable = False
    x0 = x.copy()
    np.testing.assert_array_equal(sigconv.convolve(x, h), sigconv.convolve(x, h, axes=0))
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_kernel_keeps_the_general_rule(rng, bad):
    x = rng.standard_normal(500)
    h = rng.standard_normal(9)
    h[4] = bad
    np.testing.assert_array_equal(sigconv.convolve(x, h), sigconv.convolve(x, h, axes=0))
    # a NaN in the signal stays in the outputs whose sums hold it
    x[100] = np.nan
    g = np.ones(9)
    got = sigconv.convolve(x, g)
    np.testing.assert_array_equal(got, sigconv.convolve(x, g, axes=0))
    assert np.isnan(got).sum() == 9


def test_errors_are_the_general_paths():
    with pytest.raises(ValueError, match="mode"):
        sigconv.convolve(np.ones(10), np.ones(3), "bogus")
    with pytest.raises(ValueError, match="empty"):
        sigconv.convolve(np.ones(0), np.ones(3))
    with pytest.raises(ValueError, match="method"):
        sigconv.convolve(np.ones(10), np.ones(3), method="bogus")
    with pytest.raises(ValueError, match="at least as large"):
        sigconv.convolve(np.ones((3, 5)), np.ones((4, 4)), "valid")
