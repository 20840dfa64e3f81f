"""Choosing a method: ``choose_conv_method``.

A cost model of the three methods, in nanoseconds on one core:

* direct: ``DIRECT_NS[dtype] * work``, ``work`` the multiply-adds of the
  direct evaluation (complex data counts four real ones per product);
* fft: ``FFT_NS[dtype] * P log2(P) * passes`` for ``P`` transformed points,
  ``passes`` the transforms' share -- the signal's and the inverse (2) plus
  the kernel's, a whole transform in 1-D but a fraction in N-D, where the
  kernel's transform is pruned to its own lines (``KERNEL_SHARE``);
* oa: the same per block of the overlap-add plan, summed over the blocks.

The constants were fitted on the development machine (x86-64, two cores,
float64 direct at about 0.1 ns per multiply-add, a float64 FFT at about
1.2 ns per ``P log2 P``); what matters is their ratios, which change far
less between machines than the absolute times. Threads are left out: the
direct kernel, the transforms' lines and the blocks all spread over cores.
``measure=True`` times the candidates instead.
"""
import math
import time

import numpy as np

from ._backends import BACKENDS
from ._backends import fft as _fft
from ._backends import oa as _oa
from ._problem import make_problem

__all__ = ["choose_conv_method"]

#: nanoseconds per unit of ``Problem.work`` of the direct kernel, by the real
#: dtype it computes in (complex data is computed in its parts, and its
#: ``work`` counts the four real products of each complex one)
DIRECT_NS = {"f": 0.06, "d": 0.12, "g": 1.0, "q": 0.22}

#: nanoseconds per ``P log2 P`` of one transform (by the transform dtype)
FFT_NS = {"f": 0.6, "d": 1.2, "g": 12.0, "F": 1.2, "D": 2.6, "G": 25.0}

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


def _fft_units(shape):
    P = _points(shape)
    return P * math.log2(max(P, 2))


def _direct_ns(problem):
    code = problem.compute_dtype.char if problem.compute_dtype.kind != "i" else "q"
    return DIRECT_NS.get(code, 1.0)


def estimate_times(problem):
    """Modelled seconds of each method for ``problem``: ``{'direct': t, 'fft': t, 'oa': t}``."""
    rows = max(1, _points(problem.batch_shape))
    times = {"direct": DIRECT_OVERHEAD + _direct_ns(problem) * problem.work}
    real_dt, complex_dt = _fft.transform_dtypes(problem)
    dt = complex_dt if problem.is_complex else real_dt
    per = FFT_NS.get(dt.char, 25.0)
    real = not problem.is_complex
    if problem.mode == "circular":
        shape = problem.x_shape
        passes = 2 + (1.0 if len(shape) == 1 else KERNEL_SHARE)
        t = FFT_OVERHEAD + per * rows * passes * _fft_units(shape)
        return {k: v * 1e-9 for k, v in dict(times, fft=t, oa=t).items()}
    plans = _fft.linear_axes(problem)
    whole = _fft.fast_lengths([p.size for p in plans], real)
    kernel_share = 1.0 if len(whole) == 1 else KERNEL_SHARE
    times["fft"] = FFT_OVERHEAD + per * rows * (2 + kernel_share) * _fft_units(whole)
    last = len(plans) - 1
    shape, blocks = [], 1
    for i, p in enumerate(plans):
        choice = _oa.choose_block(p.length, p.K, real and i == last, whole[i])
        if choice is None:
            shape.append(whole[i])
        else:
            B, P = choice
            shape.append(P)
            blocks *= -(-p.length // B)
    times["oa"] = FFT_OVERHEAD + per * rows * (2 * blocks + kernel_share) * _fft_units(shape)
    return {k: v * 1e-9 for k, v in times.items()}


def _transform_is_exact(problem, signal, kernel):
    """Whether the FFT methods' integer bound guarantees exact integers.

    Evaluated on the whole inputs (norms at least those of the parts a
    transform sees), with ``2**d`` times the bound for ``d`` convolved axes:
    that covers the overlap-add method's sum of at most ``2**d`` overlapping
    blocks. In ``circular`` mode the kernel may be folded, whose 2-norm is
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
    x = _fft.canonical_view(signal, problem).astype(np.float64)
    v = _fft.canonical_view(kernel, problem).astype(np.float64)
    xn, hn = _fft.row_norms(x, nb), _fft.row_norms(v, nb)
    if problem.mode == "circular":
        hn = (hn[0], hn[0])
    bound = 2 ** len(shape) * _fft.integer_error_bound(xn, hn, shape)
    return bound < _fft.INTEGER_BOUND


def _all_finite(a):
    """Whether ``a`` holds no NaN or Inf: one summing pass, no temporary.

    A NaN or Inf makes the sum non-finite; so may an overflow of finite
    values, which the element-wise test then tells apart.
    """
    if a.dtype.kind not in "fc":
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(a, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())


def _candidates(problem, signal, kernel, lazy=False):
    """Methods that may be used for this call, cheapest-first by the model.

    ``lazy``: only the first entry matters, so the inputs are not scanned
    when the model already ranks the direct method first.
    """
    times = estimate_times(problem)
    methods = sorted(["direct", "fft", "oa"], key=lambda m: times[m])
    if lazy and methods[0] == "direct":
        return methods
    if problem.out_dtype.kind in "biu":
        if not _transform_is_exact(problem, signal, kernel):
            return ["direct"]
    elif not (_all_finite(signal) and _all_finite(kernel)):
        # a NaN or Inf would spread over every output of a transform
        return ["direct"]
    return methods


def auto_method(problem, signal, kernel):
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
    return _candidates(problem, signal, kernel, lazy=True)[0]


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
      guarantee (:func:`sigconv._backends.fft.integer_error_bound`); the
      direct method is exact for any integers;
    * for inputs holding NaN or Inf, which a transform spreads over every
      output (the direct method keeps them to the outputs whose sums
      include them).

    Unlike scipy's, the answer may be ``'oa'`` (overlap-add), which scipy's
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
