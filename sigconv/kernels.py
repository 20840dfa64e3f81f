"""Kernels to convolve with: smoothing, edges, Gabor filters and FIR filter design.

Every function returns a float64 array to pass to :func:`sigconv.convolve`
(the kernels are written for convolution, so ``convolve(x, sobel(...),
mode="same")`` is the derivative ``scipy.ndimage.sobel`` computes).

* smoothing: :func:`gaussian`, :func:`box`;
* edges: :func:`sobel`, :func:`scharr` (gradient along one axis, smoothed
  across the others), :func:`laplace`; all N-D;
* :func:`gabor`: a 2-D Gabor filter (a Gaussian envelope times a cosine
  carrier);
* windowed-sinc FIR design: :func:`lowpass`, :func:`highpass`,
  :func:`bandpass`, equal to :func:`scipy.signal.firwin` for the same
  arguments;
* :func:`from_spec` builds any of them from a short text such as
  ``"lowpass:cutoff=4000,numtaps=255"`` (the ``--kernel`` option of the
  ``sigconv convolve`` command).
"""
import math
import operator

import numpy as np

__all__ = ["gaussian", "box", "gabor", "sobel", "scharr", "laplace", "lowpass",
           "highpass", "bandpass", "from_spec", "KERNELS"]


def _per_axis(value, ndim, name):
    vals = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if vals.ndim != 1:
        raise ValueError("%s must be a number or a sequence of numbers" % name)
    if ndim is None:
        ndim = len(vals)
    ndim = operator.index(ndim)
    if ndim < 1:
        raise ValueError("ndim must be at least 1")
    if len(vals) == 1:
        vals = np.repeat(vals, ndim)
    if len(vals) != ndim:
        raise ValueError("%s has %d values for %d axes" % (name, len(vals), ndim))
    return vals


def _outer(factors):
    out = np.ones(())
    for f in factors:
        out = np.multiply.outer(out, f)
    return out


def gaussian(sigma, *, ndim=None, truncate=4.0, radius=None):
    """A sampled Gaussian, normalised to sum 1 (N-D, separable).

    Parameters
    ----------
    sigma : float or sequence of float
        Standard deviation per axis, in samples (one value for all axes).
    ndim : int, optional
        Number of axes (default: the length of ``sigma``, 1 for a number).
    truncate : float, optional
        The kernel reaches ``truncate`` standard deviations each side: a
        radius of ``int(truncate * sigma + 0.5)`` samples, as in
        :func:`scipy.ndimage.gaussian_filter`.
    radius : int or sequence of int, optional
        The radius per axis, overriding ``truncate``.

    Returns
    -------
    ndarray
        Shape ``2 * radius + 1`` per axis, float64. Convolved with ``mode="same"``
        and a symmetric boundary it is ``scipy.ndimage.gaussian_filter``.

    Examples
    --------
    >>> k = gaussian(1.0, truncate=2)
    >>> k.shape, round(float(k.sum()), 12)
    ((5,), 1.0)
    >>> gaussian((1, 2), truncate=1).shape
    (3, 5)
    """
    sig = _per_axis(sigma, ndim, "sigma")
    if np.any(sig < 0) or not np.all(np.isfinite(sig)):
        raise ValueError("sigma must be finite and non-negative")
    truncate = float(truncate)
    if not truncate >= 0:
        raise ValueError("truncate must be non-negative")
    if radius is None:
        rad = [int(truncate * s + 0.5) for s in sig]
    else:
        rad = [operator.index(r) for r in np.atleast_1d(radius)]
        rad = rad * len(sig) if len(rad) == 1 else rad
        if len(rad) != len(sig) or min(rad) < 0:
            raise ValueError("radius must be non-negative, one per axis")
    factors = []
    for s, r in zip(sig, rad):
        x = np.arange(-r, r + 1, dtype=np.float64)
        if s == 0:
            f = (x == 0).astype(np.float64)
        else:
            f = np.exp(-0.5 * (x / s) ** 2)
            f /= f.sum()
        factors.append(f)
    return _outer(factors)


def box(size, *, ndim=None):
    """A box (moving average) of ``size`` samples per axis, summing to 1.

    Examples
    --------
    >>> box(4)
    array([0.25, 0.25, 0.25, 0.25])
    >>> box(2, ndim=2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    sizes = _per_axis(size, ndim, "size")
    if np.any(sizes < 1) or np.any(sizes != np.round(sizes)):
        raise ValueError("size must be a positive integer per axis")
    shape = tuple(int(s) for s in sizes)
    return np.full(shape, 1.0 / math.prod(shape))


def _gradient(ndim, axis, smooth, name):
    ndim = operator.index(ndim)
    if ndim < 1:
        raise ValueError("ndim must be at least 1")
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError("axis %d is out of range for %d axes" % (axis, ndim))
    axis %= ndim
    # a central difference, written for convolution (flipped): the result
    # is x[i + 1] - x[i - 1], as scipy.ndimage's correlate with [-1, 0, 1]
    deriv = np.array([1.0, 0.0, -1.0])
    return _outer([deriv if a == axis else np.asarray(smooth, np.float64)
                   for a in range(ndim)])


def sobel(ndim=2, axis=-1):
    """The Sobel operator: derivative along ``axis``, ``[1, 2, 1]`` smoothing across.

    Shape ``(3,) * ndim``, unnormalised like :func:`scipy.ndimage.sobel`:
    ``convolve(x, sobel(x.ndim, a), mode="same", boundary="symmetric")``
    equals ``scipy.ndimage.sobel(x, a)``.

    Examples
    --------
    >>> sobel(2, axis=1)
    array([[ 1.,  0., -1.],
           [ 2.,  0., -2.],
           [ 1.,  0., -1.]])
    """
    return _gradient(ndim, axis, [1.0, 2.0, 1.0], "sobel")


def scharr(ndim=2, axis=-1):
    """The Scharr operator: derivative along ``axis``, ``[3, 10, 3]`` smoothing across.

    Unnormalised, like :func:`sobel`; its smoothing makes the gradient's
    direction more nearly independent of its angle.

    Examples
    --------
    >>> scharr(2, axis=0)
    array([[  3.,  10.,   3.],
           [  0.,   0.,   0.],
           [ -3., -10.,  -3.]])
    """
    return _gradient(ndim, axis, [3.0, 10.0, 3.0], "scharr")


def laplace(ndim=2):
    """The discrete Laplacian: the sum of ``[1, -2, 1]`` along each axis.

    ``convolve(x, laplace(x.ndim), mode="same", boundary="symmetric")``
    equals ``scipy.ndimage.laplace(x)``.

    Examples
    --------
    >>> laplace(2)
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    ndim = operator.index(ndim)
    if ndim < 1:
        raise ValueError("ndim must be at least 1")
    k = np.zeros((3,) * ndim)
    centre = (1,) * ndim
    for a in range(ndim):
        for side in (0, 2):
            idx = list(centre)
            idx[a] = side
            k[tuple(idx)] += 1.0
    k[centre] = -2.0 * ndim
    return k


def gabor(size, frequency, *, theta=0.0, phase=0.0, beta=None, sigma=None, alpha=1.0,
          center=None):
    """A 2-D Gabor filter: a Gaussian envelope times a cosine carrier.

    ``w(x, y) = alpha * exp(-beta_x x'**2 - beta_y y'**2) * cos(f x' + phase)``
    with the coordinates rotated by ``theta`` about the centre ``(x0, y0)``:
    ``x' = (x - x0) cos(theta) + (y - y0) sin(theta)`` and
    ``y' = -(x - x0) sin(theta) + (y - y0) cos(theta)``; ``x`` runs along
    the columns (axis 1), ``y`` along the rows (axis 0). This is the form
    used to model the simple cells of the primary visual cortex: ``alpha``
    scales, ``beta`` sets how fast the envelope decays, ``frequency`` and
    ``phase`` shape the carrier and ``theta`` turns it. Two filters that
    differ only by a quarter period of phase (``pi / 2``) form a quadrature
    pair.

    Parameters
    ----------
    size : int or (int, int)
        Rows and columns (one number for a square).
    frequency : float
        Angular frequency ``f`` of the carrier, radians per sample.
    theta : float, optional
        Orientation of the carrier, radians.
    phase : float, optional
        Phase offset ``phase`` of the carrier, radians.
    beta : float or (float, float), optional
        Decay rates ``(beta_x, beta_y)`` of the envelope.
    sigma : float or (float, float), optional
        Alternatively the envelope's standard deviations:
        ``beta = 1 / (2 sigma**2)``. Default: ``sigma = size / 6``.
    alpha : float, optional
        Amplitude.
    center : (float, float), optional
        ``(x0, y0)``; default the middle of the grid.

    Examples
    --------
    >>> g = gabor(5, frequency=np.pi / 2, sigma=2)
    >>> g.shape
    (5, 5)
    >>> float(g[2, 2]), float(round(g[2, 3], 12))
    (1.0, 0.0)
    """
    sz = [operator.index(s) for s in np.atleast_1d(size)]
    if len(sz) == 1:
        sz = sz * 2
    if len(sz) != 2 or min(sz) < 1:
        raise ValueError("size must be a positive int or a pair of them")
    rows, cols = sz
    if beta is not None and sigma is not None:
        raise ValueError("give beta or sigma, not both")
    if beta is None:
        sig = np.asarray(sigma if sigma is not None else (cols / 6.0, rows / 6.0), float)
        sig = np.broadcast_to(sig, (2,))
        if np.any(sig <= 0):
            raise ValueError("sigma must be positive")
        bx, by = 1.0 / (2.0 * sig ** 2)
    else:
        bx, by = np.broadcast_to(np.asarray(beta, float), (2,))
        if bx < 0 or by < 0:
            raise ValueError("beta must be non-negative")
    if center is None:
        x0, y0 = (cols - 1) / 2.0, (rows - 1) / 2.0
    else:
        x0, y0 = (float(c) for c in center)
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    dx, dy = x - x0, y - y0
    xr = dx * math.cos(theta) + dy * math.sin(theta)
    yr = -dx * math.sin(theta) + dy * math.cos(theta)
    return alpha * np.exp(-bx * xr ** 2 - by * yr ** 2) * np.cos(frequency * xr + phase)


# -- windowed-sinc FIR design ---------------------------------------------

def _window(window, numtaps):
    from scipy.signal import get_window
    return get_window(window, numtaps, fftbins=False)


def _fir(numtaps, edges, window, nyq):
    """Linear-phase FIR whose passbands are the pairs of ``edges`` (in Hz).

    The ideal response (a sum of differences of sincs) times the window,
    scaled to gain 1 at the middle of the first passband (at 0 for a
    lowpass, at the Nyquist frequency for a highpass).
    """
    numtaps = operator.index(numtaps)
    if numtaps < 1:
        raise ValueError("numtaps must be at least 1")
    bands = np.asarray(edges, dtype=np.float64) / nyq
    alpha = 0.5 * (numtaps - 1)
    n = np.arange(numtaps) - alpha
    h = np.zeros(numtaps)
    for lo, hi in bands.reshape(-1, 2):
        h += hi * np.sinc(hi * n) - lo * np.sinc(lo * n)
    h *= _window(window, numtaps)
    lo, hi = bands[0], bands[1]
    f = 0.0 if lo == 0 else (1.0 if hi == 1 else 0.5 * (lo + hi))
    h /= np.sum(h * np.cos(np.pi * n * f))
    return h


def _cutoffs(cutoff, fs, count):
    c = np.atleast_1d(np.asarray(cutoff, dtype=np.float64))
    if c.ndim != 1 or len(c) != count:
        raise ValueError("expected %d cutoff frequenc%s" % (count, "y" if count == 1 else "ies"))
    nyq = 0.5 * (2.0 if fs is None else float(fs))
    if np.any(c <= 0) or np.any(c >= nyq) or np.any(np.diff(c) <= 0):
        raise ValueError("cutoffs must increase strictly between 0 and the Nyquist "
                         "frequency %g" % nyq)
    return c, nyq


def lowpass(numtaps, cutoff, *, window="hamming", fs=None):
    """Windowed-sinc lowpass FIR filter (as ``scipy.signal.firwin(numtaps, cutoff)``).

    Parameters
    ----------
    numtaps : int
        Length of the filter.
    cutoff : float
        Cutoff frequency (-6 dB), in the units of ``fs``.
    window : str or tuple, optional
        A window for :func:`scipy.signal.get_window` (default Hamming).
    fs : float, optional
        Sampling frequency; default 2 (frequencies relative to Nyquist = 1).

    Returns
    -------
    ndarray
        ``numtaps`` symmetric taps with unit gain at 0 Hz.

    Examples
    --------
    >>> h = lowpass(31, 4000, fs=48000)
    >>> h.shape, bool(np.isclose(h.sum(), 1))
    ((31,), True)
    """
    c, nyq = _cutoffs(cutoff, fs, 1)
    return _fir(numtaps, [0.0, c[0]], window, nyq)


def highpass(numtaps, cutoff, *, window="hamming", fs=None):
    """Windowed-sinc highpass FIR (as ``firwin(numtaps, cutoff, pass_zero=False)``).

    ``numtaps`` must be odd (an even-length linear-phase filter has a zero
    at the Nyquist frequency). Unit gain at the Nyquist frequency.

    Examples
    --------
    >>> h = highpass(31, 0.25)
    >>> bool(np.isclose(np.sum(h * (-1.0) ** (np.arange(31) - 15)), 1))
    True
    """
    if operator.index(numtaps) % 2 == 0:
        raise ValueError("a highpass filter needs an odd number of taps")
    c, nyq = _cutoffs(cutoff, fs, 1)
    return _fir(numtaps, [c[0], nyq], window, nyq)


def bandpass(numtaps, low, high, *, window="hamming", fs=None):
    """Windowed-sinc bandpass FIR (as ``firwin(numtaps, [low, high], pass_zero=False)``).

    Unit gain at the middle of the band.

    Examples
    --------
    >>> bandpass(63, 300, 3400, fs=16000).shape
    (63,)
    """
    c, nyq = _cutoffs([low, high], fs, 2)
    return _fir(numtaps, [c[0], c[1]], window, nyq)


# -- text specifications ----------------------------------------------------

#: name -> (function, arguments that take the sampling frequency, defaults for specs)
KERNELS = {
    "gaussian": (gaussian, False, {}),
    "box": (box, False, {}),
    "gabor": (gabor, False, {}),
    "sobel": (sobel, False, {}),
    "scharr": (scharr, False, {}),
    "laplace": (laplace, False, {}),
    "lowpass": (lowpass, True, {"numtaps": 255}),
    "highpass": (highpass, True, {"numtaps": 255}),
    "bandpass": (bandpass, True, {"numtaps": 255}),
}


def _value(text):
    text = text.strip()
    if "x" in text and not text.startswith("0x"):
        return tuple(_value(t) for t in text.split("x"))
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def from_spec(spec, *, samplerate=None, ndim=None):
    """A kernel from a text specification ``NAME[:KEY=VALUE,...]``.

    Values are numbers, words (e.g. ``window=hann``) or per-axis tuples
    written with ``x`` (``sigma=2x3``). The filters take their frequencies
    in Hz and ``samplerate`` as their sampling frequency, and default to 255
    taps; the other kernels take ``ndim`` (the data's number of axes) unless
    the spec sets it.

    Parameters
    ----------
    spec : str
        For example ``"lowpass:cutoff=4000,numtaps=255"``,
        ``"bandpass:low=300,high=3400"`` or ``"gaussian:sigma=2"``.
    samplerate : float, optional
        Sampling frequency for the filters.
    ndim : int, optional
        Number of axes of the data, for the N-D kernels.

    Examples
    --------
    >>> from_spec("box:size=3")
    array([0.33333333, 0.33333333, 0.33333333])
    >>> from_spec("lowpass:cutoff=4000,numtaps=5", samplerate=48000).shape
    (5,)
    >>> from_spec("gaussian:sigma=1x0", ndim=2).shape
    (9, 1)
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("a kernel spec is NAME[:KEY=VALUE,...], not %r" % (spec,))
    name, _, rest = spec.strip().partition(":")
    name = name.strip().lower()
    if name not in KERNELS:
        raise ValueError("unknown kernel %r; known: %s" % (name, ", ".join(sorted(KERNELS))))
    func, takes_fs, defaults = KERNELS[name]
    kwargs = dict(defaults)
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, eq, val = item.partition("=")
        if not eq or not key.strip():
            raise ValueError("bad item %r in kernel spec %r: expected KEY=VALUE" % (item, spec))
        kwargs[key.strip()] = _value(val)
    if takes_fs:
        if "fs" not in kwargs:
            if samplerate is None:
                raise ValueError("kernel %r needs the sample rate" % name)
            kwargs["fs"] = samplerate
    elif ndim is not None and name in ("gaussian", "box") and "ndim" not in kwargs:
        kwargs["ndim"] = ndim
    elif ndim is not None and name in ("sobel", "scharr", "laplace") and "ndim" not in kwargs:
        kwargs["ndim"] = ndim
    try:
        return func(**kwargs)
    except TypeError as exc:
        raise ValueError("kernel spec %r: %s" % (spec, exc)) from None
