"""Bad input: every error has its type and a message saying what is wrong."""
import os

import numpy as np
import pytest

import sigconv

FUNCS = [pytest.param(sigconv.convolve, id="convolve"),
         pytest.param(sigconv.correlate, id="correlate")]
FUNCS_ALL = FUNCS + [pytest.param(sigconv.convolve2d, id="convolve2d"),
                     pytest.param(sigconv.correlate2d, id="correlate2d")]

X = np.arange(12.0).reshape(3, 4)
H = np.ones((2, 2))


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("s1, s2", [((3,), (2, 2)), ((3, 4), (2,)), ((2, 2, 2), (2, 2)),
                                    ((4,), ())],
                         ids=lambda s: "x".join(map(str, s)) or "0d")
def test_ndim_mismatch(func, s1, s2):
    with pytest.raises(ValueError, match="same dimensionality"):
        func(np.ones(s1), np.ones(s2))


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("mode", ["bogus", "Full", "", None, 1, "circ"])
def test_unknown_mode(func, mode):
    with pytest.raises(ValueError, match="mode must be one of .*'full'"):
        func(X, H, mode)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("method", ["bogus", "FFT", "", None, "overlap-add"])
def test_unknown_method(func, method):
    with pytest.raises(ValueError, match="method must be one of .*'direct'"):
        func(X, H, method=method)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("method", ["toeplitz"])
def test_method_toeplitz_runs(func, method):
    np.testing.assert_allclose(func(X, H, method=method), func(X, H, method="direct"),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("boundary", ["bogus", "periodic", "Symm", "", None, 0, "mirror"])
def test_unknown_boundary(func, boundary):
    with pytest.raises(ValueError, match="boundary must be one of .*'fill'"):
        if func in (sigconv.convolve2d, sigconv.correlate2d):
            func(X, H, "same", boundary)
        else:
            func(X, H, "same", boundary=boundary)


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("boundary", ["symm", "symmetric", "reflect", "edge"])
def test_circular_with_other_boundary(func, boundary):
    with pytest.raises(ValueError, match="circular.*boundary %r" % boundary):
        if func in (sigconv.convolve2d, sigconv.correlate2d):
            func(X, H, "circular", boundary)
        else:
            func(X, H, "circular", boundary=boundary)


BAD_DTYPES = [
    pytest.param(np.array([1, "a"], dtype=object), "object", id="object"),
    pytest.param(np.array([None, None]), "object", id="none-object"),
    pytest.param(np.array(["ab", "c"]), "<U2", id="str"),
    pytest.param(np.array([b"ab", b"c"]), "S2", id="bytes"),
    pytest.param(np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), "datetime64",
                 id="datetime"),
    pytest.param(np.array([1, 2], dtype="m8[s]"), "timedelta64", id="timedelta"),
    pytest.param(np.zeros(2, dtype=[("a", "f8")]), r"\('a'", id="structured"),
]


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("bad, name", BAD_DTYPES)
def test_non_numeric_dtypes(func, bad, name):
    with pytest.raises(TypeError, match="in1 has dtype .*%s.*integer, float and complex" % name):
        func(bad, np.ones(1))
    with pytest.raises(TypeError, match="in2 has dtype .*%s" % name):
        func(np.ones(3), bad)


@pytest.mark.parametrize("func", [sigconv.convolve2d, sigconv.correlate2d])
def test_non_numeric_dtypes_2d(func):
    with pytest.raises(TypeError, match="dtype object"):
        func(np.array([[1, None]], dtype=object), np.ones((1, 1)))
    with pytest.raises(TypeError, match="dtype <U1"):
        func(np.ones((2, 2)), np.array([["a"]]))


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("stride", [0, -1, (1, 0), (2, -3)])
def test_stride_below_one(func, stride):
    with pytest.raises(ValueError, match="stride must be >= 1"):
        func(X, H, stride=stride)


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("stride", [1.0, 2.5, "2", None, True, (1, 1.5), np.float64(2)])
def test_stride_not_an_integer(func, stride):
    with pytest.raises(TypeError, match="stride must be an integer or a tuple of integers"):
        func(X, H, stride=stride)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("stride", [(1,), (1, 2, 3)])
def test_stride_wrong_length(func, stride):
    with pytest.raises(ValueError, match="stride has %d entries for 2 convolved axes"
                       % len(stride)):
        func(X, H, stride=stride)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("axes", [2, -3, (0, 2), (5,)])
def test_axes_out_of_range(func, axes):
    with pytest.raises(ValueError, match="out of range for arrays of dimension 2"):
        func(X, H, axes=axes)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("axes", [(0, 0), (1, -1), [0, 1, 0]])
def test_axes_repeated(func, axes):
    with pytest.raises(ValueError, match="axes must be unique"):
        func(X, H, axes=axes)


@pytest.mark.parametrize("func", FUNCS)
def test_axes_bad_type_or_empty(func):
    with pytest.raises(TypeError, match="axes must be integers"):
        func(X, H, axes=1.0)
    with pytest.raises(TypeError, match="axes must be integers"):
        func(X, H, axes=("a",))
    with pytest.raises(ValueError, match="at least one axis"):
        func(X, H, axes=())


@pytest.mark.parametrize("func", FUNCS)
def test_axes_incompatible_batch_lengths(func):
    with pytest.raises(ValueError, match="incompatible lengths 3 and 2 along the non-convolved "
                                         "axis 0"):
        func(np.ones((3, 5)), np.ones((2, 2)), axes=1)


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("s1, s2", [((3, 4), (4, 3)), ((5, 1), (1, 5))],
                         ids=lambda s: "x".join(map(str, s)))
def test_valid_neither_larger(func, s1, s2):
    with pytest.raises(ValueError, match="one must be at least as large as the other"):
        func(np.ones(s1), np.ones(s2), "valid")


@pytest.mark.parametrize("func", FUNCS)
def test_valid_neither_larger_nd_axes(func):
    with pytest.raises(ValueError, match="one must be at least as large as the other"):
        func(np.ones((2, 3, 5)), np.ones((2, 4, 4)), "valid", axes=(1, 2))
    with pytest.raises(ValueError, match="one must be at least as large as the other"):
        func(np.ones((3, 2, 4)), np.ones((2, 3, 4)), "valid")


@pytest.mark.parametrize("func", [sigconv.convolve2d, sigconv.correlate2d])
@pytest.mark.parametrize("s1, s2", [((3,), (2,)), ((3, 3), (2,)), ((2, 2, 2), (2, 2, 2)),
                                    ((), ()), ((3, 3), (1, 1, 1))],
                         ids=lambda s: "x".join(map(str, s)) or "0d")
def test_2d_twins_need_2d(func, s1, s2):
    with pytest.raises(ValueError, match="need 2-D inputs, got %d-D and %d-D"
                       % (len(s1), len(s2))):
        func(np.ones(s1), np.ones(s2))


# ------------------------------------------------------------------ memory

HUGE = 2**40   # elements: 8 TiB of float64


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("mode", ["full", "same", "circular"])
def test_output_too_large_1d(func, mode):
    # a broadcast view: nothing of that size exists, and nothing may be allocated
    x = np.broadcast_to(np.float64(1.0), (HUGE,))
    with pytest.raises(MemoryError, match="needs about .* GiB, more than this machine's"):
        func(x, np.ones(3), mode)


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int8, np.bool_])
def test_output_too_large_full_of_two_broadcasts(func, dtype):
    # two 10**6 x 10**6 views of one element; 'full' is 2e6 x 2e6
    a = np.broadcast_to(np.ones((1, 1), dtype=dtype), (10**6, 10**6))
    with pytest.raises(MemoryError, match=r"output of shape \(1999999, 1999999\)"):
        func(a, a)


def test_output_too_large_batch():
    x = np.broadcast_to(np.ones((1, 1)), (2**25, 2**20))
    h = np.broadcast_to(np.ones((1, 1)), (2**25, 3))
    with pytest.raises(MemoryError, match="more than this machine's"):
        sigconv.convolve(x, h, "same", axes=1)


# --------------------------------------------------------------- fillvalue

@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.bool_])
def test_complex_fillvalue_for_real_output(func, dtype):
    x = np.ones((3, 3), dtype=dtype)
    with pytest.raises(ValueError, match=r"fillvalue \(?1\+2j\)? is complex but the output "
                                         r"dtype is %s" % np.dtype(dtype)):
        func(x, x, "same", fillvalue=1 + 2j)


@pytest.mark.parametrize("func", [sigconv.convolve2d, sigconv.correlate2d])
def test_complex_fillvalue_for_real_output_2d(func):
    with pytest.raises(ValueError, match="is complex but the output dtype is float64"):
        func(X, H, "same", "fill", 1j)


def test_complex_fillvalue_with_zero_imaginary_part_is_accepted():
    got = sigconv.convolve(X, H, "same", fillvalue=2 + 0j)
    assert np.array_equal(got, sigconv.convolve(X, H, "same", fillvalue=2.0))


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("fill", [np.array([1.0, 2.0]), [], np.zeros((2, 1))],
                         ids=["vector", "empty", "matrix"])
def test_fillvalue_array(func, fill):
    with pytest.raises(ValueError, match="`fillvalue` must be scalar or an array with one "
                                         "element, got an array of shape"):
        func(X, H, "same", fillvalue=fill)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("fill", [[2.0], np.full((1, 1), 2.0)], ids=["list", "matrix"])
def test_fillvalue_one_element_array(func, fill):
    """As scipy.signal.convolve2d: an array of one element is that element."""
    got = func(X, H, "same", fillvalue=fill)
    assert np.array_equal(got, func(X, H, "same", fillvalue=2.0))


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("fill", ["a", None, object()], ids=["str", "none", "object"])
def test_fillvalue_not_a_number(func, fill):
    with pytest.raises(TypeError, match="fillvalue must be a number"):
        func(X, H, "same", fillvalue=fill)


# ----------------------------------------------------------------- workers

@pytest.mark.parametrize("func", FUNCS_ALL)
def test_workers_zero(func):
    with pytest.raises(ValueError, match="workers must not be 0"):
        func(X, H, workers=0)


@pytest.mark.parametrize("func", FUNCS_ALL)
@pytest.mark.parametrize("workers", ["x", 1.5, True, [2]])
def test_workers_not_an_int(func, workers):
    with pytest.raises(TypeError, match="workers must be an int or None"):
        func(X, H, workers=workers)


@pytest.mark.parametrize("func", FUNCS_ALL)
def test_workers_negative(func):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    expected = func(X, H)
    for w in (-1, -cores, np.int64(-1)):
        assert np.array_equal(func(X, H, workers=w), expected)
    with pytest.raises(ValueError, match="workers value out of range"):
        func(X, H, workers=-cores - 1)


# -------------------------------------------------------- correlation_lags

@pytest.mark.parametrize("mode", ["circular", "bogus", None])
def test_lags_unknown_mode(mode):
    with pytest.raises(ValueError, match="mode must be one of 'full', 'same', 'valid'"):
        sigconv.correlation_lags(4, 3, mode)


@pytest.mark.parametrize("n1, n2", [(3.0, 2), (3, "2"), (True, 2), (None, 1)])
def test_lags_non_integer_lengths(n1, n2):
    with pytest.raises(TypeError, match="in[12]_len must be an integer"):
        sigconv.correlation_lags(n1, n2)


def test_lags_negative_lengths():
    with pytest.raises(ValueError, match="non-negative"):
        sigconv.correlation_lags(-1, 3)
