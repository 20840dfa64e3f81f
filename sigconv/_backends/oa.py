"""Overlap-add: the FFT method by blocks, for a long signal and a shorter kernel.

The transformed part ``x'`` of the signal (see :mod:`sigconv._backends.fft`)
is cut, along each convolved axis, into blocks of ``B`` samples. Each block's
linear convolution with the kernel has ``B + K - 1`` samples, so a transform
of any length ``P >= B + K - 1`` computes it without aliasing, and the
linear convolution of ``x'`` is the sum of the blocks' results, each shifted
to its block's place. All blocks are transformed at once (a batch of small
transforms, which scipy.fft spreads over its ``workers``), multiplied by one
kernel spectrum of length ``P`` and transformed back; the shifted sum is
``ceil(P / B)`` strided additions per axis. The mode, boundary and stride
are those of the FFT method: the same part ``x'`` and the same output
window of the linear result.

The block length along each axis minimises a cost model, the number of
blocks times the cost of one transform of length ``P`` (about
``P * log2(P)``, more for factors 3 and 5: see
:func:`sigconv._backends.fft.length_units`), against the cost of the whole
axis in one transform (:func:`choose_block`). Where one block wins on
every axis, the call is the FFT method itself.

``circular`` mode has no linear result to cut into blocks: it is evaluated
by the FFT method, at the period.
"""
import itertools

import numpy as np

from .._threads import resolve_workers
from . import fft as _fft

#: cost of one transform beyond its ``P log2 P`` butterflies, in the same
#: units: setting up a line, copying it in and out, the element-wise product
#: and the overlap-add additions (about ``4 P``) and a fixed part per block
PER_POINT = 4.0
PER_BLOCK = 256.0

#: the shortest block transform considered
MIN_BLOCK_TRANSFORM = 64


def transform_cost(P, real=True, single=False):
    """Model of the time of one transform of length ``P`` and its element-wise work."""
    return _fft.length_units(P, _fft._kind(real, single)) + PER_POINT * P + PER_BLOCK


def choose_block(n, K, real_last, fft_size, single=False):
    """``(B, P)`` for an axis of ``n`` samples and kernel ``K``; ``None``: one block.

    Minimises ``ceil(n / B) * transform_cost(P)`` over block transforms of
    the good lengths ``P`` (:func:`sigconv._backends.fft.good_length`) on a
    geometric grid (ratio 1.1) from ``max(2 K, 64)`` up to ``fft_size`` (the
    whole axis in one transform, which is the candidate to beat), with
    blocks ``B = P - K + 1``.
    """
    if n <= K:
        return None
    best_cost, best = transform_cost(fft_size, real_last, single), None
    target = max(2 * K, MIN_BLOCK_TRANSFORM)
    seen = set()
    while target < fft_size:
        P = _fft.good_length(int(target), real_last, single)
        target = int(target * 1.1) + 1
        if P in seen or P >= fft_size:
            continue
        seen.add(P)
        B = P - K + 1
        blocks = -(-n // B)
        if blocks < 2:
            continue
        cost = blocks * transform_cost(P, real_last, single)
        if cost < best_cost:
            best_cost, best = cost, (B, P)
    return best


def overlap_add(y, blocks, nb):
    """Sum the blocks' results (batch + nblocks + P per axis) at their places.

    Returns the linear result, batch + ``(nblocks_i + extra_i) * B_i`` per axis.
    The accumulator is laid out as (block, offset) pairs per axis, so that
    block ``j``'s samples ``[q B, q B + w)`` land on the view
    ``acc[..., q : q + nblocks, :w, ...]``: one strided addition per
    combination of ``q``.
    """
    d = len(blocks)
    batch = y.shape[:nb]
    P = y.shape[nb + d:]
    parts = [-(-P[i] // B) for i, (B, _) in enumerate(blocks)]
    acc_shape = batch
    for i, (B, count) in enumerate(blocks):
        acc_shape += (count + parts[i] - 1, B)
    acc = np.zeros(acc_shape, dtype=y.dtype)
    # y's axes: batch, blocks..., P... -> batch, (blocks_i, P_i) interleaved
    order = list(range(nb))
    for i in range(d):
        order += [nb + i, nb + d + i]
    yi = y.transpose(order)
    for q in itertools.product(*(range(p) for p in parts)):
        asel = (slice(None),) * nb
        ysel = (slice(None),) * nb
        for i, (B, count) in enumerate(blocks):
            w = min(B, P[i] - q[i] * B)
            asel += (slice(q[i], q[i] + count), slice(0, w))
            ysel += (slice(None), slice(q[i] * B, q[i] * B + w))
        acc[asel] += yi[ysel]
    merged = batch
    for i, (B, count) in enumerate(blocks):
        merged += ((count + parts[i] - 1) * B,)
    return acc.reshape(merged)


def _block_plan(problem):
    """``(plans, blocks, shape, real, dt)``; ``None``: the FFT method does the call.

    ``blocks``: per axis ``(B, count)``, the block length and the number of
    blocks; ``shape``: the block transform lengths (one block is the whole
    axis at the FFT method's length).
    """
    if problem.mode == "circular":
        return None
    plans = _fft.linear_axes(problem)
    if any(p.length <= 0 for p in plans):
        return None
    real_dt, complex_dt = _fft.transform_dtypes(problem)
    real = not problem.is_complex
    single = _fft.is_single(real_dt)
    whole = _fft.fast_lengths([p.size for p in plans], real, single)
    last = len(plans) - 1
    choice = [choose_block(p.length, p.K, real and i == last, whole[i], single)
              for i, p in enumerate(plans)]
    if all(c is None for c in choice):
        return None
    blocks, shape = [], []
    for p, c, P in zip(plans, choice, whole):
        B, P = (p.length, P) if c is None else c
        blocks.append((B, -(-p.length // B)))
        shape.append(P)
    return plans, blocks, tuple(shape), real, (real_dt if real else complex_dt)


def prepare(problem, kernel, workers=None):
    """The kernel's block spectrum (:class:`sigconv._backends.fft.Prepared`), reusable.

    Where the FFT method does the call, its own :func:`~sigconv._backends.fft.prepare`.
    """
    layout = _block_plan(problem)
    if layout is None:
        return _fft.prepare(problem, kernel, workers)
    plans, blocks, shape, real, dt = layout
    nb = len(problem.batch_shape)
    nthreads = resolve_workers(workers, _fft.fft_work(1, shape))
    vpart, vown = _fft.kernel_part(problem, kernel, dt)
    norms = _fft.row_norms(vpart, nb) if problem.out_dtype.kind in "biu" else None
    H = _fft.forward(vpart, shape, tuple(range(nb, nb + len(shape))), real, nthreads,
                     own=vown)
    return _fft.Prepared(H, norms, _fft.geometry_key(problem))


def run(problem, signal, kernel, workers=None, prepared=None):
    """Evaluate ``problem`` by overlap-add; returns the finished array.

    ``prepared``: the kernel's block spectrum from :func:`prepare`.
    """
    layout = _block_plan(problem)
    if layout is None:
        if problem.mode != "circular" and any(
                p.length <= 0 for p in _fft.linear_axes(problem)):
            return np.zeros(problem.out_shape, dtype=problem.out_dtype)
        return _fft.run(problem, signal, kernel, workers, prepared)
    if prepared is not None:
        _fft.check_prepared(prepared, problem)
    plans, blocks, shape, real, dt = layout
    nb = len(problem.batch_shape)
    d = len(plans)
    nblocks = 1
    for _, count in blocks:
        nblocks *= count
    rows = nblocks
    for n in problem.batch_shape:
        rows *= n
    nthreads = resolve_workers(workers, _fft.fft_work(rows, shape))

    # the signal part, zero-padded to whole blocks, seen as (blocks..., B...)
    x = _fft.canonical_view(signal, problem)
    bx = x.shape[:nb]
    xpad = np.zeros(bx + tuple(B * count for B, count in blocks), dtype=dt)
    _fft.load_signal(xpad[(Ellipsis,) + tuple(slice(0, p.length) for p in plans)], x,
                     [(p.start, p.stop) for p in plans], problem.boundary, problem.fillvalue)
    del x
    split = bx
    for B, count in blocks:
        split += (count, B)
    order = list(range(nb)) + [nb + 2 * i for i in range(d)] + \
        [nb + 2 * i + 1 for i in range(d)]
    xblocks = xpad.reshape(split).transpose(order)
    if prepared is None:
        vpart, vown = _fft.kernel_part(problem, kernel, dt)
        hnorms = (_fft.row_norms(vpart, nb) if problem.out_dtype.kind in "biu"
                  else None)
    else:
        hnorms = prepared.norms
    if problem.out_dtype.kind in "biu":
        overlaps = 1
        for (B, _), P in zip(blocks, shape):
            overlaps *= -(-P // B)
        _check_exact_blocks(_fft.row_norms(xpad, nb), hnorms, shape, overlaps)
    del xpad

    baxes = tuple(range(nb + d, nb + 2 * d))
    X = _fft.forward(xblocks, shape, baxes, real, nthreads, own=True)
    del xblocks
    if prepared is None:
        H = _fft.forward(vpart, shape, tuple(range(nb, nb + d)), real, nthreads, own=vown)
        del vpart
    else:
        H = prepared.H
    Z = _fft.spectral_product(X, H, problem, False, nthreads, block_rows=nblocks)
    del X, H
    y, _ = _fft.inverse(Z, shape, baxes, real, [slice(None)] * d, nthreads)
    del Z
    lin = overlap_add(y, blocks, nb)
    del y
    return _fft.finish(lin[(Ellipsis,) + tuple(p.outputs() for p in plans)], problem, lin)


def _check_exact_blocks(x_norms, h_norms, shape, overlaps):
    """The FFT method's integer bound, for the sum of ``overlaps`` block results."""
    bound = overlaps * _fft.integer_error_bound(x_norms, h_norms, shape)
    if not bound < _fft.INTEGER_BOUND:
        raise ValueError(
            "method='oa' cannot guarantee the exact integer result for these inputs: the "
            "bound on its float64 rounding error is %.3g, and rounding back to integers "
            "needs it below %g. Use method='direct', which is exact for any integers, "
            "or convert the inputs to float." % (bound, _fft.INTEGER_BOUND))
