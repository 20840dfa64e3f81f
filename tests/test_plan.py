"""choose_conv_method: scipy's signature, a cost model, and the cases it must refuse."""
import numpy as np
import pytest
import scipy.signal

import sigconv
from sigconv import _cost, plan
from sigconv._problem import make_problem

METHODS = {"direct", "fft", "oa"}


def _dense(shape, dtype=float):
    """A kernel of full rank (not separable), positive like ``np.ones``."""
    rng = np.random.default_rng(sum(shape))
    if np.dtype(dtype).kind in "iu":
        return rng.integers(1, 4, shape).astype(dtype)
    return rng.uniform(0.5, 1.5, shape).astype(dtype)


@pytest.mark.parametrize("s1, s2, expected", [
    ((10_000,), (5,), "direct"), ((100, 100), (3, 3), "direct"),
    ((512, 512), (63, 63), "oa"), ((4096,), (4096,), "fft"),
    ((1_000_000,), (2000,), "oa")])
def test_clear_cases(s1, s2, expected):
    assert sigconv.choose_conv_method(np.ones(s1), _dense(s2)) == expected


@pytest.mark.parametrize("s1, s2", [((10_000,), (5,)), ((4096,), (4096,))])
def test_agrees_with_scipy_on_clear_cases(s1, s2):
    x, h = np.ones(s1), _dense(s2)
    ours = sigconv.choose_conv_method(x, h)
    assert ours == scipy.signal.choose_conv_method(x, h)
    # and the answer is a method of convolve
    np.testing.assert_allclose(sigconv.convolve(x[..., :64], h[..., :8], method=ours),
                               scipy.signal.convolve(x[..., :64], h[..., :8]))


@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128,
                                   np.longdouble, np.int16, np.bool_])
def test_every_mode_and_dtype(mode, dtype):
    x = np.ones((300, 200), dtype)
    h = np.ones((40, 30), dtype)
    assert sigconv.choose_conv_method(x, h, mode) in METHODS | {"separable"}
    if dtype is not np.bool_:       # (a bool kernel of nonzeros is all ones)
        dense = _dense((40, 30), dtype if np.dtype(dtype).kind == "i" else float)
        assert sigconv.choose_conv_method(x, dense.astype(dtype), mode) in METHODS


def test_integers_the_transforms_cannot_keep_exact_stay_direct():
    small = np.full((600, 600), 3, dtype=np.int64)
    assert sigconv.choose_conv_method(small, small[:63, :63]) != "direct"
    big = np.full(100_000, 2**40)
    assert sigconv.choose_conv_method(big, big[:3000]) == "direct"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_stay_direct(bad):
    x = np.ones((512, 512))
    x[7, 9] = bad
    h = _dense((63, 63))
    assert sigconv.choose_conv_method(x, h) == "direct"
    assert sigconv.choose_conv_method(h * 0 + 1, np.where(h > 0, bad, 0)) == "direct"


def test_measure_returns_the_fastest_of_its_times():
    method, times = sigconv.choose_conv_method(np.ones(5000), np.ones(300), measure=True)
    assert set(times) == METHODS
    assert all(t > 0 for t in times.values())
    assert method == min(times, key=times.get)
    # integers beyond the bound: only the direct method is timed
    big = np.full(20_000, 2**40)
    method, times = sigconv.choose_conv_method(big, big[:300], "same", measure=True)
    assert method == "direct" and set(times) == {"direct"}


def test_model_grows_with_the_work():
    def times(k):
        problem = make_problem(np.ones(50_000), np.ones(k), op="convolve", mode="same")[0]
        return _cost.estimate_times(problem)
    assert times(10)["direct"] < times(100)["direct"] < times(1000)["direct"]
    assert times(1000)["fft"] < 1.1 * times(10)["fft"]


def test_scalars_and_errors():
    assert sigconv.choose_conv_method(np.array(2.0), np.array(3.0)) == "direct"
    with pytest.raises(ValueError, match="mode"):
        sigconv.choose_conv_method(np.ones(5), np.ones(3), "bogus")
    with pytest.raises(ValueError, match="dimensionality"):
        sigconv.choose_conv_method(np.ones(5), np.ones((3, 3)))
    with pytest.raises(ValueError, match="at least as large"):
        sigconv.choose_conv_method(np.ones((3, 5)), np.ones((4, 4)), "valid")


# ------------------------------------------------------------ method="auto"


@pytest.fixture
def ran(monkeypatch):
    """Record the backend each call runs (stubbed: zeros of the right shape)."""
    from sigconv._backends import BACKENDS, NonFiniteInput, all_finite
    log = []

    def stub(name):
        def run(problem, signal, kernel, workers, **options):
            # a backend told to check the signal raises on a NaN or Inf
            if options.get("check_finite") and not all_finite(signal):
                raise NonFiniteInput()
            log.append(name)
            return np.zeros(problem.out_shape, dtype=problem.out_dtype)
        return run

    for name in list(BACKENDS):
        monkeypatch.setitem(BACKENDS, name, stub(name))
    # small 1-D calls skip the backend table (sigconv._small): not here
    monkeypatch.setattr("sigconv.convolution.small_call", lambda *args: None)
    return log


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("s1, s2, mode, dtype", [
    ((2**20,), (8191,), "same", np.float64),       # A3
    ((512, 512), (63, 63), "same", np.float64),
    ((300, 200), (40, 30), "full", np.float32),
    ((4096,), (4096,), "full", np.complex128),
    ((2**20,), (63,), "same", np.float64),         # A1
    ((4096,), (16,), "full", np.float64),          # A5
    ((100, 100), (3, 3), "same", np.float32),
    ((64, 64, 64), (3, 3, 3), "same", np.float32)])
def test_auto_runs_choose_conv_methods_answer(ran, op, s1, s2, mode, dtype):
    x, h = np.ones(s1, dtype), np.ones(s2, dtype)
    expected = sigconv.choose_conv_method(x, h, mode)
    getattr(sigconv, op)(x, h, mode)
    getattr(sigconv, op)(x, h, mode, method="auto")
    assert ran == [expected, expected]


def test_auto_picks_a_transform_for_long_kernels(ran):
    sigconv.convolve(np.ones(2**20), np.ones(8191), "same")
    sigconv.convolve(np.ones((512, 512)), _dense((63, 63)), "same")
    sigconv.correlate(np.ones((64, 64, 64), np.float32), _dense((15, 15, 15), np.float32),
                      "same")
    assert ran[0] in ("fft", "oa") and ran[1] in ("fft", "oa") and ran[2] in ("fft", "oa")


@pytest.mark.parametrize("s1, s2", [((100_000,), (5,)), ((1000, 1000), (3, 3)),
                                    ((64, 64, 64), (3, 3, 3)), ((4096,), (16,))])
def test_auto_picks_direct_for_small_kernels(ran, s1, s2):
    # (a kernel of full rank: a 3 x 3 x 3 box is separable, and three passes
    # of 3 taps may beat 27 taps)
    sigconv.convolve(np.ones(s1), _dense(s2), "same")
    assert ran == ["direct"]


def test_auto_keeps_integers_direct_beyond_the_bound(ran):
    big = np.full(100_000, 2**40)
    sigconv.convolve(big, big[:3000])
    assert ran == ["direct"]
    small = np.full((600, 600), 3, dtype=np.int64)
    sigconv.convolve(small, _dense((63, 63), np.int64))
    assert ran[1] in ("fft", "oa")
    # a boundary that extends the signal is not certified: direct
    sigconv.convolve(small, _dense((63, 63), np.int64), "same", boundary="wrap")
    assert ran[2] == "direct"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["signal", "kernel"])
def test_auto_keeps_non_finite_inputs_direct(ran, bad, where):
    x = np.ones((512, 512))
    h = _dense((63, 63))
    (x if where == "signal" else h)[7, 9] = bad
    sigconv.convolve(x, h, "same")
    sigconv.correlate(x, h, "same")
    assert ran == ["direct", "direct"]


def test_auto_finite_scan_tells_overflow_from_inf(ran):
    # the sum overflows, but every value is finite: a transform is allowed
    x = np.full((512, 512), 1e300)
    sigconv.convolve(x, _dense((63, 63)), "same")
    assert ran[0] in ("fft", "oa")


def test_auto_results(rng):
    # where auto transforms, it gives the direct result to the FFT tolerance
    from conftest import assert_close, fft_tolerance
    x = rng.standard_normal((300, 280))
    h = rng.standard_normal((41, 37))
    assert sigconv.choose_conv_method(x, h, "same") != "direct"
    got = sigconv.correlate(x, h, "same")
    expected = sigconv.correlate(x, h, "same", method="direct")
    assert_close(got, expected, inputs=(x, h), atol=fft_tolerance(np.float64, x, h))
    # integers within the bound: transformed, and exact
    xi = rng.integers(-100, 100, (300, 280))
    hi = rng.integers(-100, 100, (41, 37))
    assert sigconv.choose_conv_method(xi, hi) != "direct"
    np.testing.assert_array_equal(sigconv.convolve(xi, hi),
                                  sigconv.convolve(xi, hi, method="direct"))
    # a NaN stays local
    x[150, 140] = np.nan
    y = sigconv.convolve(x, h, "same")
    assert np.isnan(y).sum() == h.size


# ------------------------------------------------ the ranking, per shape


def _full_model_choice(x, h, mode="same", workers=1):
    """auto's choice the long way: every method's modelled time, the kernel
    factored up to the largest rank, then the value tests."""
    from sigconv._backends import separable as sep
    problem, signal, kernel = make_problem(x, h, op="convolve", mode=mode)
    rows = _cost._kernel_rows(problem, kernel)
    times = _cost._model_times(problem, rows, workers)
    times.update(_cost.toeplitz_times(problem, signal.shape, kernel.shape, times))
    if _cost.separable_candidate(problem, rows):
        factors = sep.factors_for(problem, kernel)
        if factors is not None:
            times["separable"] = _cost.separable_time(problem, factors.rank, workers)
    method = min(times, key=times.get)
    if method in ("fft", "oa", "toeplitz") and not (
            plan._all_finite(signal) and plan._all_finite(kernel)):
        return "direct"
    return method


def _kernels(rng, shape, dtype):
    dense = rng.standard_normal(shape)
    g = [np.exp(-0.5 * ((np.arange(n) - n // 2) / (n / 5.0)) ** 2) for n in shape]
    outer = g[0]
    for v in g[1:]:
        outer = np.multiply.outer(outer, v)
    yield dense.astype(dtype)
    yield outer.astype(dtype)
    yield np.ones(shape, dtype)
    if len(shape) == 2:
        u, v = rng.standard_normal((2, shape[0])), rng.standard_normal((2, shape[1]))
        yield (np.outer(u[0], v[0]) + np.outer(u[1], v[1])).astype(dtype)


@pytest.mark.parametrize("xshape, kshapes", [
    ((128, 128), [(3, 3), (7, 7), (15, 15), (31, 31), (63, 63), (7, 31)]),
    ((512, 512), [(7, 7), (15, 15), (63, 63)]),
    ((32, 32, 32), [(3, 3, 3), (5, 5, 5), (9, 9, 9)]),
    ((65536,), [(15,), (255,), (1023,)])])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_auto_choice_equals_the_full_model(xshape, kshapes, dtype):
    # the shortcuts (the direct method outright, the ranking remembered per
    # shape, factoring only up to the rank that could win) choose what
    # every method's model and the whole factorisation choose
    from sigconv._backends import separable as sep
    rng = np.random.default_rng(len(xshape) + len(kshapes))
    x = rng.standard_normal(xshape).astype(dtype)
    for kshape in kshapes:
        for h in _kernels(rng, kshape, dtype):
            expected = _full_model_choice(x, h)
            for _ in range(2):            # the second time from the remembered ranking
                problem, signal, kernel = make_problem(x, h, op="convolve", mode="same")
                assert plan.auto_choice(problem, signal, kernel, 1)[0] == expected
                sep.stash(None, None)


def test_ranking_is_remembered_per_shape_and_thread_state(monkeypatch):
    from sigconv import _threads
    from sigconv._backends import tiles
    # (the back-off after a late thread, which changes with time, held at none)
    monkeypatch.setattr(_threads, "serial_for", lambda: 0.0)
    x, h = np.ones((300, 200)), np.ones((9, 9))
    problem = make_problem(x, h, op="convolve", mode="same")[0]
    first = _cost.ranking(problem, x.shape, h.shape, 1)
    assert _cost.ranking(problem, x.shape, h.shape, 1) is first
    assert _cost.ranking(problem, x.shape, h.shape, 2) is not first
    # what resolve_workers answers from is part of the key
    default = _cost.ranking(problem, x.shape, h.shape, None)
    monkeypatch.setitem(_threads._state, "serial_only", True)
    assert _cost.ranking(problem, x.shape, h.shape, None) is not default
    monkeypatch.setitem(_threads._state, "serial_only", False)
    assert _cost.ranking(problem, x.shape, h.shape, None) is default
    monkeypatch.setattr(tiles, "ENGINE", "scipy")
    assert _cost.ranking(problem, x.shape, h.shape, 1) is not first
    # another shape, dtype or mode: another ranking
    other = make_problem(x, h[:7], op="convolve", mode="same")[0]
    assert _cost.ranking(other, x.shape, (7, 9), 1) is not first
    # the constants changed: clear_cache forgets
    monkeypatch.setattr(tiles, "ENGINE", None)
    monkeypatch.setitem(_cost.DIRECT_NS, "d", 100.0)
    assert _cost.ranking(problem, x.shape, h.shape, 1) is first
    _cost.clear_cache()
    slow = _cost.ranking(problem, x.shape, h.shape, 1)
    assert slow is not first and slow.order[0] != "direct"
    monkeypatch.undo()
    _cost.clear_cache()


def test_thread_state_has_no_side_effect():
    from sigconv import _threads
    before = dict(_threads._state)
    assert _threads.thread_state(1) == (False, 1)
    assert _threads.thread_state(None)[0] is True
    assert _threads._state == before


def test_the_remembered_ranking_never_answers_for_the_values(ran):
    # the same shapes with other values between calls: the kernel's factors
    # and the inputs' NaN/Inf are tested on every call
    x = np.ones((512, 512))
    g = np.exp(-0.5 * ((np.arange(7) - 3) / 2.0) ** 2)
    h = np.outer(g, g)
    sigconv.convolve(x, h, "same")
    h += 0.01 * _dense(h.shape)          # of full rank now
    sigconv.convolve(x, h, "same")
    assert ran[0] == "separable" and ran[1] != "separable"
    dense = _dense((63, 63))
    sigconv.convolve(x, dense, "same")
    dense[5, 5] = np.nan
    sigconv.convolve(x, dense, "same")
    assert ran[2] in ("fft", "oa") and ran[3] == "direct"
    ints = np.full((600, 600), 3, dtype=np.int64)
    kernel = _dense((63, 63), np.int64)
    sigconv.convolve(ints, kernel)
    ints[...] = 2**40                    # beyond the transforms' exact bound
    sigconv.convolve(ints, kernel)
    assert ran[4] in ("fft", "oa") and ran[5] == "direct"


def test_auto_results_after_the_values_change(rng):
    x = rng.standard_normal((200, 180))
    g = np.exp(-0.5 * ((np.arange(11) - 5) / 2.0) ** 2)
    h = np.outer(g, g)
    for _ in range(2):
        got = sigconv.convolve(x, h, "same")
        np.testing.assert_allclose(got, scipy.signal.convolve(x, h, "same", method="direct"),
                                   atol=1e-12)
        h += 0.1 * rng.standard_normal(h.shape)    # not separable on the second pass
    x[50, 60] = np.nan
    y = sigconv.convolve(x, h, "same")
    assert np.isnan(y).sum() == h.size


# ------------------------------------------------------------------ Convolver

PLAN_SHAPES = {1: ((300,), (17,)), 2: ((40, 33), (7, 5)), 3: ((12, 10, 9), (3, 4, 2))}


def _data(rng, shape, dtype):
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-50, 50, shape).astype(dtype)
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def _check_plan(plan, x, h, mode, axes=None, **kw):
    got = plan(x)
    expected = sigconv.convolve(x, h, mode, method=plan.method, axes=axes, **kw)
    assert got.dtype == expected.dtype == plan.dtype
    assert got.shape == expected.shape
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("method", ["auto", "direct", "fft", "oa"])
@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
@pytest.mark.parametrize("batch", [None, "signals", "kernels"])
def test_convolver_equals_convolve(rng, method, mode, ndim, dtype, batch):
    xs, hs = PLAN_SHAPES[ndim]
    axes = None
    if batch == "signals":        # 3 inputs, one kernel
        xs, hs, axes = (3,) + xs, (1,) + hs, tuple(range(1, ndim + 1))
    elif batch == "kernels":      # one input, a bank of 3 kernels
        xs, hs, axes = (1,) + xs, (3,) + hs, tuple(range(1, ndim + 1))
    h = _data(rng, hs, dtype)
    plan = sigconv.Convolver(h, xs, mode, method=method, axes=axes, dtype=dtype)
    assert plan.method in ("direct", "fft", "oa")
    assert plan.mode == mode
    assert plan.shape == tuple(xs[a] for a in (axes or range(ndim)))
    for _ in range(2):  # the kept kernel data survives a call
        _check_plan(plan, _data(rng, xs, dtype), h, mode, axes)
    if batch == "signals":  # any batch size
        _check_plan(plan, _data(rng, (5,) + xs[1:], dtype), h, mode, axes)


@pytest.mark.parametrize("method", ["direct", "fft", "oa"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolver_overlap_add_blocks_and_options(rng, method, mode):
    h = rng.standard_normal(31)
    plan = sigconv.Convolver(h, 3000, mode, method=method)
    _check_plan(plan, rng.standard_normal(3000), h, mode)
    h2 = rng.standard_normal((5, 4))
    kw = dict(boundary="reflect", stride=(2, 3))
    plan = sigconv.Convolver(h2, (60, 50), mode, method=method, **kw)
    _check_plan(plan, rng.standard_normal((60, 50)), h2, mode, **kw)
    kw = dict(fillvalue=1.5)
    plan = sigconv.Convolver(h2, (60, 50), mode, method=method, **kw)
    _check_plan(plan, rng.standard_normal((60, 50)), h2, mode, **kw)


def test_convolver_valid_with_larger_kernel(rng):
    h = rng.standard_normal(50)
    for method in ("direct", "fft", "oa"):
        plan = sigconv.Convolver(h, 20, "valid", method=method)
        _check_plan(plan, rng.standard_normal(20), h, "valid")


def test_convolver_dtypes_compatible_inputs(rng):
    h = rng.standard_normal(9)
    plan = sigconv.Convolver(h, 100, method="fft")
    # float32 and integer inputs give float64 results with a float64 kernel
    _check_plan(plan, rng.standard_normal(100).astype(np.float32), h, "full")
    _check_plan(plan, np.arange(100), h, "full")
    with pytest.raises(TypeError, match="complex128"):
        plan(np.ones(100, dtype=np.complex128))
    f32 = sigconv.Convolver(h.astype(np.float32), 100, dtype=np.float32)
    assert f32.dtype == np.float32
    assert f32(np.ones(100, np.float32)).dtype == np.float32


def test_convolver_auto(rng):
    big = sigconv.Convolver(_dense((63, 63)), (512, 512), "same")
    assert big.method == sigconv.choose_conv_method(np.ones((512, 512)),
                                                    _dense((63, 63)), "same")
    assert big.method in ("fft", "oa")
    assert sigconv.Convolver(np.ones(5), 10_000).method == "direct"
    assert sigconv.Convolver(_dense((63, 63), int), (512, 512)).method == "direct"
    # a separable kernel (integers: with exact integer factors)
    assert sigconv.Convolver(np.ones((63, 63), int), (512, 512)).method == "separable"
    assert sigconv.Convolver(np.ones((9, 9)), (1024, 1024), "same").method == "separable"
    # a NaN input is computed directly, as convolve(method='auto') does
    x = rng.standard_normal((512, 512))
    x[200, 300] = np.nan
    h = rng.standard_normal((63, 63))
    plan = sigconv.Convolver(h, x.shape, "same")
    np.testing.assert_array_equal(plan(x), sigconv.convolve(x, h, "same"))
    assert np.isnan(plan(x)).sum() == h.size


def test_convolver_errors():
    plan = sigconv.Convolver(np.ones((1, 3, 3)), (8, 8), axes=(1, 2))
    with pytest.raises(ValueError, match="length 8, 8 along axes"):
        plan(np.ones((2, 8, 9)))
    with pytest.raises(ValueError, match="3-D"):
        plan(np.ones((8, 8)))
    with pytest.raises(TypeError, match="dtype"):
        plan(np.array([[["a"] * 8] * 8]))
    with pytest.raises(ValueError, match="entries"):
        sigconv.Convolver(np.ones(3), (8, 8))
    with pytest.raises(ValueError, match="non-negative"):
        sigconv.Convolver(np.ones(3), -1)
    with pytest.raises(ValueError, match="at least one"):
        sigconv.Convolver(np.array(2.0), ())
    with pytest.raises(ValueError, match="mode"):
        sigconv.Convolver(np.ones(3), 8, "bogus")
    with pytest.raises(ValueError, match="method"):
        sigconv.Convolver(np.ones(3), 8, method="bogus")
    assert sigconv.Convolver(np.ones(3), 8, method="toeplitz")(np.ones(8)).tolist() == \
        sigconv.convolve(np.ones(8), np.ones(3)).tolist()
    with pytest.raises(ValueError, match="at least as large"):
        sigconv.Convolver(np.ones((3, 5)), (4, 4), "valid")
    with pytest.raises(TypeError):
        sigconv.Convolver(np.array(["a", "b"]), 8)
    # the whole input shape is accepted too
    assert sigconv.Convolver(np.ones((1, 3)), (5, 8), axes=1).shape == (8,)
    assert "Convolver" in repr(plan) and plan.kernel.flags.writeable is False
