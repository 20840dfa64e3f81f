"""Convolution, correlation and pooling of Dask arrays, chunk by chunk.

The functions of this module take a :class:`dask.array.Array` (the signal
or volume, any size, any chunks) and an in-memory kernel, and return a
Dask array, lazily: nothing is computed until ``.compute()``, ``.persist()``
or ``.to_zarr()``. They have the names, signatures and options of their
in-memory namesakes -- ``mode``, ``boundary``, ``stride``, ``axes``,
``method`` -- and give the same results, for every mode and boundary.

Each output chunk is one task. It gathers from the input chunks exactly
the elements its outputs read -- its own region plus the halo that the
kernel size, the mode's offset and the stride call for, with the
boundary's extension computed at the edges of the array even where a
reflection or a wrap reaches into other chunks -- and runs the in-memory
function on them (``mode='valid'`` on the gathered block). Output chunks
follow the input chunks, so ``full`` and ``valid`` output, strides and
pooling change the chunk lengths without leaving empty chunks.

dask is an optional dependency (``pip install 'sigconv[dask]'``), imported
when a function is first called; importing this module needs only numpy
(the examples of the functions need dask and are skipped without it).

>>> import sigconv.dask
>>> sigconv.dask.halo(5)     # what a 5-tap kernel reads around a chunk
(2, 2)
"""
import functools
import itertools

import numpy as np

from . import _halo
from ._backends import METHODS
from ._boundary import FILL
from ._dtypes import exact_sum_dtype, result_dtype
from ._optional import require
from ._problem import make_problem, normalize_axes

#: optional packages the examples of this module's docstrings need
__doctest_requires__ = ("dask.array",)

__all__ = ["convolve", "correlate", "normalized_correlate", "pool", "autocorrelate", "halo"]


_dask_array = functools.partial(require, "dask.array", "sigconv.dask", "dask")


def halo(size):
    """Elements a chunk's task reads before and after the chunk along one axis.

    Parameters
    ----------
    size : int
        Kernel (template, pooling span) length along the axis.

    Returns
    -------
    before, after : int
        ``size // 2`` and ``size - 1 - size // 2``.

    Notes
    -----
    An output is *anchored* at the input position under its kernel's
    centre: output ``o`` reads extended positions ``o * stride + lo`` to
    ``o * stride + lo + size - 1`` (:mod:`sigconv._problem`; ``lo`` is the
    mode's offset) and is anchored at ``o * stride + lo + size // 2``. Each
    output chunk holds the outputs anchored in one input chunk, so it reads
    at most ``before`` elements before that chunk and ``after`` after it,
    whatever the mode and stride: the mode only decides which anchors
    exist (``full`` adds ``size - 1`` of them beyond the array, ``valid``
    drops as many), and the stride how many. Beyond the ends of the array
    the boundary rule supplies the halo. Chunks many times longer than the
    halo keep the extra reads small: see :doc:`/volumes`.

    Examples
    --------
    >>> halo(7)
    (3, 3)
    >>> halo(4)
    (2, 1)
    """
    size = int(size)
    if size < 1:
        raise ValueError("size must be >= 1, got %d" % size)
    return size // 2, size - 1 - size // 2


def _shaped(shape, dtype):
    """A zero-stride array of ``shape`` and ``dtype`` (no memory): for validation."""
    return np.lib.stride_tricks.as_strided(np.zeros(1, dtype=dtype), shape=tuple(shape),
                                           strides=(0,) * len(shape))


def _as_dask(x, da):
    if isinstance(x, da.Array):
        return x
    return da.asarray(np.asarray(x))


def _in_memory(k, da):
    """The kernel (template) as a numpy array; a Dask kernel is computed."""
    if isinstance(k, da.Array):
        k = k.compute()
    return np.asarray(k)


# --------------------------------------------------------------------------
# One task per output chunk

def _assemble(shape, dtype, fill, places, parts):
    """The block from its pieces (a view of one chunk when it is all of it)."""
    if len(parts) == 1 and fill is None and places[0][0] is None:
        return parts[0][places[0][1]]
    if fill is None:
        block = np.empty(shape, dtype=dtype)
    else:
        block = np.full(shape, fill, dtype=dtype)
    for part, (dst, src) in zip(parts, places):
        block[dst] = part[src]
    return block


def _task(func, shape, dtype, fill, places, infos, parts, kernel=None):
    block = _assemble(shape, dtype, fill, places, parts)
    return func(block, infos, kernel)


def _blocked(x, axis_blocks, func, dtype, name, *, kernel=None, fill=None, block_dtype=None,
             token_args=()):
    """A Dask array whose chunk ``i`` is ``func(block_i, infos_i, kernel)``.

    ``axis_blocks[a]`` lists, per output chunk along axis ``a``,
    ``(pieces, length, info, n_out)``: the pieces (:func:`_halo.pieces`)
    that assemble the block's extent ``length`` from ``x``'s chunks along
    that axis, what ``func`` needs to know about it, and the length of the
    output chunk. Elements no piece covers hold ``fill``.
    """
    da = _dask_array()
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    token = tokenize(x.name, name, axis_blocks, kernel, fill, str(dtype), token_args)
    out_name = "sigconv-%s-%s" % (name, token)
    block_dtype = x.dtype if block_dtype is None else np.dtype(block_dtype)
    dsk = {}
    kname = None
    if kernel is not None:
        kname = "sigconv-kernel-" + token
        dsk[kname] = kernel
    for index in itertools.product(*(range(len(b)) for b in axis_blocks)):
        chosen = [axis_blocks[a][i] for a, i in enumerate(index)]
        shape = tuple(c[1] for c in chosen)
        infos = tuple(c[2] for c in chosen)
        keys, places = [], []
        needs_fill = False
        for combo in itertools.product(*(c[0] for c in chosen)):
            if any(c is None for _, _, c, _ in combo):
                needs_fill = True
                continue
            keys.append((x.name,) + tuple(c for _, _, c, _ in combo))
            dst = tuple(slice(d0, d1) for d0, d1, _, _ in combo)
            src = tuple(s for _, _, _, s in combo)
            places.append((dst, src))
        whole = (len(places) == 1 and not needs_fill and all(
            d.start == 0 and d.stop == n for d, n in zip(places[0][0], shape)))
        if whole:
            places = [(None, places[0][1])]
        call = functools.partial(_task, func, shape, block_dtype,
                                 fill if needs_fill else None, places, infos)
        if kname is None:
            dsk[(out_name,) + index] = (call, keys)
        else:
            dsk[(out_name,) + index] = (call, keys, kname)
    chunks = tuple(tuple(c[3] for c in b) for b in axis_blocks)
    graph = HighLevelGraph.from_collections(out_name, dsk, dependencies=[x])
    return da.Array(graph, out_name, chunks=chunks, dtype=dtype)


def _pass_through(x, a):
    """Blocks following ``x``'s chunks along axis ``a`` (info: the chunk's range)."""
    bounds = _halo.chunk_bounds(x.chunks[a])
    return [([(0, c1 - c0, i, slice(None))], c1 - c0, slice(c0, c1), c1 - c0)
            for i, (c0, c1) in enumerate(zip(bounds, bounds[1:]))]


def _whole_axis(x, a, n_out=None):
    """One block holding all of axis ``a`` (``n_out`` outputs, default its length)."""
    bounds = _halo.chunk_bounds(x.chunks[a])
    return [([(c0, c1, i, slice(None)) for i, (c0, c1) in enumerate(zip(bounds, bounds[1:]))],
             x.shape[a], slice(None), x.shape[a] if n_out is None else n_out)]


def _windowed_axis(x, a, n_out, lo, step, taps, boundary, anchor):
    """Blocks of ``n_out`` outputs along axis ``a``, output ``o`` reading
    extended positions ``o * step + lo .. o * step + lo + taps - 1``."""
    n = x.shape[a]
    bounds = _halo.chunk_bounds(x.chunks[a])
    sizes = _halo.output_chunks(bounds, n_out,
                                lambda b: -(-(b - lo - anchor) // step))
    blocks = []
    o0 = 0
    for m in sizes:
        o1 = o0 + m
        start, stop = o0 * step + lo, (o1 - 1) * step + lo + taps
        runs = _halo.axis_runs(start, stop, n, boundary)
        # the fill before and after the array's elements, if any
        pads = (runs[0][2] if runs[0][1] < 0 else 0, runs[-1][2] if runs[-1][1] < 0 else 0)
        blocks.append((_halo.pieces(runs, bounds), stop - start, pads, m))
        o0 = o1
    return blocks


def _batch_axis(x, a, n_kernel):
    """Blocks along a broadcast (not convolved) axis; info: the kernel's slice."""
    n = x.shape[a]
    if n == 1 and n_kernel > 1:
        return [([(0, 1, 0, slice(None))], 1, slice(None), n_kernel)]
    blocks = _pass_through(x, a)
    if n_kernel == 1:
        blocks = [(p, length, slice(None), m) for p, length, _, m in blocks]
    return blocks


# --------------------------------------------------------------------------
# convolve / correlate

def _check_method(method):
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(m) for m in METHODS), method))


def _conv_block(op, method, axes, step, workers, zero_fill, block, infos, kernel):
    from . import convolution
    from .plan import _all_finite
    sel = tuple(slice(None) if a in axes else info for a, info in enumerate(infos))
    func = convolution.convolve if op == "convolve" else convolution.correlate
    kernel = kernel[sel]
    pads = [infos[a] for a in axes]
    if zero_fill and any(p != (0, 0) for p in pads) and block.dtype.kind in "fc" and \
            not _all_finite(kernel):
        # as in memory: the zeros beyond the array contribute no terms (no
        # 0 * inf); the 'full' result of the array's own elements, cropped
        inner = [slice(None)] * block.ndim
        for a, (p0, p1) in zip(axes, pads):
            inner[a] = slice(p0, block.shape[a] - p1)
        real = block[tuple(inner)]
        full = func(real, kernel, "full", method, axes=axes, workers=workers)
        crop = [slice(None)] * block.ndim
        for i, (a, (p0, p1)) in enumerate(zip(axes, pads)):
            k = kernel.shape[a]
            m = -(-(block.shape[a] - k + 1) // step[i])
            first = k - 1 - p0
            crop[a] = slice(first, first + (m - 1) * step[i] + 1, step[i])
        return np.ascontiguousarray(full[tuple(crop)])
    return func(block, kernel, "valid", method, axes=axes, stride=step, workers=workers)


def _conv_whole(op, mode, method, boundary, fillvalue, axes, stride, workers, block, infos,
                kernel):
    from . import convolution
    func = convolution.convolve if op == "convolve" else convolution.correlate
    return func(block, kernel, mode, method, boundary=boundary, fillvalue=fillvalue,
                axes=axes, stride=stride, workers=workers)


def _run(op, in1, in2, mode, method, boundary, fillvalue, axes, stride, workers):
    da = _dask_array()
    x = _as_dask(in1, da)
    k = _in_memory(in2, da)
    _check_method(method)
    problem, signal, _ = make_problem(_shaped(x.shape, x.dtype), k, op=op, mode=mode,
                                      boundary=boundary, fillvalue=fillvalue, axes=axes,
                                      stride=stride, check_memory=False)
    dtype = problem.out_dtype
    if problem.swapped or x.ndim == 0 or 0 in problem.out_shape:
        # 'valid' with the kernel the larger input (a result smaller than the
        # kernel, which is in memory anyway), or nothing to compute: one task
        func = functools.partial(_conv_whole, op, mode, method, boundary, fillvalue, axes,
                                 stride, workers)
        blocks = [_whole_axis(x, a, problem.out_shape[a]) for a in range(x.ndim)]
        return _blocked(x, blocks, func, dtype, op, kernel=k,
                        token_args=(mode, method, boundary, fillvalue, axes, stride, workers))
    blocks = []
    for a in range(x.ndim):
        if a in problem.axes:
            i = problem.axes.index(a)
            taps = problem.k_shape[i]
            blocks.append(_windowed_axis(x, a, problem.out_conv_shape[i], problem.lo[i],
                                         problem.step[i], taps, problem.boundary, taps // 2))
        else:
            blocks.append(_batch_axis(x, a, k.shape[a]))
    block_dtype = x.dtype
    fill = problem.fillvalue
    if problem.boundary == FILL and np.asarray(fill).astype(x.dtype) != fill:
        block_dtype = dtype
    zero_fill = problem.boundary == FILL and problem.fillvalue == 0
    func = functools.partial(_conv_block, op, method, problem.axes, problem.step, workers,
                             zero_fill)
    out = _blocked(x, blocks, func, dtype, op, kernel=k, fill=fill, block_dtype=block_dtype,
                   token_args=(mode, method, problem.boundary, problem.axes, problem.step,
                               workers))
    assert out.shape == problem.out_shape, (out.shape, problem.out_shape)
    return out


_SHARED = """
    Parameters
    ----------
    in1 : dask.array.Array or array_like
        The signal or volume, chunked as you like (a numpy array is wrapped).
    in2 : array_like
        The kernel, held in memory and sent once to every worker (a Dask
        array is computed first).
    mode, method, boundary, fillvalue, axes, stride, workers
        As in :func:`sigconv.{name}`. ``workers`` are the threads of each
        task: with one Dask thread per core, ``workers=1`` avoids
        oversubscribing the cores.

    Returns
    -------
    out : dask.array.Array
        Lazy; equal, once computed, to ``sigconv.{name}(in1, in2, ...)``
        on the same data. Its chunks follow ``in1``'s along every axis.

    Raises
    ------
    ValueError, TypeError
        As the in-memory function, at the call (not at compute time).
    ImportError
        dask is not installed.

    Notes
    -----
    Along a convolved axis of length ``N`` with a kernel of length ``K``,
    output ``o`` reads the extended positions ``o * stride + lo`` to
    ``o * stride + lo + K - 1`` (``lo = -(K - 1)`` for ``full``,
    ``(K - 1) // 2 - (K - 1)`` for ``same``, 0 for ``valid``): a chunk's
    task reads its own elements and at most ``K - 1`` more around them
    (:func:`halo`), taken from the neighbouring chunks or, beyond the ends
    of the array, from the boundary rule -- the far end of the array for
    ``wrap`` and ``circular``, the mirrored elements for ``symm`` and
    ``reflect`` (wherever they lie). ``valid`` with a kernel larger than
    the signal is one task.
    """


def convolve(in1, in2, mode="full", method="auto", *, boundary="fill", fillvalue=0,
             axes=None, stride=1, workers=None):
    return _run("convolve", in1, in2, mode, method, boundary, fillvalue, axes, stride,
                workers)


convolve.__doc__ = """Convolve a Dask array with an in-memory kernel, lazily.
""" + _SHARED.format(name="convolve") + """
    Examples
    --------
    >>> import dask.array as da
    >>> import sigconv.dask
    >>> x = da.arange(10.0, chunks=4)
    >>> y = sigconv.dask.convolve(x, [1.0, 2.0, 1.0], "same", boundary="symm")
    >>> y.chunks
    ((4, 4, 2),)
    >>> y.compute()
    array([ 1.,  4.,  8., 12., 16., 20., 24., 28., 32., 35.])
    """


def correlate(in1, in2, mode="full", method="auto", *, boundary="fill", fillvalue=0,
              axes=None, stride=1, workers=None):
    return _run("correlate", in1, in2, mode, method, boundary, fillvalue, axes, stride,
                workers)


correlate.__doc__ = """Cross-correlate a Dask array with an in-memory template, lazily.
""" + _SHARED.format(name="correlate") + """
    Examples
    --------
    >>> import dask.array as da
    >>> import sigconv.dask
    >>> x = da.arange(6, chunks=2)
    >>> sigconv.dask.correlate(x, [1, 2], "circular").compute()
    array([ 2,  5,  8, 11, 14,  5])
    """


# --------------------------------------------------------------------------
# normalized_correlate

def _ncc_block(axes, workers, block, infos, template):
    from .correlation import normalized_correlate as ncc
    sel = tuple(slice(None) if a in axes else info for a, info in enumerate(infos))
    return ncc(block, template[sel], "valid", axes=axes, workers=workers)


def normalized_correlate(x, template, mode="valid", *, axes=None, workers=None):
    """Zero-normalized cross-correlation of a Dask array with a template, lazily.

    Parameters
    ----------
    x : dask.array.Array or array_like
        The signal, image or volume (real).
    template : array_like
        The template, in memory.
    mode, axes, workers
        As in :func:`sigconv.normalized_correlate`: ``same`` and ``full``
        extend ``x`` with zeros.

    Returns
    -------
    score : dask.array.Array
        Lazy Pearson coefficients, float32 or float64 as in memory.

    Raises
    ------
    ValueError, TypeError
        As :func:`sigconv.normalized_correlate`, at the call; non-finite
        values raise when the chunk holding them is computed.

    Notes
    -----
    Each output chunk scores its windows from its own elements plus the
    ``K - 1`` around them that its windows reach (zeros beyond the array).
    A score does not depend on anything outside its window, so the chunks
    agree with the in-memory result, up to rounding, except the flatness
    test, whose scale (the mean square of the data) is each block's own.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> import sigconv.dask
    >>> x = da.from_array(np.array([0.0, 1, 2, 1, 0, 0, 0, 4, 2]), chunks=4)
    >>> sigconv.dask.normalized_correlate(x, [0.0, 1, 2]).compute()
    array([ 1.       ,  0.       , -1.       , -0.8660254,  0.       ,
            0.8660254,  0.5      ])
    """
    from .correlation import check_ncc_arguments
    da = _dask_array()
    x = _as_dask(x, da)
    t = _in_memory(template, da)
    dtype, axes = check_ncc_arguments(x, t, mode, axes)
    blocks = []
    for a in range(x.ndim):
        n, k = x.shape[a], t.shape[a]
        if a not in axes:
            if n != k and 1 not in (n, k):
                raise ValueError("x and template have incompatible lengths %d and %d along "
                                 "the non-matched axis %d" % (n, k, a))
            blocks.append(_batch_axis(x, a, k))
            continue
        if mode == "valid" and k > n:
            raise ValueError("in 'valid' mode the template must fit in x: length %d "
                             "> %d along axis %d" % (k, n, a))
        lo = {"valid": 0, "same": -(k // 2), "full": -(k - 1)}[mode]
        n_out = {"valid": n - k + 1, "same": n, "full": n + k - 1}[mode]
        blocks.append(_windowed_axis(x, a, n_out, lo, 1, k, FILL, k // 2))
    func = functools.partial(_ncc_block, axes, workers)
    return _blocked(x, blocks, func, dtype, "normalized_correlate", kernel=t,
                    fill=x.dtype.type(0), token_args=(mode, axes, workers))


# --------------------------------------------------------------------------
# pool

def _pool_block(kwargs, axes, block, infos, _):
    from .pooling import pool as pool_
    padding = tuple(infos[a][0] for a in axes)
    out = pool_(block, padding=padding, axes=axes, **kwargs)
    sel = tuple(slice(None) if infos[a] is None else infos[a][1] for a in range(block.ndim))
    return out[sel]


def _pool_axis(x, a, n_out, size, stride, padding, dilation):
    """Blocks of windows along a pooled axis; info: (padding, outputs kept)."""
    n = x.shape[a]
    span = dilation * (size - 1) + 1
    bounds = _halo.chunk_bounds(x.chunks[a])
    sizes = _halo.output_chunks(bounds, n_out,
                                lambda b: -(-(b + padding - span // 2) // stride))
    blocks = []
    o0 = 0
    q = (-padding) % stride
    for m in sizes:
        o1 = o0 + m
        start, stop = o0 * stride - padding, (o1 - 1) * stride - padding + span
        if start >= 0 and stop <= n:
            g, e, pad, keep = start, stop, 0, slice(None)
        else:
            # the block reaches into the padding: the in-memory call pads it,
            # its first window aligned with the wanted ones (g a multiple of
            # the stride) and the extra windows dropped
            g = max(0, start - q) if start >= 0 else 0
            e = min(stop, n)
            first = o0 - g // stride
            g, pad, keep = g, padding, slice(first, first + m)
        runs = _halo.axis_runs(g, e, n, FILL)
        blocks.append((_halo.pieces(runs, bounds), e - g, (pad, keep), m))
        o0 = o1
    return blocks


def pool(x, size, op="max", *, stride=None, padding=0, dilation=1, ceil_mode=False,
         axes=None, p=2, count_include_pad=True, return_indices=False, workers=None):
    """Pool a Dask array (max, min, sum, average, Lp norm), lazily.

    Parameters
    ----------
    x : dask.array.Array or array_like
        The input.
    size, op, stride, padding, dilation, ceil_mode, axes, p, count_include_pad, workers
        As in :func:`sigconv.pool`.
    return_indices : bool, optional
        Not available on Dask arrays (False only).

    Returns
    -------
    out : dask.array.Array
        Lazy; equal, once computed, to ``sigconv.pool(x, size, ...)``.

    Raises
    ------
    ValueError, TypeError
        As :func:`sigconv.pool`, at the call.
    NotImplementedError
        ``return_indices=True``.

    Notes
    -----
    Each output chunk holds whole windows: its task reads every element
    its windows cover, across chunk boundaries, and the padding (implicit,
    as in memory) only where the array ends, so no window is ever cut by
    a chunk boundary.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> import sigconv.dask
    >>> x = da.from_array(np.arange(12.0).reshape(3, 4), chunks=(2, 3))
    >>> sigconv.dask.pool(x, 2, "avg", ceil_mode=True).compute()
    array([[ 2.5,  4.5],
           [ 8.5, 10.5]])
    """
    from . import pooling
    da = _dask_array()
    x = _as_dask(x, da)
    if return_indices:
        raise NotImplementedError("return_indices is not available on Dask arrays; "
                                  "compute the chunk you need and call sigconv.pool")
    pooling._check_dtype(x.dtype)
    if x.ndim == 0:
        raise ValueError("cannot pool a 0-dimensional array")
    win = pooling._window(x.shape, size, stride, padding, dilation, bool(ceil_mode), axes)
    kwargs = dict(size=win.size, op=op, stride=win.stride, dilation=win.dilation,
                  ceil_mode=bool(ceil_mode), p=p, count_include_pad=count_include_pad,
                  workers=workers)
    # validates op, p and the dtype, and gives the result's dtype
    probe_shape = [1] * x.ndim
    for a, k, d in zip(win.axes, win.size, win.dilation):
        probe_shape[a] = d * (k - 1) + 1
    dtype = pooling.pool(np.zeros(probe_shape, dtype=x.dtype), padding=0, axes=win.axes,
                         **kwargs).dtype
    blocks = []
    for a in range(x.ndim):
        if a in win.axes:
            i = win.axes.index(a)
            blocks.append(_pool_axis(x, a, win.m[i], win.size[i], win.stride[i],
                                     win.padding[i], win.dilation[i]))
        else:
            blocks.append([(pc, length, None, m) for pc, length, _, m in _pass_through(x, a)])
    func = functools.partial(_pool_block, kwargs, win.axes)
    return _blocked(x, blocks, func, dtype, "pool",
                    token_args=(tuple(sorted(kwargs.items())), win))


# --------------------------------------------------------------------------
# autocorrelate

def _auto_whole(kwargs, nb, axes, block, infos, _):
    from .correlation import autocorrelate as auto
    return auto(block, axes=axes, **kwargs)


def _auto_partial(lags, conv, method, workers, block, infos, _):
    """Sums over this chunk's elements of ``x[n + l] conj(x[n])`` for every lag ``l``."""
    from .convolution import correlate as corr
    core = block[(Ellipsis,) + tuple(slice(m, block.shape[c] - m)
                                     for m, c in zip(lags, conv))]
    return corr(block, core, "valid", method, axes=conv, workers=workers)


def _auto_finish(how, lengths, ranges, r):
    from ._backends.correlation import _normalize
    return _normalize(r, how, lengths, ranges, False)


def autocorrelate(x, mode="full", *, maxlag=None, normalize=None, axes=None, method="auto",
                  workers=None, return_lags=False):
    """Autocorrelation of a Dask array along some or all of its axes, lazily.

    Parameters
    ----------
    x : dask.array.Array or array_like
        The input.
    mode, maxlag, normalize, axes, method, workers, return_lags
        As in :func:`sigconv.autocorrelate`.

    Returns
    -------
    r : dask.array.Array
        Lazy; equal, once computed, to ``sigconv.autocorrelate(x, ...)``.
        The batch axes keep their chunks; the lag axes are one chunk each.
    lags : ndarray or tuple of ndarray
        With ``return_lags``: the lags, as :func:`sigconv.autocorrelate`
        gives them (numpy arrays).

    Raises
    ------
    ValueError, TypeError
        As :func:`sigconv.autocorrelate`, at the call.

    Notes
    -----
    An autocorrelation is a function of the whole axis, not of a
    neighbourhood, and this function takes one of two routes:

    * with ``maxlag`` (``m``), a reduction: each chunk correlates its own
      elements with themselves extended by ``m`` elements on both sides of
      every autocorrelated axis (zeros beyond the array), which gives its
      share of the lags ``-m .. m``; the shares are summed across chunks
      (a tree reduction) and normalised at the end. Memory per task is a
      chunk plus its halo, whatever the length of the axis: the way to go
      for a signal larger than memory.
    * otherwise (every lag, ``same``, ``valid``, ``circular``), each
      autocorrelated axis is gathered into one chunk (the batch axes keep
      theirs) and the in-memory function runs on it -- by FFT for long
      axes, which :mod:`dask.array.fft` would also need whole. The
      autocorrelated axes of one batch chunk must then fit in memory.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> import sigconv.dask
    >>> x = da.arange(10.0, chunks=3)
    >>> sigconv.dask.autocorrelate(x, maxlag=2).compute()
    array([196., 240., 285., 240., 196.])
    >>> sigconv.dask.autocorrelate(x, normalize="coeff")[9:12].compute()
    array([1.        , 0.84210526, 0.6877193 ])
    >>> r, lags = sigconv.dask.autocorrelate(x, maxlag=1, return_lags=True)
    >>> lags
    array([-1,  0,  1])
    """
    from . import correlation as c
    da = _dask_array()
    x = _as_dask(x, da)
    if x.ndim == 0:
        raise ValueError("autocorrelate needs an array of at least 1 dimension")
    out_dtype = result_dtype(_shaped((), x.dtype), _shaped((), x.dtype))
    c._check_mode(mode)
    if not (normalize is None or isinstance(normalize, str)) or \
            normalize not in c.NORMALIZATIONS:
        raise ValueError("normalize must be one of None, 'biased', 'unbiased', 'coeff', "
                         "got %r" % (normalize,))
    if not isinstance(method, str) or method not in c.AUTO_METHODS:
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(m) for m in c.AUTO_METHODS), method))
    axes = normalize_axes(axes, x.ndim)
    if x.size == 0:
        raise ValueError("autocorrelate needs a non-empty array, got shape %s" % (x.shape,))
    lengths = [x.shape[a] for a in axes]
    ms = c._maxlags(maxlag, lengths, mode)
    ranges = [c._lag_range(n, mode, m) for n, m in zip(lengths, ms)]
    r = _autocorrelate(da, x, mode, ms, normalize, axes, method, workers, out_dtype, lengths,
                       ranges, maxlag is None)
    if not return_lags:
        return r
    lags = tuple(np.arange(lo, hi + 1) for lo, hi in ranges)
    return r, (lags[0] if len(axes) == 1 else lags)


def _autocorrelate(da, x, mode, ms, normalize, axes, method, workers, out_dtype, lengths,
                   ranges, whole):
    from . import correlation as c
    out_shape = list(x.shape)
    for a, (lo, hi) in zip(axes, ranges):
        out_shape[a] = hi - lo + 1
    exact = None
    if out_dtype.kind in "biu" and normalize is None:
        # integers: the exact sums in the dtype that holds them, as in memory
        terms = 1
        for n in lengths:
            terms *= n
        exact = exact_sum_dtype(x.dtype, terms, x.dtype)
    if whole:
        kwargs = dict(mode=mode, normalize=normalize, method=method, workers=workers)
        if normalize is None:
            dtype = out_dtype if exact is None else exact
        else:
            dtype = c.autocorrelate(np.ones((1,) * x.ndim, dtype=x.dtype),
                                    normalize=normalize).dtype
        blocks = []
        for a in range(x.ndim):
            blocks.append(_whole_axis(x, a, out_shape[a]) if a in axes else
                          [(pc, length, None, m) for pc, length, _, m in _pass_through(x, a)])
        func = functools.partial(_auto_whole, kwargs, None, axes)
        return _blocked(x, blocks, func, dtype, "autocorrelate",
                        token_args=(tuple(sorted(kwargs.items())), axes))

    # the reduction over chunks, in the canonical layout (lag axes last)
    nb = x.ndim - len(axes)
    if out_dtype.kind in "biu":
        x = x.astype(np.int64)
        out_dtype = np.dtype(np.int64)
    xc = da.moveaxis(x, axes, range(nb, x.ndim)) if axes != tuple(range(nb, x.ndim)) else x
    conv = tuple(range(nb, x.ndim))
    blocks = []
    for a in range(x.ndim):
        if a < nb:
            blocks.append([(pc, length, None, m) for pc, length, _, m in _pass_through(xc, a)])
            continue
        m = ms[a - nb]
        bounds = _halo.chunk_bounds(xc.chunks[a])
        axis = []
        for c0, c1 in zip(bounds, bounds[1:]):
            runs = _halo.axis_runs(c0 - m, c1 + m, xc.shape[a], FILL)
            axis.append((_halo.pieces(runs, bounds), c1 - c0 + 2 * m, None, 2 * m + 1))
        blocks.append(axis)
    func = functools.partial(_auto_partial, tuple(ms), conv, method, workers)
    shares = _blocked(xc, blocks, func, out_dtype, "autocorrelate-shares",
                      fill=xc.dtype.type(0), token_args=(tuple(ms), method, workers))
    grid = [range(len(b)) for b in blocks[nb:]]
    parts = [shares.blocks[(slice(None),) * nb + idx] for idx in itertools.product(*grid)]
    r = parts[0] if len(parts) == 1 else da.stack(parts).sum(axis=0, dtype=out_dtype)
    if normalize is not None:
        fdt = np.result_type(out_dtype, np.float64) if out_dtype.kind not in "fc" else \
            out_dtype
        r = r.rechunk({a: -1 for a in conv}).map_blocks(
            functools.partial(_auto_finish, normalize, lengths, ranges), dtype=fdt)
    if exact is not None:
        r = r.astype(exact)
    if axes != conv:
        r = da.moveaxis(r, conv, axes)
    return r
