"""StreamConvolver: block-by-block output equals scipy.signal's offline convolution."""
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.signal as ss

from sigconv import StreamConvolver
from sigconv.streaming import plan_partition

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _reference(x, ir):
    """Full convolution in float64 by scipy.signal, per layout; x is (channels, n)."""
    x = np.asarray(x, np.float64)
    ir = np.asarray(ir, np.float64)
    if x.shape[1] == 0:
        outputs = ir.shape[0] if ir.ndim == 3 else x.shape[0]
        return np.zeros((outputs, ir.shape[-1] - 1))
    if ir.ndim == 1:
        return np.stack([ss.convolve(row, ir, method="direct") for row in x])
    if ir.ndim == 2:
        return np.stack([ss.convolve(x[c], ir[c], method="direct") for c in range(len(x))])
    return np.stack([sum(ss.convolve(x[i], ir[o, i], method="direct")
                         for i in range(ir.shape[1])) for o in range(ir.shape[0])])


def _atol(x, ir, dtype):
    """Rounding bound: a few ulps of the largest possible output, grown with the length."""
    bound = np.abs(x).max(initial=0) * np.abs(np.asarray(ir, np.float64)).sum(axis=-1).max()
    m = np.shape(ir)[-1]
    return 8 * np.finfo(dtype).eps * np.log2(m + 2) * bound + np.finfo(dtype).tiny


def test_tolerance_is_tight():
    # a wrong tap would exceed it: the bound is far below one tap's effect
    x = np.ones((1, 10))
    assert _atol(x, np.ones(5), np.float64) < 1e-12
    assert _atol(x, np.ones(5), np.float32) < 1e-4


def _stream(sc, x, cuts):
    """Feed (channels, n) ``x`` cut at ``cuts``; the pieces and the tail, joined."""
    bounds = [0] + sorted(cuts) + [x.shape[1]]
    pieces = [sc.process(x[:, a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    return np.concatenate(pieces + [sc.flush()], axis=1)


LAYOUTS = {
    "mono": lambda rng, c, m: rng.standard_normal(m),
    "per-channel": lambda rng, c, m: rng.standard_normal((c, m)),
    "matrix": lambda rng, c, m: rng.standard_normal((3, c, m)),
}
SCHEDULES = ["auto", "uniform", (16, 16, 32, 128), (64, 8, 16), (32, 32)]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("partition", SCHEDULES, ids=str)
@pytest.mark.parametrize("m", [1, 7, 33, 700])
def test_equals_offline(layout, dtype, partition, m):
    rng = np.random.default_rng(m)
    x = rng.standard_normal((2, 1500)).astype(dtype)
    ir = LAYOUTS[layout](rng, 2, m).astype(dtype)
    sc = StreamConvolver(ir, 16, partition=partition)
    y = _stream(sc, x, [5, 16, 17, 100, 101, 700, 1499])
    ref = _reference(x, ir)
    assert y.dtype == dtype
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=0, atol=_atol(x, ir, dtype))


@settings(max_examples=40)
@given(st.data())
def test_any_cut_equals_offline(data):
    m = data.draw(st.integers(1, 300), label="m")
    n = data.draw(st.integers(0, 900), label="n")
    block = data.draw(st.sampled_from([1, 3, 16, 64, 100]), label="block_size")
    partition = data.draw(st.sampled_from(["auto", "uniform"]), label="partition")
    cuts = data.draw(st.lists(st.integers(0, n), max_size=12), label="cuts")
    dtype = data.draw(st.sampled_from([np.float32, np.float64]), label="dtype")
    rng = np.random.default_rng(n * 1000 + m)
    x = rng.standard_normal((2, n)).astype(dtype)
    ir = rng.standard_normal((2, m)).astype(dtype)
    sc = StreamConvolver(ir, block, partition=partition)
    y = _stream(sc, x, cuts)
    np.testing.assert_allclose(y, _reference(x, ir), rtol=0, atol=_atol(x, ir, dtype))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_any_schedule_equals_offline(data):
    # explicit schedules: any first partition (odd, even, 1), later ones any
    # multiple of it, so that transforms of every kind of length run
    P1 = data.draw(st.integers(1, 48), label="P1")
    sizes = [P1] + [P1 * g for g in data.draw(
        st.lists(st.integers(2, 12), max_size=3, unique=True), label="growth")]
    head = P1 + data.draw(st.integers(0, 5), label="extra head")
    m = data.draw(st.integers(head + 1, head + 2000), label="m")
    layout = data.draw(st.sampled_from(sorted(LAYOUTS)), label="layout")
    dtype = data.draw(st.sampled_from([np.float32, np.float64]), label="dtype")
    n = data.draw(st.integers(0, 3000), label="n")
    cuts = data.draw(st.lists(st.integers(0, n), max_size=8), label="cuts")
    rng = np.random.default_rng(m * 7 + n)
    x = rng.standard_normal((2, n)).astype(dtype)
    ir = LAYOUTS[layout](rng, 2, m).astype(dtype)
    sc = StreamConvolver(ir, 64, partition=[head] + sorted(sizes))
    y = _stream(sc, x, cuts)
    np.testing.assert_allclose(y, _reference(x, ir), rtol=0, atol=_atol(x, ir, dtype))


def test_long_response_low_latency_float32():
    # the shape of the AU1 workload, scaled down: a long decaying response,
    # small blocks, float32 end to end, error far below 1e-5 of the peak
    rng = np.random.default_rng(3)
    m = 12000
    ir = (rng.standard_normal((2, m)) * np.exp(-np.arange(m) / 3000)).astype(np.float32)
    x = rng.standard_normal((2, 20000)).astype(np.float32)
    sc = StreamConvolver(ir, 64)
    assert len(sc.levels) >= 1 and sc.head < m
    y = np.concatenate([sc.process(x[:, a:a + 64]) for a in range(0, 20000, 64)], axis=1)
    ref = _reference(x, ir)[:, :20000]
    assert y.dtype == np.float32
    assert np.abs(y - ref).max() < 1e-5 * np.abs(ref).max()


def test_one_channel_blocks_and_time_axis_first():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(400)
    ir = rng.standard_normal(50)
    sc = StreamConvolver(ir, 32)
    y = np.concatenate([sc.process(x[a:a + 37]) for a in range(0, 400, 37)] + [sc.flush()])
    assert y.ndim == 1
    np.testing.assert_allclose(y, np.convolve(x, ir), atol=1e-12)
    # samples on axis 0, channels on axis 1 (e.g. soundfile's layout)
    xs = rng.standard_normal((400, 2))
    sc = StreamConvolver(ir, 32, axis=0)
    y = np.concatenate([sc.process(xs[a:a + 50]) for a in range(0, 400, 50)] + [sc.flush()])
    assert y.shape == (449, 2)
    np.testing.assert_allclose(y, _reference(xs.T, ir).T, atol=1e-12)


def test_matrix_output_channels_and_true_stereo():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 300)).astype(np.float32)
    ir = rng.standard_normal((2, 2, 90)).astype(np.float32)
    sc = StreamConvolver(ir, 16)
    y = _stream(sc, x, [100, 200])
    ref = _reference(x, ir)
    np.testing.assert_allclose(y, ref, atol=_atol(x, ir, np.float32))
    # each output is the sum over inputs: differs from per-channel filtering
    diag = _reference(x, ir[[0, 1], [0, 1]])
    assert np.abs(ref - diag).max() > 1


def test_reset_starts_a_new_signal_and_flush_resets():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 200))
    ir = rng.standard_normal(70)
    sc = StreamConvolver(ir, 16)
    first = sc.process(x)
    sc.reset()
    assert sc.time == 0
    np.testing.assert_array_equal(sc.process(x), first)
    sc.flush()
    np.testing.assert_array_equal(sc.process(x), first)


def test_inputs_not_modified_readonly_and_strided():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 300))[::2, ::-1]   # strided, negative step
    x.flags.writeable = False
    before = x.copy()
    ir = rng.standard_normal((2, 40))
    ir.flags.writeable = False
    sc = StreamConvolver(ir, 16)
    y = np.concatenate([sc.process(x[:, :150]), sc.process(x[:, 150:])], axis=1)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(y, _reference(x, ir)[:, :300], atol=1e-12)


def test_out_argument_and_dtype_cast():
    ir = np.array([1.0, 2.0], np.float32)
    sc = StreamConvolver(ir, 4)
    assert sc.dtype == np.float32
    out = np.empty(3, np.float32)
    res = sc.process(np.array([1.0, 0.0, 0.0]), out=out)   # float64 block, cast
    assert res is out
    np.testing.assert_array_equal(out, [1, 2, 0])
    with pytest.raises(ValueError, match="out must be"):
        sc.process(np.zeros(3), out=np.empty(3, np.float64))
    assert StreamConvolver([1, 2], 4).dtype == np.float64
    assert StreamConvolver(ir, 4, dtype=np.float64).process([1.0]).dtype == np.float64


def _unaligned(a):
    """A copy of ``a`` whose data starts one byte into a buffer (not aligned)."""
    buf = np.zeros(a.nbytes + 1, np.uint8)
    u = np.frombuffer(buf.data, a.dtype, a.size, offset=1).reshape(a.shape)
    u[...] = a
    assert not u.flags.aligned
    return u


@pytest.mark.parametrize("kind", ["swapped", "unaligned", "unaligned out", "transposed out"])
def test_blocks_and_out_in_any_memory_layout(kind):
    # the compiled path takes aligned native arrays; others go through copies
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 900)).astype(np.float32)
    ir = rng.standard_normal((2, 300)).astype(np.float32)
    ref = _reference(x, ir)[:, :900]
    sc = StreamConvolver(ir, 64)
    y = np.zeros((2, 900), np.float32)
    for a, b in [(0, 64), (64, 500), (500, 900)]:
        block = x[:, a:b]
        out = np.zeros((2, b - a), np.float32)
        if kind == "swapped":
            block = block.astype(block.dtype.newbyteorder())
        elif kind == "unaligned":
            block = _unaligned(block)
        elif kind == "unaligned out":
            out = _unaligned(out)
        else:
            out = np.zeros((b - a, 2), np.float32).T
        assert sc.process(block, out=out) is out
        y[:, a:b] = out
    np.testing.assert_allclose(y, ref, atol=_atol(x, ir, np.float32))


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copies_continue_the_stream(how):
    import copy
    import pickle
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 5000)).astype(np.float32)
    ir = rng.standard_normal((2, 3000)).astype(np.float32)
    sc = StreamConvolver(ir, 64)
    first = sc.process(x[:, :2345])
    twin = copy.deepcopy(sc) if how == "deepcopy" else pickle.loads(pickle.dumps(sc))
    assert twin.time == sc.time == 2345
    rest = sc.process(x[:, 2345:])
    np.testing.assert_array_equal(twin.process(x[:, 2345:]), rest)
    y = np.concatenate([first, rest], axis=1)
    np.testing.assert_allclose(y, _reference(x, ir)[:, :5000], atol=_atol(x, ir, np.float32))


def test_read_only_out_is_refused():
    sc = StreamConvolver(np.ones((2, 3), np.float32), 4)
    out = np.zeros((2, 4), np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        sc.process(np.ones((2, 4), np.float32), out=out)
    np.testing.assert_array_equal(out, 0)


def test_empty_block():
    sc = StreamConvolver(np.ones(5), 4)
    assert sc.process(np.zeros((2, 0))).shape == (2, 0)
    np.testing.assert_array_equal(sc.process(np.ones((2, 2))), [[1, 2], [1, 2]])


def test_threads_share_nothing_and_match():
    # separate streams in threads (the GIL is released while blocks compute)
    rng = np.random.default_rng(8)
    ir = rng.standard_normal((2, 2000)).astype(np.float32)
    xs = [rng.standard_normal((2, 8000)).astype(np.float32) for _ in range(4)]

    def run(x):
        sc = StreamConvolver(ir, 64)
        return np.concatenate([sc.process(x[:, a:a + 64]) for a in range(0, 8000, 64)], 1)

    serial = [run(x) for x in xs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(run, xs))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)
    assert threading.active_count() >= 1


@pytest.mark.parametrize("m,block", [(10, 64), (5000, 64), (96000, 256), (96000, 64)])
def test_plans_cover_the_response(m, block):
    head, levels = plan_partition(m, block, channels=(2, 2, 2))
    off = head
    for P, n, o in levels:
        assert o == off and o >= P and n >= 1
        off += n * P
    assert off >= m
    if m > 10000:
        assert levels, "a long response is partitioned"


def test_max_partition_bounds_the_levels():
    head, levels = plan_partition(96000, 64, max_partition=1024)
    assert max(P for P, _, _ in levels) <= 1024


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(ir=np.ones((2, 2, 2, 2)), block_size=4), ValueError, "shape"),
    (dict(ir=np.ones(0), block_size=4), ValueError, "empty"),
    (dict(ir=np.array([1.0, np.nan]), block_size=4), ValueError, "NaN"),
    (dict(ir=np.ones(3, complex), block_size=4), TypeError, "real"),
    (dict(ir=np.ones(3), block_size=0), ValueError, "block_size"),
    (dict(ir=np.ones(3), block_size=2.5), TypeError, "block_size"),
    (dict(ir=np.ones(3), block_size=4, axis=2), ValueError, "axis"),
    (dict(ir=np.ones(3), block_size=4, dtype=np.int32), TypeError, "dtype"),
    (dict(ir=np.ones(3), block_size=4, partition="fast"), ValueError, "partition"),
    (dict(ir=np.ones(300), block_size=4, partition=(8, 16)), ValueError, "start at a tap"),
    (dict(ir=np.ones(300), block_size=4, partition=(16, 16, 24)), ValueError, "multiple"),
    (dict(ir=np.ones(300), block_size=4, partition=(16,)), ValueError, "no partitions"),
    (dict(ir=np.ones((2, 3)), block_size=4, channels=3), ValueError, "channels"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        StreamConvolver(**kwargs)


def test_bad_blocks():
    sc = StreamConvolver(np.ones((2, 3)), 4)
    with pytest.raises(ValueError, match="channels"):
        sc.process(np.ones((3, 4)))
    with pytest.raises(ValueError, match="axes"):
        sc.process(np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match="real"):
        sc.process(np.ones((2, 4), complex))
    with pytest.raises(ValueError, match="flush"):
        StreamConvolver(np.ones(3), 4).flush()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("P", [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 25, 30, 32, 48, 49, 64,
                               96, 100, 128, 256, 384, 512, 1024, 2048, 4096, 8192])
def test_every_transform_size(P, dtype):
    # partitions of P taps: the transforms of P points (radices 4, 2 and odd
    # primes, in every position) against scipy's float64 convolution
    rng = np.random.default_rng(P)
    m = 3 * P + 1
    n = 4 * m + 37
    x = rng.standard_normal((2, n)).astype(dtype)
    ir = rng.standard_normal((2, m)).astype(dtype)
    sc = StreamConvolver(ir, P, partition=(P, P))
    assert [lv[0] for lv in sc.levels] == [P] * (m > P)
    y = _stream(sc, x, [P // 2, n // 3, n // 3 + 1])
    ref = np.stack([ss.fftconvolve(x[c].astype(np.float64), ir[c].astype(np.float64))
                    for c in range(2)])
    np.testing.assert_allclose(y, ref, atol=_atol(x, ir, dtype))