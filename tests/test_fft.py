"""method='fft': the convolution theorem gives the direct result, to rounding.

References are the obviously-correct ones of ``reference.py`` (numpy.pad +
explicit sums, the modular sum of the cyclic definition) and scipy.signal.
Floating results are checked with :func:`conftest.fft_tolerance`: an FFT's
rounding error is about ``eps * log2(P) * ||x||_2 * ||h||_2`` spread over the
whole output, not each output's own sum. Integer results must be exact.
"""
import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (ALL_MODES, BOUNDARIES, INT_DTYPES, OPS, assert_close, fft_tolerance,
                      random_array, shape_mode_params, valid_defined)
from reference import (batched, boundary_reference, circular_fft_reference,
                       circular_reference)
from sigconv import _exact
from sigconv._backends import fft as fft_backend
from sigconv._backends import _lengths

FLOATING = (np.float64, np.float32, np.complex128, np.complex64)


def fft_call(op, x, h, mode, **kw):
    return getattr(sigconv, op)(x, h, mode, method="fft", **kw)


def reference(op, x, h, mode, **kw):
    if mode == "circular":
        return circular_reference(op, x, h)
    return boundary_reference(op, x, h, mode, **kw)


def check(got, expected, x, h, *, axes=None, mode="full", fillvalue=0, dtype=None):
    atol = fft_tolerance(np.result_type(x, h) if dtype is None else dtype, x, h, axes=axes,
                         circular=(mode == "circular"), fillvalue=fillvalue)
    assert_close(got, expected, inputs=(x, h), dtype=dtype, fillvalue=fillvalue, atol=atol)
    assert got.flags.c_contiguous


# --------------------------------------------------------------- every mode


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3), ALL_MODES))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", FLOATING)
def test_matches_reference(rng, s1, s2, mode, op, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    check(fft_call(op, x, h, mode), reference(op, x, h, mode), x, h, mode=mode)


@pytest.mark.parametrize("s1, s2, mode",
                         shape_mode_params((1, 2, 3), ("full", "same", "valid")))
@pytest.mark.parametrize("op", OPS)
def test_matches_direct_and_scipy(rng, s1, s2, mode, op):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.float64)
    got = fft_call(op, x, h, mode)
    check(got, getattr(sigconv, op)(x, h, mode, method="direct"), x, h)
    check(got, getattr(scipy.signal, op)(x, h, mode, method="fft"), x, h)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_convolve_matches_scipy_fftconvolve(rng, mode, dtype):
    x = random_array(rng, (37, 20), dtype)
    h = random_array(rng, (9, 4), dtype)
    check(sigconv.convolve(x, h, mode, method="fft"),
          scipy.signal.fftconvolve(x, h, mode), x, h)


# ----------------------------------------------------------------- boundaries


@pytest.mark.parametrize("s1, s2, mode", [
    ((11,), (4,), "full"), ((11,), (4,), "same"), ((3,), (8,), "full"), ((2,), (7,), "same"),
    ((6, 7), (3, 2), "same"), ((3, 4), (6, 7), "full"), ((5, 4, 6), (3, 2, 3), "same"),
    ((2, 3, 2), (3, 4, 5), "full")])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_boundaries(rng, s1, s2, mode, op, boundary):
    # kernels wider than the signal: extensions that repeat periodically
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    got = fft_call(op, x, h, mode, boundary=boundary, fillvalue=-0.75)
    check(got, boundary_reference(op, x, h, mode, boundary, -0.75), x, h, fillvalue=-0.75)


@pytest.mark.parametrize("s1, s2", [((9,), (4,)), ((5, 6), (3, 4)), ((3, 4, 5), (2, 3, 2))])
@pytest.mark.parametrize("boundary", ["wrap", "symm", "reflect", "edge"])
@pytest.mark.parametrize("dtype", [np.float32, np.complex64, np.complex128])
def test_boundaries_dtypes(rng, s1, s2, boundary, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    got = sigconv.correlate(x, h, "same", method="fft", boundary=boundary)
    assert got.dtype == dtype
    check(got, boundary_reference("correlate", x, h, "same", boundary), x, h)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", ["full", "same"])
def test_complex_fill_with_real_signal(rng, op, mode):
    x = random_array(rng, (9, 5))
    h = random_array(rng, (3, 4), np.complex128)
    fill = 1.5 - 2j
    got = fft_call(op, x, h, mode, fillvalue=fill)
    check(got, boundary_reference(op, x, h, mode, "fill", fill), x, h, fillvalue=fill)


# ------------------------------------------------------------ axes, strides


@pytest.mark.parametrize("xshape, hshape, axes", [
    ((4, 30), (1, 7), 1), ((4, 30), (4, 7), -1), ((30, 3), (5, 3), 0),
    ((2, 3, 17, 5), (2, 1, 6, 5), 2), ((3, 1, 12, 9), (1, 4, 5, 3), (2, 3)),
    ((6, 5, 7), (6, 2, 3), (1, 2)), ((3, 1, 40), (1, 5, 9), -1)])
@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("op", OPS)
def test_axes_broadcasting(rng, xshape, hshape, axes, mode, op):
    x = random_array(rng, xshape, np.complex128)
    h = random_array(rng, hshape)
    got = fft_call(op, x, h, mode, axes=axes)
    expected = batched(lambda a, b: reference(op, a, b, mode), x, h, axes)
    check(got, expected, x, h, axes=axes, mode=mode)


@pytest.mark.parametrize("s1, s2, mode", [
    ((23,), (5,), "full"), ((23,), (6,), "same"), ((23,), (5,), "valid"),
    ((5,), (23,), "valid"), ((23,), (5,), "circular"), ((8, 9), (3, 4), "same"),
    ((3, 4), (8, 9), "valid"), ((7, 6, 5), (2, 3, 2), "full")])
@pytest.mark.parametrize("stride", [2, 3])
@pytest.mark.parametrize("op", OPS)
def test_stride(rng, s1, s2, mode, stride, op):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.complex128)
    got = fft_call(op, x, h, mode, stride=stride)
    full = reference(op, x, h, mode)
    check(got, full[(slice(None, None, stride),) * x.ndim], x, h, mode=mode)


@pytest.mark.parametrize("op", OPS)
def test_stride_per_axis_with_boundary(rng, op):
    x = random_array(rng, (13, 11))
    h = random_array(rng, (4, 3))
    got = fft_call(op, x, h, "same", stride=(3, 2), boundary="reflect")
    expected = boundary_reference(op, x, h, "same", "reflect")[::3, ::2]
    check(got, expected, x, h)


# ----------------------------------------------------------------- circular


@pytest.mark.parametrize("s1, s2", [
    ((8,), (3,)), ((8,), (8,)), ((5,), (13,)), ((3,), (11,)), ((1,), (4,)),
    ((6, 5), (2, 12)), ((4, 3), (9, 7)), ((3, 4, 2), (7, 2, 5))])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.float32])
def test_circular_long_kernels(rng, s1, s2, op, dtype):
    # a kernel longer than the period is folded before the transform
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    check(fft_call(op, x, h, "circular"), circular_reference(op, x, h), x, h,
          mode="circular")


@pytest.mark.parametrize("op", OPS)
def test_circular_matches_numpy_fft(rng, op):
    x = random_array(rng, (12, 10), np.complex128)
    h = random_array(rng, (5, 10), np.complex128)
    check(fft_call(op, x, h, "circular"), circular_fft_reference(op, x, h), x, h,
          mode="circular")


def test_circular_transform_has_the_period_length(rng, monkeypatch):
    # no padding: the transforms run at the period itself (odd, prime here)
    lengths = []
    for name in ("rfft", "fft", "irfft", "ifft"):
        real = getattr(fft_backend.sfft, name)

        def spy(a, *args, _real=real, **kwargs):
            lengths.append(kwargs.get("n") or a.shape[kwargs["axis"]])
            return _real(a, *args, **kwargs)

        monkeypatch.setattr(fft_backend.sfft, name, spy)
    x = random_array(rng, (13, 7))
    h = random_array(rng, (3, 20))
    got = sigconv.convolve(x, h, "circular", method="fft")
    assert lengths and set(lengths) == {13, 7}
    check(got, circular_reference("convolve", x, h), x, h, mode="circular")


# ------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_single_precision_stays_single(rng, dtype):
    x = random_array(rng, (300,), dtype)
    h = random_array(rng, (31,), dtype)
    got = sigconv.convolve(x, h, "same", method="fft")
    assert got.dtype == dtype
    expected = boundary_reference("convolve", x, h, "same")
    check(got, expected, x, h)
    # computed in single precision: its error is of float32's size
    err = np.abs(got - expected).max() / np.abs(expected).max()
    assert 1e-10 < err < 1e-5


def test_float16_computed_in_float32(rng):
    x = random_array(rng, (50,), np.float16)
    h = random_array(rng, (7,), np.float16)
    got = sigconv.convolve(x, h, method="fft")
    assert got.dtype == np.float16
    expected = sigconv.convolve(x, h, method="direct")
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                               rtol=2e-3, atol=2e-2)


@pytest.mark.skipif(np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps,
                    reason="long double is double here")
@pytest.mark.parametrize("dtype", [np.longdouble, np.clongdouble])
def test_longdouble_computed_in_longdouble(rng, dtype):
    x = random_array(rng, (200,), dtype)
    h = random_array(rng, (17,), dtype)
    got = sigconv.correlate(x, h, "full", method="fft")
    assert got.dtype == dtype
    expected = boundary_reference("correlate", x, h, "full")
    check(got, expected, x, h)
    err = np.abs(got - expected).max() / np.abs(expected).max()
    assert err < 1e-17


@pytest.mark.parametrize("dtype", INT_DTYPES + (np.bool_,))
@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("op", OPS)
def test_integers_exact(rng, dtype, mode, op):
    # small values; the sums of the narrow types overflow and must wrap
    # exactly as the direct method's do
    x = random_array(rng, (29, 6), dtype)
    h = random_array(rng, (6, 4), dtype)
    got = fft_call(op, x, h, mode)
    assert got.dtype == np.result_type(x, h)
    np.testing.assert_array_equal(got, getattr(sigconv, op)(x, h, mode, method="direct"))


@pytest.mark.parametrize("boundary", ["fill", "reflect", "wrap"])
def test_integers_exact_with_boundaries_and_full_range(rng, boundary):
    x = random_array(rng, (400,), np.int8, full_range=True)
    h = random_array(rng, (37,), np.int16, full_range=True)
    got = sigconv.convolve(x, h, "same", method="fft", boundary=boundary, fillvalue=-100)
    expected = sigconv.convolve(x, h, "same", method="direct", boundary=boundary,
                                fillvalue=-100)
    np.testing.assert_array_equal(got, expected)


def test_integers_beyond_the_bound_are_rounded_as_scipy_does(rng):
    # scipy.signal.convolve(method='fft') rounds the float64 transform result;
    # so does sigconv, off from the exact result by at most the bound
    x = rng.integers(0, 2**30, size=5000, dtype=np.int64)
    h = rng.integers(0, 2**20, size=300, dtype=np.int64)
    got = sigconv.convolve(x, h, method="fft")
    assert got.dtype == np.int64 and got.flags.c_contiguous
    # the direct method is exact (here without wrapping: the sums fit in int64)
    direct = sigconv.convolve(x, h, method="direct")
    assert direct[300] == int(sum(int(a) * int(b) for a, b in zip(x[1:301], h[::-1])))
    size = fft_backend.fast_lengths([x.size + h.size - 1], True)
    norms = [(float(np.abs(a.astype(float)).sum()), float(np.linalg.norm(a.astype(float))))
             for a in (x, h)]
    bound = _exact.integer_error_bound(*norms, size)
    assert bound >= _exact.INTEGER_BOUND           # not certified exact ...
    assert np.abs(got - direct).max() <= bound + 0.5   # ... but within the bound
    ours_vs_scipy = np.abs(got - scipy.signal.convolve(x, h, method="fft")).max()
    assert ours_vs_scipy <= 2 * bound + 1
    # 'auto' stays exact
    assert np.array_equal(sigconv.convolve(x, h), direct)


@pytest.mark.parametrize("n", [10, 20, 50, 51, 52, 53, 54, 60, 62])
def test_huge_integers_wrap_like_direct(n):
    z = np.array([2**n], dtype=np.int64)
    got = sigconv.convolve(z, z, method="fft")
    assert got.dtype == np.int64
    assert got.tolist() == sigconv.convolve(z, z, method="direct").tolist()


def test_integer_bound_covers_the_actual_error(rng):
    # the bound that licenses rounding holds with room to spare on hostile
    # data (constant maximal inputs: all energy in one frequency)
    for x, h in [(np.full(20000, 32767.0), np.full(300, 32767.0)),
                 (rng.integers(-2**20, 2**20, 4096).astype(float),
                  rng.integers(-2**20, 2**20, 4096).astype(float))]:
        exact = sigconv.convolve(x.astype(np.int64), h.astype(np.int64), method="direct")
        err = np.abs(sigconv.convolve(x, h, method="fft") - exact).max()
        size = _lengths.fast_lengths([x.size + h.size - 1], True)
        norms = [(np.abs(a).sum(), np.sqrt((a * a).sum())) for a in (x, h)]
        assert err < _exact.integer_error_bound(*norms, size) / 100


# ----------------------------------------------------------- hostile inputs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode", ["same", "circular"])
def test_large_dynamic_range(rng, dtype, mode):
    # magnitudes over 12 decades: small outputs are only accurate relative
    # to the largest ones (the documented FFT error), and they are
    x = (rng.standard_normal(500) * 10.0 ** rng.uniform(-6, 6, 500)).astype(dtype)
    h = (rng.standard_normal(40) * 10.0 ** rng.uniform(-3, 3, 40)).astype(dtype)
    check(sigconv.correlate(x, h, mode, method="fft"), reference("correlate", x, h, mode),
          x, h, mode=mode)


def test_fft_tolerance_catches_wrong_results(rng):
    # the tolerance is far below the error of an off-by-one result
    x = random_array(rng, (2000,), np.float32)
    h = random_array(rng, (64,), np.float32)
    got = sigconv.convolve(x, h, "same", method="fft")
    expected = boundary_reference("convolve", x, h, "same")
    atol = fft_tolerance(np.float32, x, h)
    assert np.abs(got - expected).max() <= atol
    assert np.abs(np.roll(got, 1) - expected).max() > 100 * atol
    with pytest.raises(AssertionError):
        assert_close(np.roll(got, 1), expected, inputs=(x, h), atol=atol)


def test_nan_spreads(rng):
    # documented: one NaN makes every FFT output NaN (direct keeps it local)
    x = random_array(rng, (30,))
    x[4] = np.nan
    with pytest.warns(RuntimeWarning, match="Use of fft convolution on input with NAN"):
        got = sigconv.convolve(x, np.ones(3), method="fft")
    assert np.isnan(got).all()


# -------------------------------------------------------- layouts, threads


@pytest.mark.parametrize("mode", ["full", "circular"])
def test_inputs_untouched_any_layout(rng, mode):
    base = random_array(rng, (20, 24), np.complex128)
    x = base[::-2, 1::3]           # negative and non-unit strides
    h = np.asfortranarray(random_array(rng, (3, 4), np.complex128))
    x.flags.writeable = False
    h.flags.writeable = False
    x0, h0 = x.copy(), h.copy()
    got = sigconv.correlate(x, h, mode, method="fft")
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(h, h0)
    check(got, reference("correlate", x0, h0, mode), x0, h0, mode=mode)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_workers_do_not_change_the_result(rng, dtype):
    # long 1-D transforms take the two-thread path; batches split by lines
    x = random_array(rng, (70000,), dtype)
    h = random_array(rng, (300,), dtype)
    one = sigconv.convolve(x, h, "same", method="fft", workers=1)
    two = sigconv.convolve(x, h, "same", method="fft", workers=2)
    np.testing.assert_array_equal(one, two)
    xb = random_array(rng, (6, 5000), dtype)
    one = sigconv.convolve(xb, h[None], "same", method="fft", axes=1, workers=1)
    two = sigconv.convolve(xb, h[None], "same", method="fft", axes=1, workers=2)
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("kshape", [(2, 300), (1, 300)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int16])
def test_few_long_lines_split_by_rows(rng, op, kshape, mode, dtype):
    # a stereo signal along axis 0: scipy.fft would transform both lines on
    # one thread, so the batch is cut into one group of rows per thread
    from sigconv._problem import make_problem
    x = random_array(rng, (70000, 2), dtype)
    h = random_array(rng, kshape[::-1], dtype)
    problem, _, _ = make_problem(x, h, op=op, mode=mode, axes=0)
    plans, shape, _, _, _, rows = fft_backend._layout(problem)
    assert fft_backend._row_groups(problem, shape, rows, 2) == [(0, 1), (1, 2)]
    two = fft_call(op, x, h, mode, axes=0, workers=2)
    one = fft_call(op, x, h, mode, axes=0, workers=1)
    check(two, batched(lambda a, b: reference(op, a, b, mode), x, h, 0), x, h, axes=(0,),
          mode=mode)
    assert_close(two, one, inputs=(x, h),
                 atol=fft_tolerance(np.result_type(x, h), x, h, axes=(0,)))
    # the same through a kept kernel spectrum
    conv = sigconv.Convolver(h, x.shape, mode, method="fft", axes=0)
    if op == "convolve":
        np.testing.assert_array_equal(conv(x, workers=2), conv(x, workers=1))


def test_row_split_errors_reach_the_caller(rng, monkeypatch):
    x = random_array(rng, (70000, 2), np.float64)
    h = random_array(rng, (300, 2), np.float64)

    def boom(*args, **kwargs):
        raise RuntimeError("transform failed")
    monkeypatch.setattr(fft_backend, "inverse", boom)
    with pytest.raises(RuntimeError, match="transform failed"):
        sigconv.convolve(x, h, method="fft", axes=0, workers=2)


def test_spectral_product_in_place_and_broadcast(rng):
    from sigconv._ext import _spectral
    a = random_array(rng, (3, 10), np.complex128)
    b = random_array(rng, (1, 10), np.complex128)
    expected = a * np.conj(b)
    rows = np.arange(3, dtype=np.intp)
    _spectral.multiply(a.view(np.float64), b.view(np.float64), a.view(np.float64), rows,
                       np.zeros(3, dtype=np.intp), True, 1.0, 2)
    np.testing.assert_allclose(a, expected, rtol=1e-15)
    with pytest.raises(IndexError):
        _spectral.multiply(a.view(np.float64), b.view(np.float64), a.view(np.float64), rows,
                           rows, False, 1.0, 1)


def test_valid_undefined_still_raises():
    assert not valid_defined((3, 5), (4, 4))
    with pytest.raises(ValueError, match="at least as large"):
        sigconv.convolve(np.ones((3, 5)), np.ones((4, 4)), "valid", method="fft")


# ------------------------------------------ fftconvolve / oaconvolve (scipy's)

PAIRS = [pytest.param(sigconv.fftconvolve, scipy.signal.fftconvolve, id="fftconvolve"),
         pytest.param(sigconv.oaconvolve, scipy.signal.oaconvolve, id="oaconvolve")]

#: shapes with length-1 axes (scipy broadcasts those instead of convolving),
#: mismatched batch lengths and undefined 'valid' cases
SCIPY_CASES = [
    ((5,), (3,), None), ((3,), (5,), None), ((1,), (4,), None), ((4,), (1,), None),
    ((1,), (1,), None), ((40,), (7,), 0), ((6, 7), (3, 2), None), ((1, 10), (4, 3), None),
    ((3, 10), (1, 3), None), ((3, 10), (1, 3), 1), ((3, 10), (4, 3), 1),
    ((3, 10), (4, 3), None), ((5, 4), (5, 4), None), ((1, 1), (1, 1), None),
    ((4, 1), (1, 5), None), ((3, 4), (6, 7), None), ((3, 5), (4, 4), None),
    ((3, 5), (4, 4), -1), ((6, 20), (6, 5), (-1,)), ((4, 1, 6), (2, 3, 3), None),
    ((2, 3, 14), (2, 1, 4), (0, 2)), ((2, 3, 14), (1, 3, 4), [2]), ((5, 4), (3, 2), (1, 1)),
    ((5, 4), (3, 2), 2), ((5, 4), (3, 2), ())]


@pytest.mark.parametrize("ours, theirs", PAIRS)
@pytest.mark.parametrize("s1, s2, axes", SCIPY_CASES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_scipy_semantics(rng, ours, theirs, s1, s2, axes, mode):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    try:
        expected = theirs(x, h, mode, axes=axes)
    except ValueError:
        with pytest.raises(ValueError):
            ours(x, h, mode, axes=axes)
        return
    got = ours(x, h, mode, axes=axes)
    check(got, expected, x, h)


@pytest.mark.parametrize("ours, theirs", PAIRS)
@pytest.mark.parametrize("d1, d2", [
    (np.int16, np.int8), (np.bool_, np.bool_), (np.float16, np.float16),
    (np.float32, np.float32), (np.float32, np.int8), (np.float32, np.complex64),
    (np.float32, np.complex128), (np.uint64, np.complex64), (np.longdouble, np.float64),
    (np.float64, np.clongdouble)])
def test_scipy_dtypes(rng, ours, theirs, d1, d2):
    x = random_array(rng, (60, 3), d1)
    h = random_array(rng, (9, 2), d2)
    expected = theirs(x, h, "same")
    got = ours(x, h, "same")
    assert got.dtype == expected.dtype
    # scipy transforms each input in its own precision (a float32 input in
    # single precision even for a float64 result); sigconv in the result's
    def transformed(d):
        d = np.dtype(d)
        return np.dtype(np.float64) if d.kind in "biu" else np.result_type(d, np.float32)
    loose = max((transformed(d) for d in (d1, d2)), key=lambda d: np.finfo(d).eps)
    atol = fft_tolerance(loose, x, h)
    assert_close(got, expected, inputs=(x, h), dtype=expected.dtype, atol=atol)
    xe, he = x.astype(expected.dtype), h.astype(expected.dtype)
    check(got, boundary_reference("convolve", xe, he, "same"), xe, he)


@pytest.mark.parametrize("ours, theirs", PAIRS)
@pytest.mark.parametrize("x, h", [
    (np.array(2.0), np.array(3.0)), (np.array(2), np.array(3)), (np.ones(0), np.ones(3)),
    (np.ones((2, 0)), np.ones((1, 1))), (np.ones((1,), np.int16), np.ones((1,), np.int8)),
    (np.ones((1, 4), np.int16), np.ones((1, 1), np.uint8))])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_scipy_special_inputs(ours, theirs, x, h, mode):
    # 0-d and empty inputs, and inputs with nothing to convolve, as scipy
    expected = theirs(x, h, mode)
    got = ours(x, h, mode)
    assert type(got) is type(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("func", [sigconv.fftconvolve, sigconv.oaconvolve])
def test_scipy_errors(func):
    with pytest.raises(ValueError, match="same dimensionality"):
        func(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="mode"):
        func(np.ones(3), np.ones(2), "circular")
    with pytest.raises(TypeError):
        func(np.array(["a", "b"]), np.ones(2))


@pytest.mark.parametrize("func, method", [(sigconv.fftconvolve, "fft"),
                                          (sigconv.oaconvolve, "oa")])
def test_wrappers_are_the_methods(rng, func, method):
    x = random_array(rng, (3000,))
    h = random_array(rng, (40,))
    np.testing.assert_array_equal(func(x, h, "same"),
                                  sigconv.convolve(x, h, "same", method=method))


@pytest.mark.parametrize("method", ["fft", "oa"])
def test_random_configurations_match_direct(method):
    # a seeded sweep over everything at once: dimension, shapes, mode,
    # boundary, fill value, stride, batch axes and dtype
    rng = np.random.default_rng(20240611 + len(method))
    for _ in range(150):
        ndim = int(rng.integers(1, 4))
        s1 = tuple(int(v) for v in rng.integers(1, 12, ndim))
        s2 = tuple(int(v) for v in rng.integers(1, 7, ndim))
        mode = str(rng.choice(["full", "same", "valid", "circular"]))
        if mode == "valid" and not valid_defined(s1, s2):
            mode = "full"
        boundary = "fill" if mode == "circular" else str(rng.choice(BOUNDARIES))
        dtype = rng.choice([np.float64, np.float32, np.complex128, np.int32])
        op = str(rng.choice(OPS))
        axes = None
        if ndim > 1 and rng.random() < 0.4:
            axes = int(rng.integers(0, ndim))
            b = [a for a in range(ndim) if a != axes]
            s2 = tuple(1 if a in b and rng.random() < 0.5 else n
                       for a, n in enumerate(s2))
            s2 = tuple(s1[a] if a in b and n != 1 else n for a, n in enumerate(s2))
            if mode == "valid" and not valid_defined((s1[axes],), (s2[axes],)):
                mode = "same"
        stride = int(rng.integers(1, 4))
        fill = float(rng.integers(-3, 4)) if boundary == "fill" else 0
        x = random_array(rng, s1, dtype)
        h = random_array(rng, s2, dtype)
        kw = dict(boundary=boundary, fillvalue=fill, axes=axes, stride=stride)
        f = getattr(sigconv, op)
        expected = f(x, h, mode, method="direct", **kw)
        got = f(x, h, mode, method=method, **kw)
        check(got, expected, x, h, axes=axes, mode=mode, fillvalue=fill)


# ------------------------------------------------- the transform-length model


def _smooth(n, primes):
    for p in primes:
        while n % p == 0:
            n //= p
    return n == 1


@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("single", [True, False])
@pytest.mark.parametrize("n", [1, 7, 255, 256, 257, 1000, 2110, 4109, 100003, 575999, 2**20])
def test_good_length(n, real, single):
    from scipy.fft import next_fast_len
    m = _lengths.good_length(n, real, single)
    assert m >= n
    assert _smooth(m, (2, 3, 5) if real else (2, 3, 5, 7, 11))
    kind = fft_backend._kind(real, single)
    if n >= fft_backend.MODEL_MIN_LENGTH:
        # never worse by the model than scipy's next fast length, never past
        # the next power of two
        assert m <= 1 << (n - 1).bit_length()
        assert (_lengths.length_units(m, kind)
                <= _lengths.length_units(next_fast_len(n, real=real), kind))
    if n & (n - 1) == 0:
        assert m == n


def test_length_units():
    # a power of two costs n log2 n; extra factors cost more per level
    assert _lengths.length_units(1024, "real32") == 1024 * 10
    assert _lengths.length_units(3 * 512, "real32") > 3 * 512 * np.log2(3 * 512)
    assert _lengths.length_units(3 * 512, "complex") == pytest.approx(
        3 * 512 * np.log2(3 * 512))
    # a prime with no fast pass is charged heavily
    assert _lengths.length_units(1009, "complex") > 1009 * (np.log2(1009) + 4)
    # N-D: every axis's lines
    assert _lengths.transform_units((8, 16), False) == 8 * 16 * (3 + 4)


@pytest.mark.parametrize("sizes", [[2110, 2110], [257, 1025], [1000, 1000], [7, 4097, 33],
                                   [100003, 9]])
@pytest.mark.parametrize("single", [True, False])
def test_lengths_chosen_together_in_nd(sizes, single):
    # bounds that do not come from the search: each length fits its axis, is
    # smooth, never passes the next power of two, and the shape is never
    # worse by the model than scipy's next fast length on every axis
    from scipy.fft import next_fast_len
    shape = fft_backend.fast_lengths(sizes, True, single)
    last = len(sizes) - 1
    assert len(shape) == len(sizes)
    for axis, (m, n) in enumerate(zip(shape, sizes)):
        assert n <= m <= 1 << (n - 1).bit_length()
        assert _smooth(m, (2, 3, 5) if axis == last else (2, 3, 5, 7, 11))
    scipy_shape = [next_fast_len(n, real=(axis == last)) for axis, n in enumerate(sizes)]
    assert (fft_backend.transform_units(shape, True, single)
            <= fft_backend.transform_units(scipy_shape, True, single))


@pytest.mark.parametrize("sizes, expected", [
    ([256, 512], (256, 512)),           # powers of two are kept
    ([64, 64, 64], (64, 64, 64)),
    ([255, 1023], (256, 1024)),         # one short of a power of two: that power
    ([8191, 8191], (8192, 8192)),
    ([1000, 256], (1000, 256)),         # 1000 = 2^3 5^3: fast for a complex axis
])
def test_lengths_hand_table(sizes, expected):
    assert tuple(fft_backend.fast_lengths(sizes, True, False)) == expected


# ------------------------------------------- circular mode is the circulant matrix


@pytest.mark.parametrize("n, K", [(1, 1), (7, 3), (8, 8), (6, 13), (16, 5)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.float32])
def test_circular_is_the_circulant_matrix(rng, n, K, dtype):
    import scipy.linalg
    x = random_array(rng, (n,), dtype)
    h = random_array(rng, (K,), dtype)
    folded = np.zeros(n, dtype=np.result_type(h, np.float64))
    np.add.at(folded, np.arange(K) % n, h)
    C = scipy.linalg.circulant(folded)
    np.testing.assert_allclose(sigconv.circulant_matrix(h, n), C, rtol=1e-6, atol=1e-6)
    tol = fft_tolerance(np.result_type(x, h), x, h, circular=True)
    assert_close(fft_call("convolve", x, h, "circular"), C @ x, inputs=(x, h), atol=tol)
    # a correlation is the conjugate transpose
    assert_close(fft_call("correlate", x, h, "circular"), C.conj().T @ x, inputs=(x, h),
                 atol=tol)


def test_circular_2d_is_the_block_circulant_matrix(rng):
    x = random_array(rng, (5, 4), np.float64)
    h = random_array(rng, (3, 6), np.float64)
    C = sigconv.circulant_matrix(h, (5, 4))
    assert C.shape == (20, 20)
    got = fft_call("convolve", x, h, "circular")
    assert_close(got.ravel(), C @ x.ravel(), inputs=(x, h),
                 atol=fft_tolerance(np.float64, x, h, circular=True))
