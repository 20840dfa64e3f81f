"""The compute paths of the correlation family: autocorrelation and template scores.

The public functions (:mod:`sigconv.correlation`) validate their arguments
and call :func:`autocorrelation` and :func:`normalized_scores` here, as the
convolution functions call their backends.

``autocorrelation`` evaluates the lags asked for directly (a correlation of
the signal with itself, by half, then mirrored) or by the transform of
``|X|**2`` (:func:`_run_fft`), chosen by the cost model of
:mod:`sigconv.plan`. ``normalized_scores`` is the zero-normalized
cross-correlation: the numerator by a correlation with the zero-mean
template, the window sums and the scores by the kernels of
:mod:`sigconv._ext._correlation`.
"""
import functools
import itertools
import math
import threading

import numpy as np
import scipy.fft as sfft

from .. import plan as _plan
from .._dtypes import kernel_dtype, result_dtype
from .._exact import operand_norms, transform_is_exact
from .._problem import make_problem
from .._ext import _correlation, _spectral
from .._threads import resolve_workers
from . import fft as _fft
from ._layout import cast_result

#: a direct evaluation with a single output line longer than this many taps
#: is cut into :data:`TAP_CHUNKS` pieces of taps, summed afterwards, so that
#: the threads share it (the count does not depend on the thread count: the
#: result is the same whatever the number of threads)
CHUNK_MIN_TAPS = 1 << 15
TAP_CHUNKS = 8

#: a real 1-D autocorrelation of at least this many samples, with two
#: threads, runs its transforms as two half-length chains side by side
SPLIT_MIN = 1 << 16


def _correlate(*args, **kwargs):
    from ..convolution import correlate
    return correlate(*args, **kwargs)


def canonical(x, axes):
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
        parts = _correlate(sig, kern, "valid", "direct", axes=-1, workers=workers)
        out = np.add.reduce(parts, axis=0, dtype=parts.dtype)
        return out.reshape(xc.shape[:-1] + (h + 1,))
    pads = [(0, 0)] * nb + [(k, k) for k in half[:-1]] + [(0, h)]
    return _correlate(np.pad(xc, pads), xc, "valid", "direct", axes=conv, workers=workers)


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
        # land where _correlate(x, x, method='direct') puts them
        nb = xc.ndim - nconv
        xpad = np.pad(xc, [(0, 0)] * nb + [(h, h) for h in hs])
        full = _correlate(xpad, xc, "valid", "direct", axes=tuple(range(nb, xc.ndim)),
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
            return cast_result(out, out_dtype)
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
    return cast_result(out, out_dtype)


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


def autocorrelation(xc, nconv, ranges, out_dtype, mode, method, normalize, lengths, workers):
    """The lags ``ranges`` of the autocorrelation of ``xc`` (convolved axes last).

    ``method``: 'auto' (by the cost model, with the integer exactness check
    of the transforms), 'direct' or 'fft'; ``normalize``: None or the
    normalisation of :func:`sigconv.autocorrelate`.
    """
    circular = mode == "circular"
    chosen = _choose(method, xc, nconv, ranges, out_dtype, circular)
    if chosen == "fft" and method == "fft" and out_dtype.kind in "biu":
        # autocorrelate promises exact integer sums (scipy defines no twin
        # whose rounding it would have to follow): refuse what the transform
        # cannot make exact
        real, _ = _transform_dtype(out_dtype)
        shape = _fft_lengths(xc.shape[xc.ndim - nconv:], ranges, real, circular)
        if not _integer_bound_ok(xc, nconv, shape):
            raise ValueError(
                "method='fft' cannot guarantee the exact integer autocorrelation of these "
                "values (the float64 rounding error bound is too large); use "
                "method='direct', which is exact for any integers")
    if chosen == "fft":
        r = _run_fft(xc, nconv, ranges, out_dtype, circular, workers)
    elif circular:
        conv = tuple(range(xc.ndim - nconv, xc.ndim))
        r = _correlate(xc, xc, "circular", "direct", axes=conv, workers=workers)
    else:
        r = _run_direct(xc, nconv, ranges, workers)
    if normalize is not None:
        r = _normalize(r, normalize, lengths, ranges, circular)
    return r


# --------------------------------------------------------------------------
# normalized_correlate

#: a window whose variance is at most this fraction of its mean square
#: (about the signal's mean) plus the signal's variance is flat: score 0
FLAT_RELATIVE = 1e-9


def ncc_pads(k, mode):
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
    _correlation.axis_sums(d.reshape(outer, L, inner), None, kshape[0],
                           s1.reshape(outer, m, inner), s2.reshape(outer, m, inner), nthreads)
    for i in range(1, nconv - 1):
        ax = nb + i
        outer, L, inner = split(s1.shape, ax)
        m = L - kshape[i] + 1
        new = s1.shape[:ax] + (m,) + s1.shape[ax + 1:]
        o1, o2 = np.empty(new), np.empty(new)
        _correlation.axis_sums(s1.reshape(outer, L, inner), s2.reshape(outer, L, inner),
                               kshape[i], o1.reshape(outer, m, inner),
                               o2.reshape(outer, m, inner), nthreads)
        s1, s2 = o1, o2
    L = s1.shape[-1]
    s1, s2 = s1.reshape(-1, L), s2.reshape(-1, L)
    _correlation.line_sums_inplace(s1, s2, kshape[-1], nthreads)
    return s1, s2


def normalized_scores(x, t, mode, axes, fdt, workers):
    """Pearson coefficients of ``t`` and every window of ``x`` (validated inputs), in ``fdt``."""
    nconv = len(axes)
    xc = canonical(x, axes)
    tc = canonical(t, axes)
    nb = x.ndim - nconv
    conv = tuple(range(nb, x.ndim))
    kshape = tc.shape[nb:]
    pads = [ncc_pads(k, mode) for k in kshape]
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
    # in the score dtype: float16 data minus a Python float would round in float16
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
    # the numerator's method as auto chooses it for one thread, so that the
    # scores are the same bits whatever the thread count
    tz = t0.astype(fdt)
    problem, sig, kern = make_problem(d, tz, op="correlate", mode="valid", axes=conv)
    method = _plan.auto_method(problem, sig, kern, workers=1)
    num = _correlate(d, tz, "valid", method, axes=conv, workers=workers)
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
