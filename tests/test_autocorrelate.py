"""autocorrelate and autocorrelation_lags against scipy.signal, numpy and the formulas."""
import threading

import numpy as np
import pytest
import scipy.signal
from conftest import assert_close, fft_tolerance, random_array

import sigconv

try:
    from hypothesis import given
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # pragma: no cover
    given = None

METHODS = ("direct", "fft", "auto")
SHAPES = [(1,), (2,), (7,), (8,), (5, 6), (4, 1), (3, 4, 5), (2, 3, 2)]
DTYPES = (np.float32, np.float64, np.complex64, np.complex128, np.int8, np.int16,
          np.int64, np.uint8, np.bool_)


def exact_dtype(x, axes=None):
    """The dtype autocorrelate promises for integer/bool ``x``: the smallest
    integer type of x's signedness (bool: unsigned), at least as wide, that
    holds N times the largest product of two values (N the samples summed)."""
    d = x.dtype
    if d.kind == "b":
        lo, hi = 0, 1
    else:
        lo, hi = int(np.iinfo(d).min), int(np.iinfo(d).max)
    terms = x.size if axes is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axes)]))
    prods = [lo * lo, lo * hi, hi * hi]
    family = ("int8", "int16", "int32", "int64") if d.kind == "i" else \
        ("uint8", "uint16", "uint32", "uint64")
    for name in family:
        info = np.iinfo(name)
        if np.dtype(name).itemsize >= d.itemsize and info.min <= terms * min(prods) \
                and terms * max(prods) <= info.max:
            return np.dtype(name)
    return np.dtype(family[-1])


def _wide(x):
    return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)


def reference(x, mode="full", axes=None):
    """scipy.signal.correlate(x, x) (per batch item along the other axes), float64/int64."""
    x = np.asarray(x)
    if axes is None:
        axes = tuple(range(x.ndim))
    axes = tuple(sorted(a % x.ndim for a in np.atleast_1d(axes)))
    if x.dtype.kind in "biu":
        w = x.astype(np.int64)
    else:
        w = _wide(x)
    other = [a for a in range(x.ndim) if a not in axes]
    wc = np.moveaxis(w, other, range(len(other)))
    batch = wc.shape[:len(other)]
    outs = [scipy.signal.correlate(wc[i], wc[i], mode, method="direct")
            for i in np.ndindex(batch)]
    out = np.stack(outs).reshape(batch + outs[0].shape)
    out = np.moveaxis(out, range(len(other)), other)
    if x.dtype.kind in "biu":
        return out.astype(exact_dtype(x, axes))   # exact: no wrap-around
    return out


def _check(r, ref, x, axes=None):
    assert_close(r, ref, inputs=(x, x), dtype=ref.dtype if x.dtype.kind in "biu"
                 else np.result_type(x, x),
                 atol=fft_tolerance(np.result_type(x, x), x, x, axes=axes))


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("method", METHODS)
def test_matches_scipy_correlate_every_mode(rng, shape, dtype, method):
    x = random_array(rng, shape, dtype)
    for mode in ("full", "same", "valid"):
        r = sigconv.autocorrelate(x, mode, method=method)
        _check(r, reference(x, mode), x)


def test_matches_numpy_correlate_1d(rng):
    for n in (1, 2, 3, 16, 101):
        x = rng.standard_normal(n)
        for method in METHODS:
            r = sigconv.autocorrelate(x, method=method)
            assert_close(r, np.correlate(x, x, "full"), inputs=(x, x),
                         atol=fft_tolerance(x.dtype, x, x))
        z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        # numpy.correlate(a, v) conjugates v: the Hermitian autocorrelation
        assert_close(sigconv.autocorrelate(z, method="fft"), np.correlate(z, z, "full"),
                     inputs=(z, z), atol=fft_tolerance(z.dtype, z, z))


def test_golden_values():
    assert sigconv.autocorrelate([1, 2, 3]).tolist() == [3, 8, 14, 8, 3]
    assert sigconv.autocorrelate([1, 2, 3], "same").tolist() == [8, 14, 8]
    assert sigconv.autocorrelate([1, 2, 3], "valid").tolist() == [14]
    assert sigconv.autocorrelate([1, 2, 3], "circular").tolist() == [14, 11, 11]
    r = sigconv.autocorrelate(np.array([1j, 1.0]), method="fft")
    # r[-1] = x[0] conj(x[1]) = 1j, r[1] = x[1] conj(x[0]) = -1j
    np.testing.assert_allclose(r, [1j, 2, -1j], atol=1e-15)


@pytest.mark.parametrize("shape", [(5,), (8,), (4, 6), (3, 2, 4)],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.complex128, np.int32))
@pytest.mark.parametrize("method", METHODS)
def test_circular_is_the_inverse_of_the_power_spectrum(rng, shape, dtype, method):
    x = random_array(rng, shape, dtype)
    X = np.fft.fftn(_wide(x))
    ref = np.fft.ifftn(X * X.conj())
    r = sigconv.autocorrelate(x, "circular", method=method)
    if x.dtype.kind in "biu":
        assert r.dtype == exact_dtype(x)
        np.testing.assert_array_equal(r, np.rint(ref.real).astype(np.int64))
    else:
        _check(r, ref if x.dtype.kind == "c" else ref.real, x)


@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.complex64, np.int16))
@pytest.mark.parametrize("method", METHODS)
def test_maxlag_crops_full(rng, dtype, method):
    for shape in [(9,), (40,), (6, 7), (5, 4, 6)]:
        x = random_array(rng, shape, dtype)
        full = reference(x)
        if x.dtype.kind in "biu":
            full = full.astype(exact_dtype(x))
        for m in (0, 1, 3):
            ms = [min(m, n - 1) for n in shape]
            r = sigconv.autocorrelate(x, maxlag=ms, method=method)
            crop = tuple(slice(n - 1 - k, n + k) for n, k in zip(shape, ms))
            _check(r, full[crop], x)
            if len(set(ms)) == 1:
                r2 = sigconv.autocorrelate(x, maxlag=ms[0], method=method)
                np.testing.assert_array_equal(r, r2)


def _lags_by_definition(x, maxlag):
    """``sum_n x[n + l] * x[n]`` of real 1-D ``x`` at the lags ``-maxlag .. maxlag``, one
    numpy dot product per lag (a full reference of a long signal takes seconds)."""
    n = x.size
    pos = [np.dot(x[k:], x[:n - k]) for k in range(maxlag + 1)]
    return np.array(pos[:0:-1] + pos)        # real: the lag -l equals the lag l


def test_maxlag_long_signal_direct_equals_fft(rng):
    short = rng.standard_normal(50)
    np.testing.assert_allclose(_lags_by_definition(short, 6), reference(short)[49 - 6:49 + 7],
                               rtol=1e-13, atol=1e-13)
    # long enough for the direct method to split the taps among threads
    x = rng.standard_normal(70001)
    ref = _lags_by_definition(x, 30)
    tol = fft_tolerance(x.dtype, x, x)
    results = {}
    for method in METHODS:
        for workers in (1, 2):
            results[method, workers] = r = sigconv.autocorrelate(
                x, maxlag=30, method=method, workers=workers)
            assert_close(r, ref, inputs=(x, x), atol=tol)
    for method in METHODS:  # the thread count does not change a bit
        np.testing.assert_array_equal(results[method, 1], results[method, 2])
    xi = rng.integers(-1000, 1000, size=50003).astype(np.int32)
    ri = sigconv.autocorrelate(xi, maxlag=7, method="direct")
    ref = _lags_by_definition(xi.astype(np.int64), 7)
    np.testing.assert_array_equal(ri, ref)   # exact, where scipy's int32 result wraps
    assert ri.dtype == np.int64


def _explicit(x, how, mode="full", maxlag=None):
    """The normalisations written out, in float64, 1-D."""
    x = _wide(np.asarray(x))
    n = x.size
    lags = sigconv.autocorrelation_lags(n, mode, maxlag=maxlag)
    out = []
    for lag in lags:
        if mode == "circular":
            s = sum(x[(i + lag) % n] * np.conj(x[i]) for i in range(n))
        else:
            s = sum(x[i + lag] * np.conj(x[i]) for i in range(n) if 0 <= i + lag < n)
        out.append(s)
    out = np.array(out)
    r0 = np.sum(np.abs(x) ** 2)
    if how == "biased":
        out = out / n
    elif how == "unbiased":
        out = out / (np.full(len(lags), n) if mode == "circular" else n - np.abs(lags))
    elif how == "coeff":
        out = out / r0 if r0 else np.zeros_like(out)
    return out if np.iscomplexobj(x) else out.real


@pytest.mark.parametrize("how", ["biased", "unbiased", "coeff"])
@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.complex128, np.int16, np.bool_))
@pytest.mark.parametrize("method", METHODS)
def test_normalisations_match_the_formulas(rng, how, dtype, method):
    x = random_array(rng, (11,), dtype)
    wide = np.float64 if np.dtype(dtype).kind in "biu" else np.result_type(dtype, dtype)
    for mode, maxlag in (("full", None), ("same", None), ("valid", None),
                         ("circular", None), ("full", 4)):
        r = sigconv.autocorrelate(x, mode, maxlag=maxlag, normalize=how, method=method)
        assert r.dtype == wide
        ref = _explicit(x, how, mode, maxlag)
        scale = np.abs(ref).max() + 1
        np.testing.assert_allclose(r, ref, rtol=0,
                                   atol=50 * np.finfo(wide).eps * scale)
        if how == "coeff" and x.any():
            lags = sigconv.autocorrelation_lags(x.size, mode, maxlag=maxlag)
            assert r[lags == 0][0] == 1


def test_normalisations_nd_per_axis(rng):
    x = rng.standard_normal((4, 5))
    raw = sigconv.autocorrelate(x)
    l0 = sigconv.autocorrelation_lags(4)[:, None]
    l1 = sigconv.autocorrelation_lags(5)[None, :]
    np.testing.assert_allclose(sigconv.autocorrelate(x, normalize="biased"), raw / 20)
    np.testing.assert_allclose(sigconv.autocorrelate(x, normalize="unbiased"),
                               raw / ((4 - np.abs(l0)) * (5 - np.abs(l1))))
    np.testing.assert_allclose(sigconv.autocorrelate(x, normalize="coeff"), raw / raw[3, 4])
    # per batch item
    b = np.stack([x[0], 0 * x[1], 3 * x[0]])
    c = sigconv.autocorrelate(b, normalize="coeff", axes=1)
    np.testing.assert_allclose(c[0], c[2])
    assert not c[1].any()


@pytest.mark.parametrize("method", METHODS)
def test_axes_batch_equals_per_item(rng, method):
    x = rng.standard_normal((3, 6, 5))
    for axes in (0, 1, 2, (0, 2), (-1, 1)):
        r = sigconv.autocorrelate(x, axes=axes, method=method, maxlag=None)
        _check(r, reference(x, "full", axes), x, axes=axes)
        r = sigconv.autocorrelate(x, axes=axes, method=method, mode="same")
        _check(r, reference(x, "same", axes), x, axes=axes)


def test_integers_are_exact_and_wrap(rng):
    big = rng.integers(-2**31, 2**31, size=300, dtype=np.int64)
    ref = scipy.signal.correlate(big, big, method="direct")   # wraps in int64
    np.testing.assert_array_equal(sigconv.autocorrelate(big), ref)
    np.testing.assert_array_equal(sigconv.autocorrelate(big, method="direct"), ref)
    # an explicit transform cannot make these exact: refused (autocorrelate
    # promises exact integer sums; it has no scipy twin to follow)
    with pytest.raises(ValueError, match="exact"):
        sigconv.autocorrelate(big, method="fft")
    small = rng.integers(-100, 100, size=(40, 30)).astype(np.int8)
    wide = small.astype(np.int64)
    ref = scipy.signal.correlate(wide, wide, method="direct")
    for method in METHODS:
        got = sigconv.autocorrelate(small, method=method)
        assert got.dtype == np.int32   # 1200 * 128**2 does not fit int16
        np.testing.assert_array_equal(got, ref)   # scipy's int8 result wraps; this does not


@pytest.mark.parametrize("method", METHODS)
def test_integers_never_wrap_where_the_sums_fit(method):
    x = np.array([200, 100, 50], np.uint8)
    got = sigconv.autocorrelate(x, method=method)
    assert got.dtype == np.uint32
    assert got.tolist() == [10000, 25000, 52500, 25000, 10000]
    assert sigconv.autocorrelate(x, maxlag=1, method=method).tolist() == [25000, 52500, 25000]
    b = np.ones(300, dtype=bool)
    got = sigconv.autocorrelate(b, mode="valid", method=method)
    assert got.dtype == np.uint16 and got.tolist() == [300]
    i8 = np.full(3, -128, np.int8)
    got = sigconv.autocorrelate(i8, method=method)
    assert got.dtype == np.int32 and got.tolist() == [16384, 32768, 49152, 32768, 16384]


@pytest.mark.parametrize("n,mode", [(n, m) for n in (1, 2, 5, 8) for m in
                                    ("full", "same", "valid")])
def test_lags_match_correlation_lags(n, mode):
    lags = sigconv.autocorrelation_lags(n, mode)
    np.testing.assert_array_equal(lags, scipy.signal.correlation_lags(n, n, mode))
    np.testing.assert_array_equal(lags, sigconv.correlation_lags(n, n, mode))
    x = np.arange(1.0, n + 1)
    r, got = sigconv.autocorrelate(x, mode, return_lags=True)
    np.testing.assert_array_equal(got, lags)
    full = np.correlate(x, x, "full")
    np.testing.assert_array_equal(r, full[lags + n - 1])


def test_lags_of_maxlag_circular_and_nd():
    np.testing.assert_array_equal(sigconv.autocorrelation_lags(10, maxlag=3), np.arange(-3, 4))
    np.testing.assert_array_equal(sigconv.autocorrelation_lags(4, "circular"), np.arange(4))
    r, lags = sigconv.autocorrelate(np.ones((3, 5, 4)), axes=(0, 2), maxlag=(1, 2),
                                    return_lags=True)
    assert r.shape == (3, 5, 5)
    np.testing.assert_array_equal(lags[0], [-1, 0, 1])
    np.testing.assert_array_equal(lags[1], [-2, -1, 0, 1, 2])


def test_inputs_of_any_layout_work_and_are_not_modified(rng):
    base = rng.standard_normal((12, 10))
    views = [base[::2, 1::3], base[::-1, ::-2], base.T, np.asfortranarray(base)]
    ro = base.copy()
    ro.flags.writeable = False
    views.append(ro)
    for v in views:
        before = v.copy()
        for method in METHODS:
            for kw in ({}, {"maxlag": 1}, {"normalize": "coeff"}, {"mode": "circular"}):
                r = sigconv.autocorrelate(v, method=method, **kw)
                ref = sigconv.autocorrelate(np.ascontiguousarray(v), method=method, **kw)
                np.testing.assert_allclose(r, ref, atol=1e-12)
                assert r.flags.c_contiguous and r.flags.writeable
        np.testing.assert_array_equal(v, before)


def test_nan_and_inf_as_the_direct_correlation(rng):
    # auto keeps to the direct method for non-finite data (a transform would
    # spread a NaN over every lag): NaN and Inf land where
    # correlate(x, x, method="direct") puts them
    x = rng.standard_normal(3000)
    x[100] = np.nan
    y = np.ones(3000)
    y[-1] = np.inf
    for v in (x, y):
        ref = sigconv.correlate(v, v, method="direct")
        for kw in ({}, {"maxlag": 3}):
            r = sigconv.autocorrelate(v, **kw)
            n = v.size
            crop = slice(n - 1 - kw["maxlag"], n + kw["maxlag"]) if kw else slice(None)
            np.testing.assert_array_equal(np.isnan(r), np.isnan(ref[crop]))
            np.testing.assert_array_equal(np.isinf(r), np.isinf(ref[crop]))
    z = np.ones(20)
    z[5] = np.nan
    r = sigconv.autocorrelate(z, maxlag=2)
    assert np.isnan(r).all()   # every lag's sum includes z[5]


def test_errors():
    x = np.ones(5)
    with pytest.raises(ValueError, match="at least 1 dimension"):
        sigconv.autocorrelate(3.0)
    with pytest.raises(ValueError, match="non-empty"):
        sigconv.autocorrelate(np.ones((0, 3)))
    with pytest.raises(ValueError, match="mode"):
        sigconv.autocorrelate(x, "cyclic")
    with pytest.raises(ValueError, match="normalize"):
        sigconv.autocorrelate(x, normalize="scaled")
    with pytest.raises(ValueError, match="normalize"):
        sigconv.autocorrelate(x, normalize=1)
    with pytest.raises(ValueError, match="method"):
        sigconv.autocorrelate(x, method="toeplitz")
    with pytest.raises(ValueError, match="maxlag must be >= 0"):
        sigconv.autocorrelate(x, maxlag=-1)
    with pytest.raises(ValueError, match="exceeds"):
        sigconv.autocorrelate(x, maxlag=5)
    with pytest.raises(ValueError, match="cannot be combined"):
        sigconv.autocorrelate(x, "same", maxlag=1)
    with pytest.raises(ValueError, match="entries"):
        sigconv.autocorrelate(np.ones((3, 3)), maxlag=(1, 1, 1))
    with pytest.raises(TypeError, match="maxlag"):
        sigconv.autocorrelate(x, maxlag=1.5)
    with pytest.raises(TypeError, match="maxlag"):
        sigconv.autocorrelate(x, maxlag=True)
    with pytest.raises(TypeError, match="dtype"):
        sigconv.autocorrelate(np.array(["a", "b"], dtype=object))
    with pytest.raises(TypeError):
        sigconv.autocorrelate(np.array(["ab", "cd"]))
    with pytest.raises(ValueError, match="out of range"):
        sigconv.autocorrelate(x, axes=1)
    with pytest.raises(MemoryError):
        sigconv.autocorrelate(np.broadcast_to(1.0, (1 << 20, 1 << 20)))
    for method in METHODS:
        with pytest.raises(ValueError, match="workers"):
            sigconv.autocorrelate(np.arange(50.0), method=method, workers=0)
        with pytest.raises(TypeError, match="workers"):
            sigconv.autocorrelate(np.arange(50.0), method=method, workers=1.5)
    with pytest.raises(ValueError, match="at least 1"):
        sigconv.autocorrelation_lags(0)
    with pytest.raises(TypeError):
        sigconv.autocorrelation_lags(2.0)
    with pytest.raises(ValueError, match="mode"):
        sigconv.autocorrelation_lags(3, "nope")


def test_threads_and_concurrent_calls(rng):
    x = rng.standard_normal((64, 300))
    ref = sigconv.autocorrelate(x, axes=1, workers=1)
    np.testing.assert_array_equal(sigconv.autocorrelate(x, axes=1, workers=2), ref)
    out = [None] * 4

    def work(i):
        out[i] = sigconv.autocorrelate(x, axes=1, maxlag=20)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in out:
        np.testing.assert_allclose(o, ref[:, 299 - 20:300 + 20], atol=1e-9)


if given is not None:
    _shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=9)

    @given(hnp.arrays(np.complex128, _shapes,
                      elements=st.complex_numbers(max_magnitude=100, allow_nan=False,
                                                  allow_infinity=False)),
           st.sampled_from(METHODS))
    def test_property_hermitian_symmetry(x, method):
        r = sigconv.autocorrelate(x, method=method)
        # r[-l] == conj(r[l]): reversing every axis and conjugating gives r back
        flipped = np.conj(r[(slice(None, None, -1),) * r.ndim])
        np.testing.assert_allclose(flipped, r, atol=1e-9 * (1 + np.abs(r).max()))
        zero = tuple(n - 1 for n in x.shape)
        assert abs(r[zero].imag) <= 1e-9 * (1 + abs(r[zero]))
        assert np.abs(r).max() <= r[zero].real * (1 + 1e-9) + 1e-9

    @given(hnp.arrays(np.float64, _shapes,
                      elements=st.floats(-1e3, 1e3, allow_nan=False)),
           st.sampled_from(METHODS), st.sampled_from(["full", "circular"]))
    def test_property_coeff_is_bounded_by_one(x, method, mode):
        r = sigconv.autocorrelate(x, mode, normalize="coeff", method=method)
        assert np.all(np.abs(r) <= 1 + 1e-9)
        zero = tuple(n - 1 if mode == "full" else 0 for n in x.shape)
        # 1 at lag zero, or 0 for an item of zero energy (all zeros, or
        # squares that underflow)
        energy = sigconv.autocorrelate(x, mode, method=method)[zero]
        assert r[zero] == (1.0 if energy > 0 else 0.0)

    @given(hnp.arrays(np.int16, hnp.array_shapes(min_dims=1, max_dims=2, max_side=12),
                      elements=st.integers(-300, 300)), st.sampled_from(METHODS))
    def test_property_integers_exact(x, method):
        r = sigconv.autocorrelate(x, method=method)
        np.testing.assert_array_equal(
            r, scipy.signal.correlate(x.astype(np.int64), x.astype(np.int64),
                                      method="direct"))
        assert r.dtype == exact_dtype(x)


@pytest.mark.parametrize("method", ["direct", "fft", "oa", "auto"])
@pytest.mark.parametrize("n1,n2", [(9, 4), (4, 9), (8, 8), (7, 2), (1, 5)])
def test_correlate_and_its_lags_match_scipy_for_every_method(rng, method, n1, n2):
    x = rng.standard_normal(n1) + 1j * rng.standard_normal(n1)
    y = rng.standard_normal(n2) + 1j * rng.standard_normal(n2)
    full = scipy.signal.correlate(x, y, "full", method="direct")
    for mode in ("full", "same", "valid"):
        got = sigconv.correlate(x, y, mode, method=method)
        ref = scipy.signal.correlate(x, y, mode, method="direct")
        assert_close(got, ref, inputs=(x, y), atol=fft_tolerance(got.dtype, x, y))
        lags = sigconv.correlation_lags(n1, n2, mode)
        np.testing.assert_array_equal(lags, scipy.signal.correlation_lags(n1, n2, mode))
        assert lags.shape == got.shape
        if mode != "same" or n2 % 2:
            # (scipy centres 'same' lags and outputs one apart for even in2)
            assert_close(got, full[lags + n2 - 1], inputs=(x, y),
                         atol=fft_tolerance(got.dtype, x, y))


def test_bench_workload_with_maxlag_checks_out():
    from sigconv import bench
    w = bench.Workload("t", "small C1-maxlag", (5000,), (), "float64", "full",
                       kind="autocorrelate", maxlag=7, methods=("auto",))
    x, k = w.inputs()
    ref = w.reference(x, k)
    assert ref.shape == w.out_shape == (15,)
    np.testing.assert_allclose(ref, scipy.signal.correlate(x, x)[4999 - 7:4999 + 8])
    for method in METHODS:
        ok, detail = bench.check(w, w.sigconv_call(method, x, k)(), ref, w.scale(x, k))
        assert ok, detail
    for name in ("scipy.signal.correlate+crop", "sigconv.autocorrelate(full)+crop"):
        _, call = bench.PEERS[name].prepare(w, x, k)
        assert bench.check(w, call(), ref, w.scale(x, k))[0]


@pytest.mark.parametrize("n", [1 << 16, 70001])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
def test_long_real_signals_split_over_two_threads(rng, n, dtype):
    # even and odd frequencies as two chains (one per thread): the same
    # result as scipy, and bitwise the same on one thread or two
    x = random_array(rng, (n,), dtype)
    wide = x.astype(np.float64)
    full = scipy.signal.fftconvolve(wide, wide[::-1])   # (a direct sum would take seconds)
    if x.dtype.kind == "i":
        full = np.rint(full).astype(np.int64).astype(exact_dtype(x))   # exact
    for kw in ({}, {"maxlag": n - 1}, {"maxlag": n // 2 + 5}, {"mode": "same"}):
        one = sigconv.autocorrelate(x, method="fft", workers=1, **kw)
        two = sigconv.autocorrelate(x, method="fft", workers=2, **kw)
        np.testing.assert_array_equal(one, two)
        if "maxlag" in kw:
            ref = full[n - 1 - kw["maxlag"]:n + kw["maxlag"]]
        elif kw:
            ref = full[n - 1 - n // 2:2 * n - 1 - n // 2]
        else:
            ref = full
        _check(two, ref, x)
