"""sigconv.correlate and correlation_lags against scipy.signal and the references."""
import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (assert_close, random_array, shape_mode_params, shape_pair_params,
                      shape_str)
from reference import boundary_reference, circular_fft_reference, circular_reference


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params())
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize("method", ["auto", "direct"])
def test_matches_scipy(rng, s1, s2, mode, dtype, method):
    # includes 'valid' with in2 larger (scipy swaps, then reverses and conjugates)
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    expected = scipy.signal.correlate(x, h, mode=mode, method="direct")
    got = sigconv.correlate(x, h, mode=mode, method=method)
    assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3)))
@pytest.mark.parametrize("dt1, dt2", [(np.float64, np.complex128), (np.complex128, np.float64),
                                      (np.complex64, np.float32)])
def test_mixed_real_complex(rng, s1, s2, mode, dt1, dt2):
    x = random_array(rng, s1, dt1)
    h = random_array(rng, s2, dt2)
    assert_close(sigconv.correlate(x, h, mode=mode),
                 boundary_reference("correlate", x, h, mode), inputs=(x, h))
    # scipy agrees for the real/complex mixes it supports
    assert_close(sigconv.correlate(x, h, mode=mode),
                 scipy.signal.correlate(x.astype(np.result_type(x, h)),
                                        h.astype(np.result_type(x, h)), mode=mode,
                                        method="direct"), inputs=(x, h))


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3), modes=("full",)))
def test_full_equals_convolve_with_conjugate_flip(rng, s1, s2, mode):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.complex128)
    flipped = np.conj(h[(slice(None, None, -1),) * h.ndim])
    assert_close(sigconv.correlate(x, h, mode=mode), sigconv.convolve(x, flipped, mode=mode),
                 inputs=(x, h))


@pytest.mark.parametrize("s1, s2", shape_pair_params((1, 2, 3)))
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int32])
def test_circular_matches_modular_sum(rng, s1, s2, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    got = sigconv.correlate(x, h, mode="circular")
    assert got.shape == x.shape
    assert_close(got, circular_reference("correlate", x, h), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((8,), (3,)), ((9,), (9,)), ((6, 5), (3, 5)),
                                    ((4, 6, 5), (2, 3, 3)), ((3, 2, 4, 3), (2, 2, 3, 3))], ids=shape_str)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_circular_matches_fft(rng, s1, s2, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    assert_close(sigconv.correlate(x, h, mode="circular"),
                 circular_fft_reference("correlate", x, h), inputs=(x, h), factor=16)


def test_circular_is_cyclic_lag():
    # correlating with a unit impulse at k gives the input advanced by k
    x = np.arange(1.0, 8.0)
    for k in range(9):
        h = np.zeros(k + 1)
        h[k] = 1.0
        assert np.array_equal(sigconv.correlate(x, h, mode="circular"), np.roll(x, -k))


@pytest.mark.parametrize("n", [1, 5, 64, 67, 300])
@pytest.mark.parametrize("shift", [0, 1, 17])
def test_autocorrelation_peak_at_zero_lag(rng, n, shift):
    x = random_array(rng, (n,))
    full = sigconv.correlate(x, x)
    lags = sigconv.correlation_lags(n, n)
    assert lags[np.argmax(full)] == 0
    assert_close(full, full[::-1], inputs=(x, x))   # symmetric for real data
    circ = sigconv.correlate(x, np.roll(x, shift % n), mode="circular")
    assert np.argmax(circ) == (-shift) % n


# ---------------------------------------------------------------- golden cases
# z[n] = sum_k x[n + k] conj(h[k]); in 'full', output n is lag n - (K - 1).

GOLDEN = [
    # x = [1, 2, 3], h = [0, 1, 0.5]: lag -2: x0 h2 = .5; lag -1: x0 h1 + x1 h2 = 2;
    # lag 0: 0 + 2 + 1.5 = 3.5; lag 1: x1 h0 + x2 h1 = 3; lag 2: x2 h0 = 0
    ([1, 2, 3], [0, 1, 0.5], "full", [0.5, 2, 3.5, 3, 0]),
    ([1, 2, 3], [0, 1, 0.5], "same", [2, 3.5, 3]),
    ([1, 2, 3], [0, 1, 0.5], "valid", [3.5]),
    # x = [1, 2, 3], h = [1, 10, 100]: lag -2: 100; lag -1: 10 + 200; lag 0: 1 + 20 + 300;
    # lag 1: 2 + 30; lag 2: 3
    ([1, 2, 3], [1, 10, 100], "full", [100, 210, 321, 32, 3]),
    ([1, 2, 3], [1, 10, 100], "same", [210, 321, 32]),
    # even K = 2: same keeps full[(K - 1) // 2 = 0:][:N]; x = [1,2,3,4], h = [1, 2]:
    # full = [2, 1 + 4, 2 + 6, 3 + 8, 4] = [2, 5, 8, 11, 4]
    ([1, 2, 3, 4], [1, 2], "full", [2, 5, 8, 11, 4]),
    ([1, 2, 3, 4], [1, 2], "same", [2, 5, 8, 11]),
    ([1, 2, 3, 4], [1, 2], "valid", [5, 8, 11]),
    # circular: z[n] = x[n] + 2 x[(n + 1) mod 4] = [1+4, 2+6, 3+8, 4+2]
    ([1, 2, 3, 4], [1, 2], "circular", [5, 8, 11, 6]),
    # circular, K = 5 > N = 3: z[n] = x[n] + x[(n + 4) mod 3] = x[n] + x[(n + 1) mod 3]
    ([1, 2, 3], [1, 0, 0, 0, 1], "circular", [3, 5, 4]),
    # valid with in2 larger: reversed conjugate of correlate(in2, in1):
    # correlate([1, 2, 3, 4], [1, 2], 'valid') = [5, 8, 11] -> reversed [11, 8, 5]
    ([1, 2], [1, 2, 3, 4], "valid", [11, 8, 5]),
    # complex: conj of the second input; 1j * conj(1j) = 1
    ([1j], [1j], "full", [1 + 0j]),
    # x = [1, 1j], h = [1j]: [1 * -1j, 1j * -1j] = [-1j, 1]
    ([1, 1j], [1j], "full", [-1j, 1]),
    # complex valid swap: correlate([1j], [1, 2]) is conj(correlate([1, 2], [1j]))[::-1]
    #   correlate([1, 2], [1j], 'valid') = [-1j, -2j] -> reversed, conjugated: [2j, 1j]
    ([1j], [1, 2], "valid", [2j, 1j]),
    # 2-D: [[1, 2], [3, 4]] against [[1, 0], [0, 1]] (diagonal): valid = 1 + 4
    ([[1, 2], [3, 4]], [[1, 0], [0, 1]], "valid", [[5]]),
    ([[1, 2], [3, 4]], [[1, 0], [0, 1]], "full", [[1, 2, 0], [3, 5, 2], [0, 3, 4]]),
]


@pytest.mark.parametrize("x, h, mode, expected", GOLDEN)
def test_golden(x, h, mode, expected):
    x, h = np.array(x), np.array(h)
    got = sigconv.correlate(x, h, mode=mode)
    assert got.dtype == np.result_type(x, h)
    assert np.array_equal(got, np.array(expected, dtype=got.dtype))


@pytest.mark.parametrize("n, k", [(5003, 63), (2111, 64)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_medium_1d(rng, n, k, dtype):
    x = random_array(rng, (n,), dtype)
    h = random_array(rng, (k,), dtype)
    for mode in ("full", "same", "valid"):
        got = sigconv.correlate(x, h, mode=mode, workers=2)
        assert_close(got, boundary_reference("correlate", x, h, mode), inputs=(x, h))
    got = sigconv.correlate(h, x, mode="valid")   # swapped
    assert_close(got, boundary_reference("correlate", h, x, "valid"), inputs=(h, x))


# ------------------------------------------------------------- correlation_lags

LAG_SIZES = [(n1, n2) for n1 in (1, 2, 3, 4, 5, 8, 11) for n2 in (1, 2, 3, 4, 7, 10, 12)]


@pytest.mark.parametrize("lag_mode", ["full", "same", "valid"])
def test_lags_match_scipy(lag_mode):
    for n1, n2 in LAG_SIZES + [(100, 37), (37, 100), (64, 64), (1000, 1)]:
        got = sigconv.correlation_lags(n1, n2, mode=lag_mode)
        expected = scipy.signal.correlation_lags(n1, n2, mode=lag_mode)
        assert np.array_equal(got, expected), (n1, n2, lag_mode, got, expected)
        assert got.dtype.kind == "i"


def test_lags_default_mode_is_full():
    assert np.array_equal(sigconv.correlation_lags(4, 3), np.arange(-2, 4))
    assert np.array_equal(sigconv.correlation_lags(4, 3), scipy.signal.correlation_lags(4, 3))


def test_lags_golden():
    # full: -(n2 - 1) .. n1 - 1; valid: 0 .. n1 - n2, or n1 - n2 .. 0 if n2 > n1
    assert sigconv.correlation_lags(3, 2).tolist() == [-1, 0, 1, 2]
    assert sigconv.correlation_lags(3, 2, "valid").tolist() == [0, 1]
    assert sigconv.correlation_lags(2, 4, "valid").tolist() == [-2, -1, 0]
    assert sigconv.correlation_lags(4, 3, "same").tolist() == [-1, 0, 1, 2]


@pytest.mark.parametrize("lag_mode", ["full", "valid"])
@pytest.mark.parametrize("n1, n2, shift", [(40, 40, 3), (40, 40, -5), (50, 20, 7),
                                           (50, 20, 25), (20, 50, -9), (33, 33, 0),
                                           (20, 50, -21)])
def test_lags_align_with_correlate(rng, lag_mode, n1, n2, shift):
    # in1[i] = base[i - shift]: in2 delayed by `shift` matches in1 best at lag `shift`
    base = random_array(rng, (max(n1, n2) + 2 * abs(shift) + 5,))
    start = abs(shift) + 2
    in2 = base[start:start + n2]
    in1 = base[start - shift:start - shift + n1]
    z = sigconv.correlate(in1, in2, mode=lag_mode)
    lags = sigconv.correlation_lags(n1, n2, mode=lag_mode)
    assert z.shape == lags.shape
    # the exactly matching lag: every product of it is a square
    if lags.min() <= shift <= lags.max():
        assert lags[np.argmax(z)] == shift
        at = np.flatnonzero(lags == shift)[0]
        overlap = np.arange(max(0, shift), min(n1, n2 + shift))
        assert np.isclose(z[at], np.sum(in1[overlap] ** 2))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_lags_match_output_length(mode):
    for n1, n2 in LAG_SIZES:
        out = sigconv.correlate(np.ones(n1), np.ones(n2), mode=mode)
        assert sigconv.correlation_lags(n1, n2, mode).shape == out.shape
