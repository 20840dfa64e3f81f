"""The one rule for integer results computed by a transform.

The transforms (``method='fft'``, ``'oa'``, the Wiener-Khinchin path of
``autocorrelate``) compute integer and bool data in float64 and round the
result to integers. :func:`integer_error_bound` bounds the rounding error
of any output from the operands' norms and the transform lengths; when it
is below :data:`INTEGER_BOUND` the rounded result is the exact integer
result. ``method='auto'`` only takes a transform for integers when
:func:`transform_is_exact` says so; an explicit transform method returns
the rounded result whatever the bound, as :func:`scipy.signal.convolve`
does with ``method='fft'`` (wrapped to the output dtype like the direct
method's sums, by :func:`round_to_integers`), off by at most the bound
(plus the rounding's 0.5) from the exact result.
"""
import math

import numpy as np

from ._ext import _spectral

#: Relative L2 error of one transform, per factor of 2 of its size, in
#: units of the unit roundoff (a generous form of the classical bound
#: ``log2(P) * (mu + gamma_4 * (sqrt(2) + mu))`` for Cooley-Tukey FFTs with
#: accurate twiddle factors).
FFT_ERROR_PER_LEVEL = 10.0

#: integer results are exact when the error bound is below this
#: (half of the 0.5 that rounding tolerates)
INTEGER_BOUND = 0.25


def operand_norms(a, nb):
    """``(max ||row||_1, max ||row||_2)`` over the batch rows of ``a``.

    ``nb``: the number of leading batch axes; each row is the rest of the
    array. ``a`` is read as float64 (a converted copy if it is not).
    """
    a = np.ascontiguousarray(a, dtype=np.float64)
    rows = 1
    for n in a.shape[:nb]:
        rows *= n
    norms = np.empty((rows, 3), dtype=np.float64)
    _spectral.row_norms(a.reshape(rows, -1), norms)
    return float(norms[:, 0].max()), float(np.sqrt(norms[:, 1].max()))


def integer_error_bound(x_norms, h_norms, shape):
    """Bound on the error of any output of an FFT convolution in float64.

    ``x_norms = (||x||_1, ||x||_2)`` and ``h_norms`` likewise for the two
    transformed operands, ``shape`` the transform lengths. With the
    transforms' relative L2 error ``a = FFT_ERROR_PER_LEVEL * u * log2(P)``
    (``u = 2**-53``, ``P`` the number of transformed points) and the
    complex product's ``3 u``, the computed result ``z^`` of ``z = x * h``
    satisfies, to first order,

        max |z^ - z| <= ||z^ - z||_2
                     <= a (||x||_2 ||h||_1 + ||x||_1 ||h||_2) + (a + 3u) m,

    ``m = min(||x||_2 ||h||_1, ||x||_1 ||h||_2) >= ||z||_2``: each operand's
    transform error is amplified by at most the other's largest spectral
    value (``||X||_inf <= ||x||_1``), the inverse transform divides the L2
    norm by ``sqrt(P)`` and adds its own relative error. Returned with 2 %
    added for the second-order terms.
    """
    u = 2.0 ** -53
    total = 1
    for n in shape:
        total *= n
    alpha = FFT_ERROR_PER_LEVEL * u * max(1.0, math.log2(total))
    x1, x2 = x_norms
    h1, h2 = h_norms
    m = min(x2 * h1, x1 * h2)
    return 1.02 * (alpha * (x2 * h1 + x1 * h2) + (alpha + 3 * u) * m)


def transform_is_exact(x_norms, h_norms, shape, margin=1.0):
    """Whether rounding a float64 transform result gives the exact integers.

    ``margin``: a factor the bound is multiplied by first (callers that
    bound the norms of several transforms by those of the whole inputs).
    """
    return margin * integer_error_bound(x_norms, h_norms, shape) < INTEGER_BOUND


_TWO64 = 2.0 ** 64
_TWO63 = 2.0 ** 63


def round_to_integers(values, dtype, out=None):
    """Float ``values`` rounded to the nearest integers, as integers of ``dtype``.

    Values beyond int64 wrap modulo ``2**64`` exactly (as int64 sums wrap
    in the direct method; float64 values that large are multiples of a
    power of two, so the reduction is exact), then the cast to a narrower
    ``dtype`` wraps again, like the direct method's. No warning is raised
    for such values. ``out``: an array of ``dtype`` (or a view) to write
    into instead of a new one.
    """
    dtype = np.dtype(dtype)
    r = np.rint(values)
    if r.size and not (np.abs(r) < _TWO63).all():
        r = np.fmod(r, _TWO64)                      # exact: |r| < 2**64 after
        r[r >= _TWO63] -= _TWO64                    # exact (Sterbenz)
        r[r < -_TWO63] += _TWO64
        r[~np.isfinite(r)] = 0
    exact = r.astype(np.int64, order="C")
    if out is not None:
        np.copyto(out, exact, casting="unsafe")
        return out
    return exact.astype(dtype, copy=False)
