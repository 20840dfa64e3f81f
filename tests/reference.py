"""Slow, obviously-correct references the tests compare sigconv against.

Nothing here calls sigconv. Floating-point references are computed in
float64 / complex128 (longdouble for longdouble results); integer ones in the
result dtype itself, where numpy's array arithmetic wraps modulo 2**bits
exactly as a direct sum does; bool ones in int64, then ``> 0``.

* :func:`direct_valid` -- the 'valid' convolution as an explicit sum over the
  kernel taps (no swapping: ``h`` must fit in ``x``).
* :func:`boundary_reference` -- ``convolve``/``correlate`` (and the 2-D
  twins) in every mode except 'circular', for every boundary: ``in1`` padded
  with :func:`numpy.pad` by ``K - 1`` on each side of every axis, the valid
  convolution of that, cropped to the mode's window.
* :func:`circular_reference` -- cyclic convolution / correlation as the
  modular sum of the definition; :func:`circular_fft_reference` the same
  through :mod:`numpy.fft` (only for kernels no longer than the period).
* :func:`batched` -- the ``axes=`` semantics: broadcast the other axes and
  loop a reference over every batch item.
* :func:`naive_pool` -- :func:`sigconv.pool` by its definition, tap by tap
  (no separability, no blocks), and :func:`out_length`, PyTorch's output
  length written out independently; their own hand-computed tests are in
  ``test_pooling_reference.py``.
"""
import itertools
import math

import numpy as np

#: numpy.pad mode of each accepted boundary name
PAD_MODES = {
    "fill": "constant",
    "constant": "constant",
    "wrap": "wrap",
    "symm": "symmetric",
    "symmetric": "symmetric",
    "reflect": "reflect",
    "edge": "edge",
}


def reference_dtype(out_dtype):
    """dtype a reference computes in for a result of ``out_dtype``."""
    out_dtype = np.dtype(out_dtype)
    kind = out_dtype.kind
    if kind == "b":
        return np.dtype(np.int64)
    if kind in "iu":
        return out_dtype
    if kind == "f":
        if out_dtype == np.longdouble and np.finfo(np.longdouble).eps < np.finfo(np.float64).eps:
            return np.dtype(np.longdouble)
        return np.dtype(np.float64)
    if out_dtype == np.clongdouble and np.finfo(np.longdouble).eps < np.finfo(np.float64).eps:
        return np.dtype(np.clongdouble)
    return np.dtype(np.complex128)


def finish_dtype(result, out_dtype):
    """A reference result in the form tests compare against.

    Integer results are exact already; bool ones are ``> 0`` of the integer
    sum; floating ones stay in the reference precision.
    """
    out_dtype = np.dtype(out_dtype)
    if out_dtype.kind == "b":
        return result > 0
    if out_dtype.kind in "iu":
        return result.astype(out_dtype)
    return result


def cast_fillvalue(fillvalue, out_dtype):
    """The fill value as the result dtype (the decided semantics)."""
    value = np.asarray(fillvalue)
    if value.dtype.kind == "c" and np.dtype(out_dtype).kind != "c":
        assert value.imag == 0
        value = value.real
    with np.errstate(all="ignore"):
        return value.astype(out_dtype)[()]


def direct_valid(x, h):
    """Valid convolution ``y[n] = sum_k h[k] x[n + K - 1 - k]`` by a loop over taps.

    ``x`` and ``h`` have the same ndim and ``h`` fits in ``x`` on every
    axis; both are already in the dtype to compute in.
    """
    assert x.ndim == h.ndim
    assert all(n >= k for n, k in zip(x.shape, h.shape)), (x.shape, h.shape)
    out_shape = tuple(n - k + 1 for n, k in zip(x.shape, h.shape))
    out = np.zeros(out_shape, dtype=np.result_type(x, h))
    with np.errstate(all="ignore"):
        for k in itertools.product(*(range(K) for K in h.shape)):
            window = tuple(slice(K - 1 - kk, K - 1 - kk + L)
                           for K, kk, L in zip(h.shape, k, out_shape))
            # 0 * inf = nan is what a direct sum gives too
            out += h[k] * x[window]
    return out


def _operands(in1, in2):
    """The two inputs as arrays, again in the reference precision of their
    result dtype: ``(x, h, xr, hr, out_dtype, reference dtype)``."""
    x = np.asarray(in1)
    h = np.asarray(in2)
    assert x.ndim == h.ndim
    out_dtype = np.result_type(x, h)
    rd = reference_dtype(out_dtype)
    return x, h, x.astype(rd), h.astype(rd), out_dtype, rd


def _flip(a):
    return a[(slice(None, None, -1),) * a.ndim]


def _valid_swapped(op, x, h, flavor):
    """scipy's 'valid' when ``in2`` is the larger input (swap rules)."""
    if op == "convolve":
        return direct_valid(h, x)
    # correlate(in2, in1) reversed; correlate (N-D) conjugates that too,
    # correlate2d does not
    swapped = _flip(direct_valid(h, np.conj(_flip(x))))
    return swapped if flavor == "2d" else np.conj(swapped)


def boundary_reference(op, in1, in2, mode="full", boundary="fill", fillvalue=0,
                       flavor="nd"):
    """``op`` ('convolve' or 'correlate') of in1 and in2 over all axes.

    ``flavor='2d'`` follows scipy's ``correlate2d`` conventions (its 'same'
    centring for even kernels and its 'valid' swap without conjugation).
    Returns the result in :func:`reference_dtype` precision (exact integers,
    bool for bool).
    """
    x, h, xr, hr, out_dtype, rd = _operands(in1, in2)
    if x.ndim == 0:
        return finish_dtype(xr * (np.conj(hr) if op == "correlate" else hr), out_dtype)
    if mode == "valid":
        fits = all(n >= k for n, k in zip(x.shape, h.shape))
        swaps = all(k >= n for n, k in zip(x.shape, h.shape))
        assert fits or swaps
        if fits:
            k = hr if op == "convolve" else np.conj(_flip(hr))
            return finish_dtype(direct_valid(xr, k), out_dtype)
        return finish_dtype(_valid_swapped(op, xr, hr, flavor), out_dtype)

    k = hr if op == "convolve" else np.conj(_flip(hr))
    pad = [(K - 1, K - 1) for K in h.shape]
    padmode = PAD_MODES[boundary]
    if padmode == "constant":
        # numpy.pad's constant mode, written out: it cannot take every uint64
        fill = np.asarray(cast_fillvalue(fillvalue, out_dtype)).astype(rd)
        xp = np.full(tuple(n + 2 * (K - 1) for n, K in zip(x.shape, h.shape)), fill, dtype=rd)
        xp[tuple(slice(K - 1, K - 1 + n) for n, K in zip(x.shape, h.shape))] = xr
    else:
        xp = np.pad(xr, pad, mode=padmode)
    full = direct_valid(xp, k)
    if mode == "full":
        return finish_dtype(full, out_dtype)
    assert mode == "same", mode
    window = []
    for N, K in zip(x.shape, h.shape):
        start = K // 2 if (op == "correlate" and flavor == "2d") else (K - 1) // 2
        window.append(slice(start, start + N))
    return finish_dtype(full[tuple(window)], out_dtype)


def circular_reference(op, in1, in2):
    """Cyclic convolution / correlation over all axes, period ``in1.shape``.

    convolve:  y[n] = sum_k h[k] x[(n - k) mod N]
    correlate: z[n] = sum_k x[(n + k) mod N] conj(h[k])
    written as the modular sum of the definition (any kernel length).
    """
    x, h, xr, hr, out_dtype, rd = _operands(in1, in2)
    sign = -1 if op == "convolve" else 1
    out = np.zeros(x.shape, dtype=rd)
    with np.errstate(all="ignore"):
        for k in itertools.product(*(range(K) for K in h.shape)):
            index = np.ix_(*[(np.arange(N) + sign * kk) % N for N, kk in zip(x.shape, k)])
            coef = hr[k] if op == "convolve" else np.conj(hr[k])
            out += coef * xr[index]
    return finish_dtype(out, out_dtype)


def circular_fft_reference(op, in1, in2):
    """The cyclic result through numpy.fft (kernel no longer than the period)."""
    x = np.asarray(in1, dtype=np.complex128)
    h = np.asarray(in2, dtype=np.complex128)
    assert all(k <= n for n, k in zip(x.shape, h.shape))
    X = np.fft.fftn(x)
    H = np.fft.fftn(h, s=x.shape, axes=range(x.ndim))
    y = np.fft.ifftn(X * (H if op == "convolve" else np.conj(H)))
    if np.result_type(in1, in2).kind != "c":
        return y.real
    return y


def batched(func, in1, in2, axes):
    """``func(in1_item, in2_item)`` looped over the broadcast non-convolved axes.

    ``func`` works on arrays whose axes are all convolved (the convolved axes
    of in1/in2 in increasing order); the result has them put back in place.
    """
    x = np.asarray(in1)
    h = np.asarray(in2)
    ndim = x.ndim
    axes = sorted(a % ndim for a in np.atleast_1d(axes))
    nc = len(axes)
    last = list(range(ndim - nc, ndim))
    xm = np.moveaxis(x, axes, last)
    hm = np.moveaxis(h, axes, last)
    nb = ndim - nc
    bshape = np.broadcast_shapes(xm.shape[:nb], hm.shape[:nb])
    xb = np.broadcast_to(xm, bshape + xm.shape[nb:])
    hb = np.broadcast_to(hm, bshape + hm.shape[nb:])
    items = [np.asarray(func(xb[i], hb[i])) for i in np.ndindex(*bshape)]
    out = np.stack(items).reshape(bshape + items[0].shape)
    return np.moveaxis(out, last, axes)


# --------------------------------------------------------------------------
# Pooling

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
