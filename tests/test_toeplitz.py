"""method='toeplitz': window-matrix products (GEMM) against the references.

The references are written with numpy only (tests/reference.py: numpy.pad
and a loop over taps, the modular sum of the definition) and scipy.signal.
"""
import concurrent.futures

import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import (BOUNDARIES, OPS, assert_close, random_array, shape_mode_params,
                      shape_pair_params)
from reference import batched, boundary_reference, circular_reference
from sigconv._backends import toeplitz as toeplitz_backend

BLAS_DTYPES = (np.float32, np.float64, np.complex64, np.complex128)


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3)))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", BLAS_DTYPES)
def test_matches_reference_fill(rng, s1, s2, mode, op, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    got = getattr(sigconv, op)(x, h, mode, method="toeplitz")
    assert_close(got, boundary_reference(op, x, h, mode), inputs=(x, h))


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3), ("full", "same")))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex64])
def test_matches_reference_boundaries(rng, s1, s2, mode, op, dtype, boundary):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    fill = 0.5 - 0.25j if np.dtype(dtype).kind == "c" else -0.75
    got = getattr(sigconv, op)(x, h, mode, method="toeplitz", boundary=boundary,
                               fillvalue=fill)
    assert_close(got, boundary_reference(op, x, h, mode, boundary, fill), inputs=(x, h),
                 fillvalue=fill)


@pytest.mark.parametrize("s1, s2", shape_pair_params((1, 2, 3)))
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_circular(rng, s1, s2, op, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    got = getattr(sigconv, op)(x, h, "circular", method="toeplitz")
    assert_close(got, circular_reference(op, x, h), inputs=(x, h))


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2), ("full", "same", "valid")))
@pytest.mark.parametrize("stride", [2, 3, (1, 2)])
@pytest.mark.parametrize("op", OPS)
def test_stride(rng, s1, s2, mode, stride, op):
    if isinstance(stride, tuple) and len(s1) == 1:
        stride = stride[1:]
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    got = getattr(sigconv, op)(x, h, mode, method="toeplitz", stride=stride,
                               boundary="reflect")
    steps = stride if isinstance(stride, tuple) else (stride,) * len(s1)
    expected = boundary_reference(op, x, h, mode, "reflect")[tuple(slice(None, None, s)
                                                                   for s in steps)]
    assert_close(got, expected, inputs=(x, h))


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3)))
def test_equals_direct_scipy_2d_and_nd(rng, s1, s2, mode):
    # scipy.signal itself as the reference
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    assert_close(sigconv.convolve(x, h, mode, method="toeplitz"),
                 scipy.signal.convolve(x, h, mode, method="direct"), inputs=(x, h))


@pytest.mark.parametrize("x_shape, k_shape, axes", [
    ((1, 200), (16, 9), -1),            # filter bank: one signal, 16 kernels
    ((5, 1, 60), (1, 7, 5), -1),        # every signal with every kernel
    ((4, 3, 50), (4, 3, 6), -1),        # one kernel per signal
    ((4, 1, 3, 50), (1, 5, 3, 7), -1),  # kernels of one group three items apart
    ((1, 2, 1, 30), (3, 2, 4, 5), -1),  # kernels and outputs of a group unevenly spaced
    ((3, 20, 2), (1, 4, 2), 1),         # a convolved axis in the middle
    ((1, 9, 8), (3, 3, 2), (1, 2)),     # a 2-D filter bank
    ((6, 5, 40), (1, 1, 8), (0, 2)),    # batch between convolved axes
])
@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_batches_and_filter_banks(rng, x_shape, k_shape, axes, dtype, mode):
    x = random_array(rng, x_shape, dtype)
    h = random_array(rng, k_shape, dtype)
    got = sigconv.convolve(x, h, mode, method="toeplitz", axes=axes, boundary="symm")
    expected = batched(lambda a, b: boundary_reference("convolve", a, b, mode, "symm"),
                       x, h, axes)
    assert_close(got, expected, inputs=(x, h))


def test_filter_bank_groups_are_one_gemm_per_tile():
    # one input item meets all 64 kernels: one group of 64
    x = np.zeros((1, 1000), np.float32)
    h = np.zeros((64, 31), np.float32)
    problem, signal, kernel = sigconv._problem.make_problem(x, h, op="convolve", mode="same",
                                                            axes=-1)
    from sigconv._backends._layout import batch_indices
    xi, wi, count = batch_indices(problem, x[:, None], h)
    xgroup, bidx, kidx = toeplitz_backend.groups(problem, xi, wi, count)
    assert bidx.shape == (1, 64)
    assert list(kidx[0]) == list(range(64))
    # a batch of signals with one kernel: 256 groups of one
    problem, _, _ = sigconv._problem.make_problem(np.zeros((256, 100)), np.zeros((1, 5)),
                                                  op="convolve", axes=-1)
    xi, wi, count = batch_indices(problem, np.zeros((256, 100)), np.zeros((1, 5)))
    assert toeplitz_backend.groups(problem, xi, wi, count)[1].shape == (256, 1)


@pytest.mark.parametrize("taps, kernels, outputs", [(31, 64, 65536), (31, 1, 4096),
                                                    (3969, 1, 10**6), (10**6, 2, 5),
                                                    (1, 1, 1)])
def test_tile_sizes_are_bounded(taps, kernels, outputs):
    tile = toeplitz_backend.tile_size(taps, kernels, outputs)
    assert 1 <= tile <= outputs
    assert tile * taps <= max(toeplitz_backend.TILE_BUDGET, taps)


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint16, bool])
@pytest.mark.parametrize("mode", ["full", "same", "circular"])
def test_integers_are_exact(rng, dtype, mode):
    # BLAS multiplies floats: integers are computed by the direct method (exact)
    x = random_array(rng, (40,), dtype, full_range=True)
    h = random_array(rng, (7,), dtype, full_range=True)
    got = sigconv.convolve(x, h, mode, method="toeplitz")
    ref = circular_reference("convolve", x, h) if mode == "circular" \
        else boundary_reference("convolve", x, h, mode)
    assert_close(got, ref, inputs=(x, h))


def test_longdouble_and_float16(rng):
    for dtype in (np.longdouble, np.float16):
        x = random_array(rng, (30,), dtype)
        h = random_array(rng, (5,), dtype)
        got = sigconv.convolve(x, h, "same", method="toeplitz")
        assert got.dtype == dtype
        assert_close(got, boundary_reference("convolve", x, h, "same"), inputs=(x, h))


def test_nan_stays_local(rng):
    x = random_array(rng, (50,))
    x[20] = np.nan
    h = random_array(rng, (5,))
    got = sigconv.convolve(x, h, method="toeplitz")
    expected = np.zeros(54, dtype=bool)
    expected[20:25] = True
    np.testing.assert_array_equal(np.isnan(got), expected)


def test_views_are_accepted_and_inputs_unchanged(rng):
    base = random_array(rng, (30, 40))
    x = base[::-2, 1::3]
    h = np.asfortranarray(random_array(rng, (4, 3)))
    x_copy, h_copy = x.copy(), h.copy()
    x.flags.writeable = False
    got = sigconv.convolve(x, h, "same", method="toeplitz", boundary="wrap")
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(h, h_copy)
    assert_close(got, boundary_reference("convolve", x_copy, h_copy, "same", "wrap"),
                 inputs=(x, h))


def test_workers_give_identical_results(rng):
    x = random_array(rng, (1, 3, 3000), np.float32)
    h = random_array(rng, (8, 1, 21), np.float32)
    one = sigconv.convolve(x, h, "same", method="toeplitz", axes=-1, workers=1)
    two = sigconv.convolve(x, h, "same", method="toeplitz", axes=-1, workers=2)
    np.testing.assert_array_equal(one, two)


def test_threads_in_a_pool(rng):
    x = random_array(rng, (4, 500))
    h = random_array(rng, (4, 9))
    expected = sigconv.convolve(x, h, axes=-1, method="direct")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: sigconv.convolve(x, h, axes=-1, method="toeplitz"),
                                range(8)))
    for r in results:
        assert_close(r, expected, inputs=(x, h))


def test_against_torch_conv1d(rng):
    torch = pytest.importorskip("torch")
    x = random_array(rng, (1, 300), np.float32)
    h = random_array(rng, (12, 15), np.float32)
    got = sigconv.correlate(x, h, "valid", method="toeplitz", axes=-1)
    with torch.inference_mode():
        ref = torch.nn.functional.conv1d(torch.from_numpy(x)[None],
                                         torch.from_numpy(h)[:, None]).numpy()[0]
    assert_close(got, ref.astype(np.float64), inputs=(x, h))


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_all_boundaries_3d_complex(rng, boundary):
    x = random_array(rng, (4, 5, 3), np.complex128)
    h = random_array(rng, (3, 2, 4), np.complex128)
    got = sigconv.correlate(x, h, "same", method="toeplitz", boundary=boundary)
    assert_close(got, boundary_reference("correlate", x, h, "same", boundary), inputs=(x, h))


@pytest.mark.parametrize("boundary", ["fill", "wrap", "reflect"])
@pytest.mark.parametrize("stride", [1, 2])
def test_non_finite_inputs_take_the_row_per_output_path(rng, boundary, stride):
    # one kernel: finite inputs go through blocks and a banded kernel matrix,
    # whose zeros would spread a NaN over a block; these must stay local
    x = random_array(rng, (3, 9, 40))
    x[1, 4, 17] = np.nan
    x[2, 0, 3] = np.inf
    h = random_array(rng, (1, 3, 5))
    got = sigconv.convolve(x, h, "same", method="toeplitz", axes=(1, 2), boundary=boundary,
                           stride=stride)
    expected = sigconv.convolve(x, h, "same", method="direct", axes=(1, 2),
                                boundary=boundary, stride=stride)
    assert_close(got, expected, inputs=(x, h))
    finite = x.copy()
    finite[~np.isfinite(finite)] = 0
    assert_close(sigconv.convolve(finite, h, "same", method="toeplitz", axes=(1, 2),
                                  boundary=boundary, stride=stride),
                 sigconv.convolve(finite, h, "same", method="direct", axes=(1, 2),
                                  boundary=boundary, stride=stride), inputs=(x, h))


@pytest.mark.parametrize("K, M", [(31, 4096), (3, 5), (200, 50), (1, 1)])
def test_block_sizes(K, M):
    B = toeplitz_backend.block_size(K, 1, M)
    assert 1 <= B <= min(M, 128)


def test_auto_weighs_toeplitz_for_filter_banks():
    from sigconv._problem import make_problem
    from sigconv._cost import estimate_times, toeplitz_times
    from sigconv.plan import auto_method

    def choice(x_shape, k_shape, axes, dtype=np.float32):
        x, h = np.ones(x_shape, dtype), np.ones(k_shape, dtype)
        problem, s, k = make_problem(x, h, op="convolve", mode="same", axes=axes)
        times = estimate_times(problem)
        return auto_method(problem, s, k), toeplitz_times(problem, s.shape, k.shape, times)

    # a 2-D bank of small kernels: one GEMM beats 32 direct passes
    method, times = choice((1, 256, 256), (32, 5, 5), (1, 2))
    assert method == "toeplitz" and "toeplitz" in times
    # one kernel per signal: not offered; integers: not offered
    assert choice((256, 4096), (1, 31), -1) == ("direct", {})
    assert choice((1, 256, 256), (32, 5, 5), (1, 2), np.int32)[1] == {}
    # the bank computed by auto equals the direct result
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 64, 64)).astype(np.float32)
    h = rng.standard_normal((32, 5, 5)).astype(np.float32)
    assert_close(sigconv.convolve(x, h, "same", axes=(1, 2)),
                 batched(lambda a, b: boundary_reference("convolve", a, b, "same"), x, h,
                         (1, 2)), inputs=(x, h))


def test_convolver_with_toeplitz(rng):
    h = random_array(rng, (1, 9), np.float32)
    plan = sigconv.Convolver(h, 300, "same", method="toeplitz", axes=-1,
                             boundary="reflect")
    x = random_array(rng, (5, 300), np.float32)
    assert plan.method == "toeplitz"
    assert_close(plan(x), sigconv.convolve(x, h, "same", method="direct", axes=-1,
                                           boundary="reflect"), inputs=(x, h))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", ["fill", "symm", "wrap"])
def test_one_row_per_output_path(rng, monkeypatch, mode, boundary):
    # banded kernel matrices over their memory bound: one kernel per signal
    # is then a GEMV per tile
    monkeypatch.setattr(toeplitz_backend, "BLOCK_KERNELS_BYTES", 0)
    x = random_array(rng, (3, 7, 30), np.complex64)
    h = random_array(rng, (3, 2, 4), np.complex64)
    got = sigconv.correlate(x, h, mode, method="toeplitz", axes=(1, 2), boundary=boundary,
                            stride=(1, 2))
    expected = batched(lambda a, b: boundary_reference("correlate", a, b, mode, boundary),
                       x, h, (1, 2))[:, :, ::2]
    assert_close(got, expected, inputs=(x, h))
