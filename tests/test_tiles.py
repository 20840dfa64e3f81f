"""The tile pipeline of method='oa': tiles by overlap-save give the reference result.

The tile lengths come from a cost model that leaves small inputs to the
batch of blocks; most tests therefore force tiles (``oa.choose_tiles``) a
few outputs long, in transforms sometimes longer than a tile needs, so that
partial last tiles, tiles wholly in the boundary's extension or the zero
padding, kernels far longer than a tile's outputs and several tiled axes
at once are exercised on small inputs. Each forced test also checks that
the pipeline did the call. Every transform engine runs: scipy.fft, ducc0
(when installed) and sigconv's own (1-D and 2-D tiles, power-of-two sides of at
least 16, 1-D tiles of at least 256 points: forced lengths are rounded up
to those, and some inputs are larger for it).
"""
import importlib.util

import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import MODES, OPS, assert_close, fft_tolerance, fresh_plans, random_array
from reference import boundary_reference, circular_reference
from sigconv._backends import oa
from sigconv._backends import tiles as tiles_backend
from sigconv._boundary import map_index
from sigconv._ext import _tiles
from sigconv._problem import make_problem

ENGINES = ["scipy", pytest.param("ducc0", marks=pytest.mark.skipif(
    importlib.util.find_spec("ducc0") is None, reason="ducc0 not installed")), "sigconv"]


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch):
    monkeypatch.setattr(tiles_backend, "ENGINE", request.param)
    return request.param


@pytest.fixture
def spy(monkeypatch):
    """Counts the calls the tile pipeline does."""
    calls = []
    original = tiles_backend._run_tiles

    def run(problem, signal, kernel, tiles, workers, prepared, check_finite=False):
        calls.append(tiles)
        return original(problem, signal, kernel, tiles, workers, prepared, check_finite)

    monkeypatch.setattr(tiles_backend, "_run_tiles", run)
    return calls


def force_tiles(monkeypatch, B, extra=0):
    """Tiles in transforms of ``B + extra + K - 1`` points: ``B + extra`` outputs each."""
    def choose(plans, rows, single, engine="ducc0"):
        lengths = [min(B, p.count) + p.K - 1 + extra for p in plans]
        if engine == "sigconv":
            least = 256 if len(plans) == 1 else 16
            lengths = [max(least, 1 << (P - 1).bit_length()) for P in lengths]
        return tuple(lengths), 0.0

    monkeypatch.setattr(tiles_backend, "choose_tiles", choose)
    fresh_plans(monkeypatch)


def check(got, expected, x, h, *, mode="full", fillvalue=0):
    atol = fft_tolerance(np.result_type(x, h), x, h, circular=(mode == "circular"),
                         fillvalue=fillvalue)
    assert_close(got, expected, inputs=(x, h), fillvalue=fillvalue, atol=atol)


SHAPES = [
    ((29,), (6,)), ((31,), (13,)), ((8,), (8,)), ((5,), (12,)), ((3,), (1,)),
    ((13, 11), (4, 5)), ((17, 7), (9, 3)), ((6, 5), (7, 8)), ((2, 23), (1, 5)),
    ((7, 9, 8), (3, 4, 2)), ((5, 6, 7), (5, 3, 7)), ((4, 3, 5), (2, 5, 3)),
]


def shape_id(s):
    return "x".join(map(str, s))


def valid_defined(s1, s2):
    return all(a >= b for a, b in zip(s1, s2)) or all(b >= a for a, b in zip(s1, s2))


@pytest.mark.parametrize("s1, s2, mode", [
    pytest.param(a, b, m, id="%s-%s-%s" % (shape_id(a), shape_id(b), m))
    for a, b in SHAPES for m in MODES if m != "valid" or valid_defined(a, b)])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("tiles", [(1, 0), (3, 2), (7, 1)], ids=lambda t: "B%d+%d" % t)
def test_matches_fftconvolve(rng, monkeypatch, engine, spy, s1, s2, mode, op, tiles):
    force_tiles(monkeypatch, *tiles)
    x = random_array(rng, s1, np.float64)
    h = random_array(rng, s2, np.float64)
    func = sigconv.convolve if op == "convolve" else sigconv.correlate
    ref = (scipy.signal.fftconvolve if op == "convolve" else scipy.signal.correlate)
    got = func(x, h, mode, method="oa")
    check(got, ref(x, h, mode), x, h, mode=mode)
    assert got.flags.c_contiguous
    # more than one tile: tiled (the own engine's 2-D tiles have 16 points or more)
    one_tile = sum(tiles) if engine != "sigconv" or got.ndim == 3 else (
        16 if got.ndim == 2 else 256) - min(s2) + 1
    assert spy or max(got.shape) <= one_tile


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_dtypes(rng, monkeypatch, engine, spy, dtype, ndim):
    force_tiles(monkeypatch, 4, 1)
    # the own engine's 1-D tiles have 256 points or more: a longer signal
    x = random_array(rng, (700,) if engine == "sigconv" and ndim == 1 else (19, 11, 6)[:ndim],
                     dtype)
    h = random_array(rng, (6, 3, 4)[:ndim], dtype)
    got = sigconv.convolve(x, h, "same", method="oa")
    assert got.dtype == np.result_type(x, h)
    check(got, boundary_reference("convolve", x, h, "same"), x, h)
    assert spy


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fillvalue", [0, 2.5])
def test_boundaries(rng, monkeypatch, engine, spy, boundary, ndim, mode, fillvalue):
    force_tiles(monkeypatch, 3, 1)
    # the own engine's 2-D tiles have 16 points or more: a larger signal
    big = {1: (600,), 2: (37, 21)}.get(ndim) if engine == "sigconv" else None
    x = random_array(rng, big or (13, 7, 5)[:ndim], np.float64)
    h = random_array(rng, (5, 4, 3)[:ndim], np.float64)
    got = sigconv.convolve(x, h, mode, method="oa", boundary=boundary, fillvalue=fillvalue)
    fv = fillvalue if boundary in ("fill", "constant") else 0
    check(got, boundary_reference("convolve", x, h, mode, boundary=boundary, fillvalue=fv),
          x, h, fillvalue=fv)
    assert spy


def test_wide_extension(rng, monkeypatch, engine, spy, boundary):
    """A kernel longer than the signal: extensions wider than the signal repeat."""
    force_tiles(monkeypatch, 2, 0)
    x = random_array(rng, (4, 40) if engine == "sigconv" else (4, 6), np.float64)
    h = random_array(rng, (11, 9), np.float64)
    got = sigconv.convolve(x, h, "same", method="oa", boundary=boundary)
    check(got, boundary_reference("convolve", x, h, "same", boundary=boundary), x, h)
    assert spy


def test_circular_is_not_tiled(rng, monkeypatch, spy):
    force_tiles(monkeypatch, 3)
    x = random_array(rng, (12, 9), np.float64)
    h = random_array(rng, (5, 4), np.float64)
    got = sigconv.convolve(x, h, "circular", method="oa")
    check(got, circular_reference("convolve", x, h), x, h, mode="circular")
    assert not spy


@pytest.mark.parametrize("stride", [2, 3, (1, 4)])
@pytest.mark.parametrize("mode", MODES)
def test_stride(rng, monkeypatch, engine, spy, stride, mode):
    force_tiles(monkeypatch, 5, 1)
    x = random_array(rng, (23, 17), np.float32)
    h = random_array(rng, (6, 3), np.float32)
    kw = dict(stride=stride, boundary="reflect")
    got = sigconv.correlate(x, h, mode, method="oa", **kw)
    check(got, sigconv.correlate(x, h, mode, method="direct", **kw), x, h)
    assert spy


@pytest.mark.parametrize("axes, xs, hs", [
    ((1,), (3, 40), (1, 9)),                    # a batch of signals, one kernel
    ((0,), (37, 2), (8, 2)),                    # per-channel kernels
    ((1, 2), (2, 14, 12), (2, 5, 3)),           # a batch of images, one kernel each
    ((0, 2), (15, 3, 11), (4, 1, 5)),           # kernel broadcast along the middle axis
    ((2,), (1, 3, 30), (4, 1, 7)),              # a filter bank: both broadcast
])
def test_axes_and_batch(rng, monkeypatch, engine, spy, axes, xs, hs):
    force_tiles(monkeypatch, 4, 0)
    if engine == "sigconv" and len(axes) == 1:   # 1-D tiles of 256 points or more
        xs = tuple(n * 20 if i == axes[0] % len(xs) else n for i, n in enumerate(xs))
    x = random_array(rng, xs, np.float64)
    h = random_array(rng, hs, np.float64)
    got = sigconv.convolve(x, h, "same", method="oa", axes=axes, boundary="wrap")
    check(got, sigconv.convolve(x, h, "same", method="direct", axes=axes, boundary="wrap"),
          x, h)
    assert spy


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_workers_bitwise(rng, monkeypatch, engine, spy, ndim):
    """Each tile is computed the same way on any thread: results are bitwise equal."""
    force_tiles(monkeypatch, 5, 3)
    x = random_array(rng, (900,) if engine == "sigconv" and ndim == 1 else (41, 23, 9)[:ndim],
                     np.float64)
    h = random_array(rng, (7, 5, 4)[:ndim], np.float64)
    one = sigconv.convolve(x, h, "full", method="oa", workers=1)
    two = sigconv.convolve(x, h, "full", method="oa", workers=2)
    np.testing.assert_array_equal(one, two)
    assert len(spy) == 2


def test_inputs_untouched(rng, monkeypatch, engine, spy):
    """Read-only, non-contiguous and negatively strided inputs; never modified."""
    force_tiles(monkeypatch, 4, 1)
    base = random_array(rng, (30, 26), np.float64)
    x = base[::2, ::-1]
    h = random_array(rng, (11, 8), np.float64)[:, ::2]
    x.flags.writeable = False
    h.flags.writeable = False
    keep = x.copy(), h.copy()
    got = sigconv.convolve(x, h, "same", method="oa", boundary="symm")
    check(got, boundary_reference("convolve", x, h, "same", boundary="symm"), x, h)
    np.testing.assert_array_equal(x, keep[0])
    np.testing.assert_array_equal(h, keep[1])
    assert spy


def test_mixed_inputs(rng, monkeypatch, engine, spy):
    """An integer signal with a float kernel: a float result, tiled."""
    force_tiles(monkeypatch, 6, 0)
    x = random_array(rng, (40, 9), np.int16)
    h = random_array(rng, (7, 4), np.float32)
    got = sigconv.convolve(x, h, "full", method="oa")
    assert got.dtype == sigconv.convolve(x, h, "full", method="direct").dtype
    check(got, boundary_reference("convolve", x, h, "full"), x, h)
    assert spy


@pytest.mark.parametrize("dtype", [np.complex128, np.int32, np.longdouble])
def test_not_tiled(rng, monkeypatch, spy, dtype):
    """Complex, integer and long double results go to the batch of blocks."""
    force_tiles(monkeypatch, 3)
    x = random_array(rng, (20,), dtype)
    h = random_array(rng, (4,), dtype)
    got = sigconv.convolve(x, h, "full", method="oa")
    check(got, boundary_reference("convolve", x, h, "full"), x, h)
    assert not spy


def test_convolver_reuses_spectrum(rng, monkeypatch, engine, spy):
    """A Convolver holds the kernel's tile spectrum."""
    force_tiles(monkeypatch, 70, 3)
    x = random_array(rng, (300, 280), np.float64)
    h = random_array(rng, (31, 25), np.float64)
    conv = sigconv.Convolver(h, x.shape, "same", method="oa")
    for _ in range(2):
        check(conv(x), scipy.signal.fftconvolve(x, h, "same"), x, h)
    assert len(spy) == 2
    assert isinstance(conv._prepared.H, tuple)


@pytest.mark.parametrize("case", [
    ((1024, 768), (41, 41), np.float32), ((1000, 900), (63, 63), np.float64),
    ((128, 128, 128), (15, 15, 15), np.float32)], ids=["2d-single", "2d", "3d"])
def test_model_plan(rng, monkeypatch, spy, case):
    """Large kernels: the model picks several tiles (ducc0's transforms), and they are right."""
    pytest.importorskip("ducc0")
    monkeypatch.setattr(tiles_backend, "ENGINE", "ducc0")
    xs, hs, dtype = case
    x = random_array(rng, xs, dtype)
    h = random_array(rng, hs, dtype)
    problem = make_problem(x, h, op="convolve", mode="same")[0]
    plan = oa.tile_plan(problem)
    assert plan is not None and np.prod(plan.counts) > 1
    assert oa.estimate_ns(problem) == plan.ns > 0
    assert oa.estimate_ns(problem, 2) == plan.ns / 2
    check(sigconv.convolve(x, h, "same", method="oa"), scipy.signal.fftconvolve(
        x.astype(np.float64), h.astype(np.float64), "same"), x, h)
    assert spy


def test_small_inputs_not_tiled(rng):
    problem = make_problem(np.ones(50), np.ones(7), op="convolve", mode="full")[0]
    assert oa.tile_plan(problem) is None
    assert oa.estimate_ns(problem) is None


@pytest.mark.parametrize("boundary_code", [1, 2, 3, 4])
@pytest.mark.parametrize("n", [1, 2, 5])
def test_index_map_matches_numpy(boundary_code, n):
    """The compiled index map against the Python callers' one (sigconv._boundary)."""
    m = np.empty(40, dtype=np.intp)
    _tiles.index_map(-17, 40, n, -17, 23, boundary_code, m)
    np.testing.assert_array_equal(m, map_index(np.arange(-17, 23), n, boundary_code))
    _tiles.index_map(-5, 40, n, -2, n + 3, 0, m)
    q = np.arange(-5, 35)
    expect = np.where((q < -2) | (q >= n + 3), _tiles.ZERO_CODE,
                      np.where((q >= 0) & (q < n), q, _tiles.FILL_CODE))
    np.testing.assert_array_equal(m, expect)


def test_engine_choice(monkeypatch):
    monkeypatch.setattr(tiles_backend, "ENGINE", "scipy")
    assert tiles_backend.tile_engine(2).name == "scipy"
    monkeypatch.setattr(tiles_backend, "ENGINE", None)
    assert tiles_backend.tile_engine(2).name == "sigconv"
    assert tiles_backend.tile_engine(3).name != "sigconv"


def test_concurrent_calls(rng, monkeypatch, engine, spy):
    """Calls from several user threads at once (each with its own tile threads)."""
    import concurrent.futures
    force_tiles(monkeypatch, 6, 1)
    xs = [random_array(rng, (40, 31), np.float64) for _ in range(4)]
    h = random_array(rng, (9, 7), np.float64)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda x: sigconv.convolve(x, h, "same", method="oa", workers=2),
                            xs))
    for x, y in zip(xs, got):
        np.testing.assert_array_equal(y, sigconv.convolve(x, h, "same", method="oa",
                                                          workers=1))
    assert len(spy) == 8


def test_convolver_after_engine_change(rng, monkeypatch, spy):
    """A spectrum and layout kept for one path are not used by the other."""
    force_tiles(monkeypatch, 70, 3)
    monkeypatch.setattr(tiles_backend, "ENGINE", "sigconv")
    x = random_array(rng, (300, 280), np.float64)
    h = random_array(rng, (31, 25), np.float64)
    conv = sigconv.Convolver(h, x.shape, "same", method="oa")
    monkeypatch.setattr(tiles_backend, "ENGINE", "scipy")
    monkeypatch.setattr(oa, "tile_plan", lambda problem: None)
    check(conv(x), scipy.signal.fftconvolve(x, h, "same"), x, h)
    assert not spy


def test_convolver_holds_its_layout(rng, monkeypatch, spy):
    """A Convolver's calls take the tiling planned when it was made (no planning per call)."""
    force_tiles(monkeypatch, 70, 3)
    x = random_array(rng, (300, 280), np.float64)
    h = random_array(rng, (31, 25), np.float64)
    conv = sigconv.Convolver(h, x.shape, "same", method="oa")

    def no_planning(problem):
        raise AssertionError("planned again")

    monkeypatch.setattr(oa, "tile_plan", no_planning)
    monkeypatch.setattr(oa, "_block_plan", no_planning)
    check(conv(x), scipy.signal.fftconvolve(x, h, "same"), x, h)
    assert len(spy) == 1
    # blocks: the batch of blocks' layout is held too
    y = random_array(rng, (3, 4000), np.float64)
    g = random_array(rng, (1, 60), np.float64)
    monkeypatch.undo()
    monkeypatch.setattr(oa, "tile_plan", lambda problem: None)
    conv = sigconv.Convolver(g, y.shape, "same", method="oa")
    assert conv._prepared.plan[1] is None and conv._prepared.plan[2] is not None
    monkeypatch.setattr(oa, "_block_plan", no_planning)
    check(conv(y), scipy.signal.fftconvolve(y, g, "same"), y, g)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("ndim, where", [(1, (0,)), (1, (350,)), (1, (699,)),
                                         (2, (0, 0)), (2, (9, 5)), (2, (18, 10))])
def test_auto_non_finite_signal(rng, monkeypatch, engine, spy, bad, ndim, where):
    # auto leaves the signal's NaN/Inf scan to the tiles (the own engine tests
    # the samples as it gathers them; the others scan first); a NaN or Inf
    # anywhere, edges included, gives the direct method's result
    force_tiles(monkeypatch, 4, 1)
    monkeypatch.setattr(sigconv.convolution, "auto_choice", lambda *a: ("oa", "direct"))
    monkeypatch.setattr(sigconv.convolution, "small_call", lambda *a: None)
    x = random_array(rng, (700,) if ndim == 1 else (19, 11), np.float64)
    h = random_array(rng, (6,) if ndim == 1 else (6, 3), np.float64)
    x[where] = bad
    got = sigconv.convolve(x, h, "same")
    expected = sigconv.convolve(x, h, "same", method="direct")
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    ok = np.isfinite(expected)
    check(got[ok], expected[ok], x, h)
    assert spy          # the tiles ran (and gave up)
    # a Convolver chosen by auto does the same
    conv = sigconv.Convolver(h, x.shape, mode="same", method="auto")
    monkeypatch.setattr(conv, "method", "oa")
    got = conv(x)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))


def test_auto_does_not_scan_the_signal(rng, monkeypatch, spy):
    # with the own engine's tiles, no pass over the signal before the tiles
    import sigconv._backends as backends
    monkeypatch.setattr(tiles_backend, "ENGINE", "sigconv")
    x = random_array(rng, (700, 700), np.float64)
    h = random_array(rng, (63, 63), np.float64)
    assert sigconv.choose_conv_method(x, h, "same") == "oa"
    scanned = []
    original = backends.all_finite

    def counting(a):
        scanned.append(a.shape)
        return original(a)

    for module in (backends, sigconv.plan, backends._finite, oa, tiles_backend):
        for name in ("all_finite", "_all_finite"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counting)
    got = sigconv.convolve(x, h, "same")
    assert spy and x.shape not in scanned
    check(got, scipy.signal.fftconvolve(x, h, "same"), x, h)
    x[350, 340] = np.nan
    got = sigconv.convolve(x, h, "same")
    assert np.isnan(got).sum() == h.size
