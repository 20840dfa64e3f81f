"""sigconv.pool and its wrappers against the naive reference (always available).

Every kernel path is run: the algorithm choice is forced through the
thresholds of :mod:`sigconv.pooling` (direct, widening, van Herk, the
separate passes of large windows), across dimensions, ops, dtypes, strides,
padding, dilation, ceil mode and axes. Peers (torch, scipy.ndimage,
skimage) are in ``test_pooling_peers.py``; bad inputs in
``test_pooling_errors.py``.
"""
import concurrent.futures
import itertools

import numpy as np
import pytest
from conftest import assert_close, random_array
from reference import naive_pool, out_length

import sigconv
import sigconv.pooling as pooling

OPS = ("max", "min", "sum", "avg", "lp")

#: forced algorithm choices: threshold values of sigconv.pooling
_HUGE = 10 ** 9
ALGORITHMS = {
    "auto": {},
    "direct": dict(VERTICAL_DIRECT_MAX=_HUGE, HORIZONTAL_DIRECT_MAX=_HUGE,
                   HORIZONTAL_SUM_DIRECT_MAX=_HUGE),
    "widening": dict(HORIZONTAL_DIRECT_MAX=0, HORIZONTAL_DIRECT_OVERLAP=0,
                     WIDENING_MAX=_HUGE),
    "vanherk": dict(VERTICAL_DIRECT_MAX=0, AXIS_DIRECT_MAX=0, HORIZONTAL_DIRECT_MAX=0,
                    HORIZONTAL_DIRECT_OVERLAP=0, WIDENING_MAX=0, HORIZONTAL_SUM_DIRECT_MAX=0,
                    HORIZONTAL_SUM_DIRECT_OVERLAP=0),
    "passes-direct": dict(VERTICAL_DIRECT_MAX=0, AXIS_DIRECT_MAX=_HUGE),
}


@pytest.fixture(params=list(ALGORITHMS))
def algorithm(request, monkeypatch):
    """Every kernel path: the thresholds set so that one algorithm is chosen."""
    for name, value in ALGORITHMS[request.param].items():
        monkeypatch.setattr(pooling, name, value)
    return request.param


def _taps(size, axes, ndim):
    """Taps of a window (an int size applies to each pooled axis)."""
    if np.ndim(size):
        return int(np.prod(size))
    naxes = ndim if axes is None else len(np.atleast_1d(axes))
    return size ** naxes


def check(x, size, op="max", *, p=2, **kw):
    """sigconv.pool(x, ...) equals naive_pool(x, ...) (dtype, shape, values)."""
    got = sigconv.pool(x, size, op, p=p, **kw)
    ref = naive_pool(x, size, op, p=p, **kw)
    if kw.get("return_indices"):
        (got, gi), (ref, ri) = got, ref
        assert gi.dtype == np.int64
        np.testing.assert_array_equal(gi, ri)
    assert got.shape == np.shape(ref)
    dt = x.dtype
    taps = _taps(size, kw.get("axes"), x.ndim)
    if op in ("max", "min"):
        assert got.dtype == dt
        assert_close(got, ref.astype(dt) if dt.kind in "biu" else ref, inputs=(x,), dtype=dt,
                     atol=0)
    elif op == "sum" and dt.kind in "biu":
        assert got.dtype == pooling.sum_dtype(dt, taps)
        np.testing.assert_array_equal(got, ref)
    else:
        want = np.float64 if dt.kind in "biu" else (dt if op != "lp" or dt.kind != "c"
                                                     else np.abs(np.zeros(1, dt)).dtype)
        assert got.dtype == want
        if op == "lp":
            # relative error of a p-norm: the sum's error, shrunk by 1/p
            scale = float(np.nanmax(np.abs(ref))) if ref.size else 0.0
            atol = 8 * np.finfo(want).eps * taps * scale
            assert_close(got, ref, inputs=(x,), dtype=want, atol=atol)
        else:
            assert_close(got, ref, inputs=(x, np.ones(taps)), dtype=want, taps=taps)
    return got


# --------------------------------------------------------------------------
# Golden cases


FEATURE_MAP = np.array([[6, 8, 6, 3, 1, 0],
                        [9, 13, 10, 5, 2, 0],
                        [9, 14, 11, 6, 3, 0],
                        [9, 13, 11, 6, 2, 0],
                        [8, 13, 10, 5, 3, 0],
                        [6, 7, 5, 3, 1, 0]])


def test_lecture_notes_example():
    """The 6x6 feature map and its 2x2 max pooling (seeds/001, 'Pooling')."""
    image = np.array([[3, 3, 2, 1, 0, 0]] * 3 + [[3, 3, 3, 2, 0, 0], [3, 3, 2, 1, 0, 0],
                                                 [3, 2, 1, 1, 0, 0]])
    fm = sigconv.correlate2d(image, [[1, 0, 1], [0, 1, 0], [1, 0, 1]], "same")
    np.testing.assert_array_equal(fm, FEATURE_MAP)
    out = sigconv.max_pool(fm, (2, 2))
    assert out.tolist() == [[13, 10, 2], [14, 11, 3], [13, 10, 3]]
    assert out.dtype == fm.dtype


def test_golden_1d():
    x = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 0.0, 6.0])
    assert sigconv.pool(x, 2).tolist() == [3.0, 5.0, 4.0]
    assert sigconv.pool(x, 2, ceil_mode=True).tolist() == [3.0, 5.0, 4.0, 6.0]
    assert sigconv.pool(x, 3, stride=1).tolist() == [3.0, 5.0, 5.0, 5.0, 6.0]
    assert sigconv.pool(x, 3, "min", stride=2, padding=1).tolist() == [1.0, 2.0, 0.0, 0.0]
    assert sigconv.pool(x, 2, "sum", stride=3).tolist() == [4.0, 9.0]
    assert sigconv.pool(x, 2, "avg", dilation=3, stride=2).tolist() == [3.0, 1.0]
    assert sigconv.pool(np.array([3.0, 4.0]), 2, "lp").tolist() == [5.0]


def test_golden_2d_avg_padding():
    x = np.arange(1.0, 10.0).reshape(3, 3)
    got = sigconv.avg_pool(x, (2, 2), stride=1, padding=1)
    # corners hold one element of 4 positions, edges two, inside four
    assert got[0, 0] == 1 / 4 and got[0, 1] == (1 + 2) / 4 and got[1, 1] == (1 + 2 + 4 + 5) / 4
    got = sigconv.avg_pool(x, (2, 2), stride=1, padding=1, count_include_pad=False)
    assert got[0, 0] == 1.0 and got[0, 1] == 1.5 and got[3, 3] == 9.0


# --------------------------------------------------------------------------
# Against the reference: every algorithm path

#: (input shape, size, stride, padding, dilation, ceil_mode) per dimension
GEOMETRIES = [
    ((13,), (3,), 1, 1, 1, False),
    ((17,), (2,), None, 0, 1, True),
    ((31,), (7,), 2, 3, 1, True),
    ((40,), (5,), 3, 2, 2, False),
    ((29,), (16,), 1, 8, 1, False),
    ((9, 11), (2, 2), None, 0, 1, False),
    ((9, 11), (3, 3), 1, 1, 1, False),
    ((12, 10), (5, 3), (2, 1), (2, 0), (1, 2), True),
    ((23, 19), (9, 6), 1, (4, 0), 1, False),
    ((15, 14), (4, 7), (3, 2), (1, 3), (2, 1), True),
    ((6, 7, 8), (2, 2, 2), None, 0, 1, False),
    ((7, 6, 9), (3, 2, 4), 1, (1, 0, 2), 1, True),
    ((9, 8, 7), (5, 3, 3), (2, 1, 3), (2, 1, 1), (1, 2, 1), False),
    ((4, 5, 4, 6), (2, 3, 2, 3), 1, (1, 1, 0, 1), 1, False),
]


def _geometry_id(g):
    shape, size, stride, pad, dil, ceil = g
    return "x".join(map(str, shape)) + "-k" + "x".join(map(str, size)) + \
        "-s%s-p%s-d%s%s" % (stride, pad, dil, "-ceil" if ceil else "")


@pytest.mark.parametrize("geom", GEOMETRIES, ids=[_geometry_id(g) for g in GEOMETRIES])
@pytest.mark.parametrize("op", OPS)
def test_against_reference(algorithm, geom, op, rng):
    shape, size, stride, pad, dil, ceil = geom
    x = rng.standard_normal((2,) + shape)           # a batch axis in front
    check(x, size, op, stride=stride, padding=pad, dilation=dil, ceil_mode=ceil)


@pytest.mark.parametrize("geom", GEOMETRIES, ids=[_geometry_id(g) for g in GEOMETRIES])
@pytest.mark.parametrize("op", ["max", "min"])
def test_indices_against_reference(geom, op, rng):
    shape, size, stride, pad, dil, ceil = geom
    # few distinct values: many ties, where the first occurrence must win
    x = rng.integers(0, 4, (2,) + shape).astype(np.float32)
    check(x, size, op, stride=stride, padding=pad, dilation=dil, ceil_mode=ceil,
          return_indices=True)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("axes, shape, size", [
    ((0,), (7, 4, 5), (3,)),
    ((1,), (4, 9, 5), (2,)),
    ((0, 2), (8, 3, 9), (3, 2)),
    ((2, 0), (8, 3, 9), (2, 3)),                     # sizes follow the axes' order
    ((-1, 1), (2, 6, 5, 7), (3, 2)),
    ((1, 2), (3, 8, 8, 4), (2, 2)),                  # channels last
    ((0, 1, 3), (6, 5, 2, 7), (2, 3, 3)),
])
def test_axes(algorithm, op, axes, shape, size, rng):
    x = rng.standard_normal(shape)
    check(x, size, op, axes=axes, stride=1 if op == "avg" else None, padding=1)


@pytest.mark.parametrize("axes, shape, size", [
    ((0, 2), (8, 3, 9), (3, 2)), ((2, 0), (8, 3, 9), (2, 3)), ((1, 2), (3, 8, 8, 4), (2, 2)),
])
def test_axes_indices(axes, shape, size, rng):
    x = rng.integers(0, 5, shape).astype(np.float64)
    check(x, size, "max", axes=axes, stride=1, return_indices=True)


def test_int_size_pools_every_axis(rng):
    x = rng.standard_normal((6, 8, 4))
    np.testing.assert_array_equal(sigconv.pool(x, 2), sigconv.pool(x, (2, 2, 2)))
    np.testing.assert_array_equal(sigconv.pool(x, 2, axes=(0, 2)),
                                  sigconv.pool(x, (2, 2), axes=(0, 2)))


def test_default_axes_are_the_last(rng):
    x = rng.standard_normal((3, 5, 8, 6))
    np.testing.assert_array_equal(sigconv.pool(x, (2, 2)), sigconv.pool(x, (2, 2), axes=(2, 3)))


def test_seeded_sweep(rng):
    """Random combinations of every option (one seed, the same on every run)."""
    for _ in range(120):
        r = int(rng.integers(1, 4))
        size = tuple(int(v) for v in rng.integers(1, 7, r))
        stride = tuple(int(rng.integers(1, k + 2)) for k in size)
        pad = tuple(int(rng.integers(0, k // 2 + 1)) for k in size)
        dil = tuple(int(v) for v in rng.integers(1, 3, r))
        shape = tuple(int(d * (k - 1) + 1 + rng.integers(0, 9)) for k, d in zip(size, dil))
        x = rng.standard_normal((int(rng.integers(1, 3)),) + shape)
        op = str(rng.choice(OPS))
        kw = dict(stride=stride, padding=pad, dilation=dil, ceil_mode=bool(rng.random() < 0.5),
                  p=float(rng.choice([1, 2, 3, np.inf])))
        if op == "avg":
            kw["count_include_pad"] = bool(rng.random() < 0.5)
        check(x, size, op, **kw)


# --------------------------------------------------------------------------
# Long windows (van Herk blocks spanning chunks) and long lines (chunking)

@pytest.mark.parametrize("op", ["max", "min", "sum"])
@pytest.mark.parametrize("k, d, s", [(15, 1, 1), (40, 1, 1), (33, 3, 2), (600, 1, 7)])
def test_long_windows_1d(algorithm, op, k, d, s, rng):
    x = rng.standard_normal((3, 20011))
    check(x, k, op, stride=s, dilation=d, padding=k // 2, axes=-1)


@pytest.mark.parametrize("op", ["max", "avg"])
def test_long_windows_2d(algorithm, op, rng):
    x = rng.standard_normal((70, 300)).astype(np.float32)
    check(x, (21, 17), op, stride=(1, 2), padding=(10, 3), dilation=(2, 1))


def test_long_lines_are_chunked(rng):
    x = rng.standard_normal(100003).astype(np.float32)
    for k, s in ((3, 1), (2, 2), (9, 4)):
        check(x, k, "max", stride=s, padding=1)
        check(x, k, "avg", stride=s, padding=1, ceil_mode=True)


# --------------------------------------------------------------------------
# NaN and infinities, in every vectorised path

@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.longdouble])
def test_nan_propagates(algorithm, op, dtype, rng):
    x = rng.standard_normal((40, 300)).astype(dtype)
    x.flat[rng.choice(x.size, 30, replace=False)] = np.nan
    for size, stride in (((2, 2), None), ((3, 3), 1), ((5, 9), (1, 2)), ((12, 15), 1)):
        got = sigconv.pool(x, size, op, stride=stride)
        ref = naive_pool(x, size, op, stride=stride)
        assert np.array_equal(np.isnan(got), np.isnan(ref))
        assert np.isnan(got).any()
        assert_close(got, ref, inputs=(x,), dtype=dtype, atol=0)


def test_nan_at_every_window_position():
    # a NaN first, last or inside a window, in the first or the second operand
    for k in (2, 3, 5, 16):
        for pos in range(k):
            x = np.arange(float(k))
            x[pos] = np.nan
            for op in ("max", "min"):
                assert np.isnan(sigconv.pool(x, k, op))[0]
                assert np.isnan(sigconv.pool(np.stack([x, x[::-1]]), (2, k), op)).all()


def test_infinities():
    x = np.array([-np.inf, -np.inf, -np.inf, 1.0, np.inf, 2.0])
    assert sigconv.pool(x, 2, "max").tolist() == [-np.inf, 1.0, np.inf]
    assert sigconv.pool(x, 3, "min", stride=1).tolist() == [-np.inf, -np.inf, -np.inf, 1.0]
    assert sigconv.pool(x, 2, "sum").tolist() == [-np.inf, -np.inf, np.inf]
    v, i = sigconv.pool(np.full(3, -np.inf), 2, stride=1, padding=1, return_indices=True)
    assert v.tolist() == [-np.inf] * 4 and i.tolist() == [0, 0, 1, 2]   # as torch


def test_sums_with_inf_do_not_poison_other_windows(algorithm):
    # van Herk sums have no subtraction: an infinity stays in its windows
    x = np.ones(200)
    x[50] = np.inf
    got = sigconv.pool(x, 20, "sum", stride=1)
    assert np.isinf(got[31:51]).all()
    assert (got[:31] == 20).all() and (got[51:] == 20).all()


def test_long_float32_sums_stay_accurate(algorithm):
    # a large offset would swamp a running sum's low bits over a long line
    x = (1e4 + np.random.default_rng(5).standard_normal(1 << 16)).astype(np.float32)
    got = sigconv.pool(x, 25, "sum", stride=1)
    ref = naive_pool(x, 25, "sum", stride=1)
    assert np.max(np.abs(got - ref)) <= 25 * 1e4 * 8 * np.finfo(np.float32).eps


# --------------------------------------------------------------------------
# dtypes

INTS = (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", INTS + (np.bool_,))
def test_integer_dtypes(op, dtype, rng):
    x = random_array(rng, (5, 7, 6), dtype, full_range=True)
    got = check(x, (2, 3), op, stride=(1, 2), padding=1)
    if op in ("max", "min"):
        assert got.dtype == dtype


@pytest.mark.parametrize("dtype", INTS)
def test_integer_sums_do_not_overflow(dtype):
    info = np.iinfo(dtype)
    x = np.full((4, 4), info.max, dtype=dtype)
    got = sigconv.pool(x, (2, 2), "sum")
    assert got.dtype.itemsize > np.dtype(dtype).itemsize or dtype in (np.int64, np.uint64)
    if dtype not in (np.int64, np.uint64):
        assert (got == 4 * int(info.max)).all()
        assert (sigconv.pool(np.full((4, 4), info.min, dtype), (2, 2), "sum")
                == 4 * int(info.min)).all()


def test_sum_dtype_rule():
    assert pooling.sum_dtype(np.dtype(np.int8), 1) == np.int8
    assert pooling.sum_dtype(np.dtype(np.int8), 2) == np.int16
    assert pooling.sum_dtype(np.dtype(np.uint8), 257) == np.uint16
    assert pooling.sum_dtype(np.dtype(np.uint8), 258) == np.uint32
    assert pooling.sum_dtype(np.dtype(np.int32), 1 << 40) == np.int64
    assert pooling.sum_dtype(np.dtype(np.bool_), 255) == np.uint8
    assert pooling.sum_dtype(np.dtype(np.bool_), 256) == np.uint16


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_float_dtypes_are_kept(op, dtype, rng):
    x = rng.standard_normal((6, 9)).astype(dtype)
    got = sigconv.pool(x, (2, 3), op, stride=1)
    assert got.dtype == dtype
    if dtype != np.float16:
        check(x, (2, 3), op, stride=1)


@pytest.mark.parametrize("op", ["sum", "avg", "lp"])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex(op, dtype, rng):
    x = random_array(rng, (7, 8), dtype)
    check(x, (3, 2), op, stride=1, padding=1)


@pytest.mark.parametrize("op", ["max", "min"])
def test_bool_max_min(op, rng):
    x = rng.random((8, 9)) < 0.3
    got = sigconv.pool(x, (2, 3), op)
    assert got.dtype == np.bool_
    assert got.tolist() == naive_pool(x, (2, 3), op).tolist()


def test_non_native_byte_order(rng):
    x = rng.standard_normal((5, 6))
    xb = x.astype(">f8")
    for op in OPS:
        got = sigconv.pool(xb, (2, 2), op)
        np.testing.assert_allclose(got, sigconv.pool(x, (2, 2), op), rtol=1e-15)


# --------------------------------------------------------------------------
# Layouts, shapes, threads

@pytest.mark.parametrize("view", ["fortran", "negative", "strided", "readonly", "list"])
def test_input_layouts(view, rng):
    base = rng.standard_normal((9, 12))
    x = {"fortran": np.asfortranarray(base), "negative": base[::-1, ::-1],
         "strided": np.repeat(base, 2, axis=1)[:, ::2], "readonly": base.copy(),
         "list": base}[view]
    if view == "readonly":
        x.flags.writeable = False
    arg = x.tolist() if view == "list" else x
    for op in OPS:
        got = sigconv.pool(arg, (3, 2), op, stride=1)
        assert got.flags.c_contiguous
        assert_close(got, naive_pool(np.asarray(x), (3, 2), op, stride=1), inputs=(x, np.ones(6)),
                     dtype=np.float64)


def test_output_is_contiguous_for_interleaved_axes(rng):
    x = rng.standard_normal((4, 6, 3, 8))
    got = sigconv.pool(x, (2, 2), axes=(1, 3))
    assert got.flags.c_contiguous and got.shape == (4, 3, 3, 4)


@pytest.mark.parametrize("shape, axes", [((0, 6), (1,)), ((3, 0, 5), (2,)), ((0, 4, 4), (1, 2))])
def test_empty_batch(shape, axes):
    for op in OPS:
        got = sigconv.pool(np.ones(shape), 2, op, axes=axes)
        want = list(shape)
        for a in axes:
            want[a] = shape[a] // 2
        assert got.shape == tuple(want)
    v, i = sigconv.pool(np.ones(shape), 2, axes=axes, return_indices=True)
    assert v.shape == i.shape == tuple(want)


def test_size_one_windows_copy(rng):
    x = rng.standard_normal((4, 5))
    np.testing.assert_array_equal(sigconv.pool(x, 1), x)
    np.testing.assert_array_equal(sigconv.pool(x, (1, 1), "avg"), x)
    np.testing.assert_array_equal(sigconv.pool(x, 1, "lp", p=1), np.abs(x))


@pytest.mark.parametrize("op", OPS)
def test_workers_give_identical_results(algorithm, op, rng):
    x = rng.standard_normal((3, 61, 187)).astype(np.float32)
    for size, stride in (((2, 2), None), ((3, 3), 1), ((11, 13), (1, 2))):
        one = sigconv.pool(x, size, op, stride=stride, padding=1, workers=1)
        for w in (2, 3, -1):
            np.testing.assert_array_equal(one, sigconv.pool(x, size, op, stride=stride,
                                                            padding=1, workers=w))


def test_threads_in_parallel(rng):
    xs = [rng.standard_normal((64, 200)) for _ in range(8)]
    want = [sigconv.pool(x, (3, 3), stride=1) for x in xs]
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda x: sigconv.pool(x, (3, 3), stride=1, workers=2), xs))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


# --------------------------------------------------------------------------
# Wrappers and max_unpool

def test_wrappers_are_pool(rng):
    x = rng.standard_normal((7, 9))
    kw = dict(stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True)
    np.testing.assert_array_equal(sigconv.max_pool(x, (3, 2), **kw),
                                  sigconv.pool(x, (3, 2), "max", **kw))
    np.testing.assert_array_equal(sigconv.min_pool(x, (3, 2), **kw),
                                  sigconv.pool(x, (3, 2), "min", **kw))
    np.testing.assert_array_equal(sigconv.avg_pool(x, (3, 2), count_include_pad=False, **kw),
                                  sigconv.pool(x, (3, 2), "avg", count_include_pad=False, **kw))
    np.testing.assert_array_equal(sigconv.lp_pool(x, (3, 2), 3, **kw),
                                  sigconv.pool(x, (3, 2), "lp", p=3, **kw))
    v, i = sigconv.max_pool(x, (3, 2), return_indices=True, **kw)
    v2, i2 = sigconv.pool(x, (3, 2), return_indices=True, **kw)
    np.testing.assert_array_equal(v, v2)
    np.testing.assert_array_equal(i, i2)


@pytest.mark.parametrize("shape, size, axes, stride", [
    ((10,), 2, None, None), ((2, 3, 8, 9), (2, 3), None, None), ((6, 7, 5), (3, 3, 2), None, 1),
    ((8, 3, 9), (3, 2), (0, 2), None), ((4, 8, 8, 3), (2, 2), (1, 2), None),
])
def test_max_unpool_round_trip(shape, size, axes, stride, rng):
    x = rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape)
    v, i = sigconv.max_pool(x, size, axes=axes, stride=stride, return_indices=True)
    pooled_axes = axes if axes is not None else \
        tuple(range(x.ndim - (len(size) if np.ndim(size) else x.ndim), x.ndim))
    lengths = tuple(x.shape[a] for a in pooled_axes)
    u = sigconv.max_unpool(v, i, lengths, axes=axes)
    assert u.shape == x.shape and u.dtype == x.dtype
    kept = u != 0
    np.testing.assert_array_equal(u[kept], x[kept])      # values where they came from
    assert np.count_nonzero(kept) == len(np.unique(u[kept]))
    # pooling the unpooled array gives the pooled values back
    np.testing.assert_array_equal(sigconv.max_pool(u, size, axes=axes, stride=stride), v)


def test_max_unpool_min_and_negative_index():
    x = np.array([4.0, 1.0, 3.0, 2.0])
    v, i = sigconv.min_pool(x, 2, return_indices=True)
    assert sigconv.max_unpool(v, i, 4).tolist() == [0.0, 1.0, 0.0, 2.0]
    assert sigconv.max_unpool([7.0, 8.0], [-1, 2], 4).tolist() == [0.0, 0.0, 8.0, 0.0]


def test_all_padding_window_has_index_minus_one():
    # taps at -1 and 1 of a length-1 input: both outside it
    v, i = sigconv.max_pool(np.array([5.0]), 2, stride=1, padding=1, dilation=2,
                            return_indices=True)
    assert v.tolist() == [-np.inf] and i.tolist() == [-1]
    # the identity of the op in the input's type, in every kernel path
    for dtype in (np.int8, np.uint16, np.float32):
        x = np.array([5], dtype=dtype)
        lo, hi = (-np.inf, np.inf) if dtype == np.float32 else \
            (np.iinfo(dtype).min, np.iinfo(dtype).max)
        kw = dict(stride=1, padding=1, dilation=2)
        assert sigconv.max_pool(x, 2, **kw).tolist() == [lo]
        assert sigconv.min_pool(x, 2, **kw).tolist() == [hi]
        assert sigconv.pool(x, 2, "sum", **kw).tolist() == [0]


def test_public_names():
    for name in ("pool", "max_pool", "min_pool", "avg_pool", "lp_pool", "max_unpool"):
        assert name in sigconv.__all__ and callable(getattr(sigconv, name))


#: (size, stride, padding, dilation, ceil_mode) with padding at most half the window
LENGTH_CASES = [c for c in itertools.product([1, 2, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2],
                                             [False, True]) if c[2] <= c[0] // 2]


@pytest.mark.parametrize("size, stride, pad, dil, ceil", LENGTH_CASES)
def test_output_length_matches_reference(size, stride, pad, dil, ceil):
    for n in range(1, 12):
        m = out_length(n, size, stride, pad, dil, ceil)
        assert pooling.output_length(n, size, stride, pad, dil, ceil) == m
        if m >= 1:
            assert sigconv.pool(np.zeros(n), size, stride=stride, padding=pad, dilation=dil,
                                ceil_mode=ceil).shape == (m,)


@pytest.mark.parametrize("size, pad", [(1, 1), (1, 2), (2, 2), (3, 2)])
def test_padding_beyond_half_the_window_is_refused(size, pad):
    with pytest.raises(ValueError, match="at most half of the window"):
        sigconv.pool(np.zeros(8), size, padding=pad)
