"""sigconv.dask: chunked results equal the in-memory ones, for every mode and boundary.

References: the in-memory sigconv call on the same data (itself tested
against scipy), scipy.ndimage for 3-D smoothing with every boundary, and
numpy for the pieces of the halo arithmetic. Chunks are irregular on
purpose (lengths 1, shorter than the kernel, uneven).
"""
import numpy as np
import pytest

da = pytest.importorskip("dask.array")
import dask  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

import sigconv  # noqa: E402
import sigconv.dask as sd  # noqa: E402
from conftest import assert_close, fft_tolerance, random_array  # noqa: E402
from sigconv import _halo  # noqa: E402
from sigconv._boundary import BOUNDARY_CODES  # noqa: E402

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


@pytest.fixture(autouse=True)
def _synchronous():
    # one thread: deterministic, and no thread pool competing with the
    # compiled kernels' own threads on a shared machine
    with dask.config.set(scheduler="synchronous"):
        yield


BOUNDARIES = ("fill", "constant", "wrap", "symm", "symmetric", "reflect", "edge")
CHUNKS_2D = ((3, 5, 1, 2), (6, 1, 6))        # of an 11 x 13 array
KERNELS_2D = [(3, 2), (1, 5), (4, 4), (6, 7), (11, 13), (12, 3)]


def _cases(modes=("full", "same", "valid", "circular")):
    for mode in modes:
        for boundary in BOUNDARIES:
            if mode == "circular" and boundary not in ("fill", "wrap"):
                continue
            yield pytest.param(mode, boundary, id="%s-%s" % (mode, boundary))


# ------------------------------------------------------------- halo pieces

@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("n", [1, 2, 5, 8])
@pytest.mark.parametrize("start, stop", [(-7, 3), (-2, 9), (0, 4), (3, 15), (-20, 20)])
def test_pieces_assemble_what_numpy_pad_gives(boundary, n, start, stop):
    chunks = [1, n - 1] if n > 1 else [1]
    bounds = _halo.chunk_bounds(chunks)
    runs = _halo.axis_runs(start, stop, n, BOUNDARY_CODES[boundary])
    x = np.arange(n) + 10
    got = np.full(stop - start, -1)
    covered = np.zeros(stop - start, dtype=int)
    for d0, d1, c, sl in _halo.pieces(runs, bounds):
        covered[d0:d1] += 1
        if c is not None:
            got[d0:d1] = x[bounds[c]:bounds[c + 1]][sl]
    assert (covered == 1).all()
    pad = max(0, -start, stop - n)
    mode = {"fill": "constant", "constant": "constant", "symm": "symmetric"}.get(boundary,
                                                                                 boundary)
    kw = {"constant_values": -1} if mode == "constant" else {}
    expected = np.pad(x, pad, mode=mode, **kw)[start + pad:stop + pad]
    np.testing.assert_array_equal(got, expected)


# ------------------------------------------------------ convolve / correlate

@pytest.mark.parametrize("mode, boundary", list(_cases()))
@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("kshape", KERNELS_2D, ids=lambda s: "x".join(map(str, s)))
def test_2d_equals_in_memory(rng, mode, boundary, op, kshape):
    x = random_array(rng, (11, 13))
    h = random_array(rng, kshape)
    func = getattr(sigconv, op)
    kw = dict(boundary=boundary, fillvalue=0.5, method="direct")
    if mode == "valid" and kshape == (12, 3):
        with pytest.raises(ValueError, match="at least as large"):
            getattr(sd, op)(da.from_array(x, chunks=CHUNKS_2D), h, mode, **kw)
        return
    expected = func(x, h, mode, **kw)
    out = getattr(sd, op)(da.from_array(x, chunks=CHUNKS_2D), h, mode, **kw)
    assert isinstance(out, da.Array)
    assert out.shape == expected.shape
    assert all(c > 0 for axis in out.chunks for c in axis)
    assert_close(out.compute(), expected, inputs=(x, h), fillvalue=0.5)


@pytest.mark.parametrize("mode, boundary", list(_cases()))
@pytest.mark.parametrize("stride", [2, 3, (1, 4), (5, 2)], ids=str)
def test_stride(rng, mode, boundary, stride):
    x = random_array(rng, (11, 13))
    h = random_array(rng, (4, 3))
    kw = dict(boundary=boundary, stride=stride, method="direct")
    expected = sigconv.convolve(x, h, mode, **kw)
    out = sd.convolve(da.from_array(x, chunks=CHUNKS_2D), h, mode, **kw)
    assert out.shape == expected.shape
    assert all(c > 0 for axis in out.chunks for c in axis)
    assert_close(out.compute(), expected, inputs=(x, h))


@pytest.mark.parametrize("mode, boundary", list(_cases()))
def test_3d_same_chunks_and_every_boundary(rng, mode, boundary):
    x = random_array(rng, (9, 10, 8), np.float32)
    h = random_array(rng, (3, 4, 5), np.float32)
    dx = da.from_array(x, chunks=(4, (2, 7, 1), 3))
    expected = sigconv.convolve(x, h, mode, "direct", boundary=boundary)
    out = sd.convolve(dx, h, mode, "direct", boundary=boundary)
    got = out.compute()
    assert got.dtype == np.float32
    assert_close(got, expected, inputs=(x, h))
    if mode == "same":
        assert out.chunks == dx.chunks


@pytest.mark.parametrize("boundary, ndi_mode", [("fill", "constant"), ("wrap", "wrap"),
                                                ("symm", "reflect"), ("reflect", "mirror"),
                                                ("edge", "nearest")])
def test_3d_smoothing_equals_scipy_ndimage(rng, boundary, ndi_mode):
    x = random_array(rng, (12, 11, 10))
    h = random_array(rng, (5, 3, 3))
    out = sd.convolve(da.from_array(x, chunks=(5, 4, 3)), h, "same", boundary=boundary)
    expected = ndi.convolve(x, h, mode=ndi_mode, cval=0.0)
    assert_close(out.compute(), expected, inputs=(x, h), atol=fft_tolerance(np.float64, x, h))


@pytest.mark.parametrize("method", ["fft", "oa", "auto", "toeplitz"])
def test_methods(rng, method):
    x = random_array(rng, (40, 37))
    h = random_array(rng, (9, 6))
    expected = sigconv.convolve(x, h, "same", boundary="reflect", method="direct")
    out = sd.convolve(da.from_array(x, chunks=(15, 10)), h, "same", method,
                      boundary="reflect")
    assert_close(out.compute(), expected, inputs=(x, h), atol=fft_tolerance(np.float64, x, h))


def test_circular_kernel_longer_than_the_period(rng):
    x = random_array(rng, (7,))
    h = random_array(rng, (23,))
    for op in ("convolve", "correlate"):
        expected = getattr(sigconv, op)(x, h, "circular", "direct")
        got = getattr(sd, op)(da.from_array(x, chunks=3), h, "circular", "direct").compute()
        assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("boundary", ["symm", "reflect", "wrap", "edge"])
def test_wide_extension_crosses_several_chunks(rng, boundary):
    # the kernel is longer than the array: its halo wraps or mirrors past
    # every chunk, several times
    x = random_array(rng, (6,))
    h = random_array(rng, (17,))
    expected = sigconv.convolve(x, h, "same", "direct", boundary=boundary)
    got = sd.convolve(da.from_array(x, chunks=(1, 2, 3)), h, "same", "direct",
                      boundary=boundary).compute()
    assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("dtype", [np.int16, np.uint8, np.complex64, np.complex128, bool])
def test_dtypes(rng, dtype):
    x = random_array(rng, (10, 9), dtype)
    h = random_array(rng, (3, 4), dtype)
    for op in ("convolve", "correlate"):
        expected = getattr(sigconv, op)(x, h, "same", "direct", boundary="symm")
        out = getattr(sd, op)(da.from_array(x, chunks=(4, 5)), h, "same", "direct",
                              boundary="symm")
        got = out.compute()
        assert out.dtype == expected.dtype == got.dtype
        assert_close(got, expected, inputs=(x, h))


def test_batch_axes_and_broadcasting(rng):
    # a filter bank along axis 0 (one kernel per row chunk), axis 1 convolved
    x = random_array(rng, (6, 30))
    h = random_array(rng, (6, 5))
    expected = sigconv.convolve(x, h, "full", "direct", axes=1, boundary="edge")
    got = sd.convolve(da.from_array(x, chunks=(4, 7)), h, "full", "direct", axes=1,
                      boundary="edge").compute()
    assert_close(got, expected, inputs=(x, h))
    # one signal, several kernels: x has length 1 along the batch axis
    x1 = x[:1]
    expected = sigconv.correlate(x1, h, "valid", "direct", axes=-1)
    got = sd.correlate(da.from_array(x1, chunks=(1, 8)), h, "valid", "direct",
                       axes=-1).compute()
    assert_close(got, expected, inputs=(x1, h))
    # a kernel of length 1 along the batch axis
    h1 = h[:1]
    expected = sigconv.convolve(x, h1, "same", "direct", axes=1, stride=3)
    got = sd.convolve(da.from_array(x, chunks=(4, 7)), h1, "same", "direct", axes=1,
                      stride=3).compute()
    assert_close(got, expected, inputs=(x, h1))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_non_finite_kernel_with_a_zero_fill(rng, mode, op):
    # the zeros beyond the array contribute no terms, as in memory: no 0 * inf
    x = random_array(rng, (12, 10))
    h = random_array(rng, (3, 4))
    h[1, 2] = np.inf
    h[0, 0] = np.nan if op == "correlate" else -np.inf
    expected = getattr(sigconv, op)(x, h, mode, "direct", stride=(1, 2))
    got = getattr(sd, op)(da.from_array(x, chunks=(5, 3)), h, mode, "direct",
                          stride=(1, 2)).compute()
    assert_close(got, expected, inputs=(x, h))


def test_valid_with_the_larger_kernel_is_one_task(rng):
    x = random_array(rng, (4, 5))
    h = random_array(rng, (9, 7))
    for op in ("convolve", "correlate"):
        expected = getattr(sigconv, op)(x, h, "valid", "direct")
        out = getattr(sd, op)(da.from_array(x, chunks=2), h, "valid", "direct")
        assert_close(out.compute(), expected, inputs=(x, h))


def test_numpy_input_dask_kernel_and_inputs_unchanged(rng):
    x = random_array(rng, (20,))
    h = random_array(rng, (5,))
    before = x.copy()
    x.flags.writeable = False
    out = sd.convolve(x, da.from_array(h, chunks=2), "same", boundary="symm")
    assert isinstance(out, da.Array)
    assert_close(out.compute(), sigconv.convolve(x, h, "same", boundary="symm"),
                 inputs=(x, h), atol=fft_tolerance(np.float64, x, h))
    np.testing.assert_array_equal(x, before)


def test_lazy_until_computed(rng):
    calls = []

    def count(block):
        calls.append(block.shape)
        return block

    x = da.from_array(random_array(rng, (30,)), chunks=10).map_blocks(count)
    calls.clear()      # map_blocks probes the function on empty arrays
    out = sd.convolve(x, [1.0, 1.0, 1.0], "same")
    assert calls == []
    out.compute()
    assert sorted(calls) == [(10,)] * 3


def test_halo_is_all_a_task_reads(rng):
    # each output chunk depends only on the input chunks its halo reaches
    x = da.from_array(random_array(rng, (40,)), chunks=10)
    out = sd.convolve(x, np.ones(5), "same")
    graph = dict(out.__dask_graph__())
    deps = {k[1]: sorted(d[1] for d in dask.core.get_dependencies(graph, k)
                         if isinstance(d, tuple))
            for k in graph if isinstance(k, tuple) and k[0] == out.name}
    assert deps == {0: [0, 1], 1: [0, 1, 2], 2: [1, 2, 3], 3: [2, 3]}
    assert sd.halo(5) == (2, 2)


@pytest.mark.parametrize("call, exc, match", [
    (lambda x: sd.convolve(x, np.ones(3), "nope"), ValueError, "mode"),
    (lambda x: sd.convolve(x, np.ones(3), boundary="nope"), ValueError, "boundary"),
    (lambda x: sd.convolve(x, np.ones(3), method="nope"), ValueError, "method"),
    (lambda x: sd.convolve(x, np.ones((3, 3))), ValueError, "dimensionality"),
    (lambda x: sd.convolve(x, np.ones(3), stride=0), ValueError, "stride"),
    (lambda x: sd.convolve(x, np.ones(3), "circular", boundary="symm"), ValueError,
     "circular"),
    (lambda x: sd.convolve(x, np.array(["a"])), TypeError, "dtype"),
    (lambda x: sd.pool(x, 2, return_indices=True), NotImplementedError, "indices"),
    (lambda x: sd.pool(x, 2, "nope"), ValueError, "op"),
    (lambda x: sd.pool(x, 4, padding=3), ValueError, "padding"),
    (lambda x: sd.autocorrelate(x, "same", maxlag=2), ValueError, "maxlag"),
    (lambda x: sd.autocorrelate(x, normalize="nope"), ValueError, "normalize"),
    (lambda x: sd.normalized_correlate(x, np.ones(30)), ValueError, "fit"),
    (lambda x: sd.halo(0), ValueError, "size"),
])
def test_bad_input_raises_at_the_call(call, exc, match):
    x = da.ones(10, chunks=3)
    with pytest.raises(exc, match=match):
        call(x)


def test_volume_larger_than_the_memory_check_is_accepted():
    # the in-memory functions refuse an output larger than the machine's
    # memory; the lazy ones describe it (nothing is allocated)
    x = da.zeros((8192, 8192, 4096), dtype=np.float32, chunks=(512,) * 3)   # 1 TiB
    out = sd.convolve(x, np.ones((3, 3, 3), np.float32), "same")
    assert out.shape == x.shape and out.chunks == x.chunks


if given is not None:
    @settings(max_examples=40)
    @given(n=st.integers(1, 25), k=st.integers(1, 9), cuts=st.lists(st.integers(1, 24),
                                                                    max_size=4),
           mode=st.sampled_from(["full", "same", "valid", "circular"]),
           boundary=st.sampled_from(BOUNDARIES), stride=st.integers(1, 4),
           op=st.sampled_from(["convolve", "correlate"]), seed=st.integers(0, 2**16))
    def test_any_chunks_any_geometry(n, k, cuts, mode, boundary, stride, op, seed):
        if mode == "circular" and boundary not in ("fill", "wrap"):
            boundary = "wrap"
        cuts = sorted({c for c in cuts if c < n})
        chunks = tuple(b - a for a, b in zip([0] + cuts, cuts + [n]))
        r = np.random.default_rng(seed)
        x = r.standard_normal(n)
        h = r.standard_normal(k)
        func = getattr(sigconv, op)
        expected = func(x, h, mode, "direct", boundary=boundary, stride=stride)
        with dask.config.set(scheduler="synchronous"):
            got = getattr(sd, op)(da.from_array(x, chunks=(chunks,)), h, mode, "direct",
                                  boundary=boundary, stride=stride).compute()
        assert_close(got, expected, inputs=(x, h))


# ---------------------------------------------------------- normalized_correlate

@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("tshape", [(3, 2), (4, 5), (1, 1), (11, 13)],
                         ids=lambda s: "x".join(map(str, s)))
def test_normalized_correlate(rng, mode, tshape):
    x = random_array(rng, (11, 13))
    t = random_array(rng, tshape)
    expected = sigconv.normalized_correlate(x, t, mode)
    got = sd.normalized_correlate(da.from_array(x, chunks=CHUNKS_2D), t, mode).compute()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_normalized_correlate_3d_float32_finds_the_patch(rng):
    x = random_array(rng, (20, 18, 16), np.float32)
    t = 2 * x[5:9, 7:10, 3:8] + 1
    expected = sigconv.normalized_correlate(x, t, "same")
    got = sd.normalized_correlate(da.from_array(x, chunks=(7, 6, 5)), t, "same").compute()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-5)
    assert np.unravel_index(np.argmax(got), got.shape) == (7, 8, 5)


# ----------------------------------------------------------------------- pool

POOL_GEOMETRIES = [
    dict(size=2),
    dict(size=3, stride=2, padding=1, ceil_mode=True),
    dict(size=3, stride=1, padding=1, dilation=2),
    dict(size=(2, 3), stride=(3, 2), padding=(1, 1), ceil_mode=True),
    dict(size=4, stride=3, padding=2, ceil_mode=True),
    dict(size=5, stride=4, padding=2, dilation=2, ceil_mode=True),
    dict(size=(5, 1), stride=(1, 1), padding=(2, 0)),
]


@pytest.mark.parametrize("op", ["max", "min", "sum", "avg", "lp"])
@pytest.mark.parametrize("geometry", POOL_GEOMETRIES, ids=str)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_pool(rng, op, geometry, count_include_pad):
    x = random_array(rng, (11, 13))
    expected = sigconv.pool(x, op=op, count_include_pad=count_include_pad, **geometry)
    out = sd.pool(da.from_array(x, chunks=CHUNKS_2D), op=op,
                  count_include_pad=count_include_pad, **geometry)
    assert all(c > 0 for axis in out.chunks for c in axis)
    got = out.compute()
    assert got.dtype == expected.dtype
    assert_close(got, expected, inputs=(x,), taps=25)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_pool_3d_batch_axis_and_dtypes(rng, dtype):
    x = random_array(rng, (3, 10, 9, 8), dtype)
    dx = da.from_array(x, chunks=(2, 3, 4, 5))
    for op in ("max", "sum", "avg"):
        expected = sigconv.pool(x, (3, 2, 2), op, stride=2, padding=1, axes=(1, 2, 3),
                                ceil_mode=True)
        got = sd.pool(dx, (3, 2, 2), op, stride=2, padding=1, axes=(1, 2, 3),
                      ceil_mode=True).compute()
        assert got.dtype == expected.dtype
        assert_close(got, expected, inputs=(x,), dtype=expected.dtype, taps=12)


# ---------------------------------------------------------------- autocorrelate

@pytest.mark.parametrize("mode, maxlag", [("full", None), ("same", None), ("valid", None),
                                          ("circular", None), ("full", 0), ("full", 3),
                                          ("full", (2, 5))])
@pytest.mark.parametrize("normalize", [None, "biased", "unbiased", "coeff"])
@pytest.mark.parametrize("axes", [None, 1, (0,)], ids=str)
def test_autocorrelate(rng, mode, maxlag, normalize, axes):
    if isinstance(maxlag, tuple) and axes is not None:
        maxlag = maxlag[0]
    x = random_array(rng, (11, 13))
    expected = sigconv.autocorrelate(x, mode, maxlag=maxlag, normalize=normalize, axes=axes)
    got = sd.autocorrelate(da.from_array(x, chunks=CHUNKS_2D), mode, maxlag=maxlag,
                           normalize=normalize, axes=axes).compute()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


@pytest.mark.parametrize("kwargs", [dict(), dict(maxlag=3), dict(axes=(0, 1), maxlag=(1, 2)),
                                    dict(mode="same", axes=1)], ids=str)
def test_autocorrelate_return_lags(rng, kwargs):
    x = random_array(rng, (9, 8))
    r, lags = sigconv.autocorrelate(x, return_lags=True, **kwargs)
    dr, dlags = sd.autocorrelate(da.from_array(x, chunks=4), return_lags=True, **kwargs)
    np.testing.assert_allclose(dr.compute(), r, rtol=1e-12, atol=1e-12 * np.abs(r).max())
    if isinstance(lags, tuple):
        assert len(dlags) == len(lags)
        for a, b in zip(dlags, lags):
            np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_array_equal(dlags, lags)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.complex128])
def test_autocorrelate_maxlag_exact_integers_and_complex(rng, dtype):
    x = random_array(rng, (200,), dtype, full_range=dtype == np.int8)
    expected = sigconv.autocorrelate(x, maxlag=7)
    got = sd.autocorrelate(da.from_array(x, chunks=23), maxlag=7).compute()
    assert got.dtype == expected.dtype
    if np.dtype(dtype).kind == "c":
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    else:
        np.testing.assert_array_equal(got, expected)
