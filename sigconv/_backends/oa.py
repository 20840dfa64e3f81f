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
transform through memory; the *tile pipeline* (:func:`tile_plan`,
:func:`_run_tiles`, the loops in :mod:`sigconv._ext._tiles`) instead takes
one tile at a time, on each thread, through gather (boundary applied by
index), forward transform (first pass over the lines holding data),
product with the kernel spectrum, inverse transform (each pass over the
kept lines only) and write-out, so that a tile's data stay in the core's
cache. Its transforms come from ducc0 when installed, else scipy.fft. It
covers real floating-point results in the linear modes over 1 to 3 axes,
where its cost model (:func:`tile_ns`) beats the batch of blocks
(:func:`blocks_ns`); docs/fft_method.rst has the measurements.
"""

import concurrent.futures
import itertools
import math

import numpy as np
import scipy.fft as sfft

from .._ext import _tiles
from .._threads import resolve_workers
from . import fft as _fft
from ._layout import batch_indices

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


def _block_plan(problem):
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
    """
    tiles = tile_plan(problem)
    if tiles is not None:
        return _prepare_tiles(problem, kernel, tiles, workers)
    layout = _block_plan(problem)
    if layout is None:
        return _fft.prepare(problem, kernel, workers)
    plans, blocks, shape, real, dt = layout
    nb = len(problem.batch_shape)
    nthreads = resolve_workers(workers, _fft.fft_work(1, shape))
    vpart, vown = _fft.kernel_part(problem, kernel, dt)
    H = _fft.forward(vpart, shape, tuple(range(nb, nb + len(shape))), real, nthreads,
                     own=vown)
    return _fft.Prepared(H, _fft.geometry_key(problem))


def run(problem, signal, kernel, workers=None, prepared=None):
    """Evaluate ``problem`` by overlap-save; returns the finished array.

    ``prepared``: the kernel's spectrum from :func:`prepare`. The tile
    pipeline (:func:`tile_plan`) does the calls it covers; the block batch
    the others.
    """
    tiles = tile_plan(problem)
    if prepared is not None and isinstance(prepared.H, tuple) != (tiles is not None):
        prepared = None   # made for the other path (the engine changed): recompute
    if tiles is not None:
        return _run_tiles(problem, signal, kernel, tiles, workers, prepared)
    return _run_blocks(problem, signal, kernel, workers, prepared)


def _run_blocks(problem, signal, kernel, workers=None, prepared=None):
    """Overlap-save by one batch of blocks, transformed together."""
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



# --------------------------------------------------------------------------
# The tile pipeline
# --------------------------------------------------------------------------
#
# Model of one tile's time on one thread, in nanoseconds, fitted to
# single-thread CPU times of whole calls with ducc0's transforms on an
# Intel Xeon (Emerald Rapids, AVX-512; docs/fft_method.rst has the table):
# per unit of :func:`sigconv._backends.fft.transform_units` of the tile
# (the forward and the pruned inverse transform, the gather, the product
# and the write-out together), growing slowly with the tile's working set
# once it leaves the first levels of cache, plus a fixed part per tile
# (the Python calls that drive it).

#: ns per transform unit of a tile, by (one convolved axis, single precision):
#: 1-D transforms do not vectorise across lines, N-D ones do
TILE_NS_PER_UNIT = {(True, False): 0.85, (True, True): 0.85,
                    (False, False): 0.44, (False, True): 0.30}
#: the growth: ``1 + TILE_CACHE_GROWTH * log2(working set / TILE_CACHE_BYTES)``
#: for a working set (tile, spectrum, result) above TILE_CACHE_BYTES
TILE_CACHE_BYTES = 1 << 18
TILE_CACHE_GROWTH = 0.1
#: ns per tile, by convolved axes: the calls between the compiled steps
#: (more passes, and more of them pruned, in 3-D)
TILE_NS_PER_TILE = {1: 35000.0, 2: 70000.0, 3: 600000.0}
#: ns per transform unit of the batch of blocks (:func:`_run_blocks`) or the
#: whole transform, the pipeline's alternative, by (one convolved axis,
#: single precision); fitted like TILE_NS_PER_UNIT
#: the pipeline is used where its modelled time is below this share of the
#: alternative's, by convolved axes (the tile model is the less certain one,
#: the more so in 3-D)
TILE_MARGIN = {1: 0.8, 2: 0.9, 3: 0.9}
BLOCKS_NS_PER_UNIT = {(True, False): 1.2, (True, True): 0.55,
                      (False, False): 1.08, (False, True): 0.66}
#: ns per call: starting the threads, the kernel's spectrum, the index maps
TILE_NS_PER_CALL = 2.0e6
#: how much slower scipy.fft's transforms are than ducc0's on tiles (the
#: engine when ducc0 is not installed)
SCIPY_ENGINE_FACTOR = 1.5

#: 1-D tiles are transformed in groups of this many (as lines of one batch)
TILE_GROUP = 8

#: the tile lengths considered: ``m * 2**e`` for these ``m``
TILE_FACTORS = (1, 3, 5)
#: the fewest points of a tile (the calls around a smaller one cost more
#: than its transforms)
MIN_TILE_POINTS = 1 << 12


class TilePlan:
    """How the tile pipeline evaluates a problem.

    ``plans``: the FFT method's :class:`~sigconv._backends.fft.AxisPlan`
    per convolved axis; ``shape``: the tile transform lengths ``P``;
    ``B``: the unstrided outputs per tile along each axis
    (``P - K + 1``); ``counts``: tiles per axis; ``dtype``: the real dtype
    of the transforms; ``ns``: modelled time on one thread, nanoseconds.
    """

    __slots__ = ("plans", "shape", "B", "counts", "dtype", "ns")

    def __init__(self, plans, shape, B, counts, dtype, ns):
        self.plans, self.shape, self.B, self.counts = plans, shape, B, counts
        self.dtype, self.ns = dtype, ns


def _tile_lengths(need, whole_need):
    """Candidate tile lengths ``m * 2**e``: at least ``need``, up to the least
    one that holds ``whole_need`` samples (the whole axis in one tile)."""
    out = set()
    for m in TILE_FACTORS:
        P = m
        while P < need:
            P *= 2
        while True:
            out.add(P)
            if P >= whole_need:
                break
            P *= 2
    top = min(P for P in out if P >= whole_need)
    return sorted(P for P in out if P <= top)


def tile_ns(shape, single, engine="ducc0"):
    """Modelled time of one tile of transform lengths ``shape`` on one thread, in ns."""
    points = 1
    for n in shape:
        points *= n
    units = _fft.transform_units(shape, True, single)
    ns = TILE_NS_PER_UNIT[len(shape) == 1, bool(single)] * units
    working = 3 * points * (4 if single else 8)
    if working > TILE_CACHE_BYTES:
        ns *= 1 + TILE_CACHE_GROWTH * math.log2(working / TILE_CACHE_BYTES)
    if engine != "ducc0":
        ns *= SCIPY_ENGINE_FACTOR
    return ns + TILE_NS_PER_TILE[len(shape)]


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


def choose_tiles(plans, rows, single, engine="ducc0"):
    """``(shape, ns)``: tile transform lengths of least modelled time, and the time.

    Per axis the candidates are ``m * 2**e`` (``m`` in :data:`TILE_FACTORS`)
    from about ``2 K`` up to the whole axis in one tile; every combination
    of at least :data:`MIN_TILE_POINTS` points is costed as ``rows`` times
    the tiles times :func:`tile_ns`. ``None`` when no combination qualifies.
    """
    options = []
    for p in plans:
        options.append(_tile_lengths(max(p.K + 1, 2 * p.K - 2, 8), p.count + p.K - 1))
    best = None
    for shape in itertools.product(*options):
        points = 1
        count = rows
        for P, p in zip(shape, plans):
            points *= P
            count *= -(-p.count // min(P - p.K + 1, p.count))
        if points < MIN_TILE_POINTS:
            continue
        ns = count * tile_ns(shape, single, engine) + TILE_NS_PER_CALL
        if best is None or ns < best[1]:
            best = (shape, ns)
    return best


def tile_plan(problem):
    """The :class:`TilePlan` of ``problem``; ``None`` where the pipeline does not apply.

    It applies to real floating-point results (float16, float32, float64)
    in the linear modes, 1 to 3 convolved axes, when the best tiling
    (:func:`choose_tiles`) has more than one tile: one tile is the whole
    transform, which the FFT method does with less around it) and is
    modelled faster than the batch of blocks (:func:`blocks_ns`). Complex,
    long double and integer results (whose exactness the FFT method
    checks) and ``circular`` mode go to the batch of blocks or the FFT
    method.
    """
    if problem.mode == "circular" or problem.is_complex:
        return None
    if problem.out_dtype.kind != "f" or problem.out_dtype.itemsize > 8:
        return None
    d = len(problem.axes)
    if not 1 <= d <= 3:
        return None
    plans = _fft.linear_axes(problem)
    if any(p.length <= 0 or p.count <= 0 for p in plans):
        return None
    dtype = _fft.transform_dtypes(problem)[0]
    single = _fft.is_single(dtype)
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    choice = choose_tiles(plans, rows, single, tile_engine().name)
    if choice is None:
        return None
    shape, ns = choice
    B = tuple(min(P - p.K + 1, p.count) for P, p in zip(shape, plans))
    counts = tuple(-(-p.count // b) for p, b in zip(plans, B))
    if counts == (1,) * d or ns >= TILE_MARGIN[d] * blocks_ns(problem):
        return None
    return TilePlan(plans, tuple(shape), B, counts, dtype, ns)


def estimate_ns(problem, nthreads=1):
    """Modelled time of the tile pipeline, in ns; ``None`` where ``method='oa'`` does not tile.

    The time of :func:`tile_ns` per tile times the tiles and the batch (one
    thread), spread over ``nthreads``: the tiles are independent tasks, so
    on ``n`` threads the time is the one-thread time over ``min(n, tasks)``
    (1-D tiles go in groups of :data:`TILE_GROUP` per task). The kernel's
    spectrum (one tile-sized transform per kernel) is left out.
    """
    plan = tile_plan(problem)
    if plan is None:
        return None
    tasks = 1
    for c in plan.counts:
        tasks *= c
    if len(plan.counts) == 1:
        tasks = -(-tasks // TILE_GROUP)
    for n in problem.batch_shape:
        tasks *= n
    return plan.ns / max(1, min(int(nthreads), tasks))


def _spectrum(problem, kernel, tiles, nthreads):
    """The kernel's spectrum at the tile lengths: ``(kernel batch rows, ...)``, contiguous."""
    d = len(tiles.shape)
    v, _ = _fft.kernel_part(problem, kernel, tiles.dtype)
    nb = v.ndim - d
    # the inverse transforms are unnormalised: 1 / prod(shape) is applied here
    H = sfft.rfftn(v, s=tiles.shape, axes=tuple(range(nb, nb + d)), norm="forward",
                   workers=nthreads)
    return np.ascontiguousarray(H).reshape((-1,) + H.shape[nb:]), v.shape[:nb]


def _prepare_tiles(problem, kernel, tiles, workers):
    nthreads = resolve_workers(workers, _fft.fft_work(1, tiles.shape))
    H, kb = _spectrum(problem, kernel, tiles, nthreads)
    return _fft.Prepared((H, kb), _fft.geometry_key(problem))


_UNIT_AXIS = [(np.zeros(1, dtype=np.intp), None, (0, 1), (0, 1), (0, 0, 1, 1))]


def _axis_tables(problem, tiles):
    """Per axis of the 3-D tile, per tile along it, what the pipeline needs.

    Entries ``(index map, None if every sample holds data, kept range,
    range of samples holding data, (source, destination, count, step) of
    the write-out)``; leading axes of length one have a single entry.
    """
    d = len(tiles.shape)
    out = [_UNIT_AXIS] * (3 - d)
    for i, (p, P, B, c) in enumerate(zip(tiles.plans, tiles.shape, tiles.B, tiles.counts)):
        span = (c - 1) * B + P
        m = np.empty(span, dtype=np.intp)
        # tile j reads x' positions n0 - (K - 1) + j B + t, x' position u
        # being the signal's position start + u
        _tiles.index_map(p.start + p.n0 - (p.K - 1), span, p.N, p.start, p.stop,
                         problem.boundary, m)
        last = i == d - 1
        entries = []
        for j in range(c):
            mj = m[j * B:j * B + P]
            data = (0, P) if last else _nonzero(mj)
            s, o, n = _tile_outputs(p, B, j)
            keep = (s, s + (n - 1) * p.step + 1)
            entries.append((mj, None if data == (0, P) else data, keep, data,
                            (s if last else 0, o, n, p.step)))
        out.append(entries)
    return out


def _tile_outputs(p, B, j):
    """``(first kept sample in the tile, first output, outputs)`` of tile ``j``."""
    lo, hi = j * B, min(j * B + B, p.count)
    o0 = -(-lo // p.step)
    o1 = -(-hi // p.step)
    return p.K - 1 + o0 * p.step - lo, o0, o1 - o0


def _nonzero(m):
    """``[a, b)``: the samples of a tile's map that are not zero padding."""
    hold = np.flatnonzero(m != _tiles.ZERO_CODE)
    return (int(hold[0]), int(hold[-1]) + 1) if hold.size else (0, 0)


def _zero_outside(spec, rows):
    """Zero the lines of ``spec`` outside the ranges ``rows`` (axes 0 and 1)."""
    (a0, b0), (a1, b1) = rows
    spec[:a0] = 0
    spec[b0:] = 0
    spec[a0:b0, :a1] = 0
    spec[a0:b0, b1:] = 0


#: the first pass of a tile's forward transform is pruned to the lines that
#: hold data when they are at most this share of the lines (else the whole
#: tile, zeros included, is transformed in one call)
PRUNE_SHARE = 0.75


class _ScipyEngine:
    """Tile transforms by :mod:`scipy.fft` (pocketfft), one thread per call.

    Tiles are 3-D (leading axes of length one below three convolved axes).
    ``forward``: ``rows`` is ``None`` when every line holds data, else the
    ranges ``(a, b)`` along axes 0 and 1 that do: the first pass (the real
    transform along the last axis) runs over those lines only. ``inverse``
    runs the complex passes, keeping after each only the ``keep`` range
    of its axis, and the real pass last, on the kept lines; it does not
    normalise (the kernel spectrum carries the factor).
    """

    name = "scipy"

    @staticmethod
    def forward(tile, spec, d, rows):
        if rows is None:
            return sfft.rfftn(tile, axes=tuple(range(3 - d, 3)), workers=1)
        sel = (slice(*rows[0]), slice(*rows[1]))
        _zero_outside(spec, rows)
        spec[sel] = sfft.rfft(tile[sel], axis=2, workers=1)
        if d == 3:       # the middle axis over the planes that hold data
            a, b = rows[0]
            spec[a:b] = sfft.fft(spec[a:b], axis=1, overwrite_x=True, workers=1)
        return sfft.fft(spec, axis=3 - d, overwrite_x=True, workers=1)

    @staticmethod
    def inverse(spec, y, d, keep, n_last):
        for ax in range(3 - d, 2):
            spec = sfft.ifft(spec, axis=ax, overwrite_x=True, norm="forward", workers=1)
            a, b = keep[ax]
            spec = spec[:, a:b] if ax == 1 else spec[a:b]
        return sfft.irfft(spec, n=n_last, axis=2, norm="forward", workers=1)


class _DuccEngine:
    """Tile transforms by ducc0 (optional, when installed), into kept buffers.

    The same passes as :class:`_ScipyEngine`, written into the thread's
    spectrum and result buffers instead of new arrays.
    """

    name = "ducc0"

    def __init__(self, module):
        self.fft = module.fft

    def forward(self, tile, spec, d, rows):
        fft = self.fft
        if rows is None:
            return fft.r2c(tile, axes=tuple(range(3 - d, 3)), out=spec)
        sel = (slice(*rows[0]), slice(*rows[1]))
        _zero_outside(spec, rows)
        fft.r2c(tile[sel], axes=(2,), out=spec[sel])
        if d == 3:
            a, b = rows[0]
            fft.c2c(spec[a:b], axes=(1,), out=spec[a:b])
        return fft.c2c(spec, axes=(3 - d,), out=spec)

    def inverse(self, spec, y, d, keep, n_last):
        fft = self.fft
        for ax in range(3 - d, 2):
            fft.c2c(spec, axes=(ax,), forward=False, out=spec)
            a, b = keep[ax]
            spec = spec[:, a:b] if ax == 1 else spec[a:b]
        y = y[:spec.shape[0], :spec.shape[1]]
        return fft.c2r(spec, axes=(2,), lastsize=n_last, forward=False, out=y,
                       allow_overwriting_input=True)


#: the tile transforms' engine: ``None`` picks ducc0 when it is installed
#: (it is the faster on tile-sized transforms, see docs/fft_method.rst),
#: else scipy.fft; ``"scipy"`` or ``"ducc0"`` asks for one
ENGINE = None


def tile_engine():
    """The engine the tile pipeline transforms with (see :data:`ENGINE`)."""
    if ENGINE in (None, "ducc0"):
        try:
            import ducc0
        except ImportError:
            if ENGINE == "ducc0":
                raise
        else:
            return _DuccEngine(ducc0)
    return _ScipyEngine()


def _run_tiles(problem, signal, kernel, tiles, workers, prepared):
    """Evaluate ``problem`` tile by tile (see :class:`TilePlan`)."""
    d = len(tiles.shape)
    dt = tiles.dtype
    x = _fft.canonical_view(signal, problem)
    if x.dtype != dt:
        x = x.astype(dt)
    nb = x.ndim - d
    ntiles = 1
    for c in tiles.counts:
        ntiles *= c
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    # 1-D tiles go in groups of TILE_GROUP, each group one batch of
    # transforms (which vectorise across its lines)
    group = TILE_GROUP if d == 1 else 1
    ngroups = -(-ntiles // group)
    ntasks = rows * ngroups
    nthreads = min(resolve_workers(workers, _fft.fft_work(rows * ntiles, tiles.shape)),
                   ntasks)
    if prepared is not None:
        _fft.check_prepared(prepared, problem)
        H, kb = prepared.H
        if H.shape[1:] != tiles.shape[:-1] + (tiles.shape[-1] // 2 + 1,):
            H, kb = _spectrum(problem, kernel, tiles, nthreads)
    else:
        H, kb = _spectrum(problem, kernel, tiles, nthreads)
    xi, hi, _ = batch_indices(problem, np.empty(x.shape[:nb] + (0,) * d),
                              np.empty(kb + (0,) * d))
    x3 = x.reshape((-1,) + x.shape[nb:])
    x3 = x3.reshape(x3.shape[:1] + (1,) * (3 - d) + x3.shape[1:])
    out = np.empty(problem.batch_shape + problem.out_conv_shape, dtype=dt)
    o3 = out.reshape((-1,) + (1,) * (3 - d) + out.shape[nb:])
    Hr = H.reshape(H.shape[0], -1).view(dt)
    info = _axis_tables(problem, tiles)
    combos = list(itertools.product(*(range(len(t)) for t in info)))
    fill = float(problem.fillvalue)
    counter = itertools.count()
    engine = tile_engine()
    cdt = np.result_type(dt, np.complex64)
    shape3 = (1,) * (3 - d) + tiles.shape
    if d == 1:
        shape3 = (1, group, shape3[2])
    n_last = shape3[2]
    one = _UNIT_AXIS[0][0]
    unit = _UNIT_AXIS[0][4]

    def work():
        tile = np.empty(shape3, dtype=dt)
        sbuf = np.empty(shape3[:2] + (n_last // 2 + 1,), dtype=cdt)
        ybuf = np.empty(shape3, dtype=dt)
        for t in counter:
            if t >= ntasks:
                return
            if d == 1:
                r, q = divmod(t, ngroups)
                line = info[2][q * group:(q + 1) * group]
                k = len(line)
                xr = x3[xi[r]]
                for i, a2 in enumerate(line):
                    _tiles.gather(xr, tile[:, i:i + 1], one, one, a2[0], fill)
                spec = engine.forward(tile[:, :k], sbuf[:, :k], 1, None)
                _tiles.multiply(spec.reshape(-1).view(dt), Hr[hi[r]])
                y = engine.inverse(spec, ybuf[:, :k], 1, None, n_last)
                for i, a2 in enumerate(line):
                    _tiles.scatter(y[:, i:i + 1], o3[r], *unit, *unit, *a2[4])
                continue
            r, j = divmod(t, ntiles)
            j0, j1, j2 = combos[j]
            a0, a1, a2 = info[0][j0], info[1][j1], info[2][j2]
            _tiles.gather(x3[xi[r]], tile, a0[0], a1[0], a2[0], fill)
            rows = None
            if a0[1] is not None or a1[1] is not None:
                (r0, r1), (q0, q1) = a0[3], a1[3]
                if (r1 - r0) * (q1 - q0) <= PRUNE_SHARE * shape3[0] * shape3[1]:
                    rows = (a0[3], a1[3])
            spec = engine.forward(tile, sbuf, d, rows)
            _tiles.multiply(spec.reshape(-1).view(dt), Hr[hi[r]])
            y = engine.inverse(spec, ybuf, d, (a0[2], a1[2]), n_last)
            _tiles.scatter(y, o3[r], *a0[4], *a1[4], *a2[4])

    if nthreads > 1:
        with concurrent.futures.ThreadPoolExecutor(nthreads - 1) as pool:
            futures = [pool.submit(work) for _ in range(nthreads - 1)]
            work()
            for f in futures:
                f.result()
    else:
        work()
    return _fft.finish(out, problem, out)
