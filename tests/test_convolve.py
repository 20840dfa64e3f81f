"""sigconv.convolve against scipy.signal.convolve, the references and golden values."""
import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (ALL_MODES, MODES, assert_close, random_array, shape_mode_params, shape_pair_params,
                      shape_str)
from reference import boundary_reference, circular_fft_reference, circular_reference


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params())
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize("method", ["auto", "direct"])
def test_matches_scipy(rng, s1, s2, mode, dtype, method):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    expected = scipy.signal.convolve(x, h, mode=mode, method="direct")
    got = sigconv.convolve(x, h, mode=mode, method=method)
    assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params())
@pytest.mark.parametrize("dt1, dt2", [(np.float64, np.complex128), (np.complex128, np.float64),
                                      (np.float32, np.complex64), (np.int16, np.complex128)])
def test_mixed_real_complex(rng, s1, s2, mode, dt1, dt2):
    x = random_array(rng, s1, dt1)
    h = random_array(rng, s2, dt2)
    assert_close(sigconv.convolve(x, h, mode=mode),
                 boundary_reference("convolve", x, h, mode), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", shape_pair_params((1, 2, 3)))
def test_full_is_commutative(rng, s1, s2):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    assert_close(sigconv.convolve(x, h), sigconv.convolve(h, x).astype(np.float64),
                 inputs=(x, h), factor=8)


@pytest.mark.parametrize("s1, s2", shape_pair_params((1, 2, 3)))
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int64])
def test_circular_matches_modular_sum(rng, s1, s2, dtype):
    # kernels longer than the period are among the shape pairs: they wrap
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    got = sigconv.convolve(x, h, mode="circular")
    assert got.shape == x.shape
    assert_close(got, circular_reference("convolve", x, h), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((8,), (3,)), ((9,), (9,)), ((7,), (1,)),
                                    ((6, 5), (3, 5)), ((4, 6, 5), (2, 3, 3)),
                                    ((3, 2, 4, 3), (2, 2, 3, 3))], ids=shape_str)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_circular_matches_fft(rng, s1, s2, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    assert_close(sigconv.convolve(x, h, mode="circular"),
                 circular_fft_reference("convolve", x, h), inputs=(x, h), factor=16)


@pytest.mark.parametrize("boundary", ["fill", "wrap"])
def test_circular_accepts_fill_and_wrap(rng, boundary):
    x = random_array(rng, (6, 5))
    h = random_array(rng, (3, 7))
    assert np.array_equal(sigconv.convolve(x, h, mode="circular", boundary=boundary),
                          sigconv.convolve(x, h, mode="circular"))


def test_circular_kernel_much_longer_than_period():
    # h[k] lands on tap k mod N: folding the kernel onto the period changes nothing
    x = np.arange(1.0, 6.0)
    h = np.arange(1.0, 18.0)
    folded = np.zeros(5)
    np.add.at(folded, np.arange(17) % 5, h)
    assert_close(sigconv.convolve(x, h, mode="circular"),
                 sigconv.convolve(x, folded, mode="circular"), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((2,), (9,)), ((1,), (6,)), ((3, 2), (7, 5)),
                                    ((2, 1, 3), (4, 3, 5))], ids=shape_str)
def test_kernel_larger_than_input(rng, s1, s2):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    for mode in ("full", "same"):
        got = sigconv.convolve(x, h, mode=mode)
        assert_close(got, scipy.signal.convolve(x, h, mode=mode, method="direct"),
                     inputs=(x, h))
        assert got.shape == (s1 if mode == "same" else tuple(a + b - 1 for a, b in zip(s1, s2)))


@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
def test_size_one_inputs(mode):
    x = np.array([[2.5]])
    h = np.array([[-4.0]])
    assert_close(sigconv.convolve(x, h, mode=mode), np.array([[-10.0]]), inputs=(x, h))
    # a size-1 kernel is a scaling
    x = np.arange(12.0).reshape(3, 4)
    assert_close(sigconv.convolve(x, h, mode=mode), -4.0 * x, inputs=(x, h))


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("a, b", [(2.0, 3.0), (2, -3), (1 + 2j, 3 - 1j), (True, True)])
def test_zero_dim_inputs_multiply(op, a, b):
    x, h = np.array(a), np.array(b)
    expected = getattr(scipy.signal, op)(x, h)
    got = getattr(sigconv, op)(x, h)
    assert got.shape == () and np.asarray(expected).shape == ()
    assert got.dtype == np.result_type(x, h)
    assert got == expected
    assert got == (x * (np.conj(h) if op == "correlate" else h))


def test_array_like_inputs():
    got = sigconv.convolve([1, 2, 3], (0, 1, 0.5))
    assert_close(got, scipy.signal.convolve([1, 2, 3], [0, 1, 0.5]),
                 inputs=(np.array([1, 2, 3]), np.array([0, 1, 0.5])))


# ---------------------------------------------------------------- golden cases
# Each value below was worked out by hand from y[n] = sum_k h[k] x[n - k].

GOLDEN = [
    # x = [1, 2, 3], h = [0, 1, 0.5]:
    #   y0 = 1*0 = 0; y1 = 1*1 + 2*0 = 1; y2 = 1*.5 + 2*1 + 3*0 = 2.5;
    #   y3 = 2*.5 + 3*1 = 4; y4 = 3*.5 = 1.5
    ([1, 2, 3], [0, 1, 0.5], "full", [0, 1, 2.5, 4, 1.5]),
    # same: full[(K-1)//2 = 1 :][:3]
    ([1, 2, 3], [0, 1, 0.5], "same", [1, 2.5, 4]),
    ([1, 2, 3], [0, 1, 0.5], "valid", [2.5]),
    # x = [1, 2, 3], h = [1, 10, 100]: y = [1, 2+10, 3+20+100, 30+200, 300]
    ([1, 2, 3], [1, 10, 100], "full", [1, 12, 123, 230, 300]),
    ([1, 2, 3], [1, 10, 100], "same", [12, 123, 230]),
    ([1, 2, 3], [1, 10, 100], "valid", [123]),
    # valid with in2 larger: the inputs swap (convolution commutes)
    ([1, 10, 100], [1, 2, 3, 4], "valid", [123, 234]),
    # x = [1, 2, 3, 4], h = [1, 1]: full = [1, 3, 5, 7, 4]; same starts at (2-1)//2 = 0
    ([1, 2, 3, 4], [1, 1], "full", [1, 3, 5, 7, 4]),
    ([1, 2, 3, 4], [1, 1], "same", [1, 3, 5, 7]),
    ([1, 2, 3, 4], [1, 1], "valid", [3, 5, 7]),
    # circular: y[n] = x[n] + x[(n-1) mod 4] = [1+4, 2+1, 3+2, 4+3]
    ([1, 2, 3, 4], [1, 1], "circular", [5, 3, 5, 7]),
    # circular, K = 4 > N = 3: h[3] lands on tap 3 mod 3 = 0, so y = 2x
    ([1, 2, 3], [1, 0, 0, 1], "circular", [2, 4, 6]),
    # circular, K = 5: only h[4] = 1, a delay of 4 = 1 (mod 3): y[n] = x[n-1]
    ([1, 2, 3], [0, 0, 0, 0, 1], "circular", [3, 1, 2]),
    # h = [1, 10, 100] circular on [1, 2, 3]:
    #   y0 = x0 + 10 x2 + 100 x1 = 1 + 30 + 200; y1 = 2 + 10 + 300; y2 = 3 + 20 + 100
    ([1, 2, 3], [1, 10, 100], "circular", [231, 312, 123]),
    # 2-D: [[1, 2], [3, 4]] * ones((2, 2)): every partial sum of the square
    ([[1, 2], [3, 4]], [[1, 1], [1, 1]], "full", [[1, 3, 2], [4, 10, 6], [3, 7, 4]]),
    ([[1, 2], [3, 4]], [[1, 1], [1, 1]], "same", [[1, 3], [4, 10]]),
    ([[1, 2], [3, 4]], [[1, 1], [1, 1]], "valid", [[10]]),
    # circular 2-D: each output sums the whole 2x2 torus
    ([[1, 2], [3, 4]], [[1, 1], [1, 1]], "circular", [[10, 10], [10, 10]]),
    # complex: (1 + 1j) * [1, 1j] = [1 + 1j, -1 + 1j]
    ([1 + 1j], [1, 1j], "full", [1 + 1j, -1 + 1j]),
]


@pytest.mark.parametrize("x, h, mode, expected", GOLDEN)
def test_golden(x, h, mode, expected):
    x, h = np.array(x), np.array(h)
    got = sigconv.convolve(x, h, mode=mode)
    assert got.dtype == np.result_type(x, h)
    assert np.array_equal(got, np.array(expected, dtype=got.dtype))


# ------------------------------------------- medium sizes: threads, tiles, borders

MEDIUM_1D = [pytest.param(5003, 63, id="5003-63"), pytest.param(4999, 64, id="4999-64")]
MEDIUM_2D = [pytest.param((203, 301), (15, 15), id="203x301-15x15"),
             pytest.param((200, 300), (14, 9), id="200x300-14x9")]


@pytest.mark.parametrize("n, k", MEDIUM_1D)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ALL_MODES)
def test_medium_1d(rng, n, k, dtype, mode):
    x = random_array(rng, (n,), dtype)
    h = random_array(rng, (k,), dtype)
    got = sigconv.convolve(x, h, mode=mode, workers=2)
    if mode == "circular":
        expected = circular_fft_reference("convolve", x.astype(np.float64), h.astype(np.float64))
        assert_close(got, expected, inputs=(x, h), factor=8)
    else:
        expected = boundary_reference("convolve", x, h, mode)
        assert_close(got, expected, inputs=(x, h))
    assert np.array_equal(got, sigconv.convolve(x, h, mode=mode, workers=1))


@pytest.mark.parametrize("s1, s2", MEDIUM_2D)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode, boundary", [("full", "fill"), ("same", "symm"),
                                            ("valid", "fill"), ("same", "wrap"),
                                            ("full", "reflect")])
def test_medium_2d(rng, s1, s2, dtype, mode, boundary):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    got = sigconv.convolve(x, h, mode=mode, boundary=boundary, fillvalue=0.25)
    expected = boundary_reference("convolve", x, h, mode, boundary, fillvalue=0.25)
    assert_close(got, expected, inputs=(x, h), fillvalue=0.25)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", [2, 3, (3, 2)])
def test_medium_2d_strided(rng, dtype, stride):
    x = random_array(rng, (203, 301), dtype)
    h = random_array(rng, (15, 15), dtype)
    s = (stride, stride) if np.ndim(stride) == 0 else stride
    for mode, boundary in (("same", "edge"), ("full", "fill")):
        got = sigconv.convolve(x, h, mode=mode, boundary=boundary, stride=stride, workers=2)
        expected = boundary_reference("convolve", x, h, mode, boundary)[::s[0], ::s[1]]
        assert_close(got, expected, inputs=(x, h))


def test_medium_1d_strided(rng):
    x = random_array(rng, (5003,))
    h = random_array(rng, (63,))
    for s in (2, 3, 7):
        got = sigconv.convolve(x, h, mode="full", stride=s)
        assert_close(got, boundary_reference("convolve", x, h, "full")[::s], inputs=(x, h))


def test_medium_matches_scipy(rng):
    x = random_array(rng, (203, 301))
    h = random_array(rng, (15, 15))
    for mode in MODES:
        assert_close(sigconv.convolve(x, h, mode=mode),
                     scipy.signal.convolve(x, h, mode=mode, method="direct"), inputs=(x, h))


@pytest.mark.parametrize("method", ["toeplitz"])
def test_method_toeplitz_is_implemented(method):
    np.testing.assert_allclose(sigconv.convolve([1.0, 2.0], [1.0, 3.0], method=method),
                               [1.0, 5.0, 6.0])


# --------------------------------------------- non-finite kernels, every path


@pytest.mark.parametrize("method", ["direct", "toeplitz", "auto"])
@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_convolver_with_inf_kernel_equals_convolve(method, mode, op):
    # the zero fill contributes no terms, in a plan as in a call
    x = np.arange(1.0, 9.0)
    k = np.array([1.0, np.inf, 2.0])
    expected = getattr(sigconv, op)(x, k, mode, method=method)
    ref = np.convolve(x, k if op == "convolve" else k[::-1], mode)
    np.testing.assert_array_equal(expected, ref)
    if op == "convolve":
        plan = sigconv.Convolver(k, x.shape, mode, method=method)
        np.testing.assert_array_equal(plan(x), expected)
