"""Boundaries in any dimension: the numpy.pad reference, scipy and golden values.

``boundary`` means what it means in scipy.signal.convolve2d, for any
dimension: ``in1`` padded with numpy.pad by K - 1 on each side of every
convolved axis (wide pads repeat as numpy.pad repeats them), the valid
convolution of that, cropped to the mode's window.
"""
import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (OPS, SCIPY_2D_BOUNDARIES, assert_close, random_array, shape_mode_params,
                      shape_str)
from reference import PAD_MODES, boundary_reference
from sigconv._boundary import BOUNDARY_CODES, extend, map_index

# ------------------------------------------------------- the reference itself


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params())
@pytest.mark.parametrize("op", OPS)
def test_reference_fill_matches_scipy_nd(rng, s1, s2, mode, op):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.complex128)
    expected = getattr(scipy.signal, op)(x, h, mode=mode, method="direct")
    assert_close(expected, boundary_reference(op, x, h, mode), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((5, 6), (3, 2)), ((4, 4), (5, 5)), ((3, 5), (7, 8)),
                                    ((2, 3), (7, 9)), ((1, 1), (4, 3)), ((6, 6), (13, 2)),
                                    ((3, 3), (10, 10)), ((1, 4), (5, 1))], ids=shape_str)
@pytest.mark.parametrize("boundary", SCIPY_2D_BOUNDARIES)
@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize("name, op", [("convolve2d", "convolve"), ("correlate2d", "correlate")])
def test_reference_matches_scipy_2d(rng, s1, s2, boundary, mode, name, op):
    # including kernels much larger than the input (pads wider than the input)
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    expected = getattr(scipy.signal, name)(x, h, mode, boundary, 0.5)
    assert_close(expected, boundary_reference(op, x, h, mode, boundary, 0.5, flavor="2d"),
                 inputs=(x, h), fillvalue=0.5)


# ------------------------------------------------------------ sigconv vs it


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params())
@pytest.mark.parametrize("op", OPS)
def test_matches_reference(rng, s1, s2, mode, op, boundary):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=-0.75)
    assert_close(got, boundary_reference(op, x, h, mode, boundary, -0.75), inputs=(x, h),
                 fillvalue=-0.75)


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3)))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.complex128, np.int32, np.float32])
def test_matches_reference_dtypes(rng, s1, s2, mode, op, boundary, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    fill = {"c": 1 - 2j, "i": 3, "f": 0.5}[np.dtype(dtype).kind]
    got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=fill)
    assert_close(got, boundary_reference(op, x, h, mode, boundary, fill), inputs=(x, h),
                 fillvalue=fill)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("k", [1, 2, 5, 8, 13])
@pytest.mark.parametrize("mode", ["full", "same"])
def test_wide_pads_1d(n, k, mode, boundary):
    # pads of K - 1 up to 12 samples around inputs of 1 to 4 samples repeat
    # periodically as numpy.pad's do
    x = np.arange(1, n + 1) * 3 - 1
    h = (np.arange(k) + 2) ** 2
    for op in OPS:
        got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=-4)
        assert_close(got, boundary_reference(op, x, h, mode, boundary, -4), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((1, 2), (6, 5)), ((2, 1, 3), (5, 4, 7)),
                                    ((3, 2, 1, 2), (4, 5, 3, 3))], ids=shape_str)
def test_wide_pads_nd(rng, s1, s2, boundary):
    x = random_array(rng, s1, np.int64)
    h = random_array(rng, s2, np.int64)
    for op in OPS:
        for mode in ("full", "same"):
            got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=2)
            assert_close(got, boundary_reference(op, x, h, mode, boundary, 2), inputs=(x, h))


@pytest.mark.parametrize("alias, name", [("constant", "fill"), ("symmetric", "symm")])
@pytest.mark.parametrize("op", OPS)
def test_aliases_are_identical(rng, alias, name, op):
    x = random_array(rng, (6, 7))
    h = random_array(rng, (3, 4))
    for mode in ("full", "same"):
        a = getattr(sigconv, op)(x, h, mode, boundary=alias, fillvalue=1.5)
        b = getattr(sigconv, op)(x, h, mode, boundary=name, fillvalue=1.5)
        assert np.array_equal(a, b)


@pytest.mark.parametrize("op", OPS)
def test_valid_ignores_boundary(rng, op, boundary):
    x = random_array(rng, (7, 6, 5))
    h = random_array(rng, (3, 2, 4))
    base = getattr(sigconv, op)(x, h, "valid")
    assert np.array_equal(getattr(sigconv, op)(x, h, "valid", boundary=boundary,
                                                fillvalue=99.0), base)
    # swapped inputs too
    base = getattr(sigconv, op)(h, x, "valid")
    assert np.array_equal(getattr(sigconv, op)(h, x, "valid", boundary=boundary,
                                                fillvalue=99.0), base)


def test_zero_fill_is_default(rng):
    x = random_array(rng, (5, 4))
    h = random_array(rng, (2, 3))
    assert np.array_equal(sigconv.convolve(x, h, "same"),
                          sigconv.convolve(x, h, "same", boundary="fill", fillvalue=0))


# ---------------------------------------------------------------- fillvalue


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("s1, s2", [((5,), (3,)), ((4, 5), (3, 2)), ((3, 4, 2), (2, 3, 2))], ids=shape_str)
def test_complex_fillvalue_with_real_in1_and_complex_in2(rng, op, s1, s2):
    # the output is complex, so the fill value keeps its imaginary part even
    # though in1 itself is real (as scipy.signal.convolve2d does)
    x = random_array(rng, s1, np.float64)
    h = random_array(rng, s2, np.complex128)
    fill = 1.5 + 2j
    for mode in ("full", "same"):
        got = getattr(sigconv, op)(x, h, mode, fillvalue=fill)
        assert_close(got, boundary_reference(op, x, h, mode, "fill", fill), inputs=(x, h),
                     fillvalue=fill)


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_complex_fillvalue_2d_matches_scipy(rng, name):
    x = random_array(rng, (4, 3), np.float64)
    h = random_array(rng, (2, 2), np.complex128)
    expected = getattr(scipy.signal, name)(x, h, "full", "fill", 1 + 2j)
    got = getattr(sigconv, name)(x, h, "full", "fill", 1 + 2j)
    assert_close(got, expected, inputs=(x, h), fillvalue=1 + 2j)


@pytest.mark.parametrize("dtype, fill", [(np.uint64, 2**63 + 5), (np.uint64, 2**64 - 1),
                                         (np.int64, -(2**63)), (np.uint8, 200),
                                         (np.int8, -128), (np.int32, 7)])
def test_integer_fillvalue_full_range(dtype, fill):
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=dtype)
    h = np.array([[1, 2], [3, 1]], dtype=dtype)
    for op in OPS:
        got = getattr(sigconv, op)(x, h, "full", fillvalue=fill)
        assert_close(got, boundary_reference(op, x, h, "full", "fill", fill), inputs=(x, h))


@pytest.mark.parametrize("boundary", ["wrap", "symm", "reflect", "edge"])
def test_unused_fillvalue_of_full_range_is_accepted(boundary):
    # a fill value that fits the output dtype but not int64, with a boundary
    # that does not use it
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint64)
    h = np.array([[1, 2], [3, 1]], dtype=np.uint64)
    got = sigconv.convolve(x, h, "same", boundary=boundary, fillvalue=2**64 - 1)
    assert_close(got, boundary_reference("convolve", x, h, "same", boundary), inputs=(x, h))


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("fill", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("op", OPS)
def test_nonfinite_fillvalue_stays_at_the_border(ndim, fill, op):
    # only outputs whose window reaches past the edge see the fill value
    x = np.arange(1.0, 8.0 ** ndim + 1).reshape((8,) * ndim) / 10
    h = np.arange(1.0, 3 ** ndim + 1).reshape((3,) * ndim)   # no zero taps
    for mode in ("full", "same"):
        got = getattr(sigconv, op)(x, h, mode, fillvalue=fill)
        expected = boundary_reference(op, x, h, mode, "fill", fill)
        inner = (slice(2, -2),) * ndim if mode == "full" else (slice(1, -1),) * ndim
        assert np.all(np.isfinite(expected[inner]))
        assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_inf_fillvalue_meets_zero_taps_as_nan(name):
    # the padding holds inf; a zero tap over it gives 0 * inf = NaN, as in
    # scipy.signal.convolve2d (and the numpy.pad reference)
    x = np.arange(1.0, 10.0).reshape(3, 3)
    h = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = getattr(scipy.signal, name)(x, h, "full", "fill", np.inf)
    got = getattr(sigconv, name)(x, h, "full", "fill", np.inf)
    assert_close(got, expected, inputs=(x, h))
    op = name[:-2]
    assert_close(got, boundary_reference(op, x, h, "full", "fill", np.inf, flavor="2d"),
                 inputs=(x, h))


# ------------------------------------------------------------- golden values
# x = [1, 2, 3], h = [1, 10, 100]; y[n] = sum_k h[k] xe[n - k] with xe the
# extended input. Extensions (xe[-2], xe[-1] | x | xe[3], xe[4]):
#   fill 7    7 7 | 1 2 3 | 7 7
#   wrap      2 3 | 1 2 3 | 1 2
#   symm      2 1 | 1 2 3 | 3 2
#   reflect   3 2 | 1 2 3 | 2 1
#   edge      1 1 | 1 2 3 | 3 3
# full n = 0: xe0 + 10 xe-1 + 100 xe-2;  n = 1: xe1 + 10 xe0 + 100 xe-1;
#      n = 2: 3 + 20 + 100 = 123;        n = 3: xe3 + 10 x2 + 100 x1;
#      n = 4: xe4 + 10 xe3 + 100 x2.    'same' is full[1:4].

GOLDEN_1D = [
    ("fill", [1 + 70 + 700, 2 + 10 + 700, 123, 7 + 30 + 200, 7 + 70 + 300]),
    ("wrap", [1 + 30 + 200, 2 + 10 + 300, 123, 1 + 30 + 200, 2 + 10 + 300]),
    ("symm", [1 + 10 + 200, 2 + 10 + 100, 123, 3 + 30 + 200, 2 + 30 + 300]),
    ("reflect", [1 + 20 + 300, 2 + 10 + 200, 123, 2 + 30 + 200, 1 + 20 + 300]),
    ("edge", [1 + 10 + 100, 2 + 10 + 100, 123, 3 + 30 + 200, 3 + 30 + 300]),
]


@pytest.mark.parametrize("boundary, full", GOLDEN_1D)
def test_golden_1d(boundary, full):
    x = np.array([1, 2, 3])
    h = np.array([1, 10, 100])
    got = sigconv.convolve(x, h, "full", boundary=boundary, fillvalue=7)
    assert got.dtype == x.dtype and got.tolist() == full
    assert sigconv.convolve(x, h, "same", boundary=boundary, fillvalue=7).tolist() == full[1:4]
    # correlate with the reversed kernel is the same thing
    assert sigconv.correlate(x, h[::-1], "full", boundary=boundary,
                             fillvalue=7).tolist() == full


# x = [1, 2, 3], h = ones(5), same: output i sums xe[i-2 .. i+2]
#   symm     2 1 | 1 2 3 | 3 2  -> [2+1+1+2+3, 1+1+2+3+3, 1+2+3+3+2] = [9, 10, 11]
#   edge     1 1 | 1 2 3 | 3 3  -> [8, 10, 12]
#   reflect  3 2 | 1 2 3 | 2 1  -> [11, 10, 9]
#   wrap     2 3 | 1 2 3 | 1 2  -> [11, 10, 9]
#   fill 0   0 0 | 1 2 3 | 0 0  -> [6, 6, 6]
@pytest.mark.parametrize("boundary, same", [("symm", [9, 10, 11]), ("edge", [8, 10, 12]),
                                            ("reflect", [11, 10, 9]), ("wrap", [11, 10, 9]),
                                            ("fill", [6, 6, 6])])
def test_golden_box5(boundary, same):
    got = sigconv.convolve([1, 2, 3], np.ones(5, dtype=int), "same", boundary=boundary)
    assert got.tolist() == same


def test_golden_2d_edge():
    # x = [[1, 2], [3, 4]], h = ones((3, 3)), same, edge: every window is the 3x3
    # block around (i, j) of the edge-extended [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]]
    # (0,0): 1+1+2 + 1+1+2 + 3+3+4 = 18; (0,1): 1+2+2 + 1+2+2 + 3+4+4 = 21
    # (1,0): 1+1+2 + 3+3+4 + 3+3+4 = 24; (1,1): 1+2+2 + 3+4+4 + 3+4+4 = 27
    x = np.array([[1, 2], [3, 4]])
    got = sigconv.convolve(x, np.ones((3, 3), dtype=int), "same", boundary="edge")
    assert got.tolist() == [[18, 21], [24, 27]]


def test_golden_3d_wrap_same_is_total():
    # a 3x3x3 box on a 3x3x3 torus: every output sums the whole input
    x = np.arange(27).reshape(3, 3, 3)
    got = sigconv.convolve(x, np.ones((3, 3, 3), dtype=int), "same", boundary="wrap")
    assert np.array_equal(got, np.full((3, 3, 3), 351))


@pytest.mark.parametrize("boundary", sorted(BOUNDARY_CODES))
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_index_map_is_numpy_pad(boundary, n):
    # the one index map of the Python callers (the FFT method's buffer, the
    # operator's adjoint) must give numpy.pad's extension, also for pads many
    # times wider than the signal; -1 marks the fill value
    x = np.arange(1, n + 1) * 10
    pad = 4 * n + 3
    mode = PAD_MODES.get(boundary, "wrap")          # 'circular' is wrap
    extra = {"constant_values": -7} if mode == "constant" else {}
    expected = np.pad(x, (pad, pad + 1), mode=mode, **extra)
    index = map_index(np.arange(-pad, n + pad + 1), n, BOUNDARY_CODES[boundary])
    got = np.where(index >= 0, x[index], -7)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("boundary", sorted(BOUNDARY_CODES))
@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (1, 7), (2, 3, 4), (4, 1, 2)])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float32, np.complex128])
def test_extend_is_numpy_pad(rng, boundary, shape, dtype):
    # the materialised extension (the direct method's padded last axis) is
    # numpy.pad's, for every width form numpy.pad takes and for widths
    # many times the axis; the input is left alone and may be a strided view
    base = (rng.integers(0, 50, size=tuple(2 * n for n in shape))).astype(dtype)
    x = base[(slice(None, None, 2),) * len(shape)]
    before = x.copy()
    mode = PAD_MODES.get(boundary, "wrap")
    extra = {"constant_values": 9} if mode == "constant" else {}
    forms = [2, (3,), (0, 5), [(1, 2)],
             [(int(a), int(b)) for a, b in rng.integers(0, 3 * max(shape) + 2, (len(shape), 2))],
             [(0, 0)] * (len(shape) - 1) + [(0, 11)]]
    for width in forms:
        got = extend(x, width, boundary, 9)
        expected = np.pad(x, width, mode=mode, **extra)
        assert got.dtype == expected.dtype and got.flags.c_contiguous
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(x, before)


def test_extend_rejects_bad_widths():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="non-negative"):
        extend(x, [(0, 0), (-1, 2)])
    with pytest.raises(ValueError, match="2 axes"):
        extend(x, [(0, 0), (1, 1), (2, 2)])
    with pytest.raises(ValueError, match="pairs"):
        extend(x, [(0, 0, 1), (1, 1, 1)])
