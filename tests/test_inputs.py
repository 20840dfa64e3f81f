"""Input layouts, read-only and empty inputs, the output array, threads, NaN/Inf."""
import concurrent.futures
import io
import os
import select
import signal
import warnings

import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import OPS, assert_close, random_array
from reference import boundary_reference, circular_reference


def _layouts(a):
    """``a`` (C-contiguous) in other memory layouts holding the same values."""
    out = {"C": a}
    out["F"] = np.asfortranarray(a)
    out["reversed"] = np.flip(np.flip(a).copy())            # negative strides
    big = np.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
    view = big[tuple(slice(None, None, 2) for _ in a.shape)]
    view[...] = a
    out["every-other"] = view                               # non-contiguous
    ro = a.copy()
    ro.setflags(write=False)
    out["read-only"] = ro
    ro2 = np.flip(np.flip(a).copy())
    ro2.setflags(write=False)
    out["read-only-reversed"] = ro2
    if a.ndim >= 2:
        out["transposed"] = np.ascontiguousarray(a.T).T
    return out


LAYOUT_SHAPES = [((17,), (4,)), ((9, 8), (3, 2)), ((5, 6, 7), (2, 3, 2))]


@pytest.mark.parametrize("s1, s2", LAYOUT_SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int16])
def test_layouts_give_the_same_result(rng, s1, s2, op, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    for mode, boundary in (("full", "fill"), ("same", "symm"), ("valid", "fill"),
                           ("circular", "wrap")):
        base = getattr(sigconv, op)(x, h, mode, boundary=boundary)
        for name1, a in _layouts(x).items():
            for name2, b in _layouts(h).items():
                got = getattr(sigconv, op)(a, b, mode, boundary=boundary)
                assert np.array_equal(got, base), (mode, name1, name2)


def test_negative_stride_and_strided_views_of_one_buffer(rng):
    # reversed and strided views (x[::-1], x[:, ::2]), both arguments views of one array
    x = random_array(rng, (12, 14))
    for a, b in ((x[::-1], x[:3, :2]), (x[:, ::2], x[::-3, ::-4]), (x.T, x[1:4, 2:3])):
        got = sigconv.convolve(a, b, "same", boundary="reflect")
        expected = boundary_reference("convolve", a.copy(), b.copy(), "same", "reflect")
        assert_close(got, expected, inputs=(a, b))
    v = x[::-1]
    assert_close(sigconv.correlate(v[:, 0], v[:5, 1]),
                 scipy.signal.correlate(v[:, 0].copy(), v[:5, 1].copy()),
                 inputs=(v[:, 0], v[:5, 1]))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
def test_inputs_are_not_modified(rng, op, mode):
    x = random_array(rng, (8, 9), np.complex128)
    h = random_array(rng, (3, 4), np.complex128)
    for a in _layouts(x).values():
        for b in _layouts(h).values():
            a0, b0 = a.copy(), b.copy()
            getattr(sigconv, op)(a, b, mode, boundary="wrap", stride=2)
            assert np.array_equal(a, a0) and np.array_equal(b, b0)
    # valid with the inputs swapped
    a, b = x[:2, :3].copy(), h.copy()
    a0, b0 = a.copy(), b.copy()
    getattr(sigconv, op)(a, b, "valid")
    assert np.array_equal(a, a0) and np.array_equal(b, b0)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.complex64, np.bool_])
def test_output_is_a_new_c_contiguous_array(rng, op, mode, dtype):
    x = random_array(rng, (7, 6), dtype)
    for h in (random_array(rng, (3, 2), dtype), np.ones((1, 1), dtype)):
        pairs = [(x, h), (np.asfortranarray(x), h), (x[::-1], h[:, ::-1])]
        if mode == "valid":
            pairs.append((h, x))   # swapped
        for a, b in pairs:
            got = getattr(sigconv, op)(a, b, mode)
            assert isinstance(got, np.ndarray)
            assert got.flags.c_contiguous and got.flags.writeable
            assert not np.shares_memory(got, a) and not np.shares_memory(got, b)


def test_output_is_fresh_for_axes_and_identity_kernels(rng):
    # the cases where returning a view of the input would be tempting
    x = random_array(rng, (4, 6))
    one = np.ones((1, 1))
    for got in (sigconv.convolve(x, one), sigconv.correlate(x, one, "same"),
                sigconv.convolve(x, one, "circular"), sigconv.convolve(x, one, axes=1),
                sigconv.convolve2d(x, one, "valid"), sigconv.convolve(x, one, stride=1)):
        assert got.flags.c_contiguous and not np.shares_memory(got, x)
        assert np.array_equal(got, x)
    x = np.asfortranarray(x)
    got = sigconv.convolve(x, one, axes=(0, 1))
    assert got.flags.c_contiguous and not np.shares_memory(got, x)


@pytest.mark.parametrize("shape", [(1,), (1, 1), (1, 1, 1), (1, 1, 1, 1)],
                         ids=lambda s: "x".join(map(str, s)))
def test_size_one_everything(shape):
    x = np.full(shape, 3.0)
    h = np.full(shape, -2.0)
    for op in OPS:
        for mode in ("full", "same", "valid", "circular"):
            for boundary in ("fill", "wrap", "symm", "reflect", "edge"):
                if mode == "circular" and boundary not in ("fill", "wrap"):
                    continue
                got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=5.0)
                assert got.shape == shape and got.dtype == np.float64
                assert np.all(got == -6.0)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("s1, s2", [((0,), (3,)), ((3,), (0,)), ((0,), (0,)), ((2, 0), (1, 1)),
                                    ((3, 3), (0, 2)), ((0, 2, 2), (1, 1, 1))],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
def test_empty_convolved_axis_raises(op, s1, s2, mode):
    # scipy.signal.convolve raises for most of these ('a cannot be empty') but
    # returns an empty array for some (e.g. (2, 0) with (1, 1) in 'full');
    # sigconv always raises
    x, h = np.ones(s1), np.ones(s2)
    with pytest.raises(ValueError, match="must not be empty along the convolved axes"):
        getattr(sigconv, op)(x, h, mode)


@pytest.mark.parametrize("op", OPS)
def test_empty_1d_raises_like_scipy(op):
    for x, h in ((np.ones(0), np.ones(3)), (np.ones(0), np.ones(0))):
        with pytest.raises(ValueError, match="cannot be empty"):
            getattr(scipy.signal, op)(x, h, "full", method="direct")
        with pytest.raises(ValueError, match="empty"):
            getattr(sigconv, op)(x, h, "full")


@pytest.mark.parametrize("op", OPS)
def test_empty_batch_axis(op):
    # an empty non-convolved axis is not an empty convolved axis
    x = np.ones((0, 5))
    h = np.ones((1, 3))
    # (scipy.signal.fftconvolve returns an array of shape (0,) for any empty
    # input; sigconv keeps the broadcast batch shape)
    got = getattr(sigconv, op)(x, h, "full", axes=1)
    assert got.shape == (0, 7) and got.dtype == np.float64


# -------------------------------------------------------------------- threads

@pytest.fixture(scope="module")
def big_problem():
    rng = np.random.default_rng(20240601)
    return (rng.standard_normal((300, 300)), rng.standard_normal((7, 7)))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode, boundary", [("full", "fill"), ("same", "symm"),
                                            ("valid", "fill"), ("circular", "wrap"),
                                            ("same", "edge")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_workers_bitwise_identical(big_problem, op, mode, boundary, dtype):
    x, h = big_problem
    x = x.astype(dtype) if np.dtype(dtype).kind != "c" else (x + 1j * x[::-1]).astype(dtype)
    h = h.astype(dtype)
    one = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=0.5, workers=1)
    two = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=0.5, workers=2)
    assert np.array_equal(one, two)
    for w in (None, -1, 3):
        assert np.array_equal(one, getattr(sigconv, op)(x, h, mode, boundary=boundary,
                                                         fillvalue=0.5, workers=w))


def test_workers_bitwise_identical_strided_and_axes(big_problem):
    x, h = big_problem
    for kwargs in ({"stride": 2}, {"stride": (3, 1)}, {"axes": 1}, {"axes": 0, "stride": 5}):
        hh = h[:1] if kwargs.get("axes") == 1 else (h[:, :1] if "axes" in kwargs else h)
        one = sigconv.convolve(x, hh, "same", workers=1, **kwargs)
        two = sigconv.convolve(x, hh, "same", workers=2, **kwargs)
        assert np.array_equal(one, two), kwargs


def test_workers_1d_long(rng):
    x = random_array(rng, (20011,), np.float32)
    h = random_array(rng, (63,), np.float32)
    one = sigconv.correlate(x, h, "same", boundary="reflect", workers=1)
    assert np.array_equal(one, sigconv.correlate(x, h, "same", boundary="reflect", workers=2))
    assert_close(one, boundary_reference("correlate", x, h, "same", "reflect"), inputs=(x, h))


def test_thread_pool_results_equal_serial():
    rng = np.random.default_rng(7)
    jobs = []
    for i in range(24):
        op = OPS[i % 2]
        shape = ((120 + i, 90), (5, 4)) if i % 3 else ((3000 + 17 * i,), (33,))
        x = rng.standard_normal(shape[0]).astype(np.float32 if i % 4 == 0 else np.float64)
        h = rng.standard_normal(shape[1]).astype(x.dtype)
        mode = ("full", "same", "valid", "circular")[i % 4]
        boundary = "wrap" if mode == "circular" else ("fill", "symm", "reflect")[i % 3]
        jobs.append((op, x, h, mode, boundary, (None, 1, 2)[i % 3]))
    serial = [getattr(sigconv, op)(x, h, m, boundary=b, workers=w)
              for op, x, h, m, b, w in jobs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(getattr(sigconv, op), x, h, m, boundary=b, workers=w)
                   for op, x, h, m, b, w in jobs]
        parallel = [f.result() for f in futures]
    for a, b in zip(serial, parallel):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_thread_pool_shared_read_only_inputs():
    x = np.random.default_rng(3).standard_normal((150, 160))
    x.setflags(write=False)
    h = np.ones((5, 5))
    h.setflags(write=False)
    expected = sigconv.convolve2d(x, h, "same", "symm")
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: sigconv.convolve2d(x, h, "same", "symm"), range(12)))
    for r in results:
        assert np.array_equal(r, expected)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_after_threaded_call(big_problem):
    # a child forked after the parent ran on several threads must still
    # compute (an OpenMP pool does not survive fork) and get the same answer
    x, h = big_problem
    expected = sigconv.convolve(x, h, "same", workers=2)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read_end)
            got = sigconv.convolve(x, h, "same", workers=2)
            ok = np.array_equal(got, expected)
            os.write(write_end, b"same" if ok else b"different")
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 60)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the forked child did not finish within 60 s")
        answer = os.read(read_end, 64)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    assert answer == b"same"


def test_show_config_reports_threads_and_build():
    out = io.StringIO()
    info = sigconv.show_config(file=out)
    for key in ("openmp", "compiler", "flags", "cores", "default_threads", "sigconv",
                "numpy", "scipy"):
        assert key in info and key in out.getvalue()
    assert info["cores"] >= 1 and 1 <= info["default_threads"] <= info["cores"]
    assert info["sigconv"] == sigconv.__version__
    assert isinstance(info["openmp"], bool)


# ------------------------------------------------------------------ NaN / Inf

def _window_mask(shape_x, shape_h, pos, op, mode, boundary="fill"):
    """Outputs whose window covers input position ``pos`` (by a 0/1 convolution)."""
    marker = np.zeros(shape_x, dtype=np.int64)
    marker[pos] = 1
    ones = np.ones(shape_h, dtype=np.int64)
    if mode == "circular":
        return circular_reference(op, marker, ones) > 0
    return boundary_reference(op, marker, ones, mode, boundary) > 0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("mode, boundary", [("full", "fill"), ("same", "fill"), ("valid", "fill"),
                                            ("same", "wrap"), ("same", "symm"),
                                            ("full", "reflect"), ("same", "edge"),
                                            ("circular", "wrap")])
@pytest.mark.parametrize("shape_x, shape_h, pos", [((20,), (5,), (0,)), ((20,), (5,), (13,)),
                                                   ((9, 11), (3, 4), (4, 10)),
                                                   ((6, 7, 5), (3, 2, 3), (0, 3, 2))],
                         ids=["1d-edge", "1d-mid", "2d", "3d"])
def test_nonfinite_propagates_locally(bad, op, mode, boundary, shape_x, shape_h, pos):
    x = (np.arange(np.prod(shape_x), dtype=np.float64).reshape(shape_x) % 7) + 1.0
    h = (np.arange(np.prod(shape_h), dtype=np.float64).reshape(shape_h) % 3) + 1.0  # > 0
    x[pos] = bad
    got = getattr(sigconv, op)(x, h, mode, boundary=boundary)
    touched = _window_mask(shape_x, shape_h, pos, op, mode, boundary)
    assert touched.any() and not touched.all() or mode == "circular"
    assert np.all(np.isfinite(got[~touched]))
    if np.isnan(bad):
        assert np.all(np.isnan(got[touched]))
    else:
        # positive kernel: the infinity keeps its sign
        assert np.all(got[touched] == bad)
    if mode == "circular":
        expected = circular_reference(op, x, h)
    else:
        expected = boundary_reference(op, x, h, mode, boundary)
    assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("op", OPS)
def test_inf_and_minus_inf_meet_as_nan(op):
    x = np.array([1.0, np.inf, 2.0, -np.inf, 3.0, 4.0, 5.0])
    h = np.array([1.0, 1.0, 1.0])
    got = getattr(sigconv, op)(x, h)
    expected = boundary_reference(op, x, h, "full")
    assert_close(got, expected, inputs=(x, h))
    assert np.isnan(got[3]) and np.isfinite(got[-1])


def test_nan_in_kernel_meets_the_fill_padding():
    # convolve/correlate: the zero fill contributes no terms, so a NaN tap
    # reaches only the outputs where it meets samples (scipy's 1-D path
    # agrees); convolve2d follows scipy.signal.convolve2d, whose fill value
    # every tap multiplies: 0 * NaN = NaN everywhere
    x = np.arange(1.0, 9.0)
    h = np.array([1.0, np.nan, 1.0])
    got = sigconv.convolve(x, h, "full")
    assert np.array_equal(np.isnan(got), [False] + [True] * 8 + [False])
    assert np.array_equal(np.isnan(got), np.isnan(scipy.signal.convolve(x, h, "full")))
    got2d = sigconv.convolve2d(x[None], h[None])
    assert np.all(np.isnan(got2d))
    assert np.all(np.isnan(scipy.signal.convolve2d(x[None], h[None])))
    assert_close(got2d, boundary_reference("convolve", x[None], h[None], "full"),
                 inputs=(x, h))
    # a NaN in in1 stays local, whichever input is the kernel
    got = sigconv.convolve(h, x, "full")
    assert np.array_equal(np.isnan(got), [False] + [True] * 8 + [False])
    assert_close(got, boundary_reference("convolve", h, x, "full"), inputs=(h, x))


def _overlap_only_full(x, k):
    """Full 2-D convolution summing only the products of actual samples."""
    out = np.zeros((x.shape[0] + k.shape[0] - 1, x.shape[1] + k.shape[1] - 1))
    for a in range(x.shape[0]):
        for b in range(x.shape[1]):
            out[a:a + k.shape[0], b:b + k.shape[1]] += x[a, b] * k
    return out


@pytest.mark.parametrize("method", ["direct", "toeplitz"])
@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_zero_fill_adds_no_terms_with_a_non_finite_kernel(method, op, mode, bad):
    # an Inf in the kernel must not turn the zero fill into NaN (0 * inf):
    # 1-D against scipy (numpy.convolve underneath), 2-D against the sum
    # over actual samples only
    rng = np.random.default_rng(3)
    for pos in (0, 3, 6):
        x = rng.standard_normal(30)
        k = rng.standard_normal(7)
        k[pos] = bad
        got = getattr(sigconv, op)(x, k, mode, method=method)
        ref = getattr(scipy.signal, op)(x, k, mode, method="direct")
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(ref))
        fin = np.isfinite(ref)
        np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12, atol=1e-12)
    x = rng.standard_normal((6, 5))
    k = rng.standard_normal((3, 4))
    k[1, 2] = bad
    kk = k if op == "convolve" else k[::-1, ::-1]
    full = _overlap_only_full(x, kk)
    if mode == "same":
        # scipy's same centring: (K - 1) // 2 into the full result
        full = full[1:1 + 6, 1:1 + 5]
    got = getattr(sigconv, op)(x, k, mode, method=method)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(full))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(full))
    fin = np.isfinite(full)
    np.testing.assert_allclose(got[fin], full[fin], rtol=1e-12, atol=1e-12)
