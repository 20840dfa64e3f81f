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
"""
import itertools

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
    x = np.asarray(in1)
    h = np.asarray(in2)
    assert x.ndim == h.ndim
    out_dtype = np.result_type(x, h)
    rd = reference_dtype(out_dtype)
    xr = x.astype(rd)
    hr = h.astype(rd)
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
    x = np.asarray(in1)
    h = np.asarray(in2)
    assert x.ndim == h.ndim
    out_dtype = np.result_type(x, h)
    rd = reference_dtype(out_dtype)
    xr = x.astype(rd)
    hr = h.astype(rd)
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
