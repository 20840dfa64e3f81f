"""Every dtype pair, every method, every function that takes two arrays.

Inputs of any two dtypes (bool, every integer width, float16 to longdouble,
complex64/complex128, and non-native byte order) must give scipy's result
dtype and a result within that dtype's tolerance, for every method. The
arrays are tiny; the references are numpy/scipy in float64/complex128 (or
exact int64 for integer results, whose values here are small enough not to
wrap) and scipy's own functions for the output dtype of the transforms.
"""
import numpy as np
import pytest
import scipy.signal
from conftest import assert_close, fft_tolerance, random_array, tolerance

import sigconv

DTYPES = [np.dtype(d) for d in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
    np.uint64, np.float16, np.float32, np.float64, np.longdouble, np.complex64,
    np.complex128)] + [np.dtype(">f8"), np.dtype(">i4"), np.dtype(">c8")]

PAIRS = [pytest.param(a, b, id="%s-%s" % (a.str, b.str)) for a in DTYPES for b in DTYPES]
METHODS = ("direct", "fft", "oa", "toeplitz", "auto")

#: the signal and kernel lengths (long enough for 'oa' to cut blocks)
N, K = 48, 5


def _data(d1, d2, seed, n=N, k=K):
    rng = np.random.default_rng(seed)
    x = random_array(rng, n, d1.newbyteorder("=")).astype(d1)
    h = random_array(rng, k, d2.newbyteorder("=")).astype(d2)
    return x, h


def _seed(*names):
    return sum(ord(c) * (i + 1) for i, c in enumerate("-".join(map(str, names)))) % 2**32


def _wide(a):
    """float64/complex128 (int64 for integer and bool, longdouble kept) copy in native order."""
    if a.dtype.kind in "biu":
        return a.astype(np.int64)
    if a.dtype.newbyteorder("=") in (np.longdouble, np.clongdouble):
        return a.astype(a.dtype.newbyteorder("="))
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _expected(ref, dtype):
    return ref.astype(dtype) if dtype.kind in "biu" else ref


def _check(got, ref, x, h, dtype, method):
    dtype = np.dtype(dtype)
    assert got.dtype == dtype, "dtype %s, expected %s" % (got.dtype, dtype)
    atol = None
    if dtype.kind in "fc":
        atol = (fft_tolerance(dtype, _wide(x), _wide(h)) if method in ("fft", "oa", "spectral")
                else tolerance(dtype, (_wide(x), _wide(h))))
    assert_close(got, _expected(ref, dtype), inputs=(x, h), dtype=dtype, atol=atol)


def test_table_is_every_pair():
    assert len(PAIRS) == len(DTYPES) ** 2 == 324


@pytest.mark.parametrize("d1, d2", PAIRS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_convolve_correlate(op, method, d1, d2):
    x, h = _data(d1, d2, _seed(op, method, d1.str, d2.str))
    got = getattr(sigconv, op)(x, h, "full", method=method)
    w = _wide(h)
    ref = np.convolve(_wide(x), w if op == "convolve" else np.conj(w[::-1]), "full")
    # scipy's result dtype: numpy.result_type of the inputs
    _check(got, ref, x, h, np.result_type(d1, d2), method)


@pytest.mark.parametrize("d1, d2", PAIRS)
@pytest.mark.parametrize("op", ["convolve2d", "correlate2d"])
def test_2d_twins(op, d1, d2):
    rng = np.random.default_rng(_seed(op, d1.str, d2.str))
    x = random_array(rng, (5, 6), d1.newbyteorder("=")).astype(d1)
    h = random_array(rng, (2, 3), d2.newbyteorder("=")).astype(d2)
    got = getattr(sigconv, op)(x, h, "same", boundary="symm")
    # scipy's own function in wide precision (scipy's 2-D twins have no
    # bool or float16 kernels; their dtype is numpy.result_type)
    ref = getattr(scipy.signal, op)(_wide(x), _wide(h), "same", boundary="symm")
    _check(got, ref, x, h, np.result_type(d1, d2), "direct")


@pytest.mark.parametrize("d1, d2", PAIRS)
@pytest.mark.parametrize("func", ["fftconvolve", "oaconvolve"])
def test_spectral_twins(func, d1, d2):
    x, h = _data(d1, d2, _seed(func, d1.str, d2.str))
    got = getattr(sigconv, func)(x, h, "same")
    expected_dtype = getattr(scipy.signal, func)(x, h, "same").dtype
    ref = np.convolve(_wide(x), _wide(h), "same")
    _check(got, ref.astype(np.result_type(ref.dtype, np.float64)), x, h,
           expected_dtype, "spectral")


@pytest.mark.parametrize("d1, d2", PAIRS)
@pytest.mark.parametrize("method", METHODS)
def test_convolver(method, d1, d2):
    x, h = _data(d1, d2, _seed("plan", method, d1.str, d2.str))
    plan = sigconv.Convolver(h, x.shape, "same", method=method, dtype=d1)
    got = plan(x)
    ref = np.convolve(_wide(x), _wide(h), "same")
    _check(got, ref, x, h, np.result_type(d1, d2), plan.method)
    # the plan's result is convolve's with the plan's method
    np.testing.assert_array_equal(got, sigconv.convolve(x, h, "same", method=plan.method))


@pytest.mark.parametrize("d1, d2", PAIRS)
@pytest.mark.parametrize("method", METHODS)
def test_convolution_operator(method, d1, d2):
    x, h = _data(d1, d2, _seed("op", method, d1.str, d2.str), n=12, k=4)
    op = sigconv.ConvolutionOperator(h, x.shape, "full", method=method)
    got = op.matvec(x)
    # a linear operator's product has numpy.result_type(operator, vector):
    # integer data is never wrapped (the operator of an integer kernel is float64)
    dtype = np.result_type(op.dtype, d1)
    ref = np.convolve(_wide(x), _wide(h), "full")
    _check(got, ref, x, h, dtype, "spectral" if method in ("fft", "oa") else "direct")
    y = _data(d1, d1, _seed("adj", method, d1.str, d2.str), n=op.shape[0], k=1)[0]
    back = op.rmatvec(y)
    assert back.dtype == np.result_type(op.dtype, d1)
    A = np.asarray(sigconv.convolution_matrix(h, x.shape, "full")).astype(np.clongdouble)
    ref_back = A.conj().T @ y.astype(np.clongdouble)
    if back.dtype.kind != "c":
        ref_back = ref_back.real
    _check(back, ref_back, y, h, back.dtype,
           "spectral" if method in ("fft", "oa") else "direct")


@pytest.mark.parametrize("d1, d2", PAIRS)
def test_convolution_matrix(d1, d2):
    x, h = _data(d1, d2, _seed("matrix", d1.str, d2.str), n=9, k=4)
    A = sigconv.convolution_matrix(h, x.shape, "same", boundary="symm")
    # the entries hold their exact sums: integer kernels give an integer
    # matrix that does not wrap, floating kernels keep their dtype
    if d2.kind in "biu":
        assert A.dtype.kind == ("i" if d2.kind == "i" else "u")
    else:
        assert A.dtype == d2.newbyteorder("=")
    got = A.astype(np.result_type(A.dtype, np.float64)) @ _wide(x)
    ref = sigconv.convolve(_wide(x), _wide(h), "same", boundary="symm", method="direct")
    ref2 = scipy.signal.convolve2d(_wide(x)[None], _wide(h)[None], "same", boundary="symm")[0]
    np.testing.assert_allclose(ref, ref2, atol=1e-12)
    # the entries that sum several taps are rounded in the matrix's dtype
    entry = A.dtype if A.dtype.kind in "fc" else np.dtype(np.float64)
    assert_close(got, ref, inputs=(_wide(x), _wide(h)), dtype=got.dtype,
                 atol=tolerance(entry, (_wide(x), _wide(h))))


def _naive_ncc(x, t):
    x = x.astype(np.float64)
    t = t.astype(np.float64)
    out = np.zeros(x.size - t.size + 1)
    t0 = t - t.mean()
    for i in range(out.size):
        w = x[i:i + t.size]
        if np.ptp(w) == 0 or np.ptp(t) == 0:
            continue
        w0 = w - w.mean()
        out[i] = np.sum(w0 * t0) / np.sqrt(np.sum(w0 ** 2) * np.sum(t0 ** 2))
    return out


@pytest.mark.parametrize("d1, d2", PAIRS)
def test_normalized_correlate(d1, d2):
    x, t = _data(d1, d2, _seed("ncc", d1.str, d2.str), n=20, k=4)
    if "c" in (d1.kind, d2.kind):
        with pytest.raises(TypeError, match="real data"):
            sigconv.normalized_correlate(x, t)
        return
    got = sigconv.normalized_correlate(x, t)
    single = all(d.kind == "f" and d.itemsize <= 4 for d in (d1, d2))
    assert got.dtype == (np.float32 if single else np.float64)
    np.testing.assert_allclose(got, _naive_ncc(x, t), rtol=0, atol=2e-4 if single else 1e-9)
