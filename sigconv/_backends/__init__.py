"""Methods of evaluating a :class:`sigconv._problem.Problem`.

Every backend is a function ``run(problem, signal, kernel, workers) -> ndarray``
returning the finished result (shape ``problem.out_shape``, dtype
``problem.out_dtype``, C-contiguous). ``BACKENDS`` maps method names to them.
:func:`evaluate` is the step every ``convolve``/``correlate`` call and every
:class:`~sigconv.Convolver` call goes through to reach them.
"""
import warnings

import numpy as np

from .._boundary import FILL
from ._finite import NonFiniteInput, all_finite  # noqa: F401  (used through this package)
from . import direct, fft, oa
from . import separable, toeplitz

BACKENDS = {"direct": direct.run, "fft": fft.run, "oa": oa.run}
BACKENDS["toeplitz"] = toeplitz.run
BACKENDS["separable"] = separable.run

#: every method name sigconv accepts ('auto' chooses one of the backends)
METHODS = ("auto", "direct", "fft", "oa", "toeplitz", "separable")


def check_method(method):
    """``method`` if it is one of :data:`METHODS`; ValueError naming them otherwise."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(m) for m in METHODS), method))
    return method


#: the warning an explicit transform method gives for non-finite inputs
#: (its first sentence is scipy.signal.convolve's)
NONFINITE_WARNING = (
    "Use of fft convolution on input with NAN or inf results in NAN or inf output. "
    "Consider using method='direct' instead. (method=%r: a NaN or Inf in either input "
    "spreads through the transforms to every output%s; the direct method keeps it to "
    "the outputs whose sums include it.)")


def _swap_roles(method, problem, signal, kernel):
    """Whether a non-finite kernel is computed with the inputs' roles swapped.

    The zero fill around the signal contributes no terms; a kernel holding
    Inf would turn those zeros into NaN (``0 * inf``) in the sums of the
    direct and Toeplitz methods. ``convolve2d``/``correlate2d`` keep
    scipy's fill semantics (the fill is a value every tap multiplies).
    """
    return (method in ("direct", "toeplitz") and problem.flavor == "nd"
            and problem.mode in ("full", "same")
            and problem.boundary == FILL and problem.fillvalue == 0
            and problem.out_dtype.kind in "fc" and not all_finite(kernel)
            and all_finite(signal))


def _swapped_full(method, problem, signal, kernel, workers):
    """The call with the roles of the inputs swapped, for a non-finite kernel.

    With the roles swapped the fill multiplies the finite signal instead:
    the full result of the swapped call, reversed and conjugated for a
    correlation, cropped to the call's outputs.
    """
    from .._problem import make_problem
    op, axes = problem.op, problem.axes
    swapped, s2, k2 = make_problem(kernel, signal, op=op, mode="full", axes=axes)
    full = BACKENDS[method](swapped, s2, k2, workers)
    sel = [slice(None)] * problem.ndim
    if op == "correlate":
        for a in axes:
            sel[a] = slice(None, None, -1)
        full = full[tuple(sel)]
        if full.dtype.kind == "c":
            full = np.conjugate(full)
    for i, a in enumerate(axes):
        start = problem.lo[i] + problem.k_shape[i] - 1
        M, step = problem.out_conv_shape[i], problem.step[i]
        sel[a] = slice(start, start + (M - 1) * step + 1, step)
    return np.ascontiguousarray(full[tuple(sel)])


def evaluate(method, problem, signal, kernel, workers=None, *, prepared=None,
             flipped=None, stacklevel=4, exact=None):
    """``method``'s result for ``problem``: the one place every call reaches a backend.

    * direct/Toeplitz with a NaN/Inf kernel and a zero fill: the roles of
      the inputs swapped (:func:`_swap_roles`);
    * an explicit ``fft``/``oa`` on non-finite floating inputs: a
      RuntimeWarning, as :func:`scipy.signal.convolve` gives (``auto``
      never takes a transform for them);
    * ``exact``: ``auto`` took the transform ``method`` for a finite kernel
      without scanning the signal; if the signal holds a NaN or Inf, the
      exact method ``exact`` gives the result instead. The overlap-save
      tiles test the samples as they read them (no pass of their own);
      otherwise the signal is scanned first;
    * ``prepared``: a transform method's kernel spectrum
      (:class:`~sigconv.Convolver`); ``flipped``: the direct method's
      kernel, already flipped.
    """
    if exact is not None and method in ("fft", "oa"):
        extra = {} if prepared is None else {"prepared": prepared}
        try:
            if method == "oa":
                return BACKENDS["oa"](problem, signal, kernel, workers, check_finite=True,
                                      **extra)
            if all_finite(signal):
                return BACKENDS["fft"](problem, signal, kernel, workers, **extra)
        except NonFiniteInput:
            pass
        method = exact
    if _swap_roles(method, problem, signal, kernel):
        return _swapped_full(method, problem, signal, kernel, workers)
    if (method in ("fft", "oa") and problem.out_dtype.kind in "fc"
            and not (all_finite(signal) and all_finite(kernel))):
        warnings.warn(NONFINITE_WARNING % (method, " of its block" if method == "oa" else ""),
                      RuntimeWarning, stacklevel=stacklevel)
    if flipped is not None and method == "direct":
        return BACKENDS["direct"](problem._replace(flip_kernel=False), signal, flipped,
                                  workers)
    if prepared is not None and method in ("fft", "oa"):
        return BACKENDS[method](problem, signal, kernel, workers, prepared=prepared)
    return BACKENDS[method](problem, signal, kernel, workers)
