"""Overlap-save by blocks: the FFT method for a long signal and a shorter kernel.

(``method='oa'``, named after scipy's ``oaconvolve``, which computes the same
result by overlap-add.)

The FFT method (:mod:`sigconv._backends.fft`) wants the outputs
``n0, n0 + step, ...`` (``count`` unstrided positions) of the linear
convolution of the transformed part ``x'`` of the signal with the kernel
``v`` (``K`` samples). Cut those outputs, along each convolved axis, into
blocks of ``B``. Block ``j`` needs the samples ``x'[n0 + j B - (K - 1) ...]``
up to ``B + K - 1`` of them, and a cyclic convolution of period
``P >= B + K - 1`` of those samples with ``v`` gives its ``B`` outputs
exactly, as its samples ``K - 1 ... K - 2 + B``: the earlier ones are
spoiled by the wrap-around, which is why the blocks' inputs overlap by
``K - 1``. So the samples are written once into one array (zeros beyond
``x'``), the blocks are strided views of it, all blocks are transformed at
once (a batch of small transforms, which scipy.fft spreads over its
``workers``), multiplied by one kernel spectrum of length ``P``, transformed
back keeping only each block's good samples, and laid side by side: no
sums of overlapping results, one copy in and one out. The mode, boundary
and stride are those of the FFT method: the same part ``x'`` and the same
outputs.

The block length along each axis minimises a cost model, the number of
blocks times the cost of one transform of length ``P`` (about
``P * log2(P)``, more for factors 3 and 5: see
:func:`sigconv._backends.fft.length_units`), against the cost of the whole
axis in one transform (:func:`choose_block`). Where one block wins on
every axis, the call is the FFT method itself.

``circular`` mode is the cyclic convolution at the period: it is evaluated
by the FFT method.

Where a kernel is large, the batch of blocks streams every pass of every
transform through memory; the *tile pipeline* (:mod:`sigconv._backends.tiles`)
instead takes one tile at a time, on each thread, end to end. It is used
where its cost model beats the batch of blocks' (:func:`tile_plan`,
:func:`blocks_ns`).
"""


import functools

import numpy as np

from .._threads import resolve_workers
from . import fft as _fft
from . import tiles as _tiles
from ._finite import NonFiniteInput, all_finite

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


@functools.lru_cache(maxsize=256)
def _cached_block_plan(problem):
    return _make_block_plan(problem)


def _block_plan(problem):
    """:func:`_make_block_plan`'s layout of ``problem``, remembered per problem
    (up to 256; :func:`clear_plans` forgets them)."""
    try:
        return _cached_block_plan(problem)
    except TypeError:          # an unhashable field: plan afresh
        return _make_block_plan(problem)


def _make_block_plan(problem):
    """``(plans, blocks, shape, real, dt)``; ``None``: the FFT method does the call.

    ``blocks``: per axis ``(B, count)``, the outputs per block and the number
    of blocks (enough to cover the unstrided outputs); ``shape``: the block
    transform lengths, at least ``B + K - 1``.
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
    choice = [choose_block(p.count, p.K, real and i == last, whole[i], single)
              for i, p in enumerate(plans)]
    if all(c is None for c in choice):
        return None
    blocks, shape = [], []
    for i, (p, c) in enumerate(zip(plans, choice)):
        if c is None:      # one block: all the outputs, and the samples they read
            B, P = p.count, _fft.good_length(p.count + p.K - 1, real and i == last, single)
        else:
            B, P = c
        blocks.append((B, -(-p.count // B)))
        shape.append(P)
    return plans, blocks, tuple(shape), real, (real_dt if real else complex_dt)


def prepare(problem, kernel, workers=None):
    """The kernel's block spectrum (:class:`sigconv._backends.fft.Prepared`), reusable.

    Where the FFT method does the call, its own :func:`~sigconv._backends.fft.prepare`.
    It also holds the call's layout (the tiling, or the blocks), which
    :func:`run` then takes from it instead of planning again.
    """
    tiles = tile_plan(problem)
    if tiles is not None:
        prepared = _tiles._prepare_tiles(problem, kernel, tiles, workers)
        prepared.plan = (_tiles.ENGINE, tiles, None)
        return prepared
    layout = _block_plan(problem)
    if layout is None:
        return _fft.prepare(problem, kernel, workers)
    plans, blocks, shape, real, dt = layout
    nb = len(problem.batch_shape)
    nthreads = resolve_workers(workers, _fft.fft_work(1, shape))
    vpart, vown = _fft.kernel_part(problem, kernel, dt)
    H = _fft.forward(vpart, shape, tuple(range(nb, nb + len(shape))), real, nthreads,
                     own=vown)
    return _fft.Prepared(H, _fft.geometry_key(problem), (_tiles.ENGINE, None, layout))


def _held_layout(prepared, problem):
    """``(tiles, block layout)`` held by ``prepared`` for ``problem``, or None.

    Only when ``prepared`` is for this geometry and was made under the
    tile engine setting in force (the layout depends on both).
    """
    plan = prepared.plan         # (tile engine setting, tiling, block layout)
    if plan is None or plan[0] != _tiles.ENGINE or prepared.key != _fft.geometry_key(problem):
        return None
    return plan[1:]


def run(problem, signal, kernel, workers=None, prepared=None, check_finite=False):
    """Evaluate ``problem`` by overlap-save; returns the finished array.

    ``prepared``: the kernel's spectrum from :func:`prepare`. The tile
    pipeline (:func:`tile_plan`) does the calls it covers; the block batch
    the others. ``check_finite``: raise
    :class:`~sigconv._backends.NonFiniteInput` if the signal holds a NaN or
    Inf (the tile pipeline tests the samples as it reads them).
    """
    held = _held_layout(prepared, problem) if prepared is not None else None
    if held is not None:
        tiles, layout = held
    else:
        tiles, layout = tile_plan(problem), None
    if prepared is not None and isinstance(prepared.H, tuple) != (tiles is not None):
        prepared = None   # made for the other path (the engine changed): recompute
    if tiles is not None:
        return _tiles._run_tiles(problem, signal, kernel, tiles, workers, prepared,
                                 check_finite)
    if check_finite and not all_finite(signal):
        raise NonFiniteInput()
    return _run_blocks(problem, signal, kernel, workers, prepared, layout)


def _run_blocks(problem, signal, kernel, workers=None, prepared=None, layout=None):
    """Overlap-save by one batch of blocks, transformed together (``layout``:
    :func:`_block_plan`'s, when known)."""
    if layout is None:
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

    # the samples the blocks read, in one array: block j of an axis reads
    # positions [j B, j B + P) of it, which are positions n0 - (K - 1) + ...
    # of the transformed part x' (zeros outside it)
    part, _ = _fft.signal_part(problem, signal, plans, dt)
    bx = part.shape[:nb]
    spans = [(count - 1) * B + P for (B, count), P in zip(blocks, shape)]
    buf = np.empty(bx + tuple(spans), dtype=dt)
    src, dst = [], []
    for p, n in zip(plans, spans):
        first = p.n0 - (p.K - 1)          # x' position of buf[0]
        a, b = max(0, first), min(p.length, first + n)
        src.append(slice(a, max(a, b)))
        dst.append(slice(a - first, max(a, b) - first))
    _fill_around(buf, nb, dst)
    buf[(Ellipsis,) + tuple(dst)] = part[(Ellipsis,) + tuple(src)]
    del part
    strides = buf.strides[:nb]
    strides += tuple(B * st for (B, _), st in zip(blocks, buf.strides[nb:]))
    strides += buf.strides[nb:]
    xblocks = np.lib.stride_tricks.as_strided(
        buf, bx + tuple(count for _, count in blocks) + tuple(shape), strides,
        writeable=False)
    if prepared is None:
        vpart, vown = _fft.kernel_part(problem, kernel, dt)
    # integers: rounded by sigconv._exact's rule in _fft.finish

    baxes = tuple(range(nb + d, nb + 2 * d))
    X = _fft.forward(xblocks, shape, baxes, real, nthreads)
    del xblocks, buf
    if prepared is None:
        H = _fft.forward(vpart, shape, tuple(range(nb, nb + d)), real, nthreads, own=vown)
        del vpart
    else:
        H = prepared.H
    Z = _fft.spectral_product(X, H, problem, False, nthreads, block_rows=nblocks)
    del X, H
    # each block's cyclic result is the linear one from its sample K - 1 on
    keep = [slice(p.K - 1, p.K - 1 + B) for p, (B, _) in zip(plans, blocks)]
    y, _ = _fft.inverse(Z, shape, baxes, real, keep, nthreads)
    del Z
    # (batch, blocks..., B...) -> (batch, blocks_0 B_0, ...), then the outputs
    order = list(range(nb))
    for i in range(d):
        order += [nb + i, nb + d + i]
    lin = np.empty(y.shape[:nb] + tuple(count * B for B, count in blocks), dtype=y.dtype)
    lin.reshape(y.shape[:nb] + sum(((count, B) for B, count in blocks), ()))[...] = \
        y.transpose(order)
    del y
    outputs = tuple(slice(0, p.count, p.step) for p in plans)
    return _fft.finish(lin[(Ellipsis,) + outputs], problem, lin)


def _fill_around(buf, nb, inner):
    """Zero ``buf`` outside the box ``inner`` (slices of its last axes)."""
    lead = (slice(None),) * nb
    for i, sl in enumerate(inner):
        before = lead + tuple(inner[:i]) + (slice(0, sl.start),)
        after = lead + tuple(inner[:i]) + (slice(sl.stop, None),)
        buf[before] = 0
        buf[after] = 0


#: the pipeline is used where its modelled time is below this share of the
#: alternative's, by convolved axes (the tile model is the less certain one,
#: the more so in 3-D)
TILE_MARGIN = {1: 0.8, 2: 0.9, 3: 0.9}
#: ns per transform unit of the batch of blocks (:func:`_run_blocks`) or the
#: whole transform, the pipeline's alternative, by (one convolved axis,
#: single precision); fitted like the tile model
BLOCKS_NS_PER_UNIT = {(True, False): 1.2, (True, True): 0.55,
                      (False, False): 1.08, (False, True): 0.66}

def blocks_ns(problem):
    """Modelled time on one thread, in ns, of the call without the tile pipeline."""
    real = not problem.is_complex
    single = _fft.is_single(_fft.transform_dtypes(problem)[0])
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    layout = _block_plan(problem)
    if layout is None:
        plans = _fft.linear_axes(problem)
        shape = _fft.fast_lengths([p.size for p in plans], real, single)
    else:
        _, blocks, shape, _, _ = layout
        for _, count in blocks:
            rows *= count
    units = rows * _fft.transform_units(shape, real, single)
    return BLOCKS_NS_PER_UNIT[len(shape) == 1, bool(single)] * units



def tile_plan(problem):
    """The :class:`~sigconv._backends.tiles.TilePlan` of ``problem``, or ``None``.

    The best tiling (:func:`sigconv._backends.tiles.plan`) where the tile
    pipeline applies and is modelled faster than the batch of blocks
    (:func:`blocks_ns`) by :data:`TILE_MARGIN`. Remembered per problem and
    tile engine setting (up to 256; planning costs 50 to 150 us, a share
    of a sub-millisecond call worth keeping); :func:`clear_plans` forgets.
    """
    try:
        return _cached_tile_plan(problem, _tiles.ENGINE)
    except TypeError:          # an unhashable field: plan afresh
        return _make_tile_plan(problem)


@functools.lru_cache(maxsize=256)
def _cached_tile_plan(problem, engine):
    return _make_tile_plan(problem)


def clear_plans():
    """Forget the remembered tilings and block layouts (after changing this
    module's or :mod:`sigconv._backends.tiles`'s constants or models)."""
    _cached_tile_plan.cache_clear()
    _cached_block_plan.cache_clear()


def _make_tile_plan(problem):
    plan = _tiles.plan(problem)
    if plan is None or plan.ns >= TILE_MARGIN[len(plan.shape)] * blocks_ns(problem):
        return None
    return plan


def estimate_ns_floor(problem, nthreads=1):
    """A lower bound of :func:`estimate_ns` (where that is not None), from the shapes alone.

    :func:`sigconv._backends.tiles.estimate_floor` for the engine tiles of
    the problem's axes would use, over ``nthreads``. ``0`` where tiles do
    not apply.
    """
    d = len(problem.axes)
    if not 1 <= d <= 3:
        return 0.0
    single = _fft.is_single(_fft.transform_dtypes(problem)[0])
    ns = _tiles.estimate_floor(problem, single, _tiles.tile_engine(d).name)
    return ns / max(1, int(nthreads))


def estimate_ns(problem, nthreads=1):
    """Modelled time of the tile pipeline, in ns; ``None`` where ``method='oa'`` does not tile.

    The time of :func:`sigconv._backends.tiles.tile_ns` per tile times the tiles and the batch (one
    thread), spread over ``nthreads``: the tiles are independent tasks, so
    on ``n`` threads the time is the one-thread time over ``min(n, tasks)``
    (tiles of the own engine go in pairs, other 1-D tiles in groups of
    ``TILE_GROUP`` per task). The kernel's
    spectrum (one tile-sized transform per kernel) is left out.
    """
    plan = tile_plan(problem)
    if plan is None:
        return None
    tasks = 1
    for c in plan.counts:
        tasks *= c
    if plan.engine == "sigconv":
        tasks = -(-tasks // 2)
    elif len(plan.counts) == 1:
        tasks = -(-tasks // _tiles.TILE_GROUP)
    for n in problem.batch_shape:
        tasks *= n
    return plan.ns / max(1, min(int(nthreads), tasks))
