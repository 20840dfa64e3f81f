"""Choosing a method: ``choose_conv_method``; reusable plans: ``Convolver``.

A cost model of the three methods, in nanoseconds:

* direct: ``DIRECT_NS[dtype] * work + OUTPUT_NS[dtype] * outputs``, ``work``
  the multiply-adds of the direct evaluation (complex data counts four real
  ones per product);
* fft: ``FFT_NS[dtype] * units + POINT_NS[dtype] * points``: ``units`` the
  modelled time of the transforms
  (:func:`sigconv._backends.fft.transform_units`: ``P log2 P`` for ``P``
  points, more for lengths with factors 3 and 5), summed over the signal's
  forward and the inverse transforms of every batch item and the kernel's
  own items (pruned to ``KERNEL_SHARE`` of a whole transform in N-D);
  ``points`` those the element-wise passes touch. Lines transformed many at
  a time (N-D, or a batch) cost ``ND_FFT_SCALE`` of a lone 1-D line;
* oa: the same per block of the block plan (overlap-save), summed over the blocks,
  plus ``OA_POINT_NS`` per block point for padding and adding the blocks.

Threads divide the direct time and the transforms' time by what they
achieve: the direct kernel and transforms of many lines or blocks spread
over the cores (``PARALLEL_EFFICIENCY``); a batch of a few long lines runs
one group of rows per thread; a lone 1-D line overlaps only the signal's
and the kernel's transforms (two thirds of the time). The element-wise
passes count as one thread's.

The constants were fitted to single-thread timings of 40 problems (1-D,
2-D, 3-D; float32 and float64; short to long kernels) on an x86-64 machine
with AVX2, where float64 direct sums run at about 0.085 ns per
multiply-add and a float64 transform at about 0.55 ns per ``P log2 P``;
what matters is their ratios, which change far less between machines than
the absolute times. On that set the model's choice is within 1.3x of the
fastest method everywhere, and within 1.2x on all but two small volumes.
``measure=True`` times the candidates instead.
"""
import time

import numpy as np

from ._backends import BACKENDS, all_finite, check_method, evaluate
from ._backends import fft as _fft
from ._backends import oa as _oa
from ._backends._layout import to_canonical
from ._dtypes import result_dtype
from ._exact import operand_norms, transform_is_exact
from ._problem import make_problem, normalize_axes
from ._threads import resolve_workers
from ._validate import as_int

__all__ = ["choose_conv_method", "Convolver"]

#: nanoseconds per unit of ``Problem.work`` of the direct kernel, by the real
#: dtype it computes in (complex data is computed in its parts, and its
#: ``work`` counts the four real products of each complex one), and per
#: output
DIRECT_NS = {"f": 0.042, "d": 0.085, "g": 1.0, "q": 0.2}
OUTPUT_NS = {"f": 0.5, "d": 1.5, "g": 4.0, "q": 2.0}

#: nanoseconds per unit of :func:`sigconv._backends.fft.transform_units`
#: (about ``P log2 P`` for ``P`` points), by the transform dtype
FFT_NS = {"f": 0.40, "d": 0.55, "g": 6.0, "F": 0.55, "D": 0.75, "G": 8.0}

#: the lines of an N-D transform (or of a batch of 1-D ones) run several
#: at once in vector registers (scipy.fft), cheaper per unit than a single
#: 1-D line: the factor
ND_FFT_SCALE = {"f": 0.6, "d": 0.8, "F": 0.8, "D": 0.9}

#: nanoseconds per transformed point of the element-wise passes (loading,
#: the product, cropping), and the block method's extra per block point
#: (padding each block, adding the overlapping results)
POINT_NS = {"f": 1.0, "d": 2.0, "g": 8.0, "F": 2.0, "D": 4.0, "G": 16.0}
OA_POINT_NS = {"f": 3.0, "d": 4.0, "g": 8.0, "F": 4.0, "D": 6.0, "G": 16.0}

#: share of the ideal speed-up threads give
PARALLEL_EFFICIENCY = 0.9

#: the kernel's transform as a share of a full one, when pruned (N-D)
KERNEL_SHARE = 0.4

#: fixed cost of a call (planning, allocation), nanoseconds
DIRECT_OVERHEAD = 5e3
FFT_OVERHEAD = 40e3


def _points(shape):
    total = 1
    for n in shape:
        total *= n
    return total




def _direct_ns(problem):
    code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
    return DIRECT_NS.get(code, 1.0)


def _features(problem, kernel_rows=None):
    """What the modelled times are linear in: ``{method: (units, points)}``.

    ``units``: the transforms' modelled time (:func:`sigconv._backends.fft.transform_units`)
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
    single = _fft.is_single(real_dt)

    def transforms(shape, blocks):
        share = 1.0 if len(shape) == 1 else KERNEL_SHARE
        units = _fft.transform_units(shape, real, single)
        return (units * (2 * rows * blocks + krows * share),
                float(_points(shape) * rows * blocks))
    if problem.mode == "circular":
        out["fft"] = out["oa"] = transforms(problem.x_shape, 1)
        return out
    plans = _fft.linear_axes(problem)
    whole = _fft.fast_lengths([p.size for p in plans], real, single)
    out["fft"] = transforms(whole, 1)
    layout = _oa._block_plan(problem)
    if layout is None:
        out["oa"] = out["fft"]
    else:
        _, blocks, shape, _, _ = layout
        out["oa"] = transforms(shape, _points([count for _, count in blocks]))
    return out


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
    ``nthreads``: the threads the call runs on.
    """
    feats = _features(problem, kernel_rows)
    work, outputs = feats["direct"]
    code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
    times = {"direct": DIRECT_OVERHEAD + DIRECT_NS.get(code, 1.0) * work
             + OUTPUT_NS.get(code, 1.0) * outputs}
    real_dt, complex_dt = _fft.transform_dtypes(problem)
    dt = complex_dt if problem.is_complex else real_dt
    per_unit = FFT_NS.get(dt.char, 25.0)
    if len(problem.axes) > 1 or _points(problem.batch_shape) >= 8:
        per_unit *= ND_FFT_SCALE.get(dt.char, 1.0)
    per_point = POINT_NS.get(dt.char, 10.0)
    speed = _speedups(problem, feats, nthreads, kernel_rows)
    times["direct"] *= speed["direct"]
    for m in ("fft", "oa"):
        units, points = feats[m]
        if m == "oa" and points > feats["fft"][1]:
            per_point = per_point + OA_POINT_NS.get(dt.char, 10.0)
        # the element-wise passes (numpy: loading, padding, adding blocks,
        # the final copy) run on one thread
        times[m] = FFT_OVERHEAD + per_unit * units * speed[m] + per_point * points
    return {k: v * 1e-9 for k, v in times.items()}


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


def toeplitz_times(problem, signal, kernel, times):
    """``{'toeplitz': seconds}`` for a filter bank the GEMM method can compute, else ``{}``.

    ``times`` are the other methods' modelled times (``estimate_times``);
    the Toeplitz time is the direct one scaled by the ratio of the two
    methods' modelled costs per multiply-add.
    """
    from ._backends import toeplitz as _toeplitz
    dt = _toeplitz.blas_dtype(problem)
    if dt is None or "direct" not in times:
        return {}
    kernels = 1
    for a in range(problem.ndim):
        if a not in problem.axes and signal.shape[a] == 1:
            kernels *= kernel.shape[a]
    if kernels < 2:
        return {}
    taps = _points(problem.k_shape)
    base, per_tap, per_kernel = TOEPLITZ_TERMS
    toe = TOEPLITZ_NS[dt.char] * (base + per_tap / taps + per_kernel / kernels)
    d_base, d_tap = DIRECT_ROW_TERMS[min(len(problem.axes), 2)]
    direct = TOEPLITZ_NS[dt.char] * (d_base + d_tap / problem.k_shape[-1])
    fixed = DIRECT_OVERHEAD * 1e-9
    return {"toeplitz": fixed + (times["direct"] - fixed) * toe / direct}


def _transform_is_exact(problem, signal, kernel):
    """Whether the FFT methods' integer bound guarantees exact integers.

    Evaluated on the whole inputs (norms at least those of the parts a
    transform sees), with ``2**d`` times the bound for ``d`` convolved axes:
    a margin that covers the block transforms of ``method='oa'``, which on
    an axis of one block may be a little longer than the whole transform
    (the bound grows with the logarithm of the length). In ``circular`` mode the kernel may be folded, whose 2-norm is
    bounded by its 1-norm. Boundaries other than a zero fill extend the
    signal beyond its own norms: those calls are not certified (the direct
    method is used).
    """
    if problem.mode != "valid" and (problem.boundary != _fft.FILL
                                    or problem.fillvalue != 0):
        return False
    nb = len(problem.batch_shape)
    if problem.mode == "circular":
        shape = problem.x_shape
    else:
        shape = _fft.fast_lengths([p.size for p in _fft.linear_axes(problem)], True)
    xn = operand_norms(_fft.canonical_view(signal, problem), nb)
    hn = operand_norms(_fft.canonical_view(kernel, problem), nb)
    if problem.mode == "circular":
        hn = (hn[0], hn[0])
    return transform_is_exact(xn, hn, shape, margin=2 ** len(shape))


#: the finiteness test (kept under this name for the modules that use it)
_all_finite = all_finite


def _kernel_rows(problem, kernel):
    """Batch items of ``kernel`` (its lengths along the non-convolved axes)."""
    return _points([n for a, n in enumerate(kernel.shape) if a not in problem.axes])


def _model_times(problem, kernel_rows=None, workers=None):
    """:func:`estimate_times` on the threads a call with ``workers`` runs on."""
    nthreads = resolve_workers(workers, problem.work) if workers != 1 else 1
    return estimate_times(problem, kernel_rows, nthreads)


def _candidates(problem, signal, kernel, lazy=False, workers=None):
    """Methods that may be used for this call, cheapest-first by the model.

    ``lazy``: only the first entry matters, so the inputs are not scanned
    when the model already ranks the direct method first.
    """
    times = _model_times(problem, _kernel_rows(problem, kernel), workers)
    times.update(toeplitz_times(problem, signal, kernel, times))
    methods = sorted(times, key=lambda m: times[m])
    if lazy and methods[0] == "direct":
        return methods
    if problem.out_dtype.kind in "biu":
        if not _transform_is_exact(problem, signal, kernel):
            return ["direct"]
    elif not (_all_finite(signal) and _all_finite(kernel)):
        # a NaN or Inf would spread over every output of a transform
        return ["direct"]
    return methods


def auto_method(problem, signal, kernel, workers=None):
    """The method ``method='auto'`` uses for ``problem`` (what
    :func:`choose_conv_method` answers for the same call).

    Takes the :class:`~sigconv._problem.Problem` a call has already built.
    Where the direct method's modelled time is below the transforms' fixed
    cost it wins outright and nothing else is evaluated; the inputs are
    scanned (for NaN/Inf, or for the integer bound) only when the model
    prefers a transform.
    """
    if 0 in problem.out_shape or 0 in problem.x_shape or 0 in problem.k_shape:
        return "direct"
    direct = DIRECT_OVERHEAD + _direct_ns(problem) * problem.work
    if direct <= FFT_OVERHEAD:
        return "direct"
    return _candidates(problem, signal, kernel, lazy=True, workers=workers)[0]


def _time(func, budget=0.2):
    """Best of a few runs of ``func`` (at least 3, within about ``budget`` seconds)."""
    t0 = time.perf_counter()
    func()
    best = time.perf_counter() - t0
    runs = 1
    while runs < 3 or (time.perf_counter() - t0 < budget and runs < 100):
        t = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t)
        runs += 1
    return best


def choose_conv_method(in1, in2, mode="full", measure=False):
    """The fastest method for ``convolve(in1, in2, mode)`` (scipy's signature).

    Parameters
    ----------
    in1 : array_like
        First input of the convolution.
    in2 : array_like
        Second input, with as many dimensions as ``in1``.
    mode : {'full', 'valid', 'same', 'circular'}, optional
        The mode of the convolution (see :func:`convolve`).
    measure : bool, optional
        ``False`` (default): choose by a cost model. ``True``: run
        :func:`convolve` with each candidate method and time it.

    Returns
    -------
    method : {'direct', 'fft', 'oa'}
        A ``method=`` for :func:`convolve` and :func:`correlate`.
    times : dict
        Only with ``measure=True``: the best time in seconds of each method
        measured.

    Raises
    ------
    ValueError, TypeError
        What :func:`convolve` raises for these inputs.

    See Also
    --------
    convolve, fftconvolve, oaconvolve
    scipy.signal.choose_conv_method : the function this one replaces.

    Notes
    -----
    The model compares the direct method's multiply-adds with the points
    and lengths of the transforms of ``fft`` and ``oa`` (its block plan),
    weighted by constants fitted per dtype (``sigconv.plan.DIRECT_NS`` and
    ``FFT_NS``; see the module's documentation). It never chooses a
    transform

    * for integer or bool inputs whose exact result the transforms cannot
      guarantee (:func:`sigconv._exact.integer_error_bound`); the
      direct method is exact for any integers;
    * for inputs holding NaN or Inf, which a transform spreads over every
      output (the direct method keeps them to the outputs whose sums
      include them).

    Unlike scipy's, the answer may be ``'oa'`` (blocks, by overlap-save), which scipy's
    ``convolve`` does not accept; with ``import sigconv as signal`` every
    answer is a valid method.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.choose_conv_method(np.ones(10_000), np.ones(5))
    'direct'
    >>> sigconv.choose_conv_method(np.ones((512, 512)), np.ones((63, 63)))
    'fft'
    >>> sigconv.choose_conv_method(np.ones(1_000_000), np.ones(2000))
    'oa'

    Integers stay with the direct method when a transform could not give
    the exact result, and so do inputs with NaN:

    >>> big = np.full(100_000, 2**40)
    >>> sigconv.choose_conv_method(big, big[:3000])
    'direct'
    >>> sigconv.choose_conv_method(np.full((512, 512), np.nan), np.ones((63, 63)))
    'direct'

    Timing instead of the model:

    >>> method, times = sigconv.choose_conv_method(np.ones(5000), np.ones(300),
    ...                                            measure=True)
    >>> sorted(times)
    ['direct', 'fft', 'oa']
    >>> method == min(times, key=times.get)
    True
    """
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if in1.ndim == in2.ndim == 0:
        make_problem(in1.reshape(1), in2.reshape(1), op="convolve", mode=mode)
        return ("direct", {}) if measure else "direct"
    problem, signal, kernel = make_problem(in1, in2, op="convolve", mode=mode)
    if not measure:
        return auto_method(problem, signal, kernel)
    if 0 in problem.out_shape:
        return "direct", {}
    methods = _candidates(problem, signal, kernel)
    times = {}
    for m in methods:
        times[m] = _time(lambda m=m: BACKENDS[m](problem, signal, kernel, None))
    return min(times, key=times.get), times


def _model_choice(problem, kernel_rows=None):
    """The model's cheapest method, from the shapes and dtype alone."""
    if 0 in problem.out_shape or 0 in problem.x_shape or 0 in problem.k_shape:
        return "direct"
    if DIRECT_OVERHEAD + _direct_ns(problem) * problem.work <= FFT_OVERHEAD:
        return "direct"
    times = _model_times(problem, kernel_rows)
    return min(("direct", "fft", "oa"), key=lambda m: times[m])


class Convolver:
    """A reusable plan: one kernel convolved with many inputs of one shape.

    ``Convolver(kernel, shape)(x)`` returns what ``convolve(x, kernel,
    mode, method=...)`` returns, with the work that depends on the kernel
    alone done once, when the plan is made: for ``fft`` the kernel's
    spectrum at the transform lengths, for ``oa`` its spectrum at the block
    length, for ``direct`` the flipped, contiguous kernel in the dtype the
    sums run in. Use it to filter many frames, images or volumes with the
    same kernel.

    Parameters
    ----------
    kernel : array_like
        The kernel (``in2`` of :func:`convolve`), at least 1-D.
    shape : int or sequence of int
        Lengths of the inputs along the convolved ``axes`` (one per axis),
        or the whole shape of an input (one per dimension of ``kernel``,
        of which those along ``axes`` count).
    mode : {'full', 'valid', 'same', 'circular'}, optional
        As in :func:`convolve`.
    method : {'auto', 'direct', 'fft', 'oa', 'toeplitz'}, optional
        As in :func:`convolve`. ``auto`` (default) chooses when the plan is
        made, by the cost model of :func:`choose_conv_method` for an input
        of ``shape`` and ``dtype`` (one item of batch); integer plans use
        ``direct`` (exact whatever the inputs' values). The chosen method is
        the attribute :attr:`method`; like ``convolve(method='auto')``, an
        input holding NaN or Inf is then computed by ``direct``.
    axes : int or sequence of int, optional
        The convolved axes (default: all). Along the other axes inputs may
        have any length where ``kernel`` has length 1, else ``kernel``'s
        length or 1: a batch of any size is one call, as in
        :func:`convolve`.
    dtype : dtype, optional
        The dtype of the inputs the plan is for (default: ``kernel``'s).
        Inputs of another dtype are accepted when the result dtype,
        ``numpy.result_type(x, kernel)``, is the same.
    boundary, fillvalue, stride
        As in :func:`convolve` (keyword-only); fixed for the plan.

    Attributes
    ----------
    method : str
        The method the plan runs: ``'direct'``, ``'fft'``, ``'oa'`` or ``'toeplitz'``.
    shape : tuple of int
        The inputs' lengths along the convolved axes.
    mode : str
    axes : tuple of int
        The convolved axes, non-negative and increasing.
    dtype : numpy.dtype
        The dtype of the results.
    kernel : ndarray
        The kernel, as given (read-only view).

    Raises
    ------
    ValueError
        What :func:`convolve` rejects for a kernel and an input of
        ``shape``; a 0-d kernel; ``shape`` with the wrong number of entries
        or negative lengths.
    TypeError
        A non-numeric ``kernel`` or ``dtype``.

    See Also
    --------
    convolve : the function a plan's calls equal.
    choose_conv_method : the model ``method='auto'`` uses.

    Notes
    -----
    Calling the plan validates the input (its dimensionality, its lengths
    along ``axes``, its dtype) and raises :class:`ValueError` or
    :class:`TypeError` naming what was planned. The result equals
    ``convolve(x, kernel, mode, method=plan.method, boundary=..., fillvalue=...,
    axes=..., stride=...)``: same shape, dtype and values (the same
    operations, minus the kernel's). In ``valid`` mode with a kernel larger
    than the inputs the roles swap and the input is the transformed
    operand; nothing is kept then but the method.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> rng = np.random.default_rng(0)
    >>> kernel = rng.standard_normal(4001)
    >>> plan = sigconv.Convolver(kernel, 100_000, mode="same")
    >>> plan.method, plan.shape
    ('fft', (100000,))
    >>> frames = rng.standard_normal((3, 100_000))
    >>> y = [plan(frame) for frame in frames]
    >>> np.allclose(y[0], sigconv.convolve(frames[0], kernel, "same", method="direct"))
    True

    A batch along another axis is one call (the kernel broadcasts):

    >>> blur = sigconv.Convolver(np.full((1, 5, 5), 1 / 25), (64, 64), "same",
    ...                          axes=(1, 2), method="fft")
    >>> images = rng.standard_normal((10, 64, 64))
    >>> blur(images).shape
    (10, 64, 64)
    >>> np.array_equal(blur(images),
    ...                sigconv.convolve(images, blur.kernel, "same", method="fft", axes=(1, 2)))
    True

    Inputs must have the planned lengths:

    >>> blur(np.ones((10, 32, 32)))
    Traceback (most recent call last):
        ...
    ValueError: this Convolver is for inputs of length 64, 64 along axes (1, 2); got an input of shape (10, 32, 32)
    """

    def __init__(self, kernel, shape, mode="full", *, method="auto", axes=None, dtype=None,
                 boundary="fill", fillvalue=0, stride=1):
        kernel = np.asarray(kernel)
        if kernel.ndim == 0:
            raise ValueError("the kernel must have at least one dimension")
        if kernel.dtype.kind not in "biufc":
            raise TypeError("the kernel has dtype %s; sigconv works on bool, integer, "
                            "float and complex arrays" % (kernel.dtype,))
        check_method(method)
        ndim = kernel.ndim
        axes = normalize_axes(axes, ndim)
        shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
        if len(shape) == ndim and len(axes) != ndim:
            shape = tuple(shape[a] for a in axes)
        if len(shape) != len(axes):
            raise ValueError("shape has %d entries for %d convolved axes %s"
                             % (len(shape), len(axes), axes))
        shape = tuple(as_int(n, "shape must hold integers") for n in shape)
        if any(n < 0 for n in shape):
            raise ValueError("shape must hold non-negative lengths, got %r" % (shape,))
        in_dtype = np.dtype(kernel.dtype if dtype is None else dtype)
        template_shape = list(kernel.shape)
        for a, n in zip(axes, shape):
            template_shape[a] = n
        template = np.broadcast_to(np.zeros((), in_dtype), template_shape)
        self._options = dict(op="convolve", mode=mode, boundary=boundary,
                             fillvalue=fillvalue, axes=axes, stride=stride)
        problem, _, _ = make_problem(template, kernel, **self._options)
        self._auto = method == "auto"
        self._kernel_finite = True
        if self._auto:
            method = ("direct" if problem.out_dtype.kind in "biu"
                      else _model_choice(problem, _kernel_rows(problem, kernel)))
            self._kernel_finite = method == "direct" or _all_finite(kernel)
        self.method = method
        self.shape = shape
        self.mode = mode
        self.axes = axes
        self.dtype = problem.out_dtype
        view = kernel.view()
        view.flags.writeable = False
        self.kernel = view
        self._kernel = kernel
        self._prepared = None
        self._flipped = None
        empty = problem.empty
        if problem.swapped or empty:
            return
        if method == "direct":
            # the kernel as the direct method reads it, in the input's axis order
            dt = None if problem.is_complex else problem.compute_dtype
            w = to_canonical(kernel, problem, dt, flip=True)
            last = range(ndim - len(axes), ndim)
            self._flipped = w if tuple(last) == axes else np.moveaxis(w, last, axes)
        elif method in ("fft", "oa"):
            self._prepared = (_fft if method == "fft" else _oa).prepare(problem, kernel)

    def __repr__(self):
        return ("Convolver(kernel of shape %s, shape=%s, mode=%r, method=%r, axes=%s, "
                "dtype=%s)" % (self._kernel.shape, self.shape, self.mode, self.method,
                               self.axes, self.dtype))

    def _check(self, x):
        if x.ndim != self._kernel.ndim:
            raise ValueError("this Convolver is for %d-D inputs (the kernel's "
                             "dimensionality); got an input of shape %s"
                             % (self._kernel.ndim, x.shape))
        if tuple(x.shape[a] for a in self.axes) != self.shape:
            raise ValueError("this Convolver is for inputs of length %s along axes %s; "
                             "got an input of shape %s"
                             % (", ".join(map(str, self.shape)), self.axes, x.shape))
        out = result_dtype(x, self._kernel)
        if out != self.dtype:
            raise TypeError("this Convolver gives %s results; an input of dtype %s gives "
                            "%s with its kernel of dtype %s (make a Convolver with "
                            "dtype=%s)" % (self.dtype, x.dtype, out, self._kernel.dtype,
                                           x.dtype))

    def __call__(self, x, *, workers=None):
        """Convolve ``x`` with the plan's kernel.

        Parameters
        ----------
        x : array_like
            Input of the planned lengths along :attr:`axes` (any batch along
            the others, broadcasting with the kernel).
        workers : int, optional
            Threads, as in :func:`convolve`.

        Returns
        -------
        out : ndarray
            ``convolve(x, kernel, mode, method=self.method, ...)``.
        """
        x = np.asarray(x)
        self._check(x)
        problem, signal, kernel = make_problem(x, self._kernel, **self._options)
        if problem.empty:
            return np.zeros(problem.out_shape, dtype=problem.out_dtype)
        method = self.method
        if (self._auto and method != "direct"
                and not (self._kernel_finite and _all_finite(signal))):
            method = "direct"
        return evaluate(method, problem, signal, kernel, workers, prepared=self._prepared,
                        flipped=self._flipped, stacklevel=3)
