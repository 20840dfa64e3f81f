"""A naive pooling reference (the definition, tap by tap), and its own tests.

Nothing here calls sigconv. :func:`naive_pool` follows the definition: for
every tap of the window (in row-major order) it gathers the tapped element
of all windows at once, leaves out those outside the input and combines the
rest with numpy in float64 (int64 / uint64 for integer sums, the input type
for integer max/min), in the plainest order -- no separability, no blocks.
The other pooling tests import it; the tests in this file check it against
hand-computed cases, so that a wrong reference cannot hide a wrong kernel.
"""
import itertools
import math

import numpy as np
import pytest


def out_length(n, k, s, p, d, ceil_mode):
    """PyTorch's output length (pooling_output_shape), written out independently."""
    eff = d * (k - 1) + 1
    if ceil_mode:
        m = math.ceil((n + 2 * p - eff) / s) + 1
        if (m - 1) * s >= n + p:
            m -= 1
    else:
        m = math.floor((n + 2 * p - eff) / s) + 1
    return m


def _params(x, size, stride, padding, dilation, axes):
    if axes is None:
        axes = tuple(range(x.ndim)) if np.ndim(size) == 0 else \
            tuple(range(x.ndim - len(size), x.ndim))
    axes = tuple(np.atleast_1d(axes) % x.ndim)
    r = len(axes)

    def per(v):
        return (v,) * r if np.ndim(v) == 0 else tuple(v)
    size = per(size)
    stride = size if stride is None else per(stride)
    return axes, size, stride, per(padding), per(dilation)


def naive_pool(x, size, op="max", *, stride=None, padding=0, dilation=1, ceil_mode=False,
               axes=None, p=2, count_include_pad=True, return_indices=False):
    """The definition of :func:`sigconv.pool`, one tap of the window at a time.

    For each combination of taps (in row-major order) the tapped element of
    every window is gathered at once; taps outside the input are left out of
    the reduction (and counted in the divisor of ``avg`` if inside the
    padded input with ``count_include_pad``). Values are float64 (long
    double for long double input, complex for complex sums), exact integers
    for integer max/min/sum; indices follow PyTorch's rule (first of equal
    extremes, last NaN).
    """
    x = np.asarray(x)
    axes, size, stride, padding, dilation = _params(x, size, stride, padding, dilation, axes)
    order = np.argsort(axes)
    axes = tuple(int(axes[i]) for i in order)
    size, stride, padding, dilation = (tuple(v[i] for i in order)
                                       for v in (size, stride, padding, dilation))
    r = len(axes)
    # pooled axes last, in increasing order, as (batch, n_1, ..., n_r)
    xm = np.moveaxis(x, axes, range(x.ndim - r, x.ndim))
    batch_shape = xm.shape[:x.ndim - r]
    n = xm.shape[x.ndim - r:]
    xb = xm.reshape((-1,) + n)
    m = [out_length(*a, ceil_mode) for a in zip(n, size, stride, padding, dilation)]
    wide = x.dtype in (np.longdouble, np.clongdouble)   # references in long double
    if op in ("max", "min"):
        work = xb.astype(np.longdouble if wide else np.float64) if x.dtype.kind == "f" else xb
    elif op == "sum" and x.dtype.kind in "biu":
        work = xb.astype(np.uint64 if x.dtype.kind == "u" else np.int64)
    elif x.dtype.kind == "c":
        work = xb.astype(np.clongdouble if wide else np.complex128)
    else:
        work = xb.astype(np.longdouble if wide else np.float64)
    if op == "lp":
        work = np.abs(work)
        if p != np.inf:
            work = work ** p
    out_shape = (xb.shape[0],) + tuple(m)
    # per axis: the position of tap t of window o, whether it is in the input,
    # whether it counts in an average's divisor
    pos, inside, counted = [], [], []
    for a in range(r):
        q = (np.arange(m[a])[:, None] * stride[a] - padding[a]
             + np.arange(size[a])[None, :] * dilation[a])
        lo, hi = (-padding[a], n[a] + padding[a]) if count_include_pad else (0, n[a])
        pos.append(q)
        inside.append((q >= 0) & (q < n[a]))
        counted.append(((q >= lo) & (q < hi)).sum(axis=1))
    acc = None
    have = np.zeros(out_shape, dtype=bool)
    idx = np.full(out_shape, -1, dtype=np.int64)
    for taps in itertools.product(*(range(k) for k in size)):
        grids = np.meshgrid(*(pos[a][:, taps[a]] for a in range(r)), indexing="ij")
        valid = np.ones(tuple(m), dtype=bool)
        for a in range(r):
            valid &= (grids[a] >= 0) & (grids[a] < n[a])
        clipped = tuple(np.clip(g, 0, nn - 1) for g, nn in zip(grids, n))
        vals = work[(slice(None),) + clipped]                  # (batch, m...)
        valid = np.broadcast_to(valid, out_shape)
        if op in ("max", "min") or (op == "lp" and p == np.inf):
            if acc is None:
                acc = np.zeros(out_shape, dtype=work.dtype)
                better = np.ones(out_shape, dtype=bool)
            else:
                better = (vals > acc) if op != "min" else (vals < acc)
            upd = valid & (~have | better | (vals != vals))
            acc = np.where(upd, vals, acc)
            if return_indices:
                flat = np.ravel_multi_index(clipped, n)
                idx = np.where(upd, np.broadcast_to(flat, out_shape), idx)
        else:
            acc = np.where(valid, vals, 0) + (0 if acc is None else acc)
        have |= valid
    if op in ("max", "min"):
        # a window wholly in the padding: the identity (the type's extreme)
        if acc.dtype.kind == "f":
            empty = -np.inf if op == "max" else np.inf
        elif acc.dtype.kind == "b":
            empty = op == "min"
        else:
            info = np.iinfo(acc.dtype)
            empty = info.min if op == "max" else info.max
        acc = np.where(have, acc, np.asarray(empty, dtype=acc.dtype))
    elif op == "lp":
        if p == np.inf:
            acc = np.where(have, acc, 0)
        else:
            acc = acc ** (1 / p)
    elif op == "avg":
        divisor = np.ones(tuple(m))
        for a in range(r):
            divisor = divisor * counted[a].reshape((-1,) + (1,) * (r - 1 - a))
        acc = acc / divisor
    out = np.moveaxis(acc.reshape(batch_shape + tuple(m)), range(x.ndim - r, x.ndim), axes)
    if return_indices:
        idx = np.moveaxis(idx.reshape(batch_shape + tuple(m)), range(x.ndim - r, x.ndim), axes)
        return out, idx
    return out


# --------------------------------------------------------------------------
# The reference's own tests: hand-computed cases

def test_out_length_matches_the_formula_by_hand():
    assert out_length(5, 2, 2, 0, 1, False) == 2
    assert out_length(5, 2, 2, 0, 1, True) == 3
    assert out_length(5, 2, 2, 1, 1, True) == 3      # a 4th window would start at n + p
    assert out_length(5, 3, 1, 1, 2, False) == 3      # (5 + 2 - 5) / 1 + 1
    assert out_length(2, 3, 2, 0, 1, True) == 1       # PyTorch keeps a partial window


def test_reference_max_2d_by_hand():
    x = np.array([[1, 5, 2, 0],
                  [3, 4, 8, 1]])
    v, i = naive_pool(x, (2, 2), return_indices=True)
    assert v.tolist() == [[5, 8]] and i.tolist() == [[1, 6]]


def test_reference_avg_padding_and_ceil_by_hand():
    x = np.arange(5.0)
    # windows [-1, 1), [1, 3), [3, 5): (0 + 0) / 2, (1 + 2) / 2, (3 + 4) / 2
    assert naive_pool(x, 2, "avg", padding=1).tolist() == [0.0, 1.5, 3.5]
    assert naive_pool(x, 2, "avg", padding=1, count_include_pad=False).tolist() == \
        [0.0, 1.5, 3.5]
    assert naive_pool(x, 3, "avg", stride=2, padding=1, count_include_pad=False).tolist() \
        == [0.5, 2.0, 3.5]
    # ceil mode: the last window [4, 6) is cut at the input's end: 4 / 1
    assert naive_pool(x, 2, "avg", ceil_mode=True).tolist() == [0.5, 2.5, 4.0]


def test_reference_dilation_and_lp_by_hand():
    x = np.array([1.0, -2.0, 3.0, -4.0, 5.0])
    assert naive_pool(x, 2, "max", stride=1, dilation=2).tolist() == [3.0, -2.0, 5.0]
    assert naive_pool(x, 2, "lp", p=1, stride=1, dilation=3).tolist() == [5.0, 7.0]
    assert naive_pool(np.array([3.0, -4.0]), 2, "lp").tolist() == [5.0]
    assert naive_pool(np.array([3.0, -4.0]), 2, "lp", p=np.inf).tolist() == [4.0]


def test_reference_indices_follow_torch_ties_and_nan():
    x = np.array([2.0, 7.0, 7.0, np.nan, 1.0, np.nan])
    v, i = naive_pool(x, 3, return_indices=True)
    assert v[0] == 7.0 and i[0] == 1                  # first of equal maxima
    assert np.isnan(v[1]) and i[1] == 5               # the last NaN
    v, i = naive_pool(x, 3, "min", return_indices=True)
    assert v[0] == 2.0 and i[0] == 0


def test_reference_window_wholly_in_the_padding():
    # taps at -1 and 1 of a length-1 axis
    kw = dict(stride=1, padding=1, dilation=2)
    assert naive_pool(np.array([5.0]), 2, **kw).tolist() == [-np.inf]
    assert naive_pool(np.array([5], dtype=np.int16), 2, "min", **kw).tolist() == [32767]
    assert naive_pool(np.array([5.0]), 2, "avg", **kw).tolist() == [0.0]


def test_reference_axes_and_batch():
    x = np.arange(24).reshape(2, 3, 4)
    got = naive_pool(x, (2,), axes=(2,))
    assert got.tolist() == x.reshape(2, 3, 2, 2).max(axis=3).tolist()
    got = naive_pool(x, (3, 2), axes=(1, 0), stride=1)   # size 3 along axis 1, 2 along 0
    assert got.shape == (1, 1, 4)
    assert got.tolist() == [[x.max(axis=(0, 1)).tolist()]]


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.float32])
def test_reference_keeps_integers_exact(dtype):
    x = np.array([100, 100, 100, 100], dtype=dtype)
    assert naive_pool(x, 4, "sum").tolist() == [400]
