"""The separable method: a kernel of low rank as passes of 1-D kernels.

A kernel that is an outer product, ``w = f0 (x) f1 (x) ... (x) f[d-1]``,
correlates the extended signal ``X`` as ``d`` passes of 1-D kernels, one
per convolved axis: ``d`` times ``K`` multiply-adds per output instead of
``K**d``. A 2-D kernel of rank ``r`` is the sum of ``r`` such products and takes
``r`` chains of passes.

Boundaries. Pass ``j`` samples its own axis at the problem's positions
``o * step + lo + k`` and keeps every other axis as it is (its lengths
along them are those of the array it receives). The boundary rule extends
each axis independently: for ``wrap``, ``symm``, ``reflect`` and ``edge``
the extended signal is ``X[p] = x[m0(p0), m1(p1), ...]`` with one index map
per axis, so extending the output of the earlier passes along the next
axis by that axis's map gives exactly the samples the N-D correlation
reads. The ``fill`` boundary with the value ``c`` is extended by ``c``
where *any* index lies outside; a pass along axis ``j`` turns a line of
``c`` into a line of ``c * sum(f_j)``, so the next pass fills with ``c``
times the sums of the factors already applied (zero for the default fill).
``circular`` mode is the ``wrap`` boundary. Strides apply in the pass of
their axis, so later passes work on the strided array.

Integer and bool kernels are used only when their factors are exact
integers (found by :func:`integer_factors` and checked by reconstructing
the kernel): the passes then sum exactly in int64 (modulo ``2**64``, as the
direct method does), so the result equals the direct method's. Floating
kernels of rank 1 are factored by the fibres through their largest entry
(no matrix factorisation, which in a threaded LAPACK can cost more than a
small convolution), 2-D kernels of higher rank by repeating that on the
residual (cross approximation with full pivoting); the factors are accepted when what the factors leave out is at
most :data:`RANK_RTOL` times the dtype's epsilon times ``sqrt(taps)`` of
the kernel's Frobenius norm (``eps`` of the result's dtype): an error of
the order of the rounding error of the direct sums.

Each pass is a :class:`~sigconv._problem.Problem` of its own, evaluated
by the direct method (over the whole array, with a kernel of length 1
along the other axes, so that no axis is moved) or, for a long factor
where the cost model prefers it, by the FFT method along that axis.
"""
import itertools
import math
import threading

import numpy as np

from .._boundary import map_index
from .._dtypes import cast_fillvalue, kernel_dtype
from .._ext import _direct, _separable
from .._problem import Problem
from .._threads import resolve_workers
from . import _factors, direct, fft
from ._factors import (  # noqa: F401  (the factoring, also reached through this module)
    RANK_RTOL, Factors, _not_rank1, _wrap64, factorize, integer_factors, max_rank)
from ._layout import batch_indices, finish, to_canonical

_ZERO = np.zeros(1, dtype=np.intp)

#: factors shorter than this are always applied by the direct method
FFT_MIN_TAPS = 48

#: bytes of one band's intermediate arrays in the banded evaluation (about
#: a core's share of the L2 cache)
BAND_BYTES = 1 << 18

#: items of at least this many samples are evaluated band by band
BAND_MIN_POINTS = 1 << 15


def kernel_matrix(problem, kernel):
    """The kernel as the passes correlate with it (convolved axes only), or None.

    None when the kernel has more than one item along the other axes (a
    filter bank: each item would need its own factors).
    """
    w = to_canonical(kernel, problem, None, flip=problem.flip_kernel)
    nb = len(problem.batch_shape)
    if any(n != 1 for n in w.shape[:nb]):
        return None
    w = w.reshape(w.shape[nb:])
    if problem.conj_kernel and w.dtype.kind == "c":
        w = np.conjugate(w)
    return w


def factors_for(problem, kernel, rank_limit=None):
    """:class:`Factors` of ``problem``'s kernel, or None when it is not separable.

    ``rank_limit``: the largest rank worth finding (see :func:`factorize`).
    Where only rank 1 is sought, a 2 x 2 minor read from the kernel as it
    is may tell first that there is none (:func:`_not_rank1`).
    The answer for a kernel of at most ``MEMO_BYTES`` is kept with
    :func:`factorize`'s, matched by the kernel's bytes and what of the
    problem the factors depend on, so a repeated call skips the minors too.
    """
    kernel = np.asarray(kernel)
    if kernel.nbytes > _factors.MEMO_BYTES:
        return _factors_for(problem, kernel, rank_limit)
    key = ("factors_for", kernel.dtype.str, kernel.shape, problem.axes,
           len(problem.batch_shape), problem.flip_kernel, problem.conj_kernel,
           problem.out_dtype.str, rank_limit)
    data = kernel.tobytes()
    answer = _factors.memo_get(key, data)
    if answer is _factors._MISSING:
        answer = _factors_for(problem, kernel, rank_limit)
        _factors.memo_put(key, data, answer)
    return answer


def _factors_for(problem, kernel, rank_limit):
    if _not_rank1(problem, kernel, rank_limit):
        return None
    w = kernel_matrix(problem, kernel)
    if w is None:
        return None
    return factorize(w, problem.out_dtype, rank_limit)


class _Stash(threading.local):
    item = None


_stash = _Stash()


def stash(kernel, factors):
    """Hand ``factors`` of ``kernel`` to the next :func:`run` on this thread."""
    _stash.item = (kernel, factors)


def _take(kernel):
    item, _stash.item = _stash.item, None
    if item is not None and item[0] is kernel:
        return item[1]
    return None


# --------------------------------------------------------------------------
# The passes
# --------------------------------------------------------------------------

def _work_dtype(problem):
    """dtype of the intermediate arrays."""
    if problem.out_dtype.kind in "biu":
        return np.dtype(np.int64)
    if problem.is_complex:
        return np.result_type(problem.compute_dtype, np.complex64)
    return problem.compute_dtype


def _pass_problem(problem, shape, j, K, fill, dtype, along_only=False):
    """The Problem of the pass along convolved axis ``j`` of a canonical array of ``shape``.

    ``along_only``: axis ``j`` is the only convolved axis (the others are
    batch), the form the FFT method needs; otherwise every convolved axis
    is convolved, with length 1 of kernel along all but ``j`` (the direct
    method then needs no axis moved).
    """
    nb = len(problem.batch_shape)
    d = len(problem.axes)
    conv = list(shape[nb:])
    out_conv = list(conv)
    out_conv[j] = problem.out_conv_shape[j]
    out_shape = tuple(shape[:nb]) + tuple(out_conv)
    compute, is_complex = kernel_dtype(dtype)
    outputs = 1
    for n in out_shape:
        outputs *= n
    if along_only:
        ax = nb + j
        axes = (ax,)
        batch = tuple(n for i, n in enumerate(shape) if i != ax)
        x_shape, k_shape = (conv[j],), (K,)
        out_c = (out_conv[j],)
        lo, step = (problem.lo[j],), (problem.step[j],)
    else:
        axes = tuple(range(nb, nb + d))
        batch = tuple(shape[:nb])
        x_shape = tuple(conv)
        k_shape = tuple(K if i == j else 1 for i in range(d))
        out_c = tuple(out_conv)
        lo = tuple(problem.lo[j] if i == j else 0 for i in range(d))
        step = tuple(problem.step[j] if i == j else 1 for i in range(d))
    return Problem(
        op="convolve", flavor="nd", mode=problem.mode, boundary=problem.boundary,
        fillvalue=cast_fillvalue(fill, dtype), ndim=len(shape), axes=axes,
        batch_shape=batch, x_shape=x_shape, k_shape=k_shape, out_conv_shape=out_c,
        lo=lo, step=step, swapped=False, flip_kernel=False, conj_kernel=False,
        reverse_output=False, conj_output=False, out_shape=out_shape, out_dtype=dtype,
        compute_dtype=compute, is_complex=is_complex,
        work=outputs * K * (4 if is_complex else 1))


def _identity(problem, j, n):
    return (problem.k_shape[j] == 1 and problem.lo[j] == 0 and problem.step[j] == 1
            and problem.out_conv_shape[j] == n)


def pass_order(problem):
    """The convolved axes in the order of least work (axes needing no pass left out)."""
    d = len(problem.axes)
    needed = [j for j in range(d) if not _identity(problem, j, problem.x_shape[j])]
    if not needed:
        needed = [d - 1]
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    best = None
    for order in itertools.permutations(needed):
        conv = list(problem.x_shape)
        cost = 0
        for j in order:
            conv[j] = problem.out_conv_shape[j]
            n = rows
            for m in conv:
                n *= m
            cost += n * max(problem.k_shape[j], 2)
        if best is None or cost < best[0]:
            best = (cost, order)
    return best[1]


def passes(problem, order=None):
    """Per pass: ``(axis, direct-form Problem, axis-only Problem)`` (fill left at 0)."""
    dtype = _work_dtype(problem)
    nb = len(problem.batch_shape)
    shape = list(problem.batch_shape) + list(problem.x_shape)
    out = []
    for j in (pass_order(problem) if order is None else order):
        K = problem.k_shape[j]
        sub = _pass_problem(problem, shape, j, K, 0, dtype)
        along = _pass_problem(problem, shape, j, K, 0, dtype, along_only=True)
        out.append((j, sub, along))
        shape[nb + j] = problem.out_conv_shape[j]
    return out


def _pass_method(sub, along, workers):
    """'direct' or the transform method the cost model prefers for one pass."""
    if along.k_shape[0] < FFT_MIN_TAPS or sub.out_dtype.kind in "biu":
        return "direct"
    from .. import _cost
    direct_t, fft_t = _cost.pass_times(sub, along, workers)
    return "fft" if fft_t < direct_t else "direct"


def _scaled_fill(fill, total, dtype):
    if dtype.kind in "biu":
        return _wrap64(int(fill) * int(total))
    return fill * total


def _not_separable(problem):
    return ValueError(
        "method='separable' needs a kernel that is an outer product of 1-D factors (or "
        "in 2-D a sum of at most %d of them), to within the rounding error of %s results "
        "(integer kernels exactly, with integer factors), with finite values and one "
        "kernel for every item of the batch; this kernel of shape %s is not. Use "
        "method='auto' or 'direct'."
        % (max_rank(problem.k_shape), problem.out_dtype, problem.k_shape))


def _bandable(problem, factors, plan, methods):
    """Whether :func:`_run_banded` can evaluate ``problem``."""
    d = len(problem.axes)
    if d < 2 or problem.is_complex or problem.compute_dtype.char not in "fdq":
        return False
    if any(m != "direct" for m in methods):
        return False
    if any(k < 2 for k in problem.k_shape):
        return False
    points = 1
    for n in problem.x_shape:
        points *= n
    return points >= BAND_MIN_POINTS


def _run_banded(problem, x, factors, fill0, workers):
    """The passes band by band along the first convolved axis, into one result.

    Each band of ``R`` outputs along the first axis is taken through every
    pass before the next: the intermediate arrays (``R`` lines wide) stay in
    the cache, and the input is read and the output written once. Each pass
    calls the direct kernel on the whole item with the band's offset along
    the first axis (boundary by index, no copy); the last pass writes into
    the result in place.
    """
    nb = len(problem.batch_shape)
    d = len(problem.axes)
    dt = problem.compute_dtype
    out = np.empty(problem.batch_shape + problem.out_conv_shape, dtype=dt)
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    xs = x.reshape((-1,) + x.shape[nb:])
    outs = out.reshape((rows,) + problem.out_conv_shape)
    M0 = problem.out_conv_shape[0]
    line = dt.itemsize
    for n in problem.x_shape[1:]:
        line *= n
    R = max(1, min(M0, BAND_BYTES // line))
    nthreads = resolve_workers(workers, problem.work // max(1, sum(problem.k_shape)))
    terms = []
    for term in factors.terms:
        ws = []
        for j, f in enumerate(term):
            shape = [1] * d
            shape[j] = f.size
            ws.append(np.ascontiguousarray(f, dtype=dt).reshape(-1))
        fills = [fill0]
        for f in term[:-1]:
            fills.append(_scaled_fill(fills[-1], f.astype(dt).sum(dtype=dt), dt))
        terms.append((ws, [dt.type(v) if dt.kind == "f" else int(v) for v in fills]))
    kshapes = [tuple(problem.k_shape[j] if i == j else 1 for i in range(d)) for j in range(d)]
    bands = [(b, r0, min(M0, r0 + R)) for b in range(rows) for r0 in range(0, M0, R)]
    # three axes or more: the last two passes of a band in the fused kernel
    fuse = (d >= 3 and dt in _FUSED_DTYPES and max(problem.k_shape[-2:]) < FFT_MIN_TAPS
            and _fused_extra_ok(problem, d - 2, d - 1)[0])
    if fuse:
        rmap, cmap = _fused_maps(problem, (d - 2, d - 1))
        items = np.arange(R * math.prod(problem.out_conv_shape[1:d - 2]), dtype=np.intp)

    def work(chunk, threads):
        # this worker's scratch: each pass's band, and a term's result
        bufs = []
        for j in range(d - 1):
            size = R
            for i in range(1, d):
                size *= problem.out_conv_shape[i] if i <= j else problem.x_shape[i]
            bufs.append(np.empty(size, dtype=dt))
        extra = (None if len(terms) == 1 or fuse
                 else np.empty((R,) + problem.out_conv_shape[1:], dt))
        for b, r0, r1 in chunk:
            xb = xs[b].reshape(-1)
            for t, (ws, fills) in enumerate(terms):
                src, sshape = xb, tuple(problem.x_shape)
                for j in range(d):
                    if fuse and j == d - 2:
                        # both passes into the result (later terms added in place)
                        n = (r1 - r0) * math.prod(sshape[1:d - 2])
                        _separable.correlate(
                            src, ws[j], ws[j + 1], outs[b, r0:r1].reshape(-1),
                            sshape[d - 2], sshape[d - 1], problem.out_conv_shape[d - 2],
                            problem.out_conv_shape[d - 1], problem.step[d - 2],
                            problem.step[d - 1], problem.lo[d - 1], rmap, cmap, items[:n],
                            fills[j], t > 0, threads)
                        break
                    oshape = (r1 - r0,) + tuple(
                        problem.out_conv_shape[i] if i <= j else problem.x_shape[i]
                        for i in range(1, d))
                    lo = tuple((problem.lo[0] + r0 * problem.step[0]) if (i == 0 and j == 0)
                               else problem.lo[i] if i == j else 0 for i in range(d))
                    step = tuple(problem.step[i] if i == j else 1 for i in range(d))
                    if j == d - 1:
                        dest = outs[b, r0:r1] if t == 0 else extra[:r1 - r0]
                    else:
                        size = 1
                        for n in oshape:
                            size *= n
                        dest = bufs[j][:size]
                    _direct.correlate(src, ws[j], dest.reshape(-1), sshape, kshapes[j],
                                      oshape, lo, step, _ZERO, _ZERO, problem.boundary,
                                      fills[j], threads)
                    src, sshape = dest.reshape(-1), oshape
                if t > 0 and not fuse:
                    np.add(outs[b, r0:r1], extra[:r1 - r0], out=outs[b, r0:r1])

    nthreads = min(nthreads, len(bands))
    if nthreads <= 1:
        work(bands, 1)
        return out
    # One band list per thread, each calling the kernel on one thread: a
    # parallel region per band would wait for every thread at every band,
    # which costs dearly when the cores are shared.
    edges = [len(bands) * i // nthreads for i in range(nthreads + 1)]
    errors = []

    def guarded(chunk):
        try:
            work(chunk, 1)
        except BaseException as exc:     # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(bands[a:z],), name="sigconv-sep")
               for a, z in zip(edges[1:-1], edges[2:])]
    for th in threads:
        th.start()
    try:
        guarded(bands[edges[0]:edges[1]])
    finally:
        for th in threads:
            th.join()
    if errors:
        raise errors[0]
    return out


#: multiply-adds below which the fused kernel runs on one thread by default
#: (starting a helper thread costs about 50 microseconds)
TEAM_MIN_WORK = 1 << 24

#: the fused kernel is used while the work it does (its vertical pass runs
#: over every column a strided output row spans) is at most this many
#: times the work of the passes in their best order
FUSED_MAX_EXTRA = 2.0


_FUSED_DTYPES = tuple(np.dtype(t) for t in (np.float32, np.float64, np.longdouble, np.int64))


def _fused_extra_ok(problem, a, b):
    """The fused kernel's work rule for the convolved axes ``a`` (rows) and
    ``b`` (columns) of ``problem``: its vertical pass runs over every column
    a strided output row spans."""
    M0, M1 = problem.out_conv_shape[a], problem.out_conv_shape[b]
    n0, n1 = problem.x_shape[a], problem.x_shape[b]
    K0, K1 = problem.k_shape[a], problem.k_shape[b]
    span = min(n1, (M1 - 1) * problem.step[b] + K1)
    fused = M0 * (K0 * span + K1 * M1)
    # the passes in either order: rows first over the item's columns, or
    # columns first over every row the outputs read
    rows_first = M0 * n1 * K0 + M0 * M1 * K1
    rows_read = min(n0, (M0 - 1) * problem.step[a] + K0)
    cols_first = rows_read * M1 * K1 + M0 * M1 * K0
    return fused <= FUSED_MAX_EXTRA * min(rows_first, cols_first), fused


def fused_work(problem):
    """``(multiply-adds, outputs)`` of the fused kernel for ``problem``, or
    None where it does not apply.

    It applies to two convolved axes of real data (computed in float32,
    float64, long double or int64) while its vertical pass, which runs
    over every column a strided output row spans, does at most
    :data:`FUSED_MAX_EXTRA` times the work of the passes in their best
    order. The cost model (:func:`sigconv._cost.separable_time`) takes it
    for factors shorter than :data:`FFT_MIN_TAPS`, which always run direct.
    """
    if len(problem.axes) != 2 or problem.is_complex:
        return None
    if problem.compute_dtype not in _FUSED_DTYPES:
        return None
    ok, fused = _fused_extra_ok(problem, 0, 1)
    if not ok:
        return None
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    M0, M1 = problem.out_conv_shape
    return rows * fused, rows * M0 * M1


def _fusable(problem, methods):
    """Whether :func:`_run_fused` evaluates ``problem``: :func:`fused_work`
    applies and both passes are direct."""
    return all(m == "direct" for m in methods) and fused_work(problem) is not None


def _fused_maps(problem, axes=(0, 1)):
    """The fused kernel's index maps along two convolved axes: extended rows
    and columns -> index into the item (-1: the fill value)."""
    maps = []
    for j in axes:
        n = problem.x_shape[j]
        length = (problem.out_conv_shape[j] - 1) * problem.step[j] + problem.k_shape[j]
        pos = np.arange(problem.lo[j], problem.lo[j] + length, dtype=np.intp)
        maps.append(np.ascontiguousarray(map_index(pos, n, problem.boundary), dtype=np.intp))
    return maps


def _run_fused(problem, x, factors, fill0, workers):
    """Both passes of each term in one sweep (``sigconv._ext._separable``)."""
    dt = problem.compute_dtype
    n0, n1 = problem.x_shape
    M0, M1 = problem.out_conv_shape
    K0, K1 = problem.k_shape
    xi, _, count = batch_indices(problem, x, x)
    xi = np.ascontiguousarray(xi[:count], dtype=np.intp)
    out = np.empty((count, M0, M1), dtype=dt)
    if out.size == 0:
        return out.reshape(problem.batch_shape + problem.out_conv_shape)
    rmap, cmap = _fused_maps(problem)
    work = count * M0 * M1 * (K0 + K1)
    nthreads = resolve_workers(workers, work)
    if workers is None and work < TEAM_MIN_WORK:
        nthreads = 1
    fill = dt.type(fill0) if dt.kind == "f" else int(fill0)
    xs = x.reshape(-1)
    for t, term in enumerate(factors.terms):
        f0 = np.ascontiguousarray(term[0], dtype=dt).reshape(-1)
        f1 = np.ascontiguousarray(term[1], dtype=dt).reshape(-1)
        args = (xs, f0, f1, out.reshape(-1), n0, n1, M0, M1, problem.step[0],
                problem.step[1], problem.lo[1], rmap, cmap, xi, fill, t > 0, nthreads)
        if nthreads <= 1:
            _separable.correlate(*args)
        else:
            _in_team(args, nthreads)
    return out.reshape(problem.batch_shape + problem.out_conv_shape)


def _helper(args, ctrl):
    try:
        _separable.correlate(*args, ctrl=ctrl, helper=True)
    except BaseException:       # the calling thread's own call reports it
        pass


def _in_team(args, nthreads):
    """``_separable.correlate(*args)`` by ``nthreads`` threads taking tasks
    from one counter: this thread and ``nthreads - 1`` helpers.

    The call returns when every task is done; a helper the scheduler has
    not started by then (its core busy with another process) finds none
    left and leaves at once, so nobody waits for it -- where an OpenMP
    team would wait at its closing barrier for every thread to arrive.
    """
    ctrl = np.zeros(_separable.TEAM_CTRL + 8 * nthreads, dtype=np.int64)
    for _ in range(nthreads - 1):
        try:
            threading.Thread(target=_helper, args=(args, ctrl), name="sigconv-sep",
                             daemon=True).start()
        except RuntimeError:    # no more threads: the others take the tasks
            break
    _separable.correlate(*args, ctrl=ctrl, helper=False)


def run(problem, signal, kernel, workers=None, prepared=None):
    """Evaluate ``problem`` by passes of 1-D kernels; returns the finished array.

    ``prepared``: the kernel's :class:`Factors` (from :func:`prepare`);
    otherwise they are computed here, and :class:`ValueError` is raised
    when the kernel is not separable.
    """
    factors = prepared if prepared is not None else _take(kernel)
    if factors is None:
        factors = factors_for(problem, kernel)
    if factors is None:
        raise _not_separable(problem)
    if tuple(factors.shape) != tuple(problem.k_shape):
        raise ValueError("the kernel factors are for a kernel of shape %s, not %s"
                         % (factors.shape, problem.k_shape))
    dtype = _work_dtype(problem)
    real = dtype.kind != "c"
    x = to_canonical(signal, problem, problem.compute_dtype if real else None)
    plan = passes(problem)
    methods = [_pass_method(sub, along, workers) for _, sub, along in plan]
    fill0 = problem.fillvalue
    if dtype.kind in "biu":
        fill0 = int(np.asarray(fill0).astype(np.int64))
    if real and _fusable(problem, methods):
        return finish(_run_fused(problem, x, factors, fill0, workers), problem)
    if _bandable(problem, factors, plan, methods):
        return finish(_run_banded(problem, x, factors, fill0, workers), problem)
    acc = None
    for term in factors.terms:
        cur = x
        fill = fill0
        for (j, sub, along), method in zip(plan, methods):
            f = term[j].astype(dtype if dtype.kind != "c" or term[j].dtype.kind == "c"
                               else problem.compute_dtype, copy=False)
            target = sub if method == "direct" else along
            target = target._replace(fillvalue=cast_fillvalue(fill, dtype))
            shape = [1] * target.ndim
            shape[len(problem.batch_shape) + j] = f.size
            if method == "direct":
                cur = direct.run(target, cur, f.reshape(shape), workers)
            else:
                cur = fft.run(target, cur, f.reshape(shape), workers)
            if fill != 0:
                fill = _scaled_fill(fill, f.sum(dtype=dtype if dtype.kind != "c"
                                                else None), dtype)
        if acc is None:
            acc = cur if cur is not x else cur.copy()
        else:
            np.add(acc, cur, out=acc)
    return finish(acc, problem)


def prepare(problem, kernel, workers=None):
    """The kernel's :class:`Factors` for ``problem`` (ValueError when not separable)."""
    factors = factors_for(problem, kernel)
    if factors is None:
        raise _not_separable(problem)
    return factors
