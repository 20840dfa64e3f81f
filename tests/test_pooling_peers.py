"""sigconv.pool against other libraries that define the same operation.

* PyTorch (skipped when not installed): max_pool1d/2d/3d with indices,
  avg_pool1d/2d/3d, lp_pool1d/2d, max_unpool1d/2d/3d, across sizes,
  strides, padding, dilation, ceil_mode and count_include_pad;
* scipy.ndimage maximum_filter / minimum_filter / uniform_filter (stride 1,
  same-size output);
* skimage.measure.block_reduce (skipped when not installed).
"""
import itertools

import numpy as np
import pytest
import scipy.ndimage as ndi
from conftest import assert_close

import sigconv


def _torch():
    return pytest.importorskip("torch")


#: (spatial shape, size, stride, padding, dilation, ceil_mode) per dimension
TORCH_CASES = {
    1: [((17,), 2, None, 0, 1, False), ((17,), 3, 2, 1, 1, True), ((20,), 4, 1, 2, 2, False),
        ((23,), 5, 3, 2, 1, True), ((9,), 1, 1, 0, 1, False), ((30,), 7, 2, 3, 3, True)],
    2: [((12, 11), (2, 2), None, 0, 1, False), ((12, 11), (3, 3), 1, 1, 1, False),
        ((13, 10), (3, 2), (2, 1), (1, 0), 1, True), ((14, 15), (4, 3), 2, (2, 1), (2, 1), True),
        ((16, 16), (5, 5), 3, 2, 1, True), ((9, 12), (2, 6), (1, 3), (1, 3), (3, 1), False)],
    3: [((8, 9, 10), (2, 2, 2), None, 0, 1, False), ((7, 8, 9), (3, 3, 3), 1, 1, 1, True),
        ((9, 7, 8), (2, 3, 4), (2, 1, 3), (1, 1, 2), (1, 2, 1), True)],
}


def _tuple(v, nd):
    return (v,) * nd if np.ndim(v) == 0 else tuple(v)


# torch takes an int as "the same along each pooled axis"; sigconv's int size
# pools every axis of the array, so sigconv gets the per-axis tuples
TORCH_PARAMS = [pytest.param(nd, shape, _tuple(size, nd), stride if stride is None
                             else _tuple(stride, nd), _tuple(pad, nd), _tuple(dil, nd), ceil,
                             id="%dd-%d" % (nd, i))
                for nd, cases in TORCH_CASES.items()
                for i, (shape, size, stride, pad, dil, ceil) in enumerate(cases)]


def _t(x):
    torch = _torch()
    return torch.from_numpy(np.ascontiguousarray(x))


@pytest.mark.parametrize("nd, shape, size, stride, padding, dilation, ceil", TORCH_PARAMS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_and_indices_against_torch(nd, shape, size, stride, padding, dilation, ceil,
                                            dtype, rng):
    torch = _torch()
    F = torch.nn.functional
    x = rng.integers(-3, 4, (2, 3) + shape).astype(dtype)    # ties everywhere
    x[0, 0].flat[::7] = np.nan
    fn = getattr(F, "max_pool%dd" % nd)
    with torch.no_grad():
        tv, ti = fn(_t(x), size, stride, padding, dilation, ceil_mode=ceil, return_indices=True)
    v, i = sigconv.max_pool(x, size, stride=stride, padding=padding, dilation=dilation,
                            ceil_mode=ceil, return_indices=True)
    assert_close(v, tv.numpy(), inputs=(x,), dtype=dtype, atol=0)
    np.testing.assert_array_equal(i, ti.numpy())
    # and the fast kernels (no indices) give the same values
    assert_close(sigconv.max_pool(x, size, stride=stride, padding=padding, dilation=dilation,
                                  ceil_mode=ceil), tv.numpy(), inputs=(x,), dtype=dtype, atol=0)
    # min pooling is max pooling of -x (torch's rule, mirrored)
    with torch.no_grad():
        tv, ti = fn(_t(-x), size, stride, padding, dilation, ceil_mode=ceil,
                    return_indices=True)
    v, i = sigconv.min_pool(x, size, stride=stride, padding=padding, dilation=dilation,
                            ceil_mode=ceil, return_indices=True)
    assert_close(v, -tv.numpy(), inputs=(x,), dtype=dtype, atol=0)
    np.testing.assert_array_equal(i, ti.numpy())


@pytest.mark.parametrize("nd, shape, size, stride, padding, dilation, ceil", TORCH_PARAMS)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_against_torch(nd, shape, size, stride, padding, dilation, ceil,
                                count_include_pad, rng):
    if set(dilation) != {1}:
        pytest.skip("torch's avg_pool has no dilation")
    torch = _torch()
    x = rng.standard_normal((2, 3) + shape)
    fn = getattr(torch.nn.functional, "avg_pool%dd" % nd)
    with torch.no_grad():
        want = fn(_t(x), size, stride, padding, ceil_mode=ceil,
                  count_include_pad=count_include_pad).numpy()
    got = sigconv.avg_pool(x, size, stride=stride, padding=padding, ceil_mode=ceil,
                           count_include_pad=count_include_pad)
    taps = int(np.prod(size))
    assert_close(got, want, inputs=(x, np.ones(taps)), dtype=np.float64, taps=taps)


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("p", [1, 2, 3, 4.5])
@pytest.mark.parametrize("ceil", [False, True])
def test_lp_pool_against_torch(nd, p, ceil, rng):
    """Where torch's definition agrees with ours: non-negative inputs (torch
    omits |x|), windows wholly inside the input (in ceil mode torch scales a
    partial window by size / taps)."""
    torch = _torch()
    size = stride = (3,) if nd == 1 else (3, 2)
    # in ceil mode, lengths without a partial window
    shape = ((12,) if nd == 1 else (12, 16)) if ceil else ((13,) if nd == 1 else (13, 17))
    x = np.abs(rng.standard_normal((2,) + shape))
    fn = getattr(torch.nn.functional, "lp_pool%dd" % nd)
    tsize = size if nd > 1 else size[0]
    with torch.no_grad():
        want = fn(_t(x), p, tsize, tsize, ceil_mode=ceil).numpy()
    got = sigconv.lp_pool(x, size, p, stride=stride, ceil_mode=ceil)
    assert_close(got, want, inputs=(x,), dtype=np.float64,
                 atol=64 * np.finfo(np.float64).eps * float(np.max(want)))
    # with negative inputs and even p the two still agree
    y = rng.standard_normal((2,) + shape)
    with torch.no_grad():
        want = fn(_t(y), 2, tsize, tsize, ceil_mode=ceil).numpy()
    assert_close(sigconv.lp_pool(y, size, 2, stride=stride, ceil_mode=ceil), want,
                 inputs=(y,), dtype=np.float64,
                 atol=64 * np.finfo(np.float64).eps * float(np.max(want)))


@pytest.mark.parametrize("nd, shape, size, stride, padding, dilation, ceil", TORCH_PARAMS)
def test_max_unpool_against_torch(nd, shape, size, stride, padding, dilation, ceil, rng):
    if set(dilation) != {1}:
        pytest.skip("torch's max_unpool has no dilation (its output_size check assumes none)")
    torch = _torch()
    F = torch.nn.functional
    x = rng.standard_normal((2, 3) + shape)
    v, i = sigconv.max_pool(x, size, stride=stride, padding=padding, dilation=dilation,
                            ceil_mode=ceil, return_indices=True)
    got = sigconv.max_unpool(v, i, shape)
    unpool = getattr(F, "max_unpool%dd" % nd)
    with torch.no_grad():
        want = unpool(_t(v), _t(i), size, stride, padding, output_size=shape).numpy()
    np.testing.assert_array_equal(got, want)


def test_torch_indices_tie_and_nan_rules():
    torch = _torch()
    x = np.array([[[1.0, np.nan, 2.0, np.nan, 7.0, 7.0, 3.0, 7.0]]])
    with torch.no_grad():
        tv, ti = torch.nn.functional.max_pool1d(_t(x), 4, return_indices=True)
    v, i = sigconv.max_pool(x, (4,), return_indices=True)
    np.testing.assert_array_equal(i, ti.numpy())
    assert i.tolist() == [[[3, 4]]]                  # the last NaN; the first of equal maxima
    assert np.isnan(v[0, 0, 0]) and v[0, 0, 1] == 7.0


# --------------------------------------------------------------------------
# scipy.ndimage

@pytest.mark.parametrize("shape, size", [((31,), (5,)), ((20, 17), (3, 5)),
                                         ((11, 9, 10), (3, 3, 5)), ((40, 50), (15, 15))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8])
def test_max_min_filters(shape, size, dtype, rng):
    """Odd windows, stride 1, padding size // 2: scipy's same-size filters with
    a constant border holding the op's identity."""
    x = (rng.standard_normal(shape) * 50).astype(dtype)
    pad = tuple(k // 2 for k in size)
    lo, hi = (-np.inf, np.inf) if x.dtype.kind == "f" else \
        (np.iinfo(dtype).min, np.iinfo(dtype).max)
    for op, filt, cval in (("max", ndi.maximum_filter, lo), ("min", ndi.minimum_filter, hi)):
        want = filt(x, size=size, mode="constant", cval=cval)
        got = sigconv.pool(x, size, op, stride=1, padding=pad)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape, size", [((31,), (5,)), ((20, 17), (3, 5)),
                                         ((11, 9, 10), (3, 3, 5)), ((40, 50), (15, 15))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_filter(shape, size, dtype, rng):
    x = rng.standard_normal(shape).astype(dtype)
    want = ndi.uniform_filter(x.astype(np.float64), size=size, mode="constant", cval=0.0)
    got = sigconv.avg_pool(x, size, stride=1, padding=tuple(k // 2 for k in size))
    taps = int(np.prod(size))
    assert_close(got, want, inputs=(x, np.ones(taps)), dtype=dtype, taps=taps)


def test_max_filter_valid_part_with_stride(rng):
    """Even windows and strides: the windows of maximum_filter's output that
    lie inside the input, every stride-th."""
    x = rng.standard_normal((37, 41))
    for size, stride in itertools.product([(2, 4), (6, 3)], [(1, 1), (2, 3)]):
        full = ndi.maximum_filter(x, size=size)
        # ndimage's window at i covers i - k // 2 ... i - k // 2 + k - 1
        got = sigconv.max_pool(x, size, stride=stride)
        crop = tuple(slice(k // 2, k // 2 + (m - 1) * s + 1, s)
                     for k, m, s in zip(size, got.shape, stride))
        np.testing.assert_array_equal(got, full[crop])


# --------------------------------------------------------------------------
# skimage.measure.block_reduce

@pytest.mark.parametrize("op, func", [("max", np.max), ("min", np.min), ("sum", np.sum),
                                      ("avg", np.mean)])
@pytest.mark.parametrize("shape, block", [((12, 18), (2, 3)), ((8, 8, 8), (2, 2, 2)),
                                          ((4, 30), (1, 5))])
def test_block_reduce(op, func, shape, block, rng):
    measure = pytest.importorskip("skimage.measure")
    x = rng.standard_normal(shape).astype(np.float32)
    want = measure.block_reduce(x, block, func)
    got = sigconv.pool(x, block, op)
    taps = int(np.prod(block))
    assert_close(got, want.astype(np.float64), inputs=(x, np.ones(taps)), dtype=np.float32,
                 taps=taps)


def test_block_reduce_partial_blocks_sum(rng):
    """block_reduce pads partial blocks with zeros: the sum of ceil_mode."""
    measure = pytest.importorskip("skimage.measure")
    x = rng.standard_normal((13, 17))
    want = measure.block_reduce(x, (3, 4), np.sum)
    got = sigconv.pool(x, (3, 4), "sum", ceil_mode=True)
    assert_close(got, want, inputs=(x, np.ones(12)), dtype=np.float64, taps=12)
