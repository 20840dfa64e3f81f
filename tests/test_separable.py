"""method='separable': kernels of low rank as passes of 1-D kernels."""
import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from conftest import ALL_MODES, BOUNDARIES, OPS, assert_close, random_array
from hypothesis import given, strategies as st

import sigconv
from sigconv._backends import separable

#: a separable run's error: the passes' rounding plus what the factors leave
#: out (a few eps of the kernel's norm), against the one-pass tolerance
FACTOR = 16.0


def gaussian(n, sigma, dtype=np.float64):
    k = np.arange(n) - (n - 1) / 2
    g = np.exp(-k**2 / (2 * sigma**2))
    return (g / g.sum()).astype(dtype)


def rank1(rng, shape, dtype):
    """An outer product of random 1-D factors, in ``dtype``."""
    if np.dtype(dtype).kind in "biu":
        fs = [rng.integers(-3, 4, n) for n in shape]
        for f in fs:
            f[0] = f[0] or 1
        out = fs[0]
        for f in fs[1:]:
            out = np.multiply.outer(out, f)
        if np.dtype(dtype).kind == "u":
            out = np.abs(out)
        return out.astype(dtype)
    if np.dtype(dtype).kind == "c":
        fs = [rng.standard_normal(n) + 1j * rng.standard_normal(n) for n in shape]
    else:
        fs = [rng.standard_normal(n) for n in shape]
    out = fs[0]
    for f in fs[1:]:
        out = np.multiply.outer(out, f)
    return out.astype(dtype)


def check(got, expected, x, h, dtype=None, fillvalue=0):
    assert_close(got, expected, inputs=(x, h), dtype=dtype, fillvalue=fillvalue,
                 factor=FACTOR)


# ------------------------------------------------------------------ vs direct

DTYPES = (np.float32, np.float64, np.complex128, np.int16, np.uint8, np.bool_, np.float16)


@pytest.mark.parametrize("op, stride", [("convolve", 1), ("correlate", (2, 3))])
@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_matches_direct_2d(rng, op, mode, boundary, dtype, stride):
    if mode == "circular" and boundary not in ("fill", "constant", "wrap"):
        with pytest.raises(ValueError, match="cyclic by definition"):
            getattr(sigconv, op)(np.ones((4, 4)), np.ones((2, 2)), mode, boundary=boundary,
                                 method="separable")
        return
    x = random_array(rng, (23, 29), dtype)
    h = rank1(rng, (5, 4), dtype) if dtype is not np.bool_ else np.outer(
        [True, False, True, True, False], [True, True, False, True])
    fill = 2 if boundary in ("fill", "constant") and mode != "circular" else 0
    kw = dict(boundary=boundary, fillvalue=fill, stride=stride)
    got = getattr(sigconv, op)(x, h, mode, method="separable", **kw)
    expected = getattr(sigconv, op)(x, h, mode, method="direct", **kw)
    check(got, expected, x, h, fillvalue=fill)


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("dtype, rank, op", [(np.float32, 1, "correlate"),
                                             (np.float64, 2, "convolve"),
                                             (np.int32, 1, "convolve")])
def test_matches_direct_in_bands(rng, op, mode, boundary, dtype, rank):
    # large enough for the band-by-band evaluation, with a batch axis and
    # threads
    if mode == "circular" and boundary not in ("fill", "constant", "wrap"):
        with pytest.raises(ValueError, match="cyclic by definition"):
            getattr(sigconv, op)(np.ones((1, 4, 4)), np.ones((1, 2, 2)), mode,
                                 boundary=boundary, axes=(1, 2), method="separable")
        return
    x = random_array(rng, (2, 181, 203), dtype)
    h = sum(rank1(rng, (7, 6), dtype) for _ in range(rank))[None]
    fill = 3 if boundary in ("fill", "constant") else 0
    kw = dict(boundary=boundary, fillvalue=fill, axes=(1, 2), stride=(1, 2))
    got = getattr(sigconv, op)(x, h, mode, method="separable", workers=2, **kw)
    expected = getattr(sigconv, op)(x, h, mode, method="direct", **kw)
    check(got, expected, x, h, fillvalue=fill)
    np.testing.assert_array_equal(
        got, getattr(sigconv, op)(x, h, mode, method="separable", workers=1, **kw))


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("shape", [(9, 10, 11), (40, 36, 30)])
def test_matches_direct_3d(rng, mode, boundary, shape):
    if mode == "circular" and boundary not in ("fill", "constant", "wrap"):
        with pytest.raises(ValueError, match="cyclic by definition"):
            sigconv.convolve(np.ones((4, 4, 4)), np.ones((2, 2, 2)), mode, boundary=boundary,
                             method="separable")
        return
    x = rng.standard_normal(shape)
    h = rank1(rng, (3, 4, 2), np.float64)
    kw = dict(boundary=boundary, stride=(1, 2, 3))
    got = sigconv.convolve(x, h, mode, method="separable", **kw)
    check(got, sigconv.convolve(x, h, mode, method="direct", **kw), x, h)


def test_valid_swap_and_a_large_kernel(rng):
    # 'valid' with the kernel larger: the smaller input is the one factored
    x = rank1(rng, (4, 5), np.float64)
    h = rng.standard_normal((9, 11))
    for op in OPS:
        got = getattr(sigconv, op)(x, h, "valid", method="separable")
        check(got, getattr(scipy.signal, op)(x, h, "valid"), x, h)


# ------------------------------------------------------------ vs scipy

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
def test_gaussian_matches_scipy_convolve2d(mode, boundary):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 71))
    g = gaussian(9, 2.0)
    G = np.outer(g, gaussian(7, 1.5))
    got = sigconv.convolve(x, G, mode, method="separable", boundary=boundary)
    check(got, scipy.signal.convolve2d(x, G, mode, boundary), x, G)


NDIMAGE_MODES = {"fill": "constant", "wrap": "wrap", "symm": "reflect",
                 "reflect": "mirror", "edge": "nearest"}


@pytest.mark.parametrize("boundary", sorted(NDIMAGE_MODES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_ndimage(boundary, dtype):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((30, 41, 25)).astype(dtype)
    h = np.multiply.outer(np.outer(gaussian(5, 1.0), gaussian(3, 0.7)),
                          gaussian(7, 1.5)).astype(dtype)
    cval = 1.5 if boundary == "fill" else 0.0
    got = sigconv.convolve(x, h, "same", method="separable", boundary=boundary,
                           fillvalue=cval)
    expected = scipy.ndimage.convolve(x.astype(np.float64), h.astype(np.float64),
                                      mode=NDIMAGE_MODES[boundary], cval=cval)
    check(got, expected, x, h, fillvalue=cval)


def test_ndimage_convolve1d_passes():
    rng = np.random.default_rng(7)
    v = rng.standard_normal((48, 40, 36)).astype(np.float32)
    g = gaussian(9, 1.5, np.float32)
    G = np.multiply.outer(np.outer(g, g), g)
    y = v.astype(np.float64)
    for axis in range(3):
        y = scipy.ndimage.convolve1d(y, g.astype(np.float64), axis, mode="constant")
    got = sigconv.convolve(v, G, "same")
    check(got, y, v, G)


# ---------------------------------------------------------- integers, exact

SOBEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


def test_sobel_has_exact_integer_factors():
    fs = separable.integer_factors(SOBEL)
    assert fs is not None
    np.testing.assert_array_equal(np.outer(*fs), SOBEL)
    assert sorted(abs(int(v)) for v in fs[0]) == [1, 1, 2]
    assert separable.integer_factors(np.array([[1, 2], [3, 4]])) is None
    # rank 1 over the rationals, integer factors after normalisation
    k = np.outer([2, 4, 6], [3, -6, 9])
    np.testing.assert_array_equal(np.outer(*separable.integer_factors(k)), k)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64])
def test_integers_exact_with_wrapping(rng, dtype):
    x = random_array(rng, (57, 66), dtype, full_range=True)
    h = np.abs(SOBEL).astype(dtype) if np.dtype(dtype).kind == "u" else SOBEL.astype(dtype)
    for mode in ("full", "same", "valid"):
        got = sigconv.convolve(x, h, mode, method="separable", boundary="reflect")
        np.testing.assert_array_equal(
            got, sigconv.convolve(x, h, mode, method="direct", boundary="reflect"))
        assert got.dtype == dtype


def test_float_kernel_of_integers_uses_integer_factors():
    f = separable.factorize(SOBEL.astype(np.float32), np.dtype(np.float32))
    assert f.exact and f.rank == 1
    np.testing.assert_array_equal(np.outer(*f.terms[0]), SOBEL)


# ------------------------------------------------------------------- auto

def test_auto_takes_separable_for_gaussian_and_sobel_images():
    x = np.ones((1024, 1024), np.float32)
    G = np.outer(gaussian(15, 3.0), gaussian(15, 3.0)).astype(np.float32)
    assert sigconv.choose_conv_method(x, G, "same") == "separable"
    big = np.outer(gaussian(31, 6.0), gaussian(31, 6.0))
    assert sigconv.choose_conv_method(x.astype(np.float64), big, "same") == "separable"
    # the same kernel perturbed beyond the rounding error is not separable
    rng = np.random.default_rng(8)
    noisy = G + 1e-3 * rng.standard_normal(G.shape).astype(np.float32)
    assert sigconv.choose_conv_method(x, noisy, "same") != "separable"


def test_auto_result_is_the_separable_one(rng):
    x = rng.standard_normal((300, 280)).astype(np.float32)
    G = np.outer(gaussian(15, 3.0), gaussian(11, 2.0)).astype(np.float32)
    np.testing.assert_array_equal(sigconv.convolve(x, G, "same"),
                                  sigconv.convolve(x, G, "same", method="separable"))
    # a NaN stays in the outputs whose sums hold it
    x[100, 100] = np.nan
    assert np.isnan(sigconv.convolve(x, G, "same")).sum() == G.size


def test_low_rank_2d():
    rng = np.random.default_rng(9)
    h = rank1(rng, (21, 19), np.float64) + rank1(rng, (21, 19), np.float64)
    f = separable.factorize(h, np.dtype(np.float64))
    assert f.rank == 2
    x = rng.standard_normal((90, 80))
    check(sigconv.convolve(x, h, method="separable"),
          sigconv.convolve(x, h, method="direct"), x, h)


@pytest.mark.parametrize("engine", [None, "ducc0", "scipy"])
def test_tile_floor_is_below_the_tile_model(monkeypatch, engine):
    """auto skips the tile model where its lower bound cannot beat the direct or the
    FFT method: the bound must be one."""
    from sigconv._backends import oa, tiles
    from sigconv._problem import make_problem
    if engine == "ducc0":
        pytest.importorskip("ducc0")
    monkeypatch.setattr(tiles, "ENGINE", engine)
    cases = [((2**20,), (1001,)), ((2**18,), (63,)), ((2048, 2048), (15, 15)),
             ((1024, 768), (41, 41)), ((512, 512), (63, 63)), ((4, 300, 200), (1, 31, 25)),
             ((128, 128, 128), (15, 15, 15)), ((256, 256, 256), (9, 9, 9))]
    seen = 0
    for xs, ks in cases:
        for dtype in (np.float32, np.float64):
            for mode, stride in (("same", 1), ("full", 1), ("same", 2)):
                p = make_problem(np.ones(xs, dtype), np.ones(ks, dtype), op="convolve",
                                 mode=mode, stride=stride)[0]
                for nthreads in (1, 2, 8):
                    est = oa.estimate_ns(p, nthreads)
                    if est is not None:
                        assert oa.estimate_ns_floor(p, nthreads) <= est
                        seen += 1
    assert seen


# ---------------------------------------------------------------- errors

def test_not_separable_is_a_clear_error():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((20, 20))
    with pytest.raises(ValueError, match="method='separable' needs a kernel"):
        sigconv.convolve(x, rng.standard_normal((3, 3)), method="separable")
    with pytest.raises(ValueError, match="separable"):
        sigconv.convolve(x, np.array([[1, 2], [3, 4]]), method="separable")
    bad = np.ones((3, 3))
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        sigconv.convolve(x, bad, method="separable")
    # a filter bank: one kernel per item of the batch
    with pytest.raises(ValueError, match="batch"):
        sigconv.convolve(np.ones((2, 20, 20)), np.ones((2, 3, 3)), method="separable",
                         axes=(1, 2))
    with pytest.raises(ValueError, match="separable"):
        sigconv.Convolver(rng.standard_normal((3, 3)), (20, 20), method="separable")


def test_inputs_untouched_read_only_and_strided(rng):
    x = rng.standard_normal((80, 90))[::-2, ::3]
    h = np.outer(gaussian(5, 1.0), gaussian(3, 1.0))
    x.flags.writeable = False
    h.flags.writeable = False
    x0, h0 = x.copy(), h.copy()
    got = sigconv.convolve(x, h, "same", method="separable", boundary="edge")
    check(got, sigconv.convolve(x, h, "same", method="direct", boundary="edge"), x, h)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(h, h0)


def test_convolver(rng):
    G = np.outer(gaussian(9, 2.0), gaussian(9, 2.0))
    plan = sigconv.Convolver(G, (256, 256), "same", method="separable", boundary="symm")
    x = rng.standard_normal((3, 256, 256))
    plan3 = sigconv.Convolver(G[None], (256, 256), "same", axes=(1, 2), boundary="symm")
    assert plan3.method == "separable"
    expected = sigconv.convolve(x, G[None], "same", method="direct", axes=(1, 2),
                                boundary="symm")
    check(plan3(x), expected, x, G)
    check(plan(x[0]), expected[0], x[0], G)


# ------------------------------------------------------------- properties

vec = st.integers(2, 9)


@given(st.lists(vec, min_size=2, max_size=3), st.integers(0, 2**32 - 1))
def test_outer_products_are_detected(shape, seed):
    rng = np.random.default_rng(seed)
    h = rank1(rng, shape, np.float64)
    f = separable.factorize(h, np.dtype(np.float64))
    assert f is not None and f.rank == 1
    out = f.terms[0][0]
    for v in f.terms[0][1:]:
        out = np.multiply.outer(out, v)
    np.testing.assert_allclose(out, h, atol=1e-12 * np.abs(h).max())


@given(st.integers(2, 3), st.integers(2, 9), st.integers(0, 2**32 - 1))
def test_random_kernels_are_not(ndim, n, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((n,) * ndim)
    assert separable.factorize(h, np.dtype(np.float64)) is None
    assert separable.factorize(h.astype(np.float32), np.dtype(np.float32)) is None


# ------------------------------------------------- the fused 2-D kernel

FUSED_BOUNDARIES = ("fill", "wrap", "symm", "reflect", "edge")
PAD_MODES = {"fill": "constant", "wrap": "wrap", "symm": "symmetric", "reflect": "reflect",
             "edge": "edge"}


@pytest.fixture
def fused(monkeypatch):
    """Count the calls that reach the fused kernel."""
    calls = []
    run = separable._run_fused

    def spy(*args, **kwargs):
        calls.append(args[0])
        return run(*args, **kwargs)
    monkeypatch.setattr(separable, "_run_fused", spy)
    return calls


def scipy_reference(op, x, h, mode, boundary="fill", fillvalue=0, stride=1):
    """``op`` of ``x`` and ``h`` (all axes) by scipy.signal's direct sums.

    The boundary by numpy.pad (``full``: the input padded by ``K - 1``,
    then scipy's 'valid' correlation; ``same``: scipy's centred window of
    that), ``valid`` by scipy itself; the stride by slicing. Floats in
    float64 (long double for long double), integers exactly in int64.
    """
    dt = np.result_type(x, h)
    work = (np.longdouble if dt == np.longdouble else
            np.int64 if dt.kind in "biu" else np.float64)
    xw, hw = np.asarray(x).astype(work), np.asarray(h).astype(work)
    if mode == "valid":
        full = getattr(scipy.signal, op)(xw, hw, "valid", method="direct")
    else:
        k = hw[(slice(None, None, -1),) * hw.ndim] if op == "convolve" else hw
        pad = [(K - 1, K - 1) for K in h.shape]
        if boundary == "fill":
            xp = np.pad(xw, pad, mode="constant", constant_values=fillvalue)
        else:
            xp = np.pad(xw, pad, mode=PAD_MODES[boundary])
        full = scipy.signal.correlate(xp, k, "valid", method="direct")
        if mode == "same":
            full = full[tuple(slice((K - 1) // 2, (K - 1) // 2 + n)
                              for n, K in zip(x.shape, h.shape))]
    s = (stride,) * x.ndim if np.isscalar(stride) else stride
    return full[tuple(slice(None, None, n) for n in s)]


def factored(rng, shape, dtype):
    """A random outer product in ``dtype`` (small integers for integer dtypes
    and long double, whose kernels must factor to its own precision)."""
    if np.dtype(dtype).kind in "iu" or dtype == np.longdouble:
        return rank1(rng, shape, np.int64).astype(dtype)
    return np.outer(rng.standard_normal(shape[0]), rng.standard_normal(shape[1])).astype(dtype)


@pytest.mark.parametrize("kshape", [(5, 4), (4, 7)])
@pytest.mark.parametrize("stride", [1, (2, 3), (3, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.longdouble])
@pytest.mark.parametrize("boundary", FUSED_BOUNDARIES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("op", OPS)
def test_fused_matches_scipy(rng, fused, op, mode, boundary, dtype, stride, kshape):
    x = random_array(rng, (23, 31), dtype)
    h = factored(rng, kshape, dtype)
    fill = 2 if boundary == "fill" else 0
    got = getattr(sigconv, op)(x, h, mode, method="separable", boundary=boundary,
                               fillvalue=fill, stride=stride)
    assert fused
    check(got, scipy_reference(op, x, h, mode, boundary, fill, stride), x, h, fillvalue=fill)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("boundary", FUSED_BOUNDARIES)
def test_fused_matches_ndimage(fused, boundary, dtype):
    """'same' with odd kernels is scipy.ndimage's filter: its own boundary rules."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((67, 53)).astype(dtype)
    h = np.outer(rng.standard_normal(9), gaussian(5, 1.2)).astype(dtype)
    cval = -1.25 if boundary == "fill" else 0.0
    got = sigconv.correlate(x, h, "same", method="separable", boundary=boundary,
                            fillvalue=cval)
    assert fused
    expected = scipy.ndimage.correlate(x.astype(np.float64), h.astype(np.float64),
                                       mode=NDIMAGE_MODES[boundary], cval=cval)
    check(got, expected, x, h, fillvalue=cval)


@pytest.mark.parametrize("xshape", [(1, 1), (2, 3), (3, 2), (1, 7), (6, 1), (4, 5)])
@pytest.mark.parametrize("boundary", FUSED_BOUNDARIES)
@pytest.mark.parametrize("mode", ["full", "same"])
def test_fused_images_smaller_than_the_kernel(rng, fused, xshape, boundary, mode):
    x = rng.standard_normal(xshape)
    h = factored(rng, (6, 7), np.float64)
    fill = 0.5 if boundary == "fill" else 0
    for op in OPS:
        got = getattr(sigconv, op)(x, h, mode, method="separable", boundary=boundary,
                                   fillvalue=fill)
        check(got, scipy_reference(op, x, h, mode, boundary, fill), x, h, fillvalue=fill)
    assert fused


def test_fused_valid_swap(rng, fused):
    # 'valid' with the kernel the larger input: the roles swap (scipy's rule)
    x = factored(rng, (4, 5), np.float64)
    h = rng.standard_normal((9, 11))
    for op in OPS:
        check(getattr(sigconv, op)(x, h, "valid", method="separable"),
              scipy_reference(op, x, h, "valid"), x, h)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_fused_batch_rank2_and_threads(rng, fused, dtype):
    """A batch of items, a floating kernel of rank 2 (the terms accumulate in
    place), several strips and threads: the same bits on any number of
    threads."""
    x = random_array(rng, (3, 131, 97), dtype)
    h = factored(rng, (7, 6), dtype)
    if np.dtype(dtype).kind == "f":      # integer kernels factor at rank 1 only
        h = h + factored(rng, (7, 6), dtype)
        assert separable.factorize(h, np.dtype(dtype)).rank == 2
    kw = dict(axes=(1, 2), boundary="symm", method="separable")
    got = sigconv.convolve(x, h[None], "same", workers=2, **kw)
    for i in range(3):
        check(got[i], scipy_reference("convolve", x[i], h, "same", "symm"), x, h)
    for workers in (1, 3):
        np.testing.assert_array_equal(got, sigconv.convolve(x, h[None], "same",
                                                            workers=workers, **kw))
    assert fused


def test_fused_read_only_and_non_contiguous(rng, fused):
    base = rng.standard_normal((90, 120)).astype(np.float32)
    x = base[::2, ::-3]
    h = np.outer(gaussian(7, 1.5), gaussian(5, 1.0)).astype(np.float32).T[::-1]
    x.flags.writeable = False
    h.flags.writeable = False
    x0, h0 = x.copy(), h.copy()
    for boundary in FUSED_BOUNDARIES:
        got = sigconv.convolve(x, h, "same", method="separable", boundary=boundary)
        check(got, scipy_reference("convolve", x, h, "same", boundary), x, h)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(h, h0)
    assert fused


@pytest.mark.parametrize("boundary", FUSED_BOUNDARIES)
def test_fused_nan_stays_in_its_windows(fused, boundary):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((64, 70))
    x[0, 3] = x[40, 69] = x[30, 30] = np.nan
    h = np.outer(rng.standard_normal(5), [1.0, 0.0, -2.0, 0.5])   # a zero tap too
    got = sigconv.correlate(x, h, "full", method="separable", boundary=boundary)
    expected = scipy_reference("correlate", x, h, "full", boundary)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert fused


def test_fused_kernel_rejects_bad_arguments():
    from sigconv._ext import _separable
    x = np.arange(12.0)                       # one item of 3 x 4
    f = np.ones(2)
    rows = np.array([0, 1, 2, -1], np.intp)   # 3 output rows, 2 taps
    cols = np.arange(4, dtype=np.intp)        # 3 output columns, 2 taps

    def call(rmap=rows, cmap=cols, xb=np.zeros(1, np.intp), out=None):
        out = np.zeros(9) if out is None else out
        _separable.correlate(x, f, f, out, 3, 4, 3, 3, 1, 1, 0, rmap, cmap, xb, 0.0,
                             False, 1)
        return out

    expected = scipy.signal.correlate(np.pad(x.reshape(3, 4), ((0, 1), (0, 0))),
                                      np.ones((2, 2)), "valid")
    np.testing.assert_array_equal(call().reshape(3, 3), expected)
    with pytest.raises(ValueError, match="too short"):
        call(rmap=rows[:2])
    with pytest.raises(ValueError, match="too short"):
        call(out=np.zeros(8))
    with pytest.raises(ValueError, match="row map"):
        call(rmap=rows + 1)
    with pytest.raises(ValueError, match="column map"):
        call(cmap=cols + 1)
    with pytest.raises(ValueError, match="batch index"):
        call(xb=np.ones(1, np.intp))


def test_fused_threshold_and_model():
    """The fused kernel's work rule, and the model that knows it."""
    from sigconv import _cost
    from sigconv._problem import make_problem
    x = np.ones((512, 512), np.float32)
    p = make_problem(x, np.ones((9, 9), np.float32), op="convolve", mode="same")[0]
    work, outputs = separable.fused_work(p)
    assert outputs == 512 * 512 and work == outputs * 18
    # columns far apart: the vertical pass would sum columns nobody reads
    p = make_problem(x, np.ones((3, 2), np.float32), op="convolve", mode="same",
                     stride=(1, 16))[0]
    assert separable.fused_work(p) is None
    p = make_problem(np.ones((4, 64, 64)), np.ones((3, 3, 3)), op="convolve",
                     mode="same")[0]
    assert separable.fused_work(p) is None
    # 3 x 3 images: the direct method; 15 x 15: the separable one
    small = make_problem(x, np.ones((3, 3), np.float32), op="convolve", mode="same")[0]
    large = make_problem(x, np.ones((15, 15), np.float32), op="convolve", mode="same")[0]
    direct = lambda q: _cost.estimate_times(q)["direct"]
    assert _cost.separable_time(small, workers=1) > direct(small)
    assert _cost.separable_time(large, workers=1) < direct(large) / 4


def test_unfused_bands_for_far_apart_columns(rng, fused):
    # a column stride far beyond the kernel: the passes band by band instead
    x = rng.standard_normal((200, 300))
    h = factored(rng, (5, 2), np.float64)
    for boundary in FUSED_BOUNDARIES:
        got = sigconv.correlate(x, h, "same", method="separable", boundary=boundary,
                                stride=(2, 9))
        check(got, scipy_reference("correlate", x, h, "same", boundary, stride=(2, 9)), x, h)
    assert not fused


@pytest.mark.parametrize("boundary", FUSED_BOUNDARIES)
def test_volume_last_two_passes_fused(monkeypatch, boundary):
    """3-D: the first pass band by band, the last two in the fused kernel."""
    from sigconv._ext import _separable
    calls = []
    kernel = _separable.correlate
    monkeypatch.setattr(separable._separable, "correlate",
                        lambda *args: calls.append(1) or kernel(*args))
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 33, 40, 29)).astype(np.float32)
    g = [gaussian(5, 1.0), rng.standard_normal(4), gaussian(3, 0.6)]
    h = np.multiply.outer(np.outer(g[0], g[1]), g[2]).astype(np.float32)
    got = sigconv.convolve(x, h[None], "full", method="separable", boundary=boundary,
                           axes=(1, 2, 3), stride=(1, 2, 1), workers=2)
    for i in range(2):
        check(got[i], scipy_reference("convolve", x[i], h, "full", boundary,
                                      stride=(1, 2, 1)), x, h)
    assert calls


@pytest.mark.parametrize("scale", [1, 2**20, 2**40, 2**60])
def test_integer_factors_checked_exactly_at_any_magnitude(scale):
    # the outer product is checked in int64 arrays while no product can
    # overflow, else with Python integers: both give the exact answer
    rng = np.random.default_rng(scale % 1000)
    u = rng.integers(-5, 6, 7)
    u[3] = scale
    v = rng.integers(1, 4, 5)
    kernel = np.outer(u, v)
    f = separable.integer_factors(kernel)
    assert f is not None
    np.testing.assert_array_equal(np.outer(*f), kernel)
    off = kernel.copy()
    off[0, 0] += 1
    assert separable.integer_factors(off) is None


def test_outer_product_check_in_both_ways():
    from sigconv._backends._factors import _outer_equals as exact
    assert exact([[1, 2], [3, 4]], np.array([[3, 4], [6, 8]]))
    assert not exact([[1, 2], [3, 4]], np.array([[3, 4], [6, 9]]))
    # uint64 entries beyond int64: no int64 product of small factors reaches them
    assert not exact([[1, 2], [3, 4]], np.full((2, 2), 2**63 + 1, dtype=np.uint64))
    # products of 2**63 and more: entry by entry in Python integers
    w = np.array([[2**63, 2**62], [2, 1]], dtype=np.uint64)
    assert exact([[2**62, 1], [2, 1]], w)
    w[1, 1] = 3
    assert not exact([[2**62, 1], [2, 1]], w)


def test_float_factors_unchanged_by_the_rank_limit():
    # the cross approximation stops at the limit; below it the terms are the same
    rng = np.random.default_rng(12)
    h = sum(np.outer(rng.standard_normal(13), rng.standard_normal(11)) for _ in range(3))
    full = separable.factorize(h, np.dtype(np.float64))
    assert full.rank == 3
    assert separable.factorize(h, np.dtype(np.float64), 2) is None
    again = separable.factorize(h, np.dtype(np.float64), 3)
    for a, b in zip(full.terms, again.terms):
        for fa, fb in zip(a, b):
            np.testing.assert_array_equal(fa, fb)


@pytest.mark.parametrize("seed", range(40))
def test_minor_bounds_reject_only_what_factorize_rejects(seed):
    # the minors' bounds are lower bounds of the singular values (so of what
    # any terms of that rank leave out): factorize answers the same with them
    from sigconv._backends import _factors
    from sigconv._problem import make_problem
    rng = np.random.default_rng(seed)
    d = 2 + seed % 2
    shape = tuple(int(n) for n in rng.integers(2, 10, d))
    dtype = (np.float64, np.float32, np.complex128, np.int64)[seed % 4]
    vs = [rng.integers(-3, 4, n) if dtype is np.int64 else rng.standard_normal(n)
          for n in shape]
    exact = vs[0]
    for v in vs[1:]:
        exact = np.multiply.outer(exact, v)
    for h in (exact, rng.integers(-3, 4, shape) if dtype is np.int64
              else rng.standard_normal(shape), exact + 1e-9 * rng.standard_normal(shape)):
        h = np.asarray(h).astype(dtype)
        problem, _, kernel = make_problem(np.zeros(tuple(n + 2 for n in shape), dtype), h,
                                          op="convolve", mode="same")
        w = separable.kernel_matrix(problem, kernel)
        for limit in (1, 2, 3):
            if _factors._not_rank1(problem, kernel, limit):
                assert separable.factorize(w, problem.out_dtype, limit) is None
        if d == 2:
            sv = np.linalg.svd(w.astype(np.complex128), compute_uv=False)
            for rank in range(1, min(shape)):
                assert _factors._minor_bound(w.astype(np.complex128), rank) <= \
                    sv[rank] * (1 + 1e-9) + 1e-12
            m = w.reshape(w.shape[0], -1).astype(np.complex128)
            assert _factors._minor_2x2_bound(m) <= sv[1] * (1 + 1e-9) + 1e-12


def test_factorize_memo_follows_the_values(rng):
    # the separability answers are kept per kernel bytes: the same values
    # give the same (read-only) factors, a kernel changed in place is tested
    # afresh, and auto's result follows the new values
    from sigconv._backends import _factors
    from sigconv._cost import clear_cache

    clear_cache()
    g = np.exp(-0.5 * (np.arange(9) - 4.0) ** 2 / 4.0)
    w = np.outer(g, g)
    first = _factors.factorize(w, np.dtype(np.float64))
    assert first is not None and first.rank == 1
    again = _factors.factorize(w.copy(), np.dtype(np.float64))
    assert again is first
    assert not first.terms[0][0].flags.writeable
    x = rng.standard_normal((40, 40))
    before = sigconv.convolve(x, w, "same")
    w += 0.1 * rng.standard_normal(w.shape)          # in place: now of full rank
    assert _factors.factorize(w, np.dtype(np.float64)) is None
    assert_close(sigconv.convolve(x, w, "same"), scipy.signal.convolve(x, w, "same"),
                 inputs=(x, w))
    assert not np.allclose(sigconv.convolve(x, w, "same"), before)
    clear_cache()
    assert not _factors._memo
