"""The FFT method: the convolution theorem through :mod:`scipy.fft`.

A :class:`~sigconv._problem.Problem` asks, per convolved axis, for the
strided valid correlation ``out[o] = sum_k w[k] * X[o * step + lo + k]`` of
the part ``x'`` of the extended signal under the windows; with ``v = w``
reversed that is ``(x' * v)[n0 + o * step]``, a slice of a linear
convolution, which a cyclic convolution of any period
``P >= max(len(x') + K - 1 - n0, n1)`` reproduces on the outputs
``[n0, n1)``. ``P`` is the fastest length above that bound by the
transform-length model below (:func:`fast_lengths`).

The ``fill`` boundary with a zero fill value transforms a view of the signal
(the transform's own zero padding is the extension); any other boundary is
written into an array of the part's size by index arithmetic
(:func:`sigconv._boundary.map_index`). ``circular`` mode transforms at the
period, the kernel folded onto it. Forward transforms skip the lines that
hold no data and inverse transforms crop to the kept outputs before the next
axis; the spectrum product is formed in place (:mod:`sigconv._ext._spectral`).
Integer and bool inputs are transformed in float64 and rounded back only
when :func:`integer_error_bound` guarantees the exact integer.

The derivation, the transform-length model, the accuracy and the measured
memory use are in ``docs/fft_method.rst``.
"""
import itertools
import threading

import numpy as np
import scipy.fft as sfft

from .._boundary import FILL, map_index
from .._ext import _spectral
from .._threads import resolve_workers
from ._layout import batch_indices, finish  # noqa: F401 (finish: also oa's)
# the length model, also reached through this module by its older importers
from ._lengths import (  # noqa: F401
    FACTOR_EXTRA, MODEL_MIN_LENGTH, _kind, fast_lengths, fft_work, good_length,
    good_lengths, is_single, length_units, transform_units)


# --------------------------------------------------------------------------
# dtypes, geometry
# --------------------------------------------------------------------------

def transform_dtypes(problem):
    """(real dtype, complex dtype) the transforms of ``problem`` run in."""
    return result_transform_dtypes(problem.out_dtype)


def result_transform_dtypes(out):
    """(real dtype, complex dtype) the transforms of a result of dtype ``out`` run in."""
    if out.kind in "biu":
        real = np.dtype(np.float64)
    else:
        bits = out.itemsize * (4 if out.kind == "c" else 8)
        real = np.dtype(np.float32 if bits <= 32 else np.float64 if bits == 64
                        else np.longdouble)
    return real, np.result_type(real, np.complex64)


class AxisPlan:
    """How one convolved axis is evaluated (linear modes).

    ``start``, ``stop``: the part of the extended signal that is transformed,
    in the signal's coordinates (positions outside ``[0, N)`` are boundary
    extension); ``n0``, ``count``, ``step``: the outputs are entries
    ``n0, n0 + step, ...`` (``count`` unstrided positions) of the linear
    convolution of that part with the kernel; ``size``: the least
    alias-free transform length.
    """

    __slots__ = ("N", "K", "start", "stop", "n0", "count", "step", "size")

    def __init__(self, N, K, M, step, lo, zero_fill):
        E = (M - 1) * step + K
        start, stop = lo, lo + E
        if zero_fill:
            start, stop = max(start, 0), min(stop, N)
        self.N, self.K, self.step = N, K, step
        self.start, self.stop = start, stop
        n = stop - start
        self.n0 = K - 1 - (start - lo)
        self.count = (M - 1) * step + 1
        self.size = max(n + K - 1 - self.n0, self.n0 + self.count, K, n, 1)

    @property
    def length(self):
        """Samples of the transformed part of the signal."""
        return self.stop - self.start

    def outputs(self):
        return slice(self.n0, self.n0 + self.count, self.step)


def linear_axes(problem):
    """One :class:`AxisPlan` per convolved axis (not for ``circular`` mode)."""
    zero_fill = problem.boundary == FILL and problem.fillvalue == 0
    return [AxisPlan(N, K, M, s, lo, zero_fill)
            for N, K, M, s, lo in zip(problem.x_shape, problem.k_shape,
                                      problem.out_conv_shape, problem.step, problem.lo)]


# --------------------------------------------------------------------------
# Loading the transform buffers
# --------------------------------------------------------------------------

def canonical_view(a, problem):
    """``a`` with the convolved axes moved last (a view)."""
    axes, ndim = problem.axes, problem.ndim
    last = tuple(range(ndim - len(axes), ndim))
    return a if axes == last else np.moveaxis(a, axes, last)


def _segments(start, stop, N):
    """Pieces of ``[start, stop)``: (dest slice, source slice or index array)."""
    out = []
    inner0, inner1 = max(start, 0), min(stop, N)
    if start < min(stop, 0):
        out.append((slice(0, min(stop, 0) - start), np.arange(start, min(stop, 0))))
    if inner0 < inner1:
        out.append((slice(inner0 - start, inner1 - start), slice(inner0, inner1)))
    if max(start, N) < stop:
        lo = max(start, N)
        out.append((slice(lo - start, stop - start), np.arange(lo, stop)))
    return out


def load_signal(dest, x, spans, boundary, fill):
    """Write the extended signal into ``dest``.

    ``x``: signal, convolved axes last; ``spans``: per convolved axis the
    ``(start, stop)`` of the part to write (signal coordinates; positions
    outside the signal are extension by ``boundary``); ``dest``: an array
    whose convolved axes have exactly those lengths. The interior is copied
    from ``x`` in place (cast to ``dest``'s dtype); the border pieces are
    gathered by index (small temporaries of the border's size) or set to
    ``fill``.
    """
    nconv = len(spans)
    nb = x.ndim - nconv
    pieces = [_segments(a, b, N) for (a, b), N in zip(spans, x.shape[nb:])]
    lead = (slice(None),) * nb
    for combo in itertools.product(*pieces):
        dsel = lead + tuple(d for d, _ in combo)
        border = [i for i, (_, s) in enumerate(combo) if not isinstance(s, slice)]
        if border and boundary == FILL:
            dest[dsel] = fill
            continue
        src = x[lead + tuple(s if isinstance(s, slice) else slice(None) for _, s in combo)]
        for i in border:
            idx = map_index(combo[i][1], x.shape[nb + i], boundary)
            src = np.take(src, idx, axis=nb + i)
        dest[dsel] = src


def kernel_view(problem, kernel):
    """``v``, the kernel the signal is linearly convolved with (a view).

    ``in2`` itself for a convolution; reversed for a correlation (the
    conjugate is taken after loading).
    """
    v = canonical_view(kernel, problem)
    if not problem.flip_kernel:
        v = v[(Ellipsis,) + (slice(None, None, -1),) * len(problem.axes)]
    return v


def fold_kernel(v, periods, dtype):
    """``v`` folded to ``periods`` along its last axes: sums of the pieces."""
    nconv = len(periods)
    nb = v.ndim - nconv
    v = np.asarray(v, dtype=dtype)
    for i, N in enumerate(periods):
        ax = nb + i
        K = v.shape[ax]
        if K <= N:
            continue
        m = -(-K // N)
        if m * N != K:
            widths = [(0, 0)] * v.ndim
            widths[ax] = (0, m * N - K)
            v = np.pad(v, widths)
        v = v.reshape(v.shape[:ax] + (m, N) + v.shape[ax + 1:]).sum(axis=ax)
    return v


# --------------------------------------------------------------------------
# Spectra
# --------------------------------------------------------------------------

def spectral_product(X, H, problem, conj, nthreads, block_rows=1, keep_h=False):
    """``X * H`` (``X * conj(H)``), broadcasting their batch axes; in place if possible.

    ``X`` has shape ``batch_x + (blocks,) * ... + spectrum`` flattened into
    ``block_rows`` rows per batch item, ``H`` ``batch_w + spectrum``. Returns
    the product with shape ``batch + X.shape[nb:]``, written into ``X`` when
    ``X``'s batch is the full batch, else into ``H`` (one row per item),
    else into a new array (``keep_h``: never into ``H``, a kept spectrum).
    """
    nb = len(problem.batch_shape)
    # the kernel reads C-ordered rows of (re, im) pairs; a transform keeps its
    # input's layout, which a moved-axis view of an unaligned input is not
    if not X.flags.c_contiguous:
        X = np.ascontiguousarray(X)
    if not H.flags.c_contiguous:
        H = np.ascontiguousarray(H)
    xi, wi, count = batch_indices(problem, X, H)
    nf = 1
    for n in H.shape[nb:]:
        nf *= n
    rows = count * block_rows
    if block_rows > 1:
        arow = (xi[:, None] * block_rows + np.arange(block_rows, dtype=np.intp)).ravel()
        brow = np.repeat(wi, block_rows)
    else:
        arow, brow = xi, wi
    if X.shape[:nb] == problem.batch_shape:
        out = X
    elif block_rows == 1 and not keep_h and H.shape[:nb] == problem.batch_shape:
        out = H
    else:
        out = np.empty(problem.batch_shape + X.shape[nb:], dtype=X.dtype)
    real = np.finfo(X.dtype).dtype
    _spectral.multiply(X.reshape(-1, nf).view(real), H.reshape(-1, nf).view(real),
                       out.reshape(rows, nf).view(real), arow, brow, conj, 1.0, nthreads)
    return out


def transform_input(a, dtype):
    """``a`` as scipy.fft should see it to compute in ``dtype`` (a copy only if needed).

    Integers and bools are converted to ``dtype`` here (scipy.fft would take
    them to float64 whatever the other operand); float16 is computed in
    float32 by scipy.fft itself; other mismatches (a float32 signal in a
    float64 or complex128 result) are converted here.
    """
    kind = a.dtype.kind
    if kind in "biu":
        # Always the transform dtype itself: both operands of a product must
        # make spectra of one precision (a uint8 image with a float32 kernel
        # transforms in float32, exactly, since uint8/int16 fit its mantissa).
        return a.astype(dtype)
    if a.dtype.kind == "f" and a.dtype.itemsize == 2:
        # float16 of either byte order: converted here (scipy.fft converts
        # only the native one itself)
        return a.astype(dtype)
    natural = a.dtype
    if dtype.kind == "c":
        natural = np.result_type(natural, np.complex64)
    return a if natural == dtype else a.astype(dtype)


#: an operand holding at least this share of a transform's lines along every
#: axis but the last is transformed whole, in one N-D call (pruning saves
#: too little there to pay for the separate passes)
WHOLE_SHARE = 0.5


def forward(a, shape, axes, real, nthreads, own=False):
    """Spectrum of ``a`` zero-padded to ``shape`` along ``axes`` (pruned).

    The last axis is transformed first (the real-to-complex one), only along
    the lines that hold data; every other axis is then padded to its length
    inside its own transform. A small kernel in a large transform thus
    costs little more than the transforms along its last axis.
    ``own``: ``a`` is a scratch array the transform may overwrite.
    """
    last, n = axes[-1], shape[-1]
    if len(axes) > 1 and all(a.shape[ax] >= WHOLE_SHARE * m
                             for ax, m in zip(axes[:-1], shape[:-1])):
        # the data fills (nearly) every line: one N-D transform, no pruning
        if real:
            return sfft.rfftn(a, s=shape, axes=axes, workers=nthreads)
        return sfft.fftn(a, s=shape, axes=axes, workers=nthreads,
                         overwrite_x=own and a.flags.c_contiguous)
    if real:
        A = sfft.rfft(a, n=n, axis=last, workers=nthreads)
    else:
        # in place only into a C-contiguous array: the product needs
        # C-contiguous spectra, and an in-place result keeps its input's layout
        A = sfft.fft(a, n=n, axis=last, workers=nthreads,
                     overwrite_x=own and a.flags.c_contiguous)
    for ax, n in zip(axes[-2::-1], shape[-2::-1]):
        A = sfft.fft(A, n=n, axis=ax, workers=nthreads, overwrite_x=True)
    return A


def inverse(Z, shape, axes, real, keep, nthreads):
    """Inverse transform of ``Z`` (overwritten), computing only what ``keep`` keeps.

    ``keep``: per axis, the slice of outputs wanted. Each complex axis is
    transformed and then cut to its kept outputs (strides included), so the
    later axes transform only those lines (even when most lines are kept
    this measured faster than one N-D inverse transform). Returns
    ``(view, whole)``: the kept outputs and the array they view.
    """
    for ax, sl in zip(axes[:-1], keep[:-1]):
        Z = sfft.ifft(Z, axis=ax, workers=nthreads, overwrite_x=True)
        Z = Z[(slice(None),) * ax + (sl,)]
    if real:
        y = sfft.irfft(Z, n=shape[-1], axis=axes[-1], workers=nthreads)
    else:
        y = sfft.ifft(Z, axis=axes[-1], workers=nthreads, overwrite_x=True)
    return y[(slice(None),) * axes[-1] + (keep[-1],)], y


#: transforms of at least this many points (per operand) are worth a thread
CONCURRENT_MIN = 1 << 16


def forward_pair(parts, shape, axes, real, nthreads, own=(False, False)):
    """Spectra of the signal and kernel parts in the list ``parts`` (emptied).

    The list hands the arrays over, so each is freed as soon as its
    transform exists. scipy.fft spreads one transform over ``workers``
    threads by its independent lines; a long 1-D transform has one line and
    runs on one thread. Then the two transforms run side by side instead,
    each in its own thread (scipy.fft releases the GIL).
    """
    vpart = parts.pop()
    xpart = parts.pop()
    points = 1
    for n in shape:
        points *= n
    lines = xpart.size // max(1, xpart.shape[axes[-1]])
    if nthreads > 1 and len(shape) == 1 and lines < nthreads and points >= CONCURRENT_MIN:
        box = {}

        def kernel_side(v):
            box["H"] = forward(v, shape, axes, real, max(1, nthreads // 2), own[1])

        worker = threading.Thread(target=kernel_side, args=(vpart,), name="sigconv-fft")
        worker.start()
        try:
            X = forward(xpart, shape, axes, real, max(1, nthreads - nthreads // 2), own[0])
        finally:
            worker.join()
        if "H" not in box:  # the thread failed: do it here, raising its error
            box["H"] = forward(vpart, shape, axes, real, nthreads, own[1])
        return X, box["H"]
    X = forward(xpart, shape, axes, real, nthreads, own[0])
    del xpart
    return X, forward(vpart, shape, axes, real, nthreads, own[1])


# --------------------------------------------------------------------------
# The method
# --------------------------------------------------------------------------

def signal_part(problem, signal, plans, dtype):
    """``(x', own)``: the transformed part of the signal, convolved axes last.

    A view of the signal when the part lies inside it (``own`` False);
    otherwise a new array holding the boundary's extension.
    """
    x = canonical_view(signal, problem)
    spans = [(p.start, p.stop) for p in plans]
    if all(0 <= a and b <= p.N for (a, b), p in zip(spans, plans)):
        part = x[(Ellipsis,) + tuple(slice(a, b) for a, b in spans)]
        converted = transform_input(part, dtype)
        return converted, converted is not part
    nb = len(problem.batch_shape)
    part = np.empty(x.shape[:nb] + tuple(p.length for p in plans), dtype=dtype)
    load_signal(part, x, spans, problem.boundary, problem.fillvalue)
    return part, True


def kernel_part(problem, kernel, dtype):
    """``(v, own)``: the kernel the signal part is linearly convolved with."""
    v = kernel_view(problem, kernel)
    if problem.conj_kernel and problem.is_complex:
        return np.conjugate(v, dtype=dtype), True
    converted = transform_input(v, dtype)
    return converted, converted is not v


class Prepared:
    """The kernel's share of a call, computed once and reusable.

    ``H``: the kernel's spectrum at the transform lengths; ``key``: the
    geometry it was computed for (a call with another one cannot use it);
    ``plan``: what else of the call the method worked out from the
    geometry and may take from here instead of again, or None (the
    overlap-save layout, ``(tile engine setting, tiling, block layout)``:
    :func:`sigconv._backends.oa.prepare`).
    """

    __slots__ = ("H", "key", "plan")

    def __init__(self, H, key, plan=None):
        self.H, self.key, self.plan = H, key, plan


def geometry_key(problem):
    """What a kept kernel spectrum depends on, besides the kernel itself."""
    return (problem.mode, problem.ndim, problem.axes, problem.x_shape, problem.k_shape,
            problem.out_conv_shape, problem.lo, problem.step, problem.boundary,
            bool(problem.fillvalue == 0), problem.out_dtype, problem.flip_kernel,
            problem.conj_kernel, problem.swapped)


def _layout(problem):
    """(plans or None for circular, transform lengths, axes, real, dtype, rows)."""
    real_dt, complex_dt = transform_dtypes(problem)
    real = not problem.is_complex
    dt = real_dt if real else complex_dt
    if problem.mode == "circular":
        plans, shape = None, problem.x_shape
    else:
        plans = linear_axes(problem)
        shape = fast_lengths([p.size for p in plans], real, is_single(real_dt))
    nb = len(problem.batch_shape)
    axes = tuple(range(nb, nb + len(shape)))
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    return plans, shape, axes, real, dt, rows


def kernel_operand(problem, kernel, dt):
    """``(v, own)``: the kernel operand of the transforms (folded if circular)."""
    if problem.mode == "circular":
        return fold_kernel(canonical_view(kernel, problem), problem.x_shape, dt), False
    return kernel_part(problem, kernel, dt)


def prepare(problem, kernel, workers=None):
    """:class:`Prepared` for ``problem``: the kernel spectrum the method multiplies by."""
    plans, shape, axes, real, dt, _ = _layout(problem)
    key = geometry_key(problem)
    if plans is not None and any(p.length <= 0 for p in plans):
        return Prepared(None, key)
    nthreads = resolve_workers(workers, fft_work(1, shape))
    vpart, vown = kernel_operand(problem, kernel, dt)
    return Prepared(forward(vpart, shape, axes, real, nthreads, vown), key)


def check_prepared(prepared, problem):
    """ValueError unless ``prepared`` was made for ``problem``'s geometry."""
    if prepared.key != geometry_key(problem):
        raise ValueError("the prepared kernel spectrum is for another geometry")


#: a batch of fewer rows than this many per thread is split by rows into
#: one group per thread (see :func:`run`)
SPLIT_ROWS_PER_THREAD = 8


def _row_groups(problem, shape, rows, nthreads):
    """Row groups ``[(start, stop), ...]`` of the first batch axis, or None.

    scipy.fft threads a transform over its independent lines in groups of
    a vector's width, so a batch of a few long lines (a stereo signal along
    axis 0) transforms on one thread whatever ``workers`` says. Such a
    batch is cut along its first axis into one group per thread, each
    group computed by a thread of its own.
    """
    if nthreads < 2 or not problem.batch_shape:
        return None
    B = problem.batch_shape[0]
    points = 1
    for n in shape:
        points *= n
    if B < 2 or rows >= SPLIT_ROWS_PER_THREAD * nthreads or points < CONCURRENT_MIN:
        return None
    groups = min(nthreads, B)
    edges = [B * g // groups for g in range(groups + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _run_row_groups(problem, signal, kernel, prepared, groups):
    """:func:`run` on each row group in its own thread, into one result."""
    b = next(a for a in range(problem.ndim) if a not in problem.axes)
    B = problem.batch_shape[0]
    out = np.empty(problem.out_shape, dtype=problem.out_dtype)

    def rows_of(a, start, stop, axis):
        if a.shape[axis] != B:     # broadcast along the batch axis
            return a
        sel = [slice(None)] * a.ndim
        sel[axis] = slice(start, stop)
        return a[tuple(sel)]

    def one(start, stop, box):
        try:
            sub = problem._replace(
                batch_shape=(stop - start,) + problem.batch_shape[1:],
                out_shape=problem.out_shape[:b] + (stop - start,) + problem.out_shape[b + 1:])
            part = None
            if prepared is not None:
                part = Prepared(rows_of(prepared.H, start, stop, 0),
                                geometry_key(sub))
            target = rows_of(out, start, stop, b)
            run(sub, rows_of(signal, start, stop, b), rows_of(kernel, start, stop, b),
                workers=1, prepared=part, out=target)
        except BaseException as exc:   # re-raised in the calling thread
            box.append(exc)

    errors = []
    threads = [threading.Thread(target=one, args=(a, z, errors), name="sigconv-fft")
               for a, z in groups[1:]]
    for t in threads:
        t.start()
    try:
        one(groups[0][0], groups[0][1], errors)
    finally:
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    return out


def run(problem, signal, kernel, workers=None, prepared=None, out=None):
    """Evaluate ``problem`` by the convolution theorem; returns the finished array.

    ``prepared``: the kernel's spectrum from :func:`prepare` for this
    problem's geometry, used instead of transforming ``kernel``. ``out``:
    an array of the result's shape and dtype to write the result into.
    """
    if prepared is not None:
        check_prepared(prepared, problem)
    plans, shape, axes, real, dt, rows = _layout(problem)
    if plans is not None and any(p.length <= 0 for p in plans):
        # the window misses the signal: zeros
        if out is not None:
            out[...] = 0
            return out
        return np.zeros(problem.out_shape, dtype=problem.out_dtype)
    nthreads = resolve_workers(workers, fft_work(rows, shape))
    groups = _row_groups(problem, shape, rows, nthreads) if out is None else None
    if groups is not None:
        return _run_row_groups(problem, signal, kernel, prepared, groups)
    if plans is None:
        # circular: the cyclic convolution at the period, a long kernel folded
        x = canonical_view(signal, problem)
        xpart = transform_input(x, dt)
        xown = xpart is not x
        del x
        keep = [slice(None, None, s) for s in problem.step]
        conj = problem.conj_kernel
    else:
        xpart, xown = signal_part(problem, signal, plans, dt)
        keep = [p.outputs() for p in plans]
        conj = False
    if prepared is None:
        vpart, vown = kernel_operand(problem, kernel, dt)
        parts = [xpart, vpart]
        del xpart, vpart
        X, H = forward_pair(parts, shape, axes, real, nthreads, (xown, vown))
    else:
        X, H = forward(xpart, shape, axes, real, nthreads, xown), prepared.H
        del xpart
    Z = spectral_product(X, H, problem, conj, nthreads, keep_h=prepared is not None)
    del X, H
    view, whole = inverse(Z, shape, axes, real, keep, nthreads)
    return finish(view, problem, whole, out)
