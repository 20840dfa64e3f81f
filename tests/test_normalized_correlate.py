"""normalized_correlate against a per-window Pearson reference, scikit-image and OpenCV."""
import warnings

import numpy as np
import pytest
from conftest import assert_close, random_array

import sigconv

try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

#: scores are in [-1, 1]: absolute tolerances per result dtype
ATOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-4}


def naive(x, t, mode="valid"):
    """Pearson coefficient of ``t`` and every window, one window at a time (float64)."""
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    pads = []
    for k in t.shape:
        pads.append({"valid": (0, 0), "same": (k // 2, (k - 1) // 2),
                     "full": (k - 1, k - 1)}[mode])
    xp = np.pad(x, pads)
    windows = np.lib.stride_tricks.sliding_window_view(xp, t.shape)
    out = np.zeros(windows.shape[:x.ndim])
    t0 = t - t.mean()
    for idx in np.ndindex(out.shape):
        w = windows[idx]
        if np.ptp(w) == 0 or np.ptp(t) == 0:
            continue
        w0 = w - w.mean()
        out[idx] = np.sum(w0 * t0) / np.sqrt(np.sum(w0 ** 2) * np.sum(t0 ** 2))
    return out


def _check(r, ref, dtype):
    dtype = np.dtype(dtype)
    assert_close(r, ref, inputs=(r,), dtype=dtype, atol=ATOL[dtype])


CASES = [((30,), (4,)), ((17,), (17,)), ((25,), (1,)), ((12, 14), (3, 5)), ((9, 8), (4, 4)),
         ((8, 9, 7), (3, 2, 4)), ((6, 5, 6), (2, 2, 2))]


@pytest.mark.parametrize("xs,ts", CASES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int16, np.uint8])
def test_matches_naive_pearson(rng, xs, ts, mode, dtype):
    x = random_array(rng, xs, dtype) + (np.asarray(50, dtype=dtype) if dtype != np.int16
                                        else 0)
    t = random_array(rng, ts, dtype)
    r = sigconv.normalized_correlate(x, t, mode)
    want = np.float32 if dtype == np.float32 else np.float64
    if np.ptp(t) == 0:
        assert not r.any()
    _check(r, naive(x, t, mode), want)


def test_golden_1d():
    x = np.array([0.0, 1, 2, 1, 0, 0, 0, 4, 2])
    r = sigconv.normalized_correlate(x, [0.0, 1, 2])
    np.testing.assert_allclose(r, [1, 0, -1, -np.sqrt(3) / 2, 0, np.sqrt(3) / 2, 0.5],
                               atol=1e-15)


@pytest.mark.parametrize("shape,tshape", [((40, 37), (7, 5)), ((16, 18, 15), (4, 3, 5))])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_skimage_match_template(rng, shape, tshape, dtype):
    feature = pytest.importorskip("skimage.feature")
    x = (rng.standard_normal(shape) * 10 + 3).astype(dtype)
    t = rng.standard_normal(tshape).astype(dtype)
    for mode, pad in (("valid", False), ("same", True)):
        ref = feature.match_template(x, t, pad_input=pad)
        r = sigconv.normalized_correlate(x, t, mode)
        assert r.dtype == ref.dtype
        _check(r, ref.astype(np.float64), dtype)
        # and both against the float64 definition
        _check(r, naive(x, t, mode), dtype)


def test_matches_opencv_match_template(rng):
    cv2 = pytest.importorskip("cv2")
    x = rng.standard_normal((50, 61)).astype(np.float32)
    t = rng.standard_normal((9, 6)).astype(np.float32)
    ref = cv2.matchTemplate(x, t, cv2.TM_CCOEFF_NORMED)
    _check(sigconv.normalized_correlate(x, t), ref.astype(np.float64), np.float32)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_planted_template_is_found_with_score_one(rng, ndim, dtype):
    shape = {1: (5000,), 2: (120, 130), 3: (40, 36, 38)}[ndim]
    tshape = {1: (50,), 2: (11, 9), 3: (5, 6, 4)}[ndim]
    where = {1: (3210,), 2: (71, 18), 3: (9, 25, 30)}[ndim]
    x = (rng.standard_normal(shape) + 7).astype(dtype)
    cut = tuple(slice(w, w + k) for w, k in zip(where, tshape))
    t = 2.5 * x[cut] - 4   # an affine copy: the same coefficient
    for mode, shift in (("valid", 0), ("same", None), ("full", None)):
        r = sigconv.normalized_correlate(x, t, mode)
        best = np.unravel_index(np.argmax(r), r.shape)
        expect = tuple(w + {"valid": 0, "same": k // 2, "full": k - 1}[mode]
                       for w, k in zip(where, tshape))
        assert best == expect, (mode, best, expect)
        assert abs(r[best] - 1) <= (1e-12 if dtype == np.float64 else 1e-4)
        neg = sigconv.normalized_correlate(x, -t, mode)
        assert abs(neg[best] + 1) <= (1e-12 if dtype == np.float64 else 1e-4)
    del shift


def flat_windows(x, shape, mode):
    """Where the window of ``shape`` (zero-extended as ``mode`` says) is constant."""
    pads = [{"valid": (0, 0), "same": (k // 2, (k - 1) // 2), "full": (k - 1, k - 1)}[mode]
            for k in shape]
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, pads), shape)
    axes = tuple(range(x.ndim, 2 * x.ndim))
    return windows.max(axis=axes) == windows.min(axis=axes)


def test_flat_windows_and_templates_score_zero():
    # The promise, on every machine (any vector width, with or without FMA
    # contraction): a flat window or a flat template scores exactly 0; every
    # other score is right to rounding -- including windows whose covariance
    # with the template cancels exactly, which score 0 only to rounding
    # (e.g. -2.3e-17 on a build with other vector widths).
    x = np.zeros((20, 30))
    x[5:15, 10:25] = 3.0          # flat plateaus and edges
    x[0:4, 0:4] = np.arange(16.0).reshape(4, 4)
    t = np.array([[1.0, 2.0], [0.0, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("valid", "same", "full"):
            r = sigconv.normalized_correlate(x, t, mode)
            ref = naive(x, t, mode)
            assert np.isfinite(r).all()
            _check(r, ref, np.float64)
            flat = flat_windows(x, t.shape, mode)
            assert flat.any() and (r[flat] == 0).all()
            cancel = (ref == 0) & ~flat      # covariance zero, variance not
            assert cancel.any()
            assert np.abs(r[cancel]).max() <= 1e-12
        # a flat template matches nothing
        assert not sigconv.normalized_correlate(x, np.full((2, 3), 7.0)).any()
        # a constant signal has no structure
        assert not sigconv.normalized_correlate(np.full(50, 1e10), np.arange(4.0)).any()
        assert not sigconv.normalized_correlate(np.full(50, 0.1), np.arange(4.0)).any()
        # large offsets: the variance is computed about the signal's mean
        y = np.full(400, 1e8)
        y[200:210] += np.arange(10.0)
        r = sigconv.normalized_correlate(y, np.arange(10.0))
        assert r[200] == pytest.approx(1, abs=1e-9)
        assert not r[:190].any() and not r[211:].any()


def test_batches_and_axes(rng):
    x = rng.standard_normal((3, 40))
    t = rng.standard_normal((1, 6))
    r = sigconv.normalized_correlate(x, t, axes=1)
    assert r.shape == (3, 35)
    for i in range(3):
        _check(r[i], naive(x[i], t[0]), np.float64)
    # several templates for one signal
    ts = rng.standard_normal((4, 6))
    r = sigconv.normalized_correlate(x[:1], ts, "same", axes=-1)
    assert r.shape == (4, 40)
    for i in range(4):
        _check(r[i], naive(x[0], ts[i], "same"), np.float64)
    # the matched axes need not be the last ones
    v = rng.standard_normal((10, 3, 12))
    tv = rng.standard_normal((4, 1, 5))
    r = sigconv.normalized_correlate(v, tv, axes=(0, 2))
    assert r.shape == (7, 3, 8)
    for i in range(3):
        _check(r[:, i], naive(v[:, i], tv[:, 0]), np.float64)


def test_inputs_of_any_layout_work_and_are_not_modified(rng):
    base = rng.standard_normal((30, 24))
    tb = rng.standard_normal((8, 6))
    ro = base.copy()
    ro.flags.writeable = False
    for v in (base[::2, ::-1], base.T, np.asfortranarray(base), ro, base[3:, 1::2]):
        for t in (tb[::-1, ::2], tb):
            before = (v.copy(), t.copy())
            r = sigconv.normalized_correlate(v, t, "same")
            _check(r, naive(v, t, "same"), np.float64)
            np.testing.assert_array_equal(v, before[0])
            np.testing.assert_array_equal(t, before[1])


def test_dtypes(rng):
    x = rng.standard_normal(30)
    t = rng.standard_normal(5)
    assert sigconv.normalized_correlate(x.astype(np.float32), t.astype(np.float16)).dtype \
        == np.float32
    assert sigconv.normalized_correlate(x.astype(np.float32), t).dtype == np.float64
    assert sigconv.normalized_correlate(x > 0, t > 0).dtype == np.float64
    xi = rng.integers(0, 255, 40).astype(np.uint8)
    _check(sigconv.normalized_correlate(xi, xi[3:9]), naive(xi, xi[3:9]), np.float64)


def test_threads(rng):
    x = rng.standard_normal((300, 200)).astype(np.float32)
    t = x[40:60, 30:45].copy()
    a = sigconv.normalized_correlate(x, t, workers=1)
    b = sigconv.normalized_correlate(x, t, workers=2)
    np.testing.assert_array_equal(a, b)


def test_concurrent_calls_and_4d(rng):
    from concurrent.futures import ThreadPoolExecutor
    x = rng.standard_normal((90, 80))
    ts = [x[i:i + 7, 2 * i:2 * i + 5] + 0.1 * rng.standard_normal((7, 5)) for i in range(6)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: sigconv.normalized_correlate(x, t, "same"), ts))
    for t, r in zip(ts, got):
        np.testing.assert_array_equal(r, sigconv.normalized_correlate(x, t, "same"))
    v = rng.standard_normal((5, 4, 6, 5))
    tv = rng.standard_normal((2, 3, 2, 2))
    _check(sigconv.normalized_correlate(v, tv), naive(v, tv), np.float64)


def test_errors():
    x = np.ones(10)
    with pytest.raises(TypeError, match="real"):
        sigconv.normalized_correlate(x + 1j, np.ones(3))
    with pytest.raises(TypeError):
        sigconv.normalized_correlate(np.array([object()] * 4), np.ones(2))
    with pytest.raises(ValueError, match="NaN or Inf"):
        sigconv.normalized_correlate(np.array([1.0, np.nan, 2, 3]), np.ones(2))
    with pytest.raises(ValueError, match="NaN or Inf"):
        sigconv.normalized_correlate(x, [1.0, np.inf])
    with pytest.raises(ValueError, match="fit"):
        sigconv.normalized_correlate(x, np.ones(11))
    with pytest.raises(ValueError, match="mode"):
        sigconv.normalized_correlate(x, np.ones(3), "circular")
    with pytest.raises(ValueError, match="dimensionality"):
        sigconv.normalized_correlate(x, np.ones((2, 2)))
    with pytest.raises(ValueError, match="non-empty"):
        sigconv.normalized_correlate(np.ones(0), np.ones(0))
    with pytest.raises(ValueError, match="at least 1"):
        sigconv.normalized_correlate(1.0, 1.0)
    with pytest.raises(ValueError, match="incompatible"):
        sigconv.normalized_correlate(np.ones((3, 10)), np.ones((2, 3)), axes=1)
    with pytest.raises(MemoryError):
        sigconv.normalized_correlate(np.broadcast_to(1.0, (1 << 20, 1 << 20)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="workers"):
        sigconv.normalized_correlate(x, np.arange(3.0), workers=0)
    with pytest.raises(TypeError, match="workers"):
        sigconv.normalized_correlate(x, np.arange(3.0), workers="all")
    # same/full take templates larger than the signal
    r = sigconv.normalized_correlate(np.arange(4.0), np.arange(6.0), "full")
    assert r.shape == (9,)
    _check(r, naive(np.arange(4.0), np.arange(6.0), "full"), np.float64)


if given is not None:
    @given(st.integers(0, 2**32 - 1), st.floats(0.01, 100), st.floats(-1e4, 1e4),
           st.floats(0.01, 100), st.floats(-50, 50), st.sampled_from(["valid", "same"]))
    def test_property_affine_invariance_and_bounds(seed, a, b, c, d, mode):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((15, 13))
        t = rng.standard_normal((4, 3))
        r = sigconv.normalized_correlate(x, t, mode)
        assert np.all(np.abs(r) <= 1)
        if mode == "valid":
            # an affine change of the signal changes no window's coefficient
            np.testing.assert_allclose(sigconv.normalized_correlate(a * x + b, t), r,
                                       atol=1e-8)
        # nor does one of the template; a negative scale flips the sign
        np.testing.assert_allclose(sigconv.normalized_correlate(x, c * t + d, mode), r,
                                   atol=1e-8)
        np.testing.assert_allclose(sigconv.normalized_correlate(x, -c * t + d, mode), -r,
                                   atol=1e-8)


def test_bench_template_matching_workload_checks_out():
    from sigconv import bench
    w = bench.Workload("t", "small T1", (200, 180), (16, 12), "float32", "valid",
                       kind="match", methods=("auto",))
    x, k = w.inputs()
    ref = w.reference(x, k)
    assert ref.shape == w.out_shape
    _check(ref, naive(x, k), np.float64)
    ok, detail = bench.check(w, w.sigconv_call("auto", x, k)(), ref, w.scale(x, k))
    assert ok, detail
    for name in ("skimage.feature.match_template", "cv2.matchTemplate"):
        peer = bench.PEERS[name]
        pytest.importorskip(peer.module)
        _, call = peer.prepare(w, x, k)
        assert bench.check(w, call(), ref, w.scale(x, k))[0]
