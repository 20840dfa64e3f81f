"""Output dtypes, precision, exact integers with wrap-around, bool, mixed inputs."""
import itertools

import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (COMPLEX_DTYPES, FLOAT_DTYPES, INT_DTYPES, OPS, assert_close,
                      random_array, tolerance)
from reference import boundary_reference, circular_reference

ALL_DTYPES = ((np.bool_,) + INT_DTYPES + (np.uint16, np.uint32, np.float16)
              + FLOAT_DTYPES + (np.longdouble,) + COMPLEX_DTYPES + (np.clongdouble,))
DTYPE_PAIRS = list(itertools.product(ALL_DTYPES, repeat=2))


@pytest.mark.parametrize("dt1, dt2", DTYPE_PAIRS,
                         ids=["%s-%s" % (np.dtype(a).name, np.dtype(b).name)
                              for a, b in DTYPE_PAIRS])
def test_output_dtype_is_result_type(dt1, dt2):
    x = np.ones((3, 4), dtype=dt1)
    h = np.ones((2, 2), dtype=dt2)
    expected = np.result_type(x, h)
    for op in OPS:
        for mode in ("full", "same", "valid", "circular"):
            got = getattr(sigconv, op)(x, h, mode)
            assert got.dtype == expected, (op, mode)
    # and scipy's, where scipy's direct method takes the pair
    x1 = np.ones(4, dtype=dt1)
    h1 = np.ones(2, dtype=dt2)
    for op in OPS:
        assert getattr(sigconv, op)(x1, h1).dtype == getattr(scipy.signal, op)(
            x1, h1, method="direct").dtype


@pytest.mark.parametrize("shape1, shape2", [((257,), (9,)), ((31, 29), (5, 4)),
                                            ((9, 10, 11), (3, 4, 2))],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "reflect", "edge"])
def test_float32_stays_float32_and_is_accurate(rng, shape1, shape2, op, boundary):
    x = random_array(rng, shape1, np.float32)
    h = random_array(rng, shape2, np.float32)
    for mode in ("full", "same", "valid"):
        got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=0.5)
        assert got.dtype == np.float32
        # the float64 reference of the same float32 inputs, float32 tolerance
        expected = boundary_reference(op, x, h, mode, boundary, 0.5)
        assert expected.dtype == np.float64
        assert_close(got, expected, inputs=(x, h), fillvalue=0.5)


def test_float32_tolerance_is_float32s(rng):
    # a float32 result is held to eps(float32), a float64 one to eps(float64)
    x = random_array(rng, (100,), np.float32)
    h = random_array(rng, (7,), np.float32)
    t32 = tolerance(np.float32, (x, h))
    t64 = tolerance(np.float64, (x.astype(np.float64), h.astype(np.float64)))
    assert t32 / t64 == pytest.approx(np.finfo(np.float32).eps / np.finfo(np.float64).eps)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("op", OPS)
def test_complex_matches_scipy(rng, dtype, op):
    for s1, s2 in (((40,), (7,)), ((9, 8), (3, 4)), ((5, 6, 4), (2, 3, 3))):
        x = random_array(rng, s1, dtype)
        h = random_array(rng, s2, dtype)
        for mode in ("full", "same", "valid"):
            got = getattr(sigconv, op)(x, h, mode)
            assert got.dtype == dtype
            expected = boundary_reference(op, x, h, mode)
            assert_close(got, expected, inputs=(x, h))
            assert_close(got, getattr(scipy.signal, op)(x.astype(np.complex128),
                                                        h.astype(np.complex128), mode),
                         inputs=(x, h))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes", [((40,), (9,)), ((9,), (13,)), ((7, 9), (3, 4)),
                                    ((3, 5), (4, 6)), ((5, 4, 6), (3, 2, 3))],
                         ids=lambda p: "-".join("x".join(map(str, s)) for s in p))
@pytest.mark.parametrize("op", OPS)
def test_integers_exact_and_wrap_like_scipy(rng, dtype, shapes, op):
    # values drawn from the whole range of the type: every sum overflows
    s1, s2 = shapes
    x = random_array(rng, s1, dtype, full_range=True)
    h = random_array(rng, s2, dtype, full_range=True)
    for mode in ("full", "same", "valid"):
        got = getattr(sigconv, op)(x, h, mode)
        expected = getattr(scipy.signal, op)(x, h, mode, method="direct")
        assert expected.dtype == dtype
        assert got.dtype == dtype
        assert np.array_equal(got, expected), (mode, got, expected)


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "reflect", "edge"])
def test_integers_wrap_with_boundaries_and_circular(rng, dtype, boundary):
    x = random_array(rng, (6, 7), dtype, full_range=True)
    h = random_array(rng, (3, 4), dtype, full_range=True)
    fill = np.iinfo(dtype).max if boundary == "fill" else 0
    for op in OPS:
        for mode in ("full", "same"):
            got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=fill)
            assert_close(got, boundary_reference(op, x, h, mode, boundary, fill),
                         inputs=(x, h))
        assert_close(getattr(sigconv, op)(x, h, "circular"), circular_reference(op, x, h),
                     inputs=(x, h))


def test_int8_overflow_golden():
    # 100 * 2 + 100 * 2 = 400 = 144 (mod 256) = -112 as int8
    x = np.array([100, 100], dtype=np.int8)
    h = np.array([2, 2], dtype=np.int8)
    got = sigconv.convolve(x, h, "valid")
    assert got.dtype == np.int8 and got.tolist() == [-112]
    # uint64: (2**63) * 2 = 2**64 = 0 (mod 2**64)
    x = np.array([2**63], dtype=np.uint64)
    h = np.array([2], dtype=np.uint64)
    assert sigconv.convolve(x, h).tolist() == [0]
    assert sigconv.correlate(np.array([2**64 - 1], dtype=np.uint64),
                             np.array([3], dtype=np.uint64)).tolist() == [2**64 - 3]


@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
@pytest.mark.parametrize("op", OPS)
def test_bool_any_dimension(rng, ndim, op):
    # scipy's N-D direct method rejects bool ('Unsupported type'); sigconv
    # gives the logical result: the integer sum > 0
    x = random_array(rng, (5, 4, 3, 4)[:ndim], np.bool_)
    h = random_array(rng, (2, 3, 2, 2)[:ndim], np.bool_)
    for mode in ("full", "same", "valid", "circular"):
        got = getattr(sigconv, op)(x, h, mode)
        assert got.dtype == np.bool_
        xi, hi = x.astype(np.int64), h.astype(np.int64)
        if mode == "circular":
            expected = circular_reference(op, xi, hi) > 0
        else:
            expected = getattr(scipy.signal, op)(xi, hi, mode, method="direct") > 0
        assert np.array_equal(got, expected)


def test_bool_1d_matches_scipy(rng):
    x = random_array(rng, (30,), np.bool_)
    h = random_array(rng, (5,), np.bool_)
    for op in OPS:
        for mode in ("full", "same", "valid"):
            expected = getattr(scipy.signal, op)(x, h, mode, method="direct")
            got = getattr(sigconv, op)(x, h, mode)
            assert expected.dtype == got.dtype == np.bool_
            assert np.array_equal(got, expected)


def test_bool_golden():
    # any overlap of True samples is True: [T, F, F, T] * [T, T] = [T, T, F, T, T]
    got = sigconv.convolve(np.array([True, False, False, True]), np.array([True, True]))
    assert got.dtype == np.bool_ and got.tolist() == [True, True, False, True, True]


@pytest.mark.parametrize("op", OPS)
def test_float16_gives_float16(rng, op):
    x = random_array(rng, (30,), np.float16)
    h = random_array(rng, (5,), np.float16)
    for mode in ("full", "same", "valid"):
        got = getattr(sigconv, op)(x, h, mode)
        assert got.dtype == np.float16
        assert getattr(scipy.signal, op)(x, h, mode, method="direct").dtype == np.float16
        assert_close(got, boundary_reference(op, x, h, mode), inputs=(x, h))
    x = random_array(rng, (6, 5, 4), np.float16)
    h = random_array(rng, (2, 3, 2), np.float16)
    got = getattr(sigconv, op)(x, h, "same", boundary="symm")
    assert_close(got, boundary_reference(op, x, h, "same", "symm"), inputs=(x, h))


@pytest.mark.parametrize("dtype", [np.longdouble, np.clongdouble])
@pytest.mark.parametrize("op", OPS)
def test_longdouble_precision(rng, dtype, op):
    # held to eps(longdouble): a float64 computation would not pass where
    # longdouble is wider than float64
    x = random_array(rng, (40,), dtype) / 3
    h = random_array(rng, (9,), dtype) / 7
    for mode in ("full", "same", "valid", "circular"):
        got = getattr(sigconv, op)(x, h, mode)
        assert got.dtype == dtype
        if mode == "circular":
            expected = circular_reference(op, x, h)
        else:
            expected = boundary_reference(op, x, h, mode)
            assert_close(getattr(scipy.signal, op)(x, h, mode, method="direct"), expected,
                         inputs=(x, h))
        assert_close(got, expected, inputs=(x, h))
    x = random_array(rng, (7, 6), dtype) / 3
    h = random_array(rng, (3, 2), dtype) / 7
    assert_close(getattr(sigconv, op)(x, h, "same", boundary="reflect"),
                 boundary_reference(op, x, h, "same", "reflect"), inputs=(x, h))


MIXED = [(np.int8, np.float32), (np.int64, np.float32), (np.uint64, np.int64),
         (np.bool_, np.int8), (np.float16, np.int8), (np.complex64, np.float64),
         (np.float32, np.complex128), (np.uint8, np.complex64), (np.int16, np.uint16),
         (np.float16, np.float32), (np.bool_, np.float64), (np.longdouble, np.complex64)]


@pytest.mark.parametrize("dt1, dt2", MIXED,
                         ids=["%s-%s" % (np.dtype(a).name, np.dtype(b).name) for a, b in MIXED])
@pytest.mark.parametrize("op", OPS)
def test_mixed_inputs(rng, dt1, dt2, op):
    x = random_array(rng, (6, 7), dt1)
    h = random_array(rng, (3, 2), dt2)
    for mode in ("full", "same", "valid"):
        for a, b in ((x, h), (h, x)):
            got = getattr(sigconv, op)(a, b, mode)
            assert_close(got, boundary_reference(op, a, b, mode), inputs=(a, b))


def test_python_scalars_and_lists():
    got = sigconv.convolve([1, 2], [3])
    assert got.dtype == np.result_type(np.array([1, 2]), np.array([3]))
    assert got.tolist() == [3, 6]
    got = sigconv.correlate([[1.0, 2.0]], [[1j]])
    assert got.dtype == np.complex128 and got.tolist() == [[-1j, -2j]]


# ------------------------------------------------------ assert_close itself
# A tolerance that never tightens hides bugs: these check that assert_close
# rejects errors just above its bound and that the bound follows the dtype
# and the size of the inputs.

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128,
                                   np.float16, np.longdouble])
def test_assert_close_rejects_just_above_the_tolerance(dtype):
    rng = np.random.default_rng(11)
    x = random_array(rng, (50,), dtype)
    h = random_array(rng, (7,), dtype)
    atol = tolerance(dtype, (x, h))
    assert atol > 0
    actual = np.zeros(12, dtype=dtype)
    wide = np.clongdouble if np.dtype(dtype).kind == "c" else np.longdouble
    parts = (1, 1j) if np.dtype(dtype).kind == "c" else (1,)
    for part in parts:
        for sign in (1, -1):
            expected = np.zeros(12, dtype=wide)
            expected[5] = sign * part * np.longdouble(atol) * np.longdouble(0.999)
            assert_close(actual, expected, inputs=(x, h))
            expected[5] = sign * part * np.longdouble(atol) * np.longdouble(1.001)
            with pytest.raises(AssertionError, match="max error .* > tolerance"):
                assert_close(actual, expected, inputs=(x, h))


def test_tolerance_tightens_with_the_dtype_and_the_inputs():
    rng = np.random.default_rng(12)
    x = random_array(rng, (50,))
    h = random_array(rng, (7,))
    scale = np.abs(x).max() * np.abs(h).sum()
    t64 = tolerance(np.float64, (x, h))
    t32 = tolerance(np.float32, (x, h))
    assert t64 / scale < 1e-14
    assert t32 / scale < 1e-5
    assert t32 / t64 == pytest.approx(2.0**29)
    # linear in each input's norm
    assert tolerance(np.float64, (3 * x, h)) == pytest.approx(3 * t64)
    assert tolerance(np.float64, (x, h / 4)) == pytest.approx(t64 / 4)
    # and growing with the number of taps, not with the number of outputs
    assert tolerance(np.float64, (x, np.repeat(h, 4) / 4)) == pytest.approx(2 * t64)
    assert tolerance(np.float64, (np.tile(x, 9), h)) == t64
    # exact types have none
    assert tolerance(np.int64, (x, h)) == tolerance(np.bool_, (x, h)) == 0


def test_assert_close_rejects_the_other_differences():
    x = np.arange(1.0, 6.0)
    h = np.ones(2)
    good = np.convolve(x, h)
    assert_close(good.copy(), good, inputs=(x, h))
    cases = [
        (good.astype(np.float32), "dtype float32, expected float64"),
        (good[:-1], "shape"),
        (np.where(np.arange(6) == 2, np.nan, good), "NaN at 1 places"),
        (np.where(np.arange(6) == 2, np.inf, good), "Inf at 1 places"),
        (good.tolist(), "list"),
    ]
    for actual, message in cases:
        with pytest.raises(AssertionError, match=message):
            assert_close(actual, good, inputs=(x, h))
    # infinities must have the same sign
    with pytest.raises(AssertionError, match="infinities of different sign"):
        assert_close(np.array([np.inf]), np.array([-np.inf]), inputs=(x, h))
    # integers: off by one is wrong
    xi = np.arange(5)
    with pytest.raises(AssertionError, match="1 of 6 elements differ"):
        assert_close(np.convolve(xi, [1, 1]) + (np.arange(6) == 4), np.convolve(xi, [1, 1]),
                     inputs=(xi, np.array([1, 1])))


def test_float64_tolerance_catches_a_float32_computation(rng):
    # the float64 bound is tight enough to tell a single-precision result
    # from a double-precision one on the same float64 data
    x = random_array(rng, (2000,))
    h = random_array(rng, (31,))
    expected = boundary_reference("convolve", x, h, "same")
    single = sigconv.convolve(x.astype(np.float32), h.astype(np.float32), "same")
    with pytest.raises(AssertionError, match="max error"):
        assert_close(single.astype(np.float64), expected, inputs=(x, h))
    assert_close(sigconv.convolve(x, h, "same"), expected, inputs=(x, h))
