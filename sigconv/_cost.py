"""The cost model: modelled times of the methods, from a problem's shapes and dtype.

:func:`sigconv.plan.auto_choice` and :func:`sigconv.choose_conv_method`
rank the methods by it (:func:`ranking`, remembered per shape). In
nanoseconds:

* direct: ``work * (DIRECT_NS[dtype] + DIRECT_ROW_NS[dtype] / K) +
  OUTPUT_NS[dtype] * outputs`` (:func:`direct_ns`), ``work`` the
  multiply-adds of the direct evaluation (complex data counts four real
  ones per product) and ``K`` the kernel's length along the last convolved
  axis, plus ``DIRECT_PAD_NS`` where the last axis is padded first;
* fft: ``FFT_NS[dtype] * units + POINT_NS[dtype] * points``: ``units`` the
  modelled time of the transforms
  (:func:`sigconv._backends._lengths.transform_units`: ``P log2 P`` for ``P``
  points, more for lengths with factors 3 and 5), summed over the signal's
  forward and the inverse transforms of every batch item and the kernel's
  own items (pruned to ``KERNEL_SHARE`` of a whole transform in N-D);
  ``points`` those the element-wise passes touch. Lines transformed many at
  a time cost ``ND_FFT_SCALE`` (N-D) or ``BATCH_FFT_SCALE`` (a batch of 1-D
  lines) of a lone 1-D line; each
  convolved axis beyond the first adds ``FFT_AXIS_OVERHEAD``; transforms
  whose points outgrow ``FFT_CACHE_BYTES`` cost ``FFT_CACHE_GROWTH`` more
  per doubling;
* oa: the same per block of the block plan (overlap-save), summed over the
  blocks -- or, where the tile pipeline applies, its own model
  (:func:`sigconv._backends.oa.estimate_ns`),
  plus ``OA_POINT_NS`` per block point for padding and adding the blocks;
* separable: :func:`separable_time`; toeplitz (filter banks):
  :func:`toeplitz_times`.

Threads divide the direct time and the transforms' time by what they
achieve: the direct kernel and transforms of many lines or blocks spread
over the cores (``PARALLEL_EFFICIENCY``); a batch of a few long lines runs
one group of rows per thread; a lone 1-D line overlaps only the signal's
and the kernel's transforms (two thirds of the time). The element-wise
passes count as one thread's.

The constants of the direct, FFT and separable models were fitted to
single-thread CPU times on an AMD EPYC (Zen 4, AVX-512): about 200 direct
calls (1-D N = 4096 to 2**20, K = 3 to 1023; 2-D N = 64 to 1000, K = 3 to
31; 3-D N = 24 to 100, K = 3 to 9), 100 FFT calls and 100 separable ones
(Gaussian kernels, 2-D and 3-D), float32 and float64, 'same' mode, and the
132 calls of ``benchmarks/auto_grid.py``; where float64 direct sums of long
rows run at about 0.06 ns per multiply-add and an N-D float64 transform at
about 0.25 ns per ``P log2 P``. What matters is their ratios, which change
far less between machines than the absolute times. The direct kernel's
speed varies with lengths that fill its vectors badly (200, 24, 48: up to
twice the model), which a model of this form cannot follow.
``choose_conv_method(measure=True)`` times the candidates instead.
"""
import functools
import math
from collections import namedtuple

from ._backends import direct as _direct
from ._backends import fft as _fft
from ._backends import _factors
from ._backends import _lengths
from ._backends import oa as _oa
from ._backends import tiles as _tiles
from ._threads import resolve_workers, thread_state

#: nanoseconds per unit of ``Problem.work`` of the direct kernel, by the real
#: dtype it computes in (complex data is computed in its parts, and its
#: ``work`` counts the four real products of each complex one), and per
#: output
DIRECT_NS = {"f": 0.032, "d": 0.0605, "g": 1.0, "q": 0.2}
OUTPUT_NS = {"f": 0.066, "d": 0.18, "g": 4.0, "q": 2.0}
#: the direct kernel's extra nanoseconds per multiply-add over ``K``, the
#: kernel's length along the last convolved axis (short rows fill its
#: vectors less), and its cost of padding the last axis of a signal whose
#: lines are short for the kernel (per convolved axis beyond the first)
DIRECT_ROW_NS = {"f": 0.127, "d": 0.20}
DIRECT_PAD_NS = 44e3

#: nanoseconds per unit of :func:`sigconv._backends._lengths.transform_units`
#: (about ``P log2 P`` for ``P`` points), by the transform dtype
FFT_NS = {"f": 0.40, "d": 0.55, "g": 6.0, "F": 0.55, "D": 0.75, "G": 8.0}

#: the lines of an N-D transform (or of a batch of 1-D ones) run several
#: at once in vector registers (scipy.fft), cheaper per unit than a single
#: 1-D line: the factor (N-D transforms also prune the lines that hold no
#: data, and their real-to-complex axis halves the others' lines)
ND_FFT_SCALE = {"f": 0.36, "d": 0.46, "F": 0.8, "D": 0.9}
BATCH_FFT_SCALE = {"f": 0.6, "d": 0.8, "F": 0.8, "D": 0.9}

#: nanoseconds per transformed point of the element-wise passes (loading,
#: the product, cropping), and the block method's extra per block point
#: (padding each block, adding the overlapping results)
POINT_NS = {"f": 1.0, "d": 2.0, "g": 8.0, "F": 2.0, "D": 4.0, "G": 16.0}
OA_POINT_NS = {"f": 3.0, "d": 4.0, "g": 8.0, "F": 4.0, "D": 6.0, "G": 16.0}

#: share of the ideal speed-up threads give
PARALLEL_EFFICIENCY = 0.9

#: the kernel's transform as a share of a full one, when pruned (N-D)
KERNEL_SHARE = 0.4

#: fixed cost of a call (planning, allocation), nanoseconds; the transforms
#: of N-D problems add ``FFT_AXIS_OVERHEAD`` per convolved axis beyond the
#: first (their pruned passes are separate scipy.fft calls)
DIRECT_OVERHEAD = 5e3
FFT_OVERHEAD = 40e3
FFT_AXIS_OVERHEAD = 55e3

#: transforms whose points take more than this many bytes run slower per
#: unit, by ``FFT_CACHE_GROWTH`` per doubling beyond it (memory, not the
#: cache, feeds them)
FFT_CACHE_BYTES = 4 << 20
FFT_CACHE_GROWTH = 0.125


def _points(shape):
    total = 1
    for n in shape:
        total *= n
    return total




def _direct_ns(problem):
    """The direct method's nanoseconds per unit of ``work`` (its inner rows of
    the kernel's last length)."""
    code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
    return DIRECT_NS.get(code, 1.0) + DIRECT_ROW_NS.get(code, 0.0) / max(1, problem.k_shape[-1])


def direct_ns(problem):
    """Modelled time of the direct method on one thread, in nanoseconds.

    ``DIRECT_OVERHEAD``, ``work * (DIRECT_NS + DIRECT_ROW_NS / K)`` (``K``
    the kernel's length along the last convolved axis), ``OUTPUT_NS`` per
    output, and ``DIRECT_PAD_NS`` per convolved axis beyond the first where
    the last axis is padded before the sums
    (:func:`sigconv._backends.direct._last_axis_padding`).
    """
    code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
    ns = (DIRECT_OVERHEAD + _direct_ns(problem) * problem.work
          + OUTPUT_NS.get(code, 1.0) * _points(problem.out_shape))
    if len(problem.axes) > 1 and _direct._last_axis_padding(problem) is not None:
        ns += DIRECT_PAD_NS * (len(problem.axes) - 1)
    return ns


def _features(problem, kernel_rows=None):
    """What the modelled times are linear in: ``{method: (units, points)}``.

    ``units``: the transforms' modelled time (:func:`sigconv._backends._lengths.transform_units`)
    summed over the signal's forward transforms, the kernel's (pruned to
    ``KERNEL_SHARE`` of a whole one in N-D) and the inverse ones; ``points``:
    the spectrum points the element-wise passes (loading, product,
    cropping) touch. For ``direct``: ``(work, outputs)``. ``kernel_rows``:
    the kernel's own batch items (default: as many as the output's).
    """
    rows = max(1, _points(problem.batch_shape))
    krows = rows if kernel_rows is None else max(1, min(rows, kernel_rows))
    out = {"direct": (float(problem.work), float(_points(problem.out_shape)))}
    real_dt, _ = _fft.transform_dtypes(problem)
    real = not problem.is_complex
    single = _lengths.is_single(real_dt)

    def transforms(shape, blocks):
        share = 1.0 if len(shape) == 1 else KERNEL_SHARE
        units = _lengths.transform_units(shape, real, single)
        return (units * (2 * rows * blocks + krows * share),
                float(_points(shape) * rows * blocks))
    if problem.mode == "circular":
        out["fft"] = out["oa"] = transforms(problem.x_shape, 1)
        return out
    plans = _fft.linear_axes(problem)
    whole = _lengths.fast_lengths([p.size for p in plans], real, single)
    out["fft"] = transforms(whole, 1)
    layout = _oa._block_plan(problem)          # (remembered there)
    if layout is None:
        out["oa"] = out["fft"]
    else:
        _, blocks, shape, _, _ = layout
        out["oa"] = transforms(shape, _points([count for _, count in blocks]))
    return out


@functools.lru_cache(maxsize=256)
def _cached_tile_estimate(problem, nthreads, engine):
    return _oa.estimate_ns(problem, nthreads)


def _tile_estimate(problem, nthreads):
    """The tile pipeline's modelled time (:func:`sigconv._backends.oa.estimate_ns`),
    remembered for repeated shapes (per thread count and tile engine)."""
    d = len(problem.axes)
    engine = _tiles.tile_engine(d).name if 1 <= d <= 3 else None
    try:
        return _cached_tile_estimate(problem, int(nthreads), engine)
    except TypeError:          # an unhashable field: model afresh
        return _oa.estimate_ns(problem, nthreads)


def _speedups(problem, feats, nthreads, kernel_rows):
    """Per method, the time on ``nthreads`` threads as a share of one thread's."""
    if nthreads <= 1:
        return {"direct": 1.0, "fft": 1.0, "oa": 1.0}
    rows = max(1, _points(problem.batch_shape))
    parallel = 1.0 / (nthreads * PARALLEL_EFFICIENCY)
    if len(problem.axes) > 1 or rows >= 2 * nthreads * _fft.SPLIT_ROWS_PER_THREAD:
        fft = parallel             # many lines: scipy.fft spreads them
    elif rows >= 2:
        fft = 1.0 / min(rows, nthreads)    # row groups, one per thread
    else:
        # one line: the signal's and the kernel's transforms side by side,
        # then the inverse alone
        fft = 2.0 / 3.0
    blocks = feats["oa"][1] / max(1.0, feats["fft"][1])
    return {"direct": parallel, "fft": fft, "oa": parallel if blocks * rows > 1 else fft}


def estimate_times(problem, kernel_rows=None, nthreads=1):
    """Modelled seconds of each method for ``problem``: ``{'direct': t, 'fft': t, 'oa': t}``.

    ``kernel_rows``: the kernel's batch items, when fewer than the output's;
    ``nthreads``: the threads the call runs on. Where both the batch of
    blocks and a lower bound of the tile pipeline's time
    (:func:`sigconv._backends.oa.estimate_ns_floor`) are above the direct
    or the FFT method's time, the tile pipeline's own model (a few hundred
    microseconds to evaluate) is not: 'oa' is then the batch of blocks'
    time, and cannot come first whichever of the two ``method='oa'`` runs.
    """
    feats = _features(problem, kernel_rows)
    times = {"direct": direct_ns(problem)}
    real_dt, complex_dt = _fft.transform_dtypes(problem)
    dt = complex_dt if problem.is_complex else real_dt
    per_unit = FFT_NS.get(dt.char, 25.0)
    if len(problem.axes) > 1:
        per_unit *= ND_FFT_SCALE.get(dt.char, 1.0)
    elif _points(problem.batch_shape) >= 8:
        per_unit *= BATCH_FFT_SCALE.get(dt.char, 1.0)
    per_point = POINT_NS.get(dt.char, 10.0)
    overhead = FFT_OVERHEAD + FFT_AXIS_OVERHEAD * (len(problem.axes) - 1)
    speed = _speedups(problem, feats, nthreads, kernel_rows)
    times["direct"] *= speed["direct"]
    for m in ("fft", "oa"):
        units, points = feats[m]
        if m == "oa" and points > feats["fft"][1]:
            per_point = per_point + OA_POINT_NS.get(dt.char, 10.0)
        working = points * real_dt.itemsize
        if working > FFT_CACHE_BYTES:
            # transforms of arrays beyond the cache wait for memory
            units *= 1 + FFT_CACHE_GROWTH * math.log2(working / FFT_CACHE_BYTES)
        # the element-wise passes (numpy: loading, padding, adding blocks,
        # the final copy) run on one thread
        times[m] = overhead + per_unit * units * speed[m] + per_point * points
    rival = min(times["direct"], times["fft"])
    d = len(problem.axes)
    own = d in (1, 2) and _tiles.tile_engine(d).name == "sigconv"
    if times["oa"] > (OWN_TILE_CONSIDER_NS if own else TILE_CONSIDER_NS) and (
            times["oa"] < rival or _oa.estimate_ns_floor(problem, nthreads) < rival):
        # the tile pipeline of method='oa' has its own model (it decides
        # there whether to tile at all: None when it would not)
        tiled = _tile_estimate(problem, nthreads)
        if tiled is not None:
            times["oa"] = tiled
    return {k: v * 1e-9 for k, v in times.items()}


#: below this modelled time (ns) of the block method, the tile pipeline is
#: not considered: with ducc0's or scipy.fft's transforms (per call about
#: 2 ms), and with sigconv's own (1-D and 2-D tiles, per call about 0.08 ms)
TILE_CONSIDER_NS = 2e6
OWN_TILE_CONSIDER_NS = 2 * _tiles.OWN_NS_PER_CALL


#: the Toeplitz (GEMM) method's cost relative to the direct method's, per
#: multiply-add on one core: ``TOEPLITZ_NS[dtype] * (base + per_tap / taps +
#: per_kernel / kernels)`` against ``DIRECT_ROW_NS[dtype] * (base + per_tap /
#: K_last)``, ``kernels`` the kernels one input item meets (a filter bank)
#: and ``K_last`` the kernel's length along its last convolved axis (the
#: direct kernel's inner loop; shorter rows use its vector tiles less well,
#: more so in N-D). Fitted on the development machine (float32 1-D and 2-D
#: filter banks); only filter banks (two kernels or more per input item) are
#: offered to the Toeplitz method, where one GEMM serves all the kernels.
TOEPLITZ_NS = {"f": 1.0, "d": 2.2, "F": 1.5, "D": 2.8}
TOEPLITZ_TERMS = (0.05, 0.9, 0.6)
DIRECT_ROW_TERMS = {1: (0.05, 0.33), 2: (0.05, 0.7)}


def toeplitz_times(problem, signal_shape, kernel_shape, times):
    """``{'toeplitz': seconds}`` for a filter bank the GEMM method can compute, else ``{}``.

    ``signal_shape``, ``kernel_shape``: the shapes of the call's signal and
    kernel (after a ``valid`` swap); ``times`` are the other methods'
    modelled times (``estimate_times``); the Toeplitz time is the direct one
    scaled by the ratio of the two methods' modelled costs per multiply-add.
    """
    from ._backends import toeplitz as _toeplitz
    dt = _toeplitz.blas_dtype(problem)
    if dt is None or "direct" not in times:
        return {}
    kernels = 1
    for a in range(problem.ndim):
        if a not in problem.axes and signal_shape[a] == 1:
            kernels *= kernel_shape[a]
    if kernels < 2:
        return {}
    taps = _points(problem.k_shape)
    base, per_tap, per_kernel = TOEPLITZ_TERMS
    toe = TOEPLITZ_NS[dt.char] * (base + per_tap / taps + per_kernel / kernels)
    d_base, d_tap = DIRECT_ROW_TERMS[min(len(problem.axes), 2)]
    direct = TOEPLITZ_NS[dt.char] * (d_base + d_tap / problem.k_shape[-1])
    fixed = DIRECT_OVERHEAD * 1e-9
    return {"toeplitz": fixed + (times["direct"] - fixed) * toe / direct}


def _kernel_rows(problem, kernel):
    """Batch items of ``kernel`` (its lengths along the non-convolved axes)."""
    return _points([n for a, n in enumerate(kernel.shape) if a not in problem.axes])


def _model_times(problem, kernel_rows=None, workers=None):
    """:func:`estimate_times` on the threads a call with ``workers`` runs on."""
    nthreads = resolve_workers(workers, problem.work) if workers != 1 else 1
    return estimate_times(problem, kernel_rows, nthreads)


def _model_choice(problem, kernel_rows=None):
    """The model's cheapest method, from the shapes and dtype alone."""
    if 0 in problem.out_shape or 0 in problem.x_shape or 0 in problem.k_shape:
        return "direct"
    if DIRECT_OVERHEAD + _direct_ns(problem) * problem.work <= FFT_OVERHEAD:
        return "direct"
    times = _model_times(problem, kernel_rows)
    return min(("direct", "fft", "oa"), key=lambda m: times[m])


#: fixed cost of the separable method (taking the factors, planning the
#: passes), nanoseconds
SEPARABLE_OVERHEAD = 30e3

#: nanoseconds per output point of adding the terms of a kernel of rank > 1
SEPARABLE_ADD_NS = {"f": 0.5, "d": 1.0, "q": 1.0}

#: the fused kernel (two axes in one sweep): its fixed cost (the index maps,
#: the call), nanoseconds per multiply-add, and per output and term (its line
#: of vertical sums written and read back, the row set-up) -- what makes the
#: direct method the faster one for kernels of about 3 x 3. float64 refitted
#: on the auto grid's one-thread times (AMD EPYC Zen 4, 128^2 to 2048^2,
#: K = 7 to 31): the per-tap cost was low by 30-55% for K = 31
FUSED_OVERHEAD = 30e3
FUSED_NS = {"f": 0.035, "d": 0.11, "g": 1.0, "q": 0.2}
FUSED_OUTPUT_NS = {"f": 0.6, "d": 0.51, "g": 8.0, "q": 3.0}

#: each pass of the other problems, one after the other: its fixed cost
#: (a direct evaluation of its own, its Problem), nanoseconds per
#: multiply-add plus ``PASS_ROW_NS / K`` for a factor of length ``K``, and
#: per output; other dtypes take the direct model's constants
PASS_OVERHEAD = 70e3
PASS_NS = {"f": 0.033, "d": 0.087}
PASS_ROW_NS = {"f": 0.35, "d": 0.37}
PASS_OUTPUT_NS = {"f": 0.35, "d": 0.37}


def separable_candidate(problem, kernel_rows):
    """Whether the separable method could pay for ``problem`` (shapes alone).

    At least two convolved axes with a kernel longer than 1, and one kernel
    for the whole batch.
    """
    return kernel_rows == 1 and sum(k > 1 for k in problem.k_shape) >= 2


def pass_times(sub, along, workers=None):
    """Modelled nanoseconds of one pass of the separable method, ``(direct, fft)``.

    ``sub``, ``along``: the pass's problems (:func:`sigconv._backends.separable.passes`);
    direct: ``PASS_OVERHEAD`` plus ``PASS_NS + PASS_ROW_NS / K`` per
    multiply-add of its factor of length ``K`` and ``PASS_OUTPUT_NS`` per
    output; fft (infinite for factors shorter than ``FFT_MIN_TAPS`` and for
    integers): :func:`estimate_times` of the pass along its axis alone.
    """
    from ._backends import separable as _sep
    nthreads = resolve_workers(workers, sub.work) if workers != 1 else 1
    code = sub.compute_dtype.char if sub.compute_dtype.kind != "i" else "q"
    K = along.k_shape[0]
    direct = (PASS_OVERHEAD
              + (PASS_NS.get(code, DIRECT_NS.get(code, 1.0)) + PASS_ROW_NS.get(code, 0.0) / K)
              * sub.work + PASS_OUTPUT_NS.get(code, OUTPUT_NS.get(code, 1.0))
              * _points(sub.out_shape))
    if nthreads > 1:
        direct /= nthreads * PARALLEL_EFFICIENCY
    fft = math.inf
    if K >= _sep.FFT_MIN_TAPS and sub.out_dtype.kind not in "biu":
        fft = estimate_times(along, 1, nthreads)["fft"] * 1e9
    return direct, fft


def separable_time(problem, rank=1, workers=None):
    """Modelled seconds of the separable method with a kernel of ``rank``.

    Two convolved axes of real data with short factors take the fused
    kernel (:func:`sigconv._backends.separable.fused_work`):
    ``FUSED_OVERHEAD``, ``FUSED_NS`` per multiply-add and
    ``FUSED_OUTPUT_NS`` per output, per term. Other problems take their
    passes one after the other (:func:`sigconv._backends.separable.passes`),
    each the cheaper of :func:`pass_times` (a direct pass, or for a long
    factor an FFT one along its axis) -- times
    ``rank``, plus adding the terms' results. ``SEPARABLE_OVERHEAD`` on
    top. Linear in ``rank``.
    """
    from ._backends import separable as _sep
    total = SEPARABLE_OVERHEAD
    fused = _sep.fused_work(problem)
    if fused is not None and (max(problem.k_shape) < _sep.FFT_MIN_TAPS
                              or problem.out_dtype.kind in "biu"):
        work, outputs = fused
        code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
        nthreads = resolve_workers(workers, work) if workers != 1 else 1
        if workers is None and work < _sep.TEAM_MIN_WORK:
            nthreads = 1
        t = FUSED_NS.get(code, 1.0) * work + FUSED_OUTPUT_NS.get(code, 1.0) * outputs
        if nthreads > 1:
            t /= nthreads * PARALLEL_EFFICIENCY
        return (total + FUSED_OVERHEAD + rank * t) * 1e-9
    for _, sub, along in _sep.passes(problem):
        direct, fft = pass_times(sub, along, workers)
        total += rank * min(direct, fft)
    if rank > 1:
        code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
        total += (rank - 1) * SEPARABLE_ADD_NS.get(code, 1.0) * _points(problem.out_shape)
    return total * 1e-9


class Ranking(namedtuple("Ranking", ("times", "order", "t1", "per_rank", "sep_rank"))):
    """The model's ranking of the methods for one call's shapes (:func:`ranking`).

    Attributes
    ----------
    times : dict
        Modelled seconds of ``direct``, ``fft``, ``oa`` and, for a filter
        bank BLAS can compute, ``toeplitz`` (shared: do not modify).
    order : tuple of str
        Those methods, cheapest first.
    t1, per_rank : float or None
        The separable method's modelled seconds with a kernel of rank 1,
        and what each further rank adds (None where it does not apply:
        :func:`separable_candidate`; ``per_rank`` also where ``t1`` does
        not beat ``order[0]``).
    sep_rank : int
        The largest rank for which the separable method could beat
        ``order[0]`` (0: none): the kernel need be factored only up to it.
    """

    __slots__ = ()

    def separable(self, rank):
        """Modelled seconds of the separable method with a kernel of ``rank``."""
        return self.t1 + (rank - 1) * self.per_rank


def _rank(problem, signal_shape, kernel_shape, workers):
    rows = _points([n for a, n in enumerate(kernel_shape) if a not in problem.axes])
    times = _model_times(problem, rows, workers)
    times.update(toeplitz_times(problem, signal_shape, kernel_shape, times))
    order = tuple(sorted(times, key=times.get))
    t1 = per_rank = None
    sep_rank = 0
    if separable_candidate(problem, rows):
        t1 = separable_time(problem, 1, workers)
        best = times[order[0]]
        if t1 < best:
            # the time grows linearly with the rank
            per_rank = max(separable_time(problem, 2, workers) - t1, 1e-12)
            sep_rank = 1 + int((best - t1) / per_rank)
    return Ranking(times, order, t1, per_rank, sep_rank)


@functools.lru_cache(maxsize=512)
def _cached_rank(problem, signal_shape, kernel_shape, workers, threads, engine):
    return _rank(problem, signal_shape, kernel_shape, workers)


def ranking(problem, signal_shape, kernel_shape, workers=None):
    """:class:`Ranking` of the methods for ``problem``, remembered per shape.

    ``signal_shape``, ``kernel_shape``: the shapes of the call's signal and
    kernel (after a ``valid`` swap); ``workers``: as the call's. Everything
    the ranking depends on is in the key it is remembered under: the
    problem (shapes, dtypes, mode, boundary, fill value, strides), the
    inputs' shapes, ``workers`` and the thread count a call would get now
    (:func:`sigconv._threads.thread_state`), and the tile engine setting --
    no value of the inputs (whether the kernel is separable, finite, or
    small enough for exact integer transforms is for the caller to test on
    each call). After changing this module's constants, call
    :func:`clear_cache`.
    """
    try:
        return _cached_rank(problem, tuple(signal_shape), tuple(kernel_shape), workers,
                            thread_state(workers), _tiles.ENGINE)
    except TypeError:          # an unhashable field: rank afresh
        return _rank(problem, signal_shape, kernel_shape, workers)


def clear_cache():
    """Forget the remembered rankings, block plans and tile models (after a change of
    this module's constants or of the backends' models), and the kept answers
    of the separability test (:func:`sigconv._backends._factors.factorize`)."""
    _factors.clear_memo()
    _cached_rank.cache_clear()
    _oa.clear_plans()
    _cached_tile_estimate.cache_clear()
