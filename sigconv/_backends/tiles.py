"""The tile pipeline of ``method='oa'``: large kernels, tile by tile.

Where a kernel is large, the batch of blocks of :mod:`sigconv._backends.oa`
streams every pass of every transform through memory; the tile pipeline
instead takes one tile at a time, on each thread, through gather (the
boundary applied by index, :mod:`sigconv._ext._tiles`), forward transform
(first pass over the lines holding data), product with the kernel
spectrum, inverse transform (each pass over the kept lines only) and
write-out, so that a tile's data stay in the core's cache.

The transforms come from one of three engines (:func:`tile_engine`):

* sigconv's own (:mod:`sigconv._ext._tilefft`), for 2-D tiles: power-of-two
  complex transforms vectorised across lines, two real tiles per complex
  transform, the whole chain from the forward transform to the inverse one
  in one compiled call per pair of tiles;
* ducc0 when installed (an optional engine, GPL), for 1-D and 3-D tiles;
* scipy.fft otherwise.

Which calls tile, and with which tile lengths, is decided by the cost
model here (:func:`tile_ns`, :func:`choose_tiles`, :func:`plan`) against
the batch of blocks (:func:`sigconv._backends.oa.tile_plan`);
docs/fft_method.rst has the measurements.
"""

import concurrent.futures
import functools
import itertools
import math

import numpy as np
import scipy.fft as sfft

from .._ext import _tilefft, _tiles
from .._threads import resolve_workers
from . import _scratch, fft as _fft
from ._finite import NonFiniteInput, all_finite
from ._layout import batch_indices
from ._lengths import _kind as _length_kind, length_units

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

# sigconv's own engine (1-D and 2-D tiles, power-of-two sides, two real
# tiles per complex transform): ns per ``points * log2(points)`` of one tile
# (its share of the pair's transforms, product, gather and write-out), by
# (one convolved axis, single precision); per tile; per call (the tables,
# the index maps, the Python around the loop); per byte of the result (the
# signal read and the result written, from and to memory beyond the
# caches); the kernel's spectrum costs one tile more. A tile whose working
# set (two planes) outgrows OWN_CACHE_BYTES costs ``OWN_CACHE_GROWTH *
# log2(working / OWN_CACHE_BYTES)`` more per unit, and ``OWN_BIG_GROWTH``
# more per doubling beyond OWN_BIG_BYTES (beyond a core's L2 cache).
# Fitted on an AMD EPYC (Zen 4, AVX-512, 1 MiB L2 per core), one thread,
# 244 whole calls with the tile shape forced: 2-D tiles 64^2 to 512^2,
# K = 7 to 63, 4 to 1024 tiles, signals up to 2048^2; 1-D tiles 2^10 to
# 2^16, K = 63 to 4095, 4 to 64 tiles; float32 and float64 (rms error 13%,
# at most 37%: tiles of 256^2 come out up to 25% slower than measured,
# those of 64^2 to 128^2 in 2048^2 signals up to 23% faster). 1-D float64
# tiles pay for the four-step twiddles and rows of a power-of-two stride.
OWN_NS_PER_UNIT = {(True, False): 0.244, (True, True): 0.138,
                   (False, False): 0.185, (False, True): 0.112}
OWN_NS_PER_TILE = 550.0
OWN_NS_PER_CALL = 76000.0
OWN_NS_PER_BYTE = 0.24
OWN_CACHE_BYTES = 1 << 16
OWN_CACHE_GROWTH = 0.05
OWN_BIG_BYTES = 1 << 20
OWN_BIG_GROWTH = 0.3
#: the shortest side of a tile of the own engine (2-D), the shortest 1-D tile
OWN_MIN_SIDE = 16
OWN_MIN_1D = 256
#: the longest row of a 1-D tile's block (longer rows outgrow the row buffer)
OWN_MAX_ROW_1D = 128


def split_1d(N):
    """``(n0, n1)``: the block of a 1-D tile of ``N`` points for the own engine."""
    n1 = min(OWN_MAX_ROW_1D, 1 << ((N.bit_length() - 1) // 2))
    return N // n1, n1


class TilePlan:
    """How the tile pipeline evaluates a problem.

    ``plans``: the FFT method's :class:`~sigconv._backends.fft.AxisPlan`
    per convolved axis; ``shape``: the tile transform lengths ``P``;
    ``B``: the unstrided outputs per tile along each axis
    (``P - K + 1``); ``counts``: tiles per axis; ``dtype``: the real dtype
    of the transforms; ``ns``: modelled time on one thread, nanoseconds.
    """

    __slots__ = ("plans", "shape", "B", "counts", "dtype", "ns", "engine")

    def __init__(self, plans, shape, B, counts, dtype, ns, engine):
        self.plans, self.shape, self.B, self.counts = plans, shape, B, counts
        self.dtype, self.ns, self.engine = dtype, ns, engine


def _tile_lengths(need, whole_need, factors=TILE_FACTORS):
    """Candidate tile lengths ``m * 2**e`` (``m`` in ``factors``): at least
    ``need``, up to the least one that holds ``whole_need`` samples (the
    whole axis in one tile)."""
    out = set()
    for m in factors:
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
    if engine == "sigconv":
        work = points * math.log2(points) * _own_growth(2 * points * (4 if single else 8))
        return OWN_NS_PER_UNIT[len(shape) == 1, bool(single)] * work + OWN_NS_PER_TILE
    units = _fft.transform_units(shape, True, single)
    ns = TILE_NS_PER_UNIT[len(shape) == 1, bool(single)] * units
    working = 3 * points * (4 if single else 8)
    if working > TILE_CACHE_BYTES:
        ns *= 1 + TILE_CACHE_GROWTH * math.log2(working / TILE_CACHE_BYTES)
    if engine != "ducc0":
        ns *= SCIPY_ENGINE_FACTOR
    return ns + TILE_NS_PER_TILE[len(shape)]


def _own_growth(working):
    """The own engine's cost per unit of a tile of ``working`` bytes, relative to one in cache."""
    f = 1.0
    if working > OWN_CACHE_BYTES:
        f += OWN_CACHE_GROWTH * math.log2(working / OWN_CACHE_BYTES)
    if working > OWN_BIG_BYTES:
        f += OWN_BIG_GROWTH * math.log2(working / OWN_BIG_BYTES)
    return f


def choose_tiles(plans, rows, single, engine="ducc0"):
    """``(shape, ns)``: tile transform lengths of least modelled time, and the time.

    Per axis the candidates are ``m * 2**e`` (``m`` in :data:`TILE_FACTORS`)
    from about ``2 K`` up to the whole axis in one tile; every combination
    of at least :data:`MIN_TILE_POINTS` points is costed as ``rows`` times
    the tiles times :func:`tile_ns`. ``None`` when no combination qualifies.
    The combinations are costed together, as arrays (the arithmetic of
    :func:`tile_ns`, term by term, in the same order); the first of least
    time in the order of ``itertools.product`` is taken.
    """
    options = []
    own = engine == "sigconv"
    for p in plans:
        floor = (OWN_MIN_1D if len(plans) == 1 else OWN_MIN_SIDE) if own else 8
        need = max(p.K + 1, 2 * p.K - 2, floor)
        options.append(_tile_lengths(need, p.count + p.K - 1, (1,) if own else TILE_FACTORS))
    d = len(plans)

    def grid(values, i):
        return np.asarray(values).reshape([-1 if a == i else 1 for a in range(d)])

    def per_value(a, func):
        # func (Python floats, as tile_ns computes) of every entry of a
        values, where = np.unique(a, return_inverse=True)
        return np.array([func(int(v)) for v in values])[where.reshape(a.shape)]

    points = np.ones([1] * d, dtype=np.int64)
    count = np.full([1] * d, rows, dtype=np.int64)
    per_point = np.zeros([1] * d)
    for i, (opts, p) in enumerate(zip(options, plans)):
        points = points * grid(np.array(opts, dtype=np.int64), i)
        count = count * grid([-(-p.count // min(P - p.K + 1, p.count)) for P in opts], i)
        if not own:
            kind = _length_kind(i == d - 1, single)
            per_point = per_point + grid([length_units(P, kind) / P for P in opts], i)
    points = np.broadcast_to(points, count.shape)
    if own:
        ns = points * per_value(points, math.log2)
        working = 2 * points * (4 if single else 8)
        cached, growth = OWN_CACHE_BYTES, _own_growth
    else:
        ns = TILE_NS_PER_UNIT[d == 1, bool(single)] * (points * per_point)
        working = 3 * points * (4 if single else 8)
        cached = TILE_CACHE_BYTES

        def growth(w):
            return 1 + TILE_CACHE_GROWTH * math.log2(w / TILE_CACHE_BYTES)
    big = working > cached
    if big.any():
        ns = np.broadcast_to(ns, big.shape).copy()
        ns[big] *= per_value(working[big], growth)
    if own:
        ns = OWN_NS_PER_UNIT[d == 1, bool(single)] * ns + OWN_NS_PER_TILE
        # the kernel's spectrum: one tile more; the signal in and the result out
        outputs = rows
        for p in plans:
            outputs *= p.count
        total = ((count + 1) * ns + OWN_NS_PER_CALL
                 + OWN_NS_PER_BYTE * outputs * (4 if single else 8))
    else:
        if engine != "ducc0":
            ns = ns * SCIPY_ENGINE_FACTOR
        ns = ns + TILE_NS_PER_TILE[d]
        total = count * ns + TILE_NS_PER_CALL
    total = np.where(points < MIN_TILE_POINTS, np.inf, total)
    if not np.isfinite(total).any():
        return None
    at = np.unravel_index(int(np.argmin(total)), total.shape)
    return tuple(int(opts[j]) for opts, j in zip(options, at)), float(total[at])


def estimate_floor(problem, single, engine):
    """A lower bound, in ns on one thread, of the time of every tiling
    :func:`choose_tiles` costs for ``problem``, from the shapes alone.

    Every output lies in one tile, so the tiles hold at least as many
    points as there are outputs; every tile side is at least the ``need``
    of :func:`choose_tiles`; a tile's time per point is at least its
    engine's ns per unit times ``log2`` of its points (own engine) or the
    sum of ``log2`` of its sides (``length_units(P) >= P log2 P``). The
    cache and engine factors (at least 1) and the per-tile parts are left
    out; the call's fixed part is kept.
    """
    d = len(problem.axes)
    own = engine == "sigconv"
    outputs = 1
    for n in problem.batch_shape + problem.out_conv_shape:
        outputs *= n
    logs = 0.0
    for K in problem.k_shape:
        floor = (OWN_MIN_1D if d == 1 else OWN_MIN_SIDE) if own else 8
        logs += math.log2(max(K + 1, 2 * K - 2, floor))
    unit = (OWN_NS_PER_UNIT if own else TILE_NS_PER_UNIT)[d == 1, bool(single)]
    if own:
        return (unit * outputs * logs + OWN_NS_PER_CALL
                + OWN_NS_PER_BYTE * outputs * (4 if single else 8))
    return unit * outputs * logs + TILE_NS_PER_CALL


def _spectrum(problem, kernel, tiles, nthreads):
    """The kernel's spectrum at the tile lengths, per kernel batch row.

    ``(H, kernel batch shape)``: for scipy.fft and ducc0, ``H`` is the
    real-to-complex spectrum ``(rows, ...)``; for the own engine, a pair
    ``(real parts, imaginary parts)`` of ``(rows, n0 * n1)`` in the layout
    of :func:`sigconv._ext._tilefft.pair2d`.
    """
    d = len(tiles.shape)
    v, _ = _fft.kernel_part(problem, kernel, tiles.dtype)
    nb = v.ndim - d
    if tiles.engine == "sigconv":
        return _own_spectrum(v.reshape((-1,) + v.shape[nb:]), tiles), v.shape[:nb]
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
        m = _span_map(problem, p, P, B, c)
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


def _span_map(problem, p, P, B, c):
    """The index map of the ``c`` tiles of ``P`` samples, ``B`` apart, along an axis.

    Tile ``j`` reads the map's samples ``[j B, j B + P)``: x' positions
    ``n0 - (K - 1) + j B + t``, x' position ``u`` being the signal's
    position ``start + u``.
    """
    span = (c - 1) * B + P
    m = np.empty(span, dtype=np.intp)
    _tiles.index_map(p.start + p.n0 - (p.K - 1), span, p.N, p.start, p.stop,
                     problem.boundary, m)
    return m


def _tile_sources(problem, p, P, B, c):
    """``(sources, maps)`` of the ``c`` tiles of ``P`` samples, ``B`` apart, along
    an axis, for :func:`sigconv._ext._tilefft.run_pairs`.

    A tile whose samples all lie inside the signal (and the transformed
    part) reads them as they are: its source is the index of the first. The
    others (at the edges: reaching into the boundary's extension or the
    zero padding) get an index map of their own, ``P`` entries appended to
    ``maps``, and the source ``-1 - offset``. No map of the whole axis is
    made.
    """
    first = p.start + p.n0 - (p.K - 1)
    lo, hi = max(p.start, 0), min(p.stop, p.N)
    q0 = first + B * np.arange(c, dtype=np.intp)
    inside = (q0 >= lo) & (q0 + P <= hi)
    src = np.where(inside, q0, 0)
    edge = np.flatnonzero(~inside)
    maps = np.empty(len(edge) * P, dtype=np.intp)
    for k, j in enumerate(edge):
        _tiles.index_map(int(q0[j]), P, p.N, p.start, p.stop, problem.boundary,
                         maps[k * P:(k + 1) * P])
        src[j] = -1 - k * P
    return src, maps


def _write_outs(p, B, c):
    """``(c, 4)``: per tile, ``(first kept sample, first output, outputs, step)``."""
    return np.array([_tile_outputs(p, B, j) + (p.step,) for j in range(c)],
                    dtype=np.intp).reshape(c, 4)


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


class _OwnEngine:
    """sigconv's own transforms (:mod:`sigconv._ext._tilefft`), for 1-D and 2-D tiles.

    Power-of-two lengths; two real tiles per complex transform; the whole
    chain from forward transform to inverse one is one compiled call per
    pair (:func:`_run_pairs`). A 1-D tile of ``N`` points is transformed
    as an ``n0 x n1`` block (:func:`split_1d`, the four-step method).
    """

    name = "sigconv"


#: the tile transforms' engine: ``None`` picks sigconv's own for 1-D and
#: 2-D tiles and, for 3-D tiles, ducc0 when it is installed (the faster on
#: tile-sized transforms, see docs/fft_method.rst), else scipy.fft;
#: ``"sigconv"`` (1-D and 2-D tiles; 3-D as ``None``), ``"scipy"`` or
#: ``"ducc0"`` asks for one
ENGINE = None


def tile_engine(d=None):
    """The engine the tile pipeline transforms tiles of ``d`` axes with (see :data:`ENGINE`)."""
    if ENGINE in (None, "sigconv") and d in (1, 2):
        return _OwnEngine()
    if ENGINE in (None, "ducc0", "sigconv"):
        try:
            import ducc0
        except ImportError:
            if ENGINE == "ducc0":
                raise
        else:
            return _DuccEngine(ducc0)
    return _ScipyEngine()


def plan(problem):
    """The best :class:`TilePlan` of ``problem``, or ``None`` where tiles do not apply.

    They apply to real floating-point results (float16, float32, float64)
    in the linear modes, 1 to 3 convolved axes, when the best tiling
    (:func:`choose_tiles`) has more than one tile (one tile is the whole
    transform, which the FFT method does with less around it). Complex,
    long double and integer results (whose exactness the FFT method
    checks) and ``circular`` mode are left to the batch of blocks or the
    FFT method. Whether the tiles beat the batch of blocks is for
    :func:`sigconv._backends.oa.tile_plan` to say.
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
    engine = tile_engine(d).name
    choice = choose_tiles(plans, rows, single, engine)
    if choice is None:
        return None
    shape, ns = choice
    B = tuple(min(P - p.K + 1, p.count) for P, p in zip(shape, plans))
    counts = tuple(-(-p.count // b) for p, b in zip(plans, B))
    if counts == (1,) * d:
        return None
    if engine == "sigconv":
        # the own engine computes in float32 or float64
        dtype = np.dtype(np.float32 if single else np.float64)
    return TilePlan(plans, tuple(shape), B, counts, dtype, ns, engine)


def _own_setup(tiles):
    """What every pair of :func:`_run_pairs` (and the kernel's spectrum) needs.

    ``(block shape, plane width, twiddles, four-step twiddles or None)``;
    the tables are made once per tile shape and dtype (read-only).
    """
    return _own_tables(tuple(tiles.shape), np.dtype(tiles.dtype).char)


@functools.lru_cache(maxsize=32)
def _own_tables(shape, char):
    dt = np.dtype(char)
    if len(shape) == 1:
        n0, n1 = split_1d(shape[0])
        W, fs = n1, _tilefft.four_step_twiddles(n0, n1, dt)
    else:
        (n0, n1), fs = shape, None
        W = _tilefft.plane_width(n1)
    tw = _tilefft.twiddles(max(n0, n1), dt)
    for a in tw + (fs or ()):
        a.flags.writeable = False
    return (n0, n1), W, tw, fs


def _own_spectrum(v, tiles):
    """``(real, imaginary)`` spectra ``(rows, points)`` of kernels ``v`` for :func:`_run_pairs`."""
    (n0, n1), W, (wr, wi), fs = _own_setup(tiles)
    dt = tiles.dtype
    work = _scratch.take(2 * n0 * W + 2 * n1 * _tilefft.ALIGN, dt)
    re = work[:n0 * W].reshape(n0, W)
    im = work[n0 * W:2 * n0 * W].reshape(n0, W)
    buf = work[2 * n0 * W:].reshape(2, n1 * _tilefft.ALIGN)
    Hr = np.empty((v.shape[0], n0 * n1), dt)
    Hi = np.empty((v.shape[0], n0 * n1), dt)
    for r in range(v.shape[0]):
        re.fill(0)
        im.fill(0)
        if fs is None:
            K0, K1 = v.shape[1:]
            re[:K0, :K1] = v[r]
            _tilefft.spectrum2d(re, im, n1, Hr[r], Hi[r], wr, wi, buf[0], buf[1],
                                1.0 / (n0 * n1), K1)
        else:
            re.reshape(-1)[:v.shape[1]] = v[r]
            _tilefft.spectrum1d(re, im, Hr[r], Hi[r], wr, wi, fs[0], fs[1], buf[0], buf[1],
                                1.0 / (n0 * n1))
    _scratch.give(work)
    return Hr, Hi


def _run_pairs(problem, x, out, xi, hi, H, tiles, fill, nthreads, check=False):
    """The 1-D and 2-D tiles of the own engine, in one compiled loop.

    ``x``: the signal rows ``(rows, ...)`` (the convolved axes last),
    ``out``: the result rows; the loop (:func:`sigconv._ext._tilefft.run_pairs`)
    takes consecutive tiles of a row two at a time, as one complex tile.
    With ``check``, returns False (and leaves ``out`` unfinished) at the
    first NaN or Inf among the samples the tiles read; True otherwise.
    """
    Hr, Hi = H
    (n0, n1), _, (wr, wi), fs = _own_setup(tiles)
    axes = [_tile_sources(problem, p, P, B, c) + (_write_outs(p, B, c),)
            for p, P, B, c in zip(tiles.plans, tiles.shape, tiles.B, tiles.counts)]
    if len(tiles.shape) == 1:
        axes.insert(0, (np.zeros(1, np.intp), np.empty(0, np.intp),
                        np.array([[0, 0, 1, 1]], np.intp)))
        x = x.reshape(x.shape[0], 1, -1)
        out = out.reshape(out.shape[0], 1, -1)
        tr, ti = fs
    else:
        tr = ti = np.empty(0, tiles.dtype)
    (s0, m0, w0), (s1, m1, w1) = axes
    work = _scratch.take(_tilefft.pair_scratch(n0, n1, bool(len(tr)), nthreads), tiles.dtype)
    try:
        return _tilefft.run_pairs(x, out, np.asarray(xi, np.intp), np.asarray(hi, np.intp),
                                  Hr, Hi, s0, m0, s1, m1, w0, w1, wr, wi, tr, ti, n0, n1, fill,
                                  nthreads, check, work)
    finally:
        _scratch.give(work)


def _in_threads(work, nthreads):
    """Run ``work`` on ``nthreads`` threads (this one included); they share its task counter."""
    if nthreads > 1:
        with concurrent.futures.ThreadPoolExecutor(nthreads - 1) as pool:
            futures = [pool.submit(work) for _ in range(nthreads - 1)]
            work()
            for f in futures:
                f.result()
    else:
        work()


def _run_tiles(problem, signal, kernel, tiles, workers, prepared, check_finite=False):
    """Evaluate ``problem`` tile by tile (see :class:`TilePlan`).

    ``check_finite``: raise :class:`~sigconv._backends.NonFiniteInput` if
    the signal holds a NaN or Inf (the own engine tests the samples as its
    tiles read them; the other engines scan the signal first).
    """
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
    group = 2 if tiles.engine == "sigconv" else TILE_GROUP if d == 1 else 1
    ngroups = -(-ntiles // group)
    ntasks = rows * ngroups
    nthreads = min(resolve_workers(workers, _fft.fft_work(rows * ntiles, tiles.shape)),
                   ntasks)
    if prepared is not None:
        _fft.check_prepared(prepared, problem)
        H, kb = prepared.H
        if not _spectrum_fits(H, tiles):
            H, kb = _spectrum(problem, kernel, tiles, nthreads)
    else:
        H, kb = _spectrum(problem, kernel, tiles, nthreads)
    xi, hi, _ = batch_indices(problem, np.empty(x.shape[:nb] + (0,) * d),
                              np.empty(kb + (0,) * d))
    x3 = x.reshape((-1,) + x.shape[nb:])
    x3 = x3.reshape(x3.shape[:1] + (1,) * (3 - d) + x3.shape[1:])
    out = np.empty(problem.batch_shape + problem.out_conv_shape, dtype=dt)
    o3 = out.reshape((-1,) + (1,) * (3 - d) + out.shape[nb:])
    fill = float(problem.fillvalue)
    if tiles.engine == "sigconv":
        if not _run_pairs(problem, x.reshape((-1,) + x.shape[nb:]),
                          out.reshape((-1,) + out.shape[nb:]), xi, hi, H, tiles, fill, nthreads,
                          check_finite):
            raise NonFiniteInput()
        return _fft.finish(out, problem, out)
    if check_finite and not all_finite(signal):
        raise NonFiniteInput()
    info = _axis_tables(problem, tiles)
    combos = list(itertools.product(*(range(len(t)) for t in info)))
    Hr = H.reshape(H.shape[0], -1).view(dt)
    counter = itertools.count()
    engine = tile_engine(d)
    cdt = np.result_type(dt, np.complex64)
    shape3 = (1,) * (3 - d) + tiles.shape
    if d == 1:
        shape3 = (1, group, shape3[2])
    n_last = shape3[2]
    one = _UNIT_AXIS[0][0]
    unit = _UNIT_AXIS[0][4]

    def work():
        # one thread's tile, spectrum and result, kept between calls (_scratch)
        sshape = shape3[:2] + (n_last // 2 + 1,)
        bufs = (_scratch.take(math.prod(shape3), dt), _scratch.take(math.prod(sshape), cdt),
                _scratch.take(math.prod(shape3), dt))
        try:
            tiles_of(bufs[0].reshape(shape3), bufs[1].reshape(sshape), bufs[2].reshape(shape3))
        finally:
            _scratch.give(*bufs)

    def tiles_of(tile, sbuf, ybuf):
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

    _in_threads(work, nthreads)
    return _fft.finish(out, problem, out)


def _spectrum_fits(H, tiles):
    """Whether a prepared spectrum ``H`` was made for ``tiles`` (shape and engine)."""
    if tiles.engine == "sigconv":
        return isinstance(H, tuple) and H[0].shape[1:] == (math.prod(tiles.shape),)
    return (not isinstance(H, tuple)
            and H.shape[1:] == tiles.shape[:-1] + (tiles.shape[-1] // 2 + 1,))
