"""Choosing a method: ``choose_conv_method``; reusable plans: ``Convolver``.

The methods are ranked by the cost model of :mod:`sigconv._cost`;
``measure=True`` times the candidates instead.
"""
import time

import numpy as np

from ._backends import BACKENDS, all_finite, check_method, evaluate
from ._backends import fft as _fft
from ._backends import oa as _oa
from ._backends._lengths import fast_lengths
from ._backends._layout import to_canonical
from ._dtypes import result_dtype
from ._exact import operand_norms, transform_is_exact
from ._problem import make_problem, normalize_axes
from ._validate import as_int
from ._cost import (  # noqa: F401  (constants also read through this module)
    DIRECT_NS, DIRECT_OVERHEAD, FFT_NS, FFT_OVERHEAD, ND_FFT_SCALE, _direct_ns,
    _kernel_rows, _model_choice, _model_times, estimate_times, ranking,
    separable_candidate, separable_time)
from ._backends import separable as _sep

__all__ = ["choose_conv_method", "Convolver"]


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
        shape = fast_lengths([p.size for p in _fft.linear_axes(problem)], True)
    xn = operand_norms(_fft.canonical_view(signal, problem), nb)
    hn = operand_norms(_fft.canonical_view(kernel, problem), nb)
    if problem.mode == "circular":
        hn = (hn[0], hn[0])
    return transform_is_exact(xn, hn, shape, margin=2 ** len(shape))


#: the finiteness test (kept under this name for the modules that use it)
_all_finite = all_finite


def _direct_outright(problem):
    """Whether the direct method wins without a model: nothing to compute, or
    its modelled time below the transforms' fixed cost."""
    return (0 in problem.out_shape or 0 in problem.x_shape or 0 in problem.k_shape
            or DIRECT_OVERHEAD + _direct_ns(problem) * problem.work <= FFT_OVERHEAD)


def _checked(method, problem, signal, kernel, defer):
    """``(method, exact)`` for the model's first ``method`` after the tests of
    the inputs' values a transform or BLAS needs.

    Integers stay direct unless the transforms' error bound guarantees the
    exact result; a NaN or Inf, which would spread over every output of a
    transform, keeps floating inputs direct. ``defer``: for a transform
    (``fft``, ``oa``) the signal is not scanned; ``exact`` is then the
    method to fall back on when it holds a NaN or Inf.
    """
    if method == "direct":
        return method, None
    if problem.out_dtype.kind in "biu":
        if not _transform_is_exact(problem, signal, kernel):
            return "direct", None
        return method, None
    if not _all_finite(kernel):
        return "direct", None
    if defer and method in ("fft", "oa"):
        return method, "direct"
    if not _all_finite(signal):
        return "direct", None
    return method, None


def _candidates(problem, signal, kernel, workers=None):
    """Every method that may be used for this call, cheapest-first by the model.

    The separable method is among them when the kernel factors with a rank
    whose modelled time could beat the others' (``choose_conv_method(...,
    measure=True)`` times them all). Integers the transforms cannot keep
    exact, and inputs holding NaN or Inf, leave only the exact methods.
    """
    rank = ranking(problem, signal.shape, kernel.shape, workers)
    times = dict(rank.times)
    if rank.sep_rank:
        factors = _sep.factors_for(problem, kernel, rank.sep_rank)
        if factors is not None:
            times["separable"] = rank.separable(factors.rank)
    methods = sorted(times, key=lambda m: times[m])
    if problem.out_dtype.kind in "biu":
        usable = _transform_is_exact(problem, signal, kernel)
    else:
        usable = _all_finite(kernel) and _all_finite(signal)
    return methods if usable else [m for m in methods if m in ("direct", "separable")]


def auto_choice(problem, signal, kernel, workers=None):
    """The method ``method='auto'`` uses for ``problem`` (what
    :func:`choose_conv_method` answers for the same call), with the
    signal's scan for NaN/Inf left to the call.

    Takes the :class:`~sigconv._problem.Problem` a call has already built.
    Where the direct method's modelled time is below the transforms' fixed
    cost it wins outright and nothing else is evaluated. The model's
    ranking depends on the shapes alone and is remembered per shape
    (:func:`sigconv._cost.ranking`); on each call only the kernel's
    factors are sought (up to the rank that could win, when a rank-1
    kernel would beat the other methods) and the inputs tested (for
    NaN/Inf, or for the integer bound) when the model prefers a transform.

    Returns ``(method, exact)``: where ``method`` is a transform chosen
    without scanning the signal, ``exact`` is the method to use instead if
    it holds a NaN or Inf (for :func:`~sigconv._backends.evaluate`, whose
    overlap-save tiles test the samples as they read them); otherwise
    ``exact`` is None. A separable kernel's factors are handed to the
    call (:func:`sigconv._backends.separable.stash`).
    """
    if _direct_outright(problem):
        return "direct", None
    rank = ranking(problem, signal.shape, kernel.shape, workers)
    if rank.sep_rank:
        factors = _sep.factors_for(problem, kernel, rank.sep_rank)
        if factors is not None and rank.separable(factors.rank) < rank.times[rank.order[0]]:
            _sep.stash(kernel, factors)
            return "separable", None
    return _checked(rank.order[0], problem, signal, kernel, True)


def auto_method(problem, signal, kernel, workers=None):
    """:func:`auto_choice`'s method, the signal scanned for NaN/Inf where it is a
    transform (what :func:`choose_conv_method` answers)."""
    method, exact = auto_choice(problem, signal, kernel, workers)
    if exact is not None and not _all_finite(signal):
        return exact
    return method


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
    method : {'direct', 'fft', 'oa', 'toeplitz', 'separable'}
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
    weighted by constants fitted per dtype (``sigconv._cost.DIRECT_NS`` and
    ``FFT_NS``; see that module's documentation). It never chooses a
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
    >>> rng = np.random.default_rng(0)
    >>> sigconv.choose_conv_method(np.ones(10_000), np.ones(5))
    'direct'
    >>> sigconv.choose_conv_method(np.ones(4096), rng.random(4096))
    'fft'
    >>> sigconv.choose_conv_method(np.ones((512, 512)), rng.random((63, 63)))
    'oa'
    >>> sigconv.choose_conv_method(np.ones(1_000_000), np.ones(2000))
    'oa'

    A kernel that is an outer product of 1-D kernels (a box, a Gaussian) is
    computed as one pass per axis:

    >>> sigconv.choose_conv_method(np.ones((1024, 1024)), np.ones((15, 15)))
    'separable'

    Integers stay with the direct method when a transform could not give
    the exact result, and so do inputs with NaN:

    >>> big = np.full(100_000, 2**40)
    >>> sigconv.choose_conv_method(big, big[:3000])
    'direct'
    >>> sigconv.choose_conv_method(np.full((512, 512), np.nan), rng.random((63, 63)))
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
        method = auto_method(problem, signal, kernel)
        _sep.stash(None, None)     # no call follows to take the kernel's factors
        return method
    if 0 in problem.out_shape:
        return "direct", {}
    methods = _candidates(problem, signal, kernel)
    times = {}
    for m in methods:
        times[m] = _time(lambda m=m: BACKENDS[m](problem, signal, kernel, None))
    return min(times, key=times.get), times


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
    method : {'auto', 'direct', 'fft', 'oa', 'toeplitz', 'separable'}, optional
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
        The method the plan runs: ``'direct'``, ``'fft'``, ``'oa'``, ``'toeplitz'``
        or ``'separable'``.
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
    ('oa', (100000,))
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
            rows = _kernel_rows(problem, kernel)
            method = ("direct" if problem.out_dtype.kind in "biu"
                      else _model_choice(problem, rows))
            if (not problem.swapped and separable_candidate(problem, rows)
                    and 0 not in problem.out_shape and 0 not in problem.x_shape):
                rival = _model_times(problem, rows)[method]
                factors = (_sep.factors_for(problem, kernel)
                           if separable_time(problem, 1) < rival else None)
                if factors is not None and separable_time(problem, factors.rank) < rival:
                    method = "separable"
            self._kernel_finite = method in ("direct", "separable") or _all_finite(kernel)
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
        elif method == "separable":
            self._prepared = _sep.prepare(problem, kernel)

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
        method, exact = self.method, None
        if self._auto and method not in ("direct", "separable"):
            if not self._kernel_finite:
                method = "direct"
            elif method in ("fft", "oa") and problem.out_dtype.kind in "fc":
                exact = "direct"      # the signal's scan left to evaluate
            elif not _all_finite(signal):
                method = "direct"
        return evaluate(method, problem, signal, kernel, workers, prepared=self._prepared,
                        flipped=self._flipped, stacklevel=3, exact=exact)
