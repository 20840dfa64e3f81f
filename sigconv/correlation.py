"""Autocorrelation and normalized cross-correlation.

``autocorrelate`` computes the autocorrelation of N-dimensional data with
the normalisations of MATLAB's ``xcorr``, only over the lags asked for;
``autocorrelation_lags`` gives those lags; ``normalized_correlate`` is the
zero-normalized cross-correlation (Pearson coefficient) of a template and
every window of a signal, image or volume: template matching.
"""
import functools
import itertools
import math
import operator
import threading

import numpy as np
import scipy.fft as sfft

from . import plan as _plan
from ._backends import fft as _fft
from ._dtypes import exact_sum_dtype, kernel_dtype, result_dtype
from ._exact import operand_norms, round_to_integers, transform_is_exact
from ._ext import _correlation, _spectral
from ._problem import MEMORY_LIMIT, normalize_axes
from ._threads import resolve_workers
from .convolution import _doc, correlate, correlation_lags

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
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise TypeError("%s must be an integer, got %r" % (name, n))
    n = operator.index(n)
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
        if isinstance(m, (bool, np.bool_)) or not hasattr(m, "__index__"):
            raise TypeError("maxlag must be an integer or a sequence of integers, got %r"
                            % (m,))
        m = operator.index(m)
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


# --------------------------------------------------------------------------
# autocorrelate: the two methods
# --------------------------------------------------------------------------

def _canonical(x, axes):
    """``x`` with ``axes`` moved last (a view)."""
    nd = x.ndim
    last = tuple(range(nd - len(axes), nd))
    return x if axes == last else np.moveaxis(x, axes, last)


def _direct_half(xc, nconv, half, workers):
    """Lags ``-H_a..H_a`` on the leading convolved axes and ``0..H`` on the last.

    ``r[l] = sum_n x[n + l] conj(x[n])`` is a ``valid`` correlation of ``x``
    padded by ``H_a`` on both sides (on the last axis: ``H`` after it) with
    ``x`` itself: one output per lag, ``prod(N)`` taps each.
    """
    nb = xc.ndim - nconv
    conv = tuple(range(nb, xc.ndim))
    n = xc.shape[-1]
    h = half[-1]
    if nconv == 1 and xc.dtype.kind != "c":
        # real lines: the lag kernel (a tile of lags in registers per pass)
        compute, _ = kernel_dtype(result_dtype(xc, xc))
        lines = np.ascontiguousarray(xc, dtype=compute).reshape(-1, n)
        out = np.empty((lines.shape[0], h + 1), dtype=compute)
        nthreads = resolve_workers(workers, lines.shape[0] * n * (h + 1))
        _correlation.autocorrelation_lags_direct(lines, out, nthreads)
        out = out.reshape(xc.shape[:-1] + (h + 1,))
        return out if out.dtype == result_dtype(xc, xc) else \
            out.astype(result_dtype(xc, xc))
    if nconv == 1 and xc.size == n and n >= CHUNK_MIN_TAPS and h * TAP_CHUNKS < n:
        # one long line: its taps cut into pieces, each a batch item, so that
        # the direct kernel's threads share them; the pieces' sums are added
        size = -(-n // TAP_CHUNKS)
        ext = np.zeros(TAP_CHUNKS * size + h, dtype=xc.dtype)
        ext[:n] = xc.reshape(-1)
        kern = ext[:TAP_CHUNKS * size].reshape(TAP_CHUNKS, size)
        sig = np.lib.stride_tricks.as_strided(
            ext, shape=(TAP_CHUNKS, size + h), strides=(size * ext.itemsize, ext.itemsize),
            writeable=False)
        parts = correlate(sig, kern, "valid", "direct", axes=-1, workers=workers)
        out = np.add.reduce(parts, axis=0, dtype=parts.dtype)
        return out.reshape(xc.shape[:-1] + (h + 1,))
    pads = [(0, 0)] * nb + [(k, k) for k in half[:-1]] + [(0, h)]
    return correlate(np.pad(xc, pads), xc, "valid", "direct", axes=conv, workers=workers)


def _mirror(half, nconv, hs):
    """From lags ``0..H`` of the last axis to ``-H..H``: ``r[-l] = conj(r[l])``."""
    H = hs[-1]
    shape = half.shape[:-1] + (2 * H + 1,)
    full = np.empty(shape, dtype=half.dtype)
    full[..., H:] = half
    if H:
        flipped = half[(Ellipsis,) + (slice(None, None, -1),) * (nconv - 1) + (slice(None),)]
        neg = flipped[..., :0:-1]
        if half.dtype.kind == "c":
            np.conjugate(neg, out=full[..., :H])
        else:
            full[..., :H] = neg
    return full


def _run_direct(xc, nconv, ranges, workers):
    hs = [max(-lo, hi) for lo, hi in ranges]
    if _plan._all_finite(xc):
        half = _direct_half(xc, nconv, hs, workers)
        full = _mirror(half, nconv, hs)
    else:
        # NaN and Inf: every lag summed as such (no symmetry taken), so they
        # land where correlate(x, x, method='direct') puts them
        nb = xc.ndim - nconv
        xpad = np.pad(xc, [(0, 0)] * nb + [(h, h) for h in hs])
        full = correlate(xpad, xc, "valid", "direct", axes=tuple(range(nb, xc.ndim)),
                         workers=workers)
    crop = tuple(slice(lo + h, hi + h + 1) for (lo, hi), h in zip(ranges, hs))
    return np.ascontiguousarray(full[(Ellipsis,) + crop])


def _transform_dtype(out_dtype):
    """(real transform?, the dtype transformed): as the FFT method of :func:`correlate`."""
    real_dt, complex_dt = _fft.result_transform_dtypes(out_dtype)
    real = out_dtype.kind != "c"
    return real, (real_dt if real else complex_dt)


def _fft_lengths(lengths, ranges, real, circular):
    if circular:
        return tuple(lengths)
    # the cyclic autocorrelation of period P equals the linear one at lags
    # |l| <= P - N: no alias for the lags wanted once P >= N + max |l|
    return _fft.fast_lengths([n + max(-lo, hi) for n, (lo, hi) in zip(lengths, ranges)],
                             real)


def _integer_bound_ok(part, nconv, shape):
    norms = operand_norms(part, part.ndim - nconv)
    return transform_is_exact(norms, norms, shape)


@functools.lru_cache(maxsize=2)
def _half_twiddles(M, char):
    """``cos(pi n / M)`` and ``sin(pi n / M)``, ``n < M``, read-only (kept for reuse)."""
    theta = np.arange(M) * (np.pi / M)
    c, s = np.cos(theta).astype(char), np.sin(theta).astype(char)
    c.flags.writeable = False
    s.flags.writeable = False
    return c, s


def _split_autocorrelation(x, M, nthreads):
    """Lags ``0 .. N - 1`` of the autocorrelation of a real 1-D ``x``, by two threads.

    The spectrum ``X`` of ``x`` zero-padded to ``P = 2 M`` (``M >= N``, even)
    splits into even and odd frequencies, ``X[2m] = FFT_M(x)[m]`` and
    ``X[2m + 1] = FFT_M(x w)[m]`` with ``w[n] = exp(-i pi n / M)``; the inverse
    of ``|X|**2`` splits likewise, ``r[l] = (a[l] + Re(exp(i pi l / M) b[l])) / 2``
    with ``a``, ``b`` the length-``M`` inverse transforms of the even and odd
    parts. The even chain (a real transform, ``|.|**2``, its inverse) runs in
    a second thread (``nthreads > 1``) while this one does the odd
    frequencies: the real and imaginary parts of ``x w`` as two real
    transforms, then one real transform of the (real) odd power spectrum.
    On one thread the two chains run one after the other, with the same
    arithmetic: the result does not depend on the thread count.
    """
    N = x.size
    h = M // 2
    c, s = _half_twiddles(M, x.dtype.char)
    box = {}

    def even():
        E = sfft.rfft(x, M)
        flat = E.reshape(1, -1).view(x.dtype)
        index = np.zeros(1, dtype=np.intp)
        _spectral.multiply(flat, flat, flat, index, index, True, 1.0, 1)
        box["a"] = sfft.irfft(E, M, overwrite_x=True)

    worker = None
    if nthreads > 1:
        worker = threading.Thread(target=even, name="sigconv-autocorrelate")
        worker.start()
    try:
        U = sfft.rfft(x * c[:N], M)
        V = sfft.rfft(x * s[:N], M)
        # X[2m + 1] = U - iV for m <= M/2, and conj(U + iV) at M - m
        odd = np.empty(M, dtype=x.dtype)
        odd[:h + 1] = np.square(U.real + V.imag) + np.square(U.imag - V.real)
        rest = np.square(U.real - V.imag) + np.square(U.imag + V.real)
        odd[h + 1:] = rest[h - 1:0:-1]
        del U, V, rest
        R = sfft.rfft(odd)
        del odd
        # Re(exp(i pi l / M) b[l]) = g[l] for l <= M/2, -g[M - l] above
        g = (c[:h + 1] * R.real + s[:h + 1] * R.imag) / M
    finally:
        if worker is not None:
            worker.join()
    if "a" not in box:   # on one thread, or the thread failed (raising its error)
        even()
    a = box["a"]
    half = a[:N]
    half[:min(N, h + 1)] += g[:min(N, h + 1)]
    if N > h + 1:
        half[h + 1:] -= g[M - N + 1:h][::-1]
    half *= 0.5
    return half


def _run_fft(xc, nconv, ranges, out_dtype, circular, workers):
    """Wiener-Khinchin: one forward transform, ``|X|**2``, one inverse.

    Integers are rounded by the rule of :mod:`sigconv._exact` (exact where
    ``method='auto'`` takes this path).
    """
    lengths = xc.shape[xc.ndim - nconv:]
    real, dt = _transform_dtype(out_dtype)
    part = _fft.transform_input(xc, dt)
    own = part is not xc
    shape = _fft_lengths(lengths, ranges, real, circular)
    nb = xc.ndim - nconv
    axes = tuple(range(nb, xc.ndim))
    rows = 1
    for v in xc.shape[:nb]:
        rows *= v
    nthreads = resolve_workers(workers, _fft.fft_work(rows, shape))
    if rows == 1 and nconv == 1:
        N = lengths[0]
        M = sfft.next_fast_len(N, real=True)
        if (real and N >= SPLIT_MIN and not circular and M % 2 == 0
                and 2 * M <= 1.05 * shape[0] and dt.char in "fd"):
            half = _split_autocorrelation(np.ascontiguousarray(part).reshape(-1), M,
                                          nthreads)
            (lo, hi), = ranges
            out = np.empty(xc.shape[:nb] + (hi - lo + 1,), dtype=half.dtype)
            flat = out.reshape(-1)
            if lo < 0:
                k = min(hi, -1)
                flat[:k - lo + 1] = half[-lo:-k - 1:-1] if k < -1 else half[-lo:0:-1]
            if hi >= 0:
                flat[max(lo, 0) - lo:] = half[max(lo, 0):hi + 1]
            return _finish_fft(out, out_dtype)
        # one 1-D transform runs on one thread, and the product between the
        # transforms is memory-bound: more threads would only wait
        nthreads = 1
    X = np.ascontiguousarray(_fft.forward(part, shape, axes, real, nthreads, own))
    del part
    # |X|**2 in place: X * conj(X), imaginary parts exactly zero
    flat = X.reshape(rows, -1).view(np.finfo(X.dtype).dtype)
    index = np.arange(rows, dtype=np.intp)
    _spectral.multiply(flat, flat, flat, index, index, True, 1.0, nthreads)
    if real:
        R = sfft.irfftn(X, s=shape, axes=axes, workers=nthreads, overwrite_x=True)
    else:
        R = sfft.ifftn(X, axes=axes, workers=nthreads, overwrite_x=True)
    del X
    out = np.empty(xc.shape[:nb] + tuple(hi - lo + 1 for lo, hi in ranges), dtype=R.dtype)
    pieces = []
    for (lo, hi), P in zip(ranges, shape):
        axis = []
        if lo < 0:
            axis.append((slice(0, min(hi, -1) - lo + 1), slice(P + lo, P + min(hi, -1) + 1)))
        if hi >= 0:
            axis.append((slice(max(lo, 0) - lo, hi - lo + 1), slice(max(lo, 0), hi + 1)))
        pieces.append(axis)
    for combo in itertools.product(*pieces):
        out[(Ellipsis,) + tuple(d for d, _ in combo)] = R[(Ellipsis,) + tuple(s for _, s in combo)]
    del R
    if not real:
        # lag zero is the energy, real: drop the transforms' rounding there
        zero = tuple(-lo for lo, _ in ranges)
        out[(Ellipsis,) + zero] = out[(Ellipsis,) + zero].real
    return _finish_fft(out, out_dtype)


def _finish_fft(out, out_dtype):
    """The transform's result in the output dtype (integers rounded back)."""
    if out_dtype.kind in "biu":
        return round_to_integers(out, out_dtype)
    return out if out.dtype == out_dtype else out.astype(out_dtype)


def _choose(method, xc, nconv, ranges, out_dtype, circular):
    """'direct' or 'fft' for ``method='auto'`` (by the cost model of :mod:`sigconv.plan`)."""
    if method != "auto":
        return method
    nb = xc.ndim - nconv
    lengths = xc.shape[nb:]
    rows = 1
    for v in xc.shape[:nb]:
        rows *= v
    taps = 1
    for n in lengths:
        taps *= n
    outputs = rows
    if circular:
        outputs *= taps
    else:
        hs = [max(-lo, hi) for lo, hi in ranges]
        for h in hs[:-1]:
            outputs *= 2 * h + 1
        outputs *= hs[-1] + 1
    compute, is_complex = kernel_dtype(out_dtype)
    code = compute.char if compute.kind != "i" else "q"
    work = outputs * taps * (4 if is_complex else 1)
    direct = _plan.DIRECT_OVERHEAD + _plan.DIRECT_NS.get(code, 1.0) * work
    if direct <= _plan.FFT_OVERHEAD:
        return "direct"
    real = not is_complex
    shape = _fft_lengths(lengths, ranges, real, circular)
    _, dt = _transform_dtype(out_dtype)
    per = _plan.FFT_NS.get(dt.char, 25.0)
    if len(lengths) > 1 or rows >= 8:
        per *= _plan.ND_FFT_SCALE.get(dt.char, 1.0)
    units = _fft.transform_units(shape, real, _fft.is_single(dt))
    fft = _plan.FFT_OVERHEAD + per * rows * 2 * units
    if direct <= fft:
        return "direct"
    if out_dtype.kind in "biu":
        if not _integer_bound_ok(xc, nconv, shape):
            return "direct"
    elif not _plan._all_finite(xc):
        # a NaN or Inf would spread over every output of a transform
        return "direct"
    return "fft"


def _normalize(r, how, lengths, ranges, circular):
    """Apply ``normalize`` to the raw sums ``r`` (convolved axes last)."""
    if r.dtype.kind not in "fc":
        r = r.astype(np.float64)
    elif not r.flags.writeable:
        r = r.copy()
    nconv = len(lengths)
    if how == "biased":
        total = 1
        for n in lengths:
            total *= n
        r /= r.real.dtype.type(total)
    elif how == "unbiased":
        for i, (n, (lo, hi)) in enumerate(zip(lengths, ranges)):
            if circular:
                counts = np.full(hi - lo + 1, n, dtype=r.real.dtype)
            else:
                counts = (n - np.abs(np.arange(lo, hi + 1))).astype(r.real.dtype)
            r /= counts.reshape((-1,) + (1,) * (nconv - 1 - i))
    elif how == "coeff":
        zero = tuple(-lo for lo, _ in ranges)
        r0 = r[(Ellipsis,) + zero].real[(Ellipsis,) + (np.newaxis,) * nconv]
        r0 = np.broadcast_to(r0, r.shape)
        np.divide(r, r0, out=r, where=r0 != 0)
        r[r0 == 0] = 0
    return r


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
        ``fft`` on integers rounds the float64 result (exact when the bound
        of :func:`sigconv._exact.integer_error_bound` is below 0.25, as for
        :func:`convolve`).
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
        ``full``; ``axes`` out of range or repeated.
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
        x = x.astype(np.int64)
        out_dtype = x.dtype
    lengths = [x.shape[a] for a in axes]
    ms = _maxlags(maxlag, lengths, mode)
    ranges = [_lag_range(n, mode, m) for n, m in zip(lengths, ms)]
    nconv = len(axes)
    xc = _canonical(x, axes)
    out_shape = xc.shape[:xc.ndim - nconv] + tuple(hi - lo + 1 for lo, hi in ranges)
    n_out = 1
    for v in out_shape:
        n_out *= v
    if n_out * 3 * max(16, out_dtype.itemsize) > MEMORY_LIMIT:
        raise MemoryError("the autocorrelation of shape %s needs more than this machine's "
                          "%.3g GiB of memory" % (out_shape, MEMORY_LIMIT / 2**30))
    circular = mode == "circular"
    chosen = _choose(method, xc, nconv, ranges, out_dtype, circular)
    if chosen == "fft":
        r = _run_fft(xc, nconv, ranges, out_dtype, circular, workers)
    elif circular:
        conv = tuple(range(xc.ndim - nconv, xc.ndim))
        r = correlate(xc, xc, "circular", "direct", axes=conv, workers=workers)
    else:
        r = _run_direct(xc, nconv, ranges, workers)
    if normalize is not None:
        r = _normalize(r, normalize, lengths, ranges, circular)
    elif exact_dtype is not None and r.dtype != exact_dtype:
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

#: a window whose variance is at most this fraction of its mean square
#: (about the signal's mean) plus the signal's variance is flat: score 0
FLAT_RELATIVE = 1e-9

NCC_MODES = ("valid", "same", "full")


def _score_dtype(d):
    """Float dtype a score is computed and returned in (as scikit-image does)."""
    if d.kind == "c":
        raise TypeError("normalized_correlate works on real data, got dtype %s" % d)
    if d.kind == "f" and d.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _ncc_pads(k, mode):
    """Zeros before and after an axis for ``mode`` (template length ``k``)."""
    if mode == "full":
        return k - 1, k - 1
    if mode == "same":
        return k // 2, (k - 1) // 2
    return 0, 0


def _window_sums(d, kshape, nthreads):
    """Sums of ``d`` and ``d**2`` over every window of ``kshape`` (the last axes, 2 or more).

    ``d``: C-contiguous float32/float64. Returns two float64 arrays of
    shape ``(lines, L)``, one row per line of windows along the last axis,
    whose first ``L - kshape[-1] + 1`` columns hold the sums (running sums,
    :mod:`sigconv._ext._correlation`): along the first matched axis straight
    from ``d``, along the middle ones into new arrays, along the last one in
    place.
    """
    nconv = len(kshape)
    nb = d.ndim - nconv

    def split(shape, ax):
        return (int(np.prod(shape[:ax], dtype=np.int64)), shape[ax],
                int(np.prod(shape[ax + 1:], dtype=np.int64)))

    outer, L, inner = split(d.shape, nb)
    m = L - kshape[0] + 1
    new = d.shape[:nb] + (m,) + d.shape[nb + 1:]
    s1, s2 = np.empty(new), np.empty(new)
    _correlation.first_row_sums(d.reshape(outer, L, inner), kshape[0],
                                s1.reshape(outer, m, inner), s2.reshape(outer, m, inner),
                                nthreads)
    for i in range(1, nconv - 1):
        ax = nb + i
        outer, L, inner = split(s1.shape, ax)
        m = L - kshape[i] + 1
        new = s1.shape[:ax] + (m,) + s1.shape[ax + 1:]
        sums = []
        for s in (s1, s2):
            out = np.empty(new)
            _correlation.row_sums(s.reshape(outer, L, inner), kshape[i],
                                  out.reshape(outer, m, inner), nthreads)
            sums.append(out)
        s1, s2 = sums
    L = s1.shape[-1]
    s1, s2 = s1.reshape(-1, L), s2.reshape(-1, L)
    _correlation.line_sums_inplace(s1, s2, kshape[-1], nthreads)
    return s1, s2


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
    result_dtype(x, t)
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
            p0, p1 = _ncc_pads(n_t, mode)
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
    nconv = len(axes)
    xc = _canonical(x, axes)
    tc = _canonical(t, axes)
    nb = x.ndim - nconv
    conv = tuple(range(nb, x.ndim))
    kshape = tc.shape[nb:]
    pads = [_ncc_pads(k, mode) for k in kshape]
    n = 1
    for k in kshape:
        n *= k

    # the signal shifted by its mean (scores do not change), zeros outside
    center = float(np.mean(xc, dtype=np.float64))
    d = np.empty(xc.shape[:nb] + tuple(p0 + N + p1 for (p0, p1), N
                                       in zip(pads, xc.shape[nb:])), dtype=fdt)
    inside = (Ellipsis,) + tuple(slice(p0, p0 + N) for (p0, _), N in zip(pads, xc.shape[nb:]))
    if d.shape != xc.shape:
        d.fill(-center)
    # in the scores' precision (a float32 x minus a Python float would be
    # computed in float32 whatever fdt is)
    np.subtract(xc, center, out=d[inside], dtype=fdt, casting="unsafe")
    # the mean square of the shifted signal, the scale of the flat-window
    # test (a dot product: an accurate enough scale at the cost of one read)
    flat_d = d.reshape(-1)
    spread = float(np.dot(flat_d, flat_d)) / flat_d.size
    if not math.isfinite(spread):  # float32 squares beyond its range
        spread = float(np.mean(np.square(flat_d, dtype=np.float64)))

    # the template: zero mean, its energy; flat templates score 0
    t64 = tc.astype(np.float64)
    t0 = t64 - t64.mean(axis=conv, keepdims=True)
    tss = np.asarray(np.sum(np.square(t0), axis=conv))
    tss[tss <= FLAT_RELATIVE * np.sum(np.square(t64), axis=conv)] = 0.0

    out_conv = tuple(dn - k + 1 for dn, k in zip(d.shape[nb:], kshape))
    outputs = 1
    for v in out_conv:
        outputs *= v
    nthreads = resolve_workers(workers, 8 * outputs * nconv)
    num = correlate(d, t0.astype(fdt), "valid", axes=conv, workers=workers)
    if num.dtype != fdt:
        num = num.astype(fdt)
    batch = num.shape[:nb]
    rows = 1
    for v in batch:
        rows *= v
    xrows = int(np.prod(xc.shape[:nb], dtype=np.int64))
    item = np.ascontiguousarray(np.broadcast_to(
        np.arange(xrows, dtype=np.intp).reshape(xc.shape[:nb]), batch).ravel())
    tsum = np.ascontiguousarray(np.broadcast_to(tss, batch), dtype=np.float64).ravel()
    if nconv <= 2:
        # one pass per output row: column sums, window sums and scores
        L1 = d.shape[-1]
        lead = (1,) if nconv == 1 else ()
        K0 = 1 if nconv == 1 else kshape[0]
        scratch = np.empty((nthreads, 4 * L1))
        _correlation.ncc_2d(d.reshape((xrows,) + lead + d.shape[nb:]),
                            num.reshape((rows,) + lead + out_conv), item, tsum, K0,
                            kshape[-1], n * spread, FLAT_RELATIVE, scratch, nthreads)
    else:
        s1, s2 = _window_sums(d, kshape, nthreads)
        width = out_conv[-1]
        lines = outputs // width
        # one row per line of windows: the x row behind it, the template's energy
        srow = (item.reshape(-1, 1) * lines + np.arange(lines, dtype=np.intp)).ravel()
        flat_num = num.reshape(rows * lines, width)
        _correlation.scores(flat_num, s1, s2, srow, np.repeat(tsum, lines), float(n),
                            n * spread, FLAT_RELATIVE, flat_num, nthreads)
    if axes != conv:
        num = np.ascontiguousarray(np.moveaxis(num, conv, axes))
    return num
