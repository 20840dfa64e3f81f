"""convolve2d / correlate2d against their scipy namesakes."""
import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (BOUNDARIES, SCIPY_2D_BOUNDARIES, assert_close, random_array, shape_str,
                      valid_defined)
from reference import boundary_reference, circular_reference

TWINS = [pytest.param("convolve2d", "convolve", id="convolve2d"),
         pytest.param("correlate2d", "correlate", id="correlate2d")]

SHAPES_2D = [((6, 7), (3, 2)), ((5, 5), (4, 4)), ((4, 6), (2, 9)), ((3, 4), (6, 7)),
             ((2, 3), (7, 9)), ((1, 1), (4, 3)), ((9, 8), (1, 1)), ((7, 5), (2, 2)),
             ((8, 3), (13, 2))]


@pytest.mark.parametrize("name, op", TWINS)
@pytest.mark.parametrize("s1, s2", SHAPES_2D, ids=shape_str)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", SCIPY_2D_BOUNDARIES)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_matches_scipy(rng, name, op, s1, s2, mode, boundary, dtype):
    if mode == "valid" and not valid_defined(s1, s2):
        with pytest.raises(ValueError, match="at least as large"):
            getattr(sigconv, name)(np.ones(s1), np.ones(s2), mode)
        return
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    fill = 0.75 - 0.5j if dtype == np.complex128 else -1.25
    expected = getattr(scipy.signal, name)(x, h, mode, boundary, fill)
    got = getattr(sigconv, name)(x, h, mode, boundary, fill)
    assert_close(got, expected, inputs=(x, h), fillvalue=fill)
    # and the numpy.pad reference with the 2-D conventions
    assert_close(got, boundary_reference(op, x, h, mode, boundary, fill, flavor="2d"),
                 inputs=(x, h), fillvalue=fill)


@pytest.mark.parametrize("name, op", TWINS)
@pytest.mark.parametrize("s1, s2", SHAPES_2D, ids=shape_str)
@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize("boundary", ["constant", "symmetric", "reflect", "edge"])
def test_numpy_pad_boundaries(rng, name, op, s1, s2, mode, boundary):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    got = getattr(sigconv, name)(x, h, mode, boundary, 2.0)
    assert_close(got, boundary_reference(op, x, h, mode, boundary, 2.0, flavor="2d"),
                 inputs=(x, h), fillvalue=2.0)


@pytest.mark.parametrize("s1, s2", [((5, 6), (2, 2)), ((5, 6), (4, 3)), ((6, 6), (2, 4)),
                                    ((3, 3), (6, 2))], ids=shape_str)
def test_correlate2d_same_alignment_differs_from_correlate(rng, s1, s2):
    # scipy.signal.correlate2d centres 'same' at K // 2, scipy.signal.correlate
    # at (K - 1) // 2: they differ for even kernels; each twin follows its own
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    full = scipy.signal.correlate(x, h, "full")
    got2d = sigconv.correlate2d(x, h, "same")
    gotnd = sigconv.correlate(x, h, "same")
    start2d = tuple(k // 2 for k in s2)
    startnd = tuple((k - 1) // 2 for k in s2)
    win = lambda st: full[st[0]:st[0] + s1[0], st[1]:st[1] + s1[1]]
    assert_close(got2d, win(start2d), inputs=(x, h))
    assert_close(gotnd, win(startnd), inputs=(x, h))
    assert_close(got2d, scipy.signal.correlate2d(x, h, "same"), inputs=(x, h))
    assert_close(gotnd, scipy.signal.correlate(x, h, "same"), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((2, 3), (4, 5)), ((1, 1), (3, 2)), ((3, 3), (3, 4)),
                                    ((3, 4), (6, 7))], ids=shape_str)
def test_correlate2d_valid_swap_does_not_conjugate(rng, s1, s2):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.complex128)
    got2d = sigconv.correlate2d(x, h, "valid")
    gotnd = sigconv.correlate(x, h, "valid")
    assert_close(got2d, scipy.signal.correlate2d(x, h, "valid"), inputs=(x, h))
    assert_close(gotnd, scipy.signal.correlate(x, h, "valid"), inputs=(x, h))
    # both are correlate(in2, in1) reversed; correlate conjugates it, correlate2d not
    expected2d = sigconv.correlate2d(h, x, "valid")[::-1, ::-1]
    assert_close(got2d, expected2d, inputs=(x, h))
    assert_close(gotnd, np.conj(expected2d), inputs=(x, h))


@pytest.mark.parametrize("name, op", TWINS)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_twin_equals_nd_function(rng, name, op, mode, boundary):
    # convolve2d is convolve(method='direct'); correlate2d is correlate except
    # for its 'same' alignment with even kernels and its 'valid' swap
    x = random_array(rng, (7, 6))
    h = random_array(rng, (3, 5))   # odd kernel lengths, in1 larger
    got = getattr(sigconv, name)(x, h, mode, boundary, 0.5)
    nd = getattr(sigconv, op)(x, h, mode, "direct", boundary=boundary, fillvalue=0.5)
    assert np.array_equal(got, nd)


@pytest.mark.parametrize("name, op", TWINS)
@pytest.mark.parametrize("s1, s2", [((5, 4), (3, 2)), ((3, 3), (5, 4))], ids=shape_str)
def test_circular(rng, name, op, s1, s2):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    got = getattr(sigconv, name)(x, h, "circular")
    assert_close(got, circular_reference(op, x, h), inputs=(x, h))
    assert np.array_equal(got, getattr(sigconv, name)(x, h, "circular", "wrap"))


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("dtype", [np.int16, np.int64, np.uint8, np.float32, np.complex64])
def test_dtypes_match_scipy(rng, name, dtype):
    x = random_array(rng, (6, 5), dtype, full_range=True)
    h = random_array(rng, (3, 4), dtype, full_range=True)
    for mode in ("full", "same", "valid"):
        for boundary in SCIPY_2D_BOUNDARIES:
            expected = getattr(scipy.signal, name)(x, h, mode, boundary)
            got = getattr(sigconv, name)(x, h, mode, boundary)
            assert expected.dtype == dtype
            if np.dtype(dtype).kind in "iu":
                assert got.dtype == dtype and np.array_equal(got, expected)
            else:
                assert_close(got, expected.astype(np.complex128 if np.dtype(dtype).kind == "c"
                                                  else np.float64), inputs=(x, h))


EMPTY_2D = [((0, 3), (2, 2)), ((3, 0), (2, 2)), ((0, 0), (2, 3)), ((3, 3), (0, 2)),
            ((4, 3), (2, 0)), ((0, 3), (0, 2)), ((2, 2), (0, 3)), ((0, 2), (3, 2))]


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("s1, s2", EMPTY_2D, ids=shape_str)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_empty_inputs_give_zeros_like_scipy(name, s1, s2, mode):
    x = np.ones(s1)
    h = np.ones(s2)
    try:
        expected = getattr(scipy.signal, name)(x, h, mode)
    except ValueError:
        # ((0, 3), (0, 2)) in 'full' has a length -1 axis; mismatched 'valid'
        with pytest.raises(ValueError):
            getattr(sigconv, name)(x, h, mode)
        return
    got = getattr(sigconv, name)(x, h, mode)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    assert not got.any()
    # the formula shape
    if mode == "full":
        assert got.shape == tuple(max(a + b - 1, 0) for a, b in zip(s1, s2))
    elif mode == "same":
        assert got.shape == s1
    else:
        assert got.shape == tuple(max(a, b) - min(a, b) + 1 for a, b in zip(s1, s2))


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_defaults_are_scipys(name, rng):
    x = random_array(rng, (5, 4))
    h = random_array(rng, (2, 3))
    assert_close(getattr(sigconv, name)(x, h), getattr(scipy.signal, name)(x, h), inputs=(x, h))
    assert_close(getattr(sigconv, name)(x.tolist(), h.tolist()),
                 getattr(scipy.signal, name)(x, h), inputs=(x, h))


# ---------------------------------------------------------------- golden cases

def test_golden_convolve2d_wrap():
    # same with a 2x2 kernel keeps full[0:3, 0:3]; with wrap, x[-1] = x[2]:
    # (0,0) = 1*x00 + 2*x0,-1 + 3*x-1,0 + 4*x-1,-1 = 1 + 0 + 0 + 4*x22 = 5
    # (0,1) = 1*x01 + 2*x00 + 3*x21 + 4*x20 = 2; (0,2) = x02 + 2 x01 + 3 x22 + 4 x21 = 3
    got = sigconv.convolve2d(np.eye(3), [[1, 2], [3, 4]], mode="same", boundary="wrap")
    assert np.array_equal(got, [[5, 2, 3], [3, 5, 2], [2, 3, 5]])
    assert got.dtype == np.float64


def test_golden_correlate2d_same_even_kernel():
    # correlate2d 'same' with a 2x2 kernel keeps full[1:, 1:]; full lag (0, 0) is
    # index (1, 1). x = [[1, 2], [3, 4]], h = [[1, 0], [0, 0]]: z[i, j] = x[i, j]
    x = np.array([[1, 2], [3, 4]])
    h = np.array([[1, 0], [0, 0]])
    assert np.array_equal(sigconv.correlate2d(x, h, "same"), x)
    # correlate (N-D) keeps full[0:2, 0:2] = lags (-1..0, -1..0): z = x shifted
    # down-right, with zeros entering: [[0, 0], [0, 1]]
    assert np.array_equal(sigconv.correlate(x, h, "same"), [[0, 0], [0, 1]])


def test_golden_convolve2d_symm_fill():
    # x = [[1, 2], [3, 4]], h = ones((1, 3)), same: y[i, j] = x[i, j-1] + x[i, j] + x[i, j+1]
    # symm: x[i, -1] = x[i, 0], x[i, 2] = x[i, 1] -> row 1 2: [1+1+2, 1+2+2] = [4, 5]
    x = np.array([[1, 2], [3, 4]])
    h = np.ones((1, 3), dtype=int)
    assert np.array_equal(sigconv.convolve2d(x, h, "same", "symm"), [[4, 5], [10, 11]])
    # fill 10: [10+1+2, 1+2+10] = [13, 13]; [10+3+4, 3+4+10] = [17, 17]
    assert np.array_equal(sigconv.convolve2d(x, h, "same", "fill", 10), [[13, 13], [17, 17]])
