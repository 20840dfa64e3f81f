"""Autocorrelation and normalized cross-correlation.

``autocorrelate`` computes the autocorrelation of N-dimensional data with
the normalisations of MATLAB's ``xcorr``, only over the lags asked for;
``autocorrelation_lags`` gives those lags; ``normalized_correlate`` is the
zero-normalized cross-correlation (Pearson coefficient) of a template and
every window of a signal, image or volume: template matching.

This module holds their signatures, documentation and validation; the
computation is in :mod:`sigconv._backends.correlation`.
"""

import numpy as np

from . import plan as _plan
from ._backends import correlation as _backend
from ._dtypes import exact_sum_dtype, result_dtype
from ._problem import MEMORY_LIMIT, normalize_axes
from ._validate import as_int
from .convolution import _doc, correlation_lags

__all__ = ["autocorrelate", "autocorrelation_lags", "normalized_correlate"]

AUTO_MODES = ("full", "same", "valid", "circular")
NORMALIZATIONS = (None, "biased", "unbiased", "coeff")
AUTO_METHODS = ("auto", "direct", "fft")

#: a direct evaluation with a single output line longer than this many taps
#: is cut into :data:`TAP_CHUNKS` pieces of taps, summed afterwards, so that
#: the threads share it (the count does not depend on the thread count: the
#: result is the same whatever the number of threads)
CHUNK_MIN_TAPS = 1 << 15
TAP_CHUNKS = 8

#: a real 1-D autocorrelation of at least this many samples, with two
#: threads, runs its transforms as two half-length chains side by side
SPLIT_MIN = 1 << 16


# --------------------------------------------------------------------------
# Validation and lags
# --------------------------------------------------------------------------

def _check_length(n, name="n"):
    n = as_int(n, "%s must be an integer" % name)
    if n < 1:
        raise ValueError("%s must be at least 1, got %d" % (name, n))
    return n


def _check_mode(mode):
    if not isinstance(mode, str) or mode not in AUTO_MODES:
        raise ValueError("mode must be one of %s, got %r"
                         % (", ".join(repr(m) for m in AUTO_MODES), mode))


def _maxlags(maxlag, lengths, mode):
    """Per axis, the largest lag kept (None: the mode decides)."""
    if maxlag is None:
        return [None] * len(lengths)
    if mode != "full":
        raise ValueError("maxlag selects lags -maxlag..maxlag of the 'full' "
                         "autocorrelation; it cannot be combined with mode=%r" % (mode,))
    if np.ndim(maxlag) == 0:
        values = [maxlag] * len(lengths)
    else:
        values = list(maxlag)
        if len(values) != len(lengths):
            raise ValueError("maxlag has %d entries for %d autocorrelated axes"
                             % (len(values), len(lengths)))
    out = []
    for m, n in zip(values, lengths):
        m = as_int(m, "maxlag must be an integer or a sequence of integers")
        if m < 0:
            raise ValueError("maxlag must be >= 0, got %d" % m)
        if m > n - 1:
            raise ValueError("maxlag %d exceeds the largest lag of an axis of length %d "
                             "(%d)" % (m, n, n - 1))
        out.append(m)
    return out


def _lag_range(n, mode, maxlag):
    """(first lag, last lag) of an axis of length ``n``."""
    if mode == "circular":
        return 0, n - 1
    if maxlag is not None:
        return -maxlag, maxlag
    if mode == "full":
        return -(n - 1), n - 1
    if mode == "same":
        lags = correlation_lags(n, n, "same")
        return int(lags[0]), int(lags[-1])
    return 0, 0


def autocorrelation_lags(n, mode="full", *, maxlag=None):
    """Lags of the outputs of :func:`autocorrelate` along an axis of length ``n``.

    Parameters
    ----------
    n : int
        Length of the axis (at least 1).
    mode : {'full', 'same', 'valid', 'circular'}, optional
        As in :func:`autocorrelate`.
    maxlag : int, optional
        As in :func:`autocorrelate` (``mode='full'`` only).

    Returns
    -------
    lags : ndarray of int
        ``full``: ``-(n - 1) .. n - 1``; with ``maxlag=m``: ``-m .. m``;
        ``same``: the ``n`` centred entries of those, identical to
        ``correlation_lags(n, n, "same")``; ``valid``: ``[0]``;
        ``circular``: the cyclic lags ``0 .. n - 1``.

    Raises
    ------
    TypeError
        ``n`` or ``maxlag`` not an integer.
    ValueError
        ``n < 1``, an unknown ``mode``, ``maxlag`` negative, larger than
        ``n - 1`` or given with a mode other than ``full``.

    See Also
    --------
    autocorrelate, correlation_lags

    Examples
    --------
    >>> import sigconv
    >>> sigconv.autocorrelation_lags(4)
    array([-3, -2, -1,  0,  1,  2,  3])
    >>> sigconv.autocorrelation_lags(4, mode="same")
    array([-2, -1,  0,  1])
    >>> sigconv.autocorrelation_lags(1000, maxlag=2)
    array([-2, -1,  0,  1,  2])
    """
    n = _check_length(n)
    _check_mode(mode)
    (m,) = _maxlags(maxlag, [n], mode)
    lo, hi = _lag_range(n, mode, m)
    return np.arange(lo, hi + 1)


_NORMALIZE_TEXT = r"""
    normalize : {None, 'biased', 'unbiased', 'coeff'}, optional
        Scaling of the raw sums :math:`R[l]` (the semantics of MATLAB's
        ``xcorr`` options), with :math:`N_a` the length of axis ``a`` and
        :math:`l_a` the lag along it:

        ``None`` (default)
           :math:`R[l] = \sum_n x[n + l]\, \overline{x[n]}`, in the input's
           dtype for floating data; integer and bool data give the exact
           sums in an integer dtype that holds them (below);
        ``'biased'``
           :math:`R[l] / \prod_a N_a`;
        ``'unbiased'``
           :math:`R[l] / \prod_a (N_a - |l_a|)`, each lag divided by the
           number of its terms (``N_a`` for every lag in ``circular`` mode);
        ``'coeff'``
           :math:`R[l] / R[0]`, exactly 1 at lag zero (per batch item; an
           all-zero item gives zeros).

        Normalised results are floating point: integer and bool inputs give
        float64."""


@_doc(r"""Autocorrelation of N-dimensional data, over the lags asked for.

    :math:`R[l] = \sum_n x[n + l]\, \overline{x[n]}` along the autocorrelated
    axes (the Hermitian autocorrelation for complex data:
    :math:`R[-l] = \overline{R[l]}`), optionally normalised, for every
    batch item along the other axes.

    Parameters
    ----------
    x : array_like
        Input, at least 1-D: a signal, an image, a volume, or a batch of
        them along the axes not in ``axes``.
    mode : {'full', 'same', 'valid', 'circular'}, optional
        Lags of the result, per autocorrelated axis of length ``N``:

        ``full``
           every lag, ``-(N - 1) .. N - 1`` (default); the result equals
           ``scipy.signal.correlate(x, x)``;
        ``same``
           the ``N`` centred lags, as ``scipy.signal.correlate(x, x,
           "same")``;
        ``valid``
           lag 0 only;
        ``circular``
           the cyclic autocorrelation,
           :math:`\sum_n x[(n + l) \bmod N]\, \overline{x[n]}` for
           ``l = 0 .. N - 1``.
    maxlag : int or sequence of int, optional
        Keep only lags ``-maxlag .. maxlag`` (per axis when a sequence) of
        the ``full`` result, and compute only those: at most ``N - 1``.
    """ + _NORMALIZE_TEXT + r"""
    axes : int or sequence of int, optional
        Axes to autocorrelate (default: all); the others are batch axes.
    method : {'auto', 'direct', 'fft'}, optional
        ``direct`` sums the products for the lags kept (``prod(N)``
        multiply-adds per lag, about half the lags computed, the others by
        symmetry), which is the fast way for few lags; ``fft`` takes the
        power spectrum (Wiener-Khinchin theorem): one real (for real data)
        forward transform of length at least ``N + maxlag`` per axis,
        :math:`|X|^2`, one inverse transform. ``auto`` (default) picks the
        cheaper by the cost model of :func:`choose_conv_method`, keeping to
        ``direct`` where the transform's error bound does not guarantee an
        exact integer result and for data holding NaN or Inf. An explicit
        ``fft`` on integers raises ValueError where the bound of
        :func:`sigconv._exact.integer_error_bound` does not guarantee the
        exact sums.
    workers : int, optional
        Threads, as in :func:`convolve`.
    return_lags : bool, optional
        Also return the lags (default False).

    Returns
    -------
    r : ndarray
        The autocorrelation, the autocorrelated axes replaced by their lags
        (in the same positions), the batch axes unchanged. Floating and
        complex data keep their dtype (as ``scipy.signal.correlate(x,
        x)``); integer and bool data give the exact sums, never wrapped
        where they fit in 64 bits: the smallest integer dtype of the input's
        signedness (bool counting as unsigned) that holds ``N`` times the
        largest product of two input values, ``N`` the number of samples
        autocorrelated (int64/uint64 at most, which wrap modulo ``2**64``
        beyond) -- the rule of the pooling sums,
        :func:`sigconv._dtypes.exact_sum_dtype`. ``normalize`` gives
        floating results.
    lags : ndarray or tuple of ndarray
        With ``return_lags``: the lags along the autocorrelated axis (one
        axis), or a tuple of them per axis (several), as
        :func:`autocorrelation_lags` gives them.

    Raises
    ------
    ValueError
        0-d or empty input; unknown ``mode``, ``normalize`` or ``method``;
        ``maxlag`` negative, larger than ``N - 1`` or with a mode other than
        ``full``; ``axes`` out of range or repeated; ``method='fft'`` on
        integers too large for an exact result.
    TypeError
        Object or other non-numeric dtypes; a non-integer ``maxlag``.
    MemoryError
        The output would not fit in memory (checked before allocating).

    See Also
    --------
    autocorrelation_lags, correlate, normalized_correlate
    scipy.signal.correlate : ``correlate(x, x)`` is the reference.
    numpy.correlate : the 1-D reference.

    Notes
    -----
    The result equals ``correlate(x, x, mode)`` in ``full``, ``same`` and
    ``valid`` mode, but costs two transforms instead of three: the
    autocorrelation's spectrum is the power spectrum
    :math:`|X[k]|^2` of the input (Wiener-Khinchin), a real array, and a
    transform length of ``N + maxlag`` keeps the wanted lags free of the
    cyclic alias. With ``maxlag`` the direct method does
    ``(maxlag + 1) * N`` multiply-adds in 1-D, and wins over the transforms
    for small ``maxlag``.

    Inputs are never modified; any strides are accepted.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.autocorrelate([1, 2, 3])
    array([ 3,  8, 14,  8,  3])

    Integers give their exact sums in a dtype that holds them:

    >>> sigconv.autocorrelate(np.array([200, 100, 50], dtype=np.uint8))
    array([10000, 25000, 52500, 25000, 10000], dtype=uint32)
    >>> sigconv.autocorrelate([1.0, 2.0, 3.0], normalize="coeff")
    array([0.21428571, 0.57142857, 1.        , 0.57142857, 0.21428571])
    >>> sigconv.autocorrelate([1.0, 2.0, 3.0], normalize="unbiased")
    array([3. , 4. , 4.66666667, 4. , 3. ])
    >>> r, lags = sigconv.autocorrelate(np.arange(10.0), maxlag=2, return_lags=True)
    >>> lags
    array([-2, -1,  0,  1,  2])
    >>> r
    array([196., 240., 285., 240., 196.])

    The autocorrelation of each row of an image, and the cyclic one of a
    complex signal:

    >>> sigconv.autocorrelate(np.ones((2, 3)), axes=1)
    array([[1., 2., 3., 2., 1.],
           [1., 2., 3., 2., 1.]])
    >>> sigconv.autocorrelate(np.array([1, 1j, -1, -1j]), mode="circular")
    array([ 4.+0.j,  0.+4.j, -4.+0.j,  0.-4.j])
    """)
def autocorrelate(x, mode="full", *, maxlag=None, normalize=None, axes=None,
                  method="auto", workers=None, return_lags=False):
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("autocorrelate needs an array of at least 1 dimension")
    out_dtype = result_dtype(x, x)
    _check_mode(mode)
    if not (normalize is None or isinstance(normalize, str)) or \
            normalize not in NORMALIZATIONS:
        raise ValueError("normalize must be one of None, 'biased', 'unbiased', 'coeff', "
                         "got %r" % (normalize,))
    if not isinstance(method, str) or method not in AUTO_METHODS:
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(m) for m in AUTO_METHODS), method))
    axes = normalize_axes(axes, x.ndim)
    if x.size == 0:
        raise ValueError("autocorrelate needs a non-empty array, got shape %s" % (x.shape,))
    exact_dtype = None
    if out_dtype.kind in "biu":
        # sums in int64 (wrapping arithmetic, exact modulo 2**64), returned in
        # the dtype that holds them (sigconv._dtypes.exact_sum_dtype)
        terms = 1
        for a in axes:
            terms *= x.shape[a]
        exact_dtype = exact_sum_dtype(x.dtype, terms, x.dtype)
        largest = max(abs(int(x.max())), abs(int(x.min()))) if x.size else 0
        if normalize is not None and largest * largest * terms >= 2 ** 63:
            # normalised results of sums beyond int64: computed in float64
            # (to its rounding) rather than from wrapped integer sums
            x = x.astype(np.float64)
            exact_dtype = None
        else:
            x = x.astype(np.int64)
        out_dtype = x.dtype
    lengths = [x.shape[a] for a in axes]
    ms = _maxlags(maxlag, lengths, mode)
    ranges = [_lag_range(n, mode, m) for n, m in zip(lengths, ms)]
    nconv = len(axes)
    xc = _backend.canonical(x, axes)
    out_shape = xc.shape[:xc.ndim - nconv] + tuple(hi - lo + 1 for lo, hi in ranges)
    n_out = 1
    for v in out_shape:
        n_out *= v
    if n_out * 3 * max(16, out_dtype.itemsize) > MEMORY_LIMIT:
        raise MemoryError("the autocorrelation of shape %s needs more than this machine's "
                          "%.3g GiB of memory" % (out_shape, MEMORY_LIMIT / 2**30))
    r = _backend.autocorrelation(xc, nconv, ranges, out_dtype, mode, method, normalize,
                                 lengths, workers)
    if normalize is None and exact_dtype is not None and r.dtype != exact_dtype:
        r = r.astype(exact_dtype)
    if axes != tuple(range(x.ndim - nconv, x.ndim)):
        r = np.ascontiguousarray(np.moveaxis(r, range(x.ndim - nconv, x.ndim), axes))
    if not return_lags:
        return r
    lags = tuple(np.arange(lo, hi + 1) for lo, hi in ranges)
    return r, (lags[0] if nconv == 1 else lags)


# --------------------------------------------------------------------------
# normalized_correlate
# --------------------------------------------------------------------------

NCC_MODES = ("valid", "same", "full")


def _score_dtype(d):
    """Float dtype a score is computed and returned in (as scikit-image does)."""
    if d.kind == "c":
        raise TypeError("normalized_correlate works on real data, got dtype %s" % d)
    if d.kind == "f" and d.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_ncc_arguments(x, t, mode, axes):
    """The checks of :func:`normalized_correlate` shared with ``sigconv.dask``.

    ``x`` and ``t`` need only ``dtype``, ``ndim``, ``shape`` and ``size``;
    returns ``(score dtype, normalised axes)``.
    """
    result_dtype(np.empty((), x.dtype), np.empty((), t.dtype))
    fdt = np.result_type(_score_dtype(x.dtype), _score_dtype(t.dtype))
    if not isinstance(mode, str) or mode not in NCC_MODES:
        raise ValueError("mode must be one of %s, got %r"
                         % (", ".join(repr(m) for m in NCC_MODES), mode))
    if x.ndim == 0:
        raise ValueError("normalized_correlate needs arrays of at least 1 dimension")
    if x.ndim != t.ndim:
        raise ValueError("x and template should have the same dimensionality "
                         "(got %d and %d dimensions)" % (x.ndim, t.ndim))
    axes = normalize_axes(axes, x.ndim)
    if x.size == 0 or t.size == 0:
        raise ValueError("normalized_correlate needs non-empty arrays (shapes %s and %s)"
                         % (x.shape, t.shape))
    return fdt, axes


@_doc(r"""Zero-normalized cross-correlation: template matching in 1-D, 2-D, 3-D.

    The Pearson correlation coefficient of ``template`` and every window of
    ``x`` of the template's size,

    .. math::

        \rho[p] = \frac{\sum_k (x[p + k] - \bar x_p)(t[k] - \bar t)}
                        {\sqrt{\sum_k (x[p + k] - \bar x_p)^2
                                \sum_k (t[k] - \bar t)^2}},

    with :math:`\bar x_p` the mean of the window at ``p`` and
    :math:`\bar t` that of the template: 1 where the window is an affine
    copy ``a * t + b`` (``a > 0``) of the template, -1 for ``a < 0``,
    values in [-1, 1] everywhere.

    Parameters
    ----------
    x : array_like
        Signal, image or volume (real; bool, integer or float).
    template : array_like
        Template, with as many dimensions as ``x``.
    mode : {'valid', 'same', 'full'}, optional
        Windows scored, per axis of length ``N`` (template ``K``):

        ``valid``
           the windows inside ``x``, ``N - K + 1`` (default; needs
           ``K <= N``); output ``i`` is the window starting at ``i``;
        ``same``
           ``N`` windows centred on the samples of ``x``: output ``i`` is
           the window starting at ``i - K // 2``;
        ``full``
           every window overlapping ``x``, ``N + K - 1``, starting at
           ``-(K - 1)``.

        ``x`` is extended with zeros for ``same`` and ``full`` (the zeros
        take part in the window's mean and variance), as
        ``skimage.feature.match_template(pad_input=True)`` does.
    axes : int or sequence of int, optional
        Axes the template spans (default: all). Along the other axes the
        inputs have equal lengths or length 1 and broadcast: a batch of
        signals matched with one template, or one signal with several.
    workers : int, optional
        Threads, as in :func:`convolve`.

    Returns
    -------
    score : ndarray
        The coefficients, float32 if both inputs are float16/float32,
        float64 otherwise (as scikit-image computes). A window or template
        of zero variance (flat) scores exactly 0 on every machine: no NaN,
        no division warning. Other scores are right to rounding only (see
        Notes).

    Raises
    ------
    ValueError
        0-d, empty or non-finite (NaN, Inf) input; inputs of different
        dimensionality or incompatible lengths along a broadcast axis; an
        unknown ``mode``; ``valid`` mode with a template larger than ``x``.
    TypeError
        Complex, object or other non-numeric dtypes.

    See Also
    --------
    correlate : the plain cross-correlation (the numerator).
    skimage.feature.match_template : the 2-D/3-D reference.

    Notes
    -----
    The numerator is the cross-correlation of ``x`` with the zero-mean
    template :math:`t - \bar t` (the window mean drops out because that
    template sums to zero), computed by :func:`correlate` with
    ``method='auto'`` -- by FFT for large templates. The windows' sums
    :math:`\sum x` and :math:`\sum x^2` come from running sums in float64,
    O(1) per window and axis whatever the template size, and the
    variance from :math:`\sum x^2 - (\sum x)^2 / n`. To keep that
    difference accurate, ``x`` is first shifted by its global mean (which
    changes no score). A window is flat when its variance is at most
    ``1e-9`` times its mean square about the global mean plus the global
    variance; a template when its variance is at most ``1e-9`` times its
    mean square.

    What is exact and what is rounded: flat windows and flat templates
    score exactly 0, by that test, whatever the machine. Every other score
    is the coefficient to rounding -- about ``1e-12`` for float64 scores
    and ``2e-4`` for float32 on well-scaled data -- and its last bits
    depend on the build (vector width, fused multiply-adds) and the method
    :func:`correlate` picks: a window whose covariance with the template
    cancels exactly, though its variance does not, scores a rounding-level
    value such as ``-2.3e-17`` rather than 0. Compare scores with a
    tolerance, or test flatness yourself, rather than against exact 0.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> x = np.array([0.0, 1, 2, 1, 0, 0, 0, 4, 2])
    >>> sigconv.normalized_correlate(x, [0.0, 1, 2])
    array([ 1.       ,  0.       , -1.       , -0.8660254,  0.       ,
            0.8660254,  0.5      ])

    Finding a patch in an image:

    >>> rng = np.random.default_rng(0)
    >>> image = rng.standard_normal((64, 80))
    >>> patch = 3 * image[20:28, 41:50] + 1
    >>> score = sigconv.normalized_correlate(image, patch)
    >>> np.unravel_index(np.argmax(score), score.shape)
    (np.int64(20), np.int64(41))
    >>> round(float(score.max()), 6)
    1.0
    """)
def normalized_correlate(x, template, mode="valid", *, axes=None, workers=None):
    x = np.asarray(x)
    t = np.asarray(template)
    fdt, axes = check_ncc_arguments(x, t, mode, axes)
    for a in range(x.ndim):
        if a not in axes and x.shape[a] != t.shape[a] and 1 not in (x.shape[a], t.shape[a]):
            raise ValueError("x and template have incompatible lengths %d and %d along the "
                             "non-matched axis %d" % (x.shape[a], t.shape[a], a))
    if mode == "valid":
        for a in axes:
            if t.shape[a] > x.shape[a]:
                raise ValueError("in 'valid' mode the template must fit in x: length %d "
                                 "> %d along axis %d" % (t.shape[a], x.shape[a], a))
    padded = 1
    windows = 1
    for a in range(x.ndim):
        n_x, n_t = x.shape[a], t.shape[a]
        if a in axes:
            p0, p1 = _backend.ncc_pads(n_t, mode)
            padded *= n_x + p0 + p1
            windows *= n_x + p0 + p1 - n_t + 1
        else:
            padded *= n_x
            windows *= max(n_x, n_t)
    # the shifted signal, two float64 window sums, the scores (and the
    # numerator's transforms, about as large again)
    need = padded * (fdt.itemsize + 16) + 3 * windows * fdt.itemsize
    if need > MEMORY_LIMIT:
        raise MemoryError("normalized_correlate of x %s and template %s needs about %.3g GiB, "
                          "more than this machine's %.3g GiB of memory"
                          % (x.shape, t.shape, need / 2**30, MEMORY_LIMIT / 2**30))
    for name, a in (("x", x), ("template", t)):
        if not _plan._all_finite(a):
            raise ValueError("%s holds NaN or Inf; normalized_correlate needs finite "
                             "values" % name)
    return _backend.normalized_scores(x, t, mode, axes, fdt, workers)
