"""Convolution and correlation: ``convolve``, ``correlate`` and their 2-D twins.

Names shared with :mod:`scipy.signal` keep scipy's signature, defaults,
output dtype and shape; sigconv adds keyword-only options.
"""
import numpy as np

from ._backends import BACKENDS, METHODS, check_method, evaluate
from ._dtypes import kernel_dtype
from ._problem import make_problem, normalize_axes
from ._validate import as_int
from .plan import auto_choice
from ._small import small_call

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve",
           "oaconvolve", "correlation_lags"]


def _doc(text):
    """Attach ``text`` as the docstring (docstrings assembled from shared parts)."""
    def attach(func):
        func.__doc__ = text
        return func
    return attach


def _choose_method(method, problem, signal, kernel, workers=None):
    """``(method, exact)``: see :func:`sigconv.plan.auto_choice` (``exact`` None
    for an explicit method)."""
    if check_method(method) == "auto":
        return auto_choice(problem, signal, kernel, workers)
    return method, None


def _run(op, in1, in2, mode, method, boundary, fillvalue, axes, stride, workers,
         flavor="nd"):
    if flavor == "nd":
        out = small_call(op, in1, in2, mode, method, boundary, fillvalue, axes, stride,
                         workers)
        if out is not None:
            return out
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if flavor == "nd" and in1.ndim == in2.ndim == 0 and method in METHODS:
        return in1 * (in2.conj() if op == "correlate" else in2)
    problem, signal, kernel = make_problem(
        in1, in2, op=op, mode=mode, boundary=boundary, fillvalue=fillvalue, axes=axes,
        stride=stride, flavor=flavor)
    method, exact = _choose_method(method, problem, signal, kernel, workers)
    if problem.empty:
        # nothing to sum: an empty result, or sums over an empty kernel
        out = np.zeros(problem.out_shape, dtype=problem.out_dtype)
        if 0 in problem.x_shape and out.size and problem.k_shape and \
                0 not in problem.k_shape and problem.fillvalue != 0:
            # the 2-D twins of an empty input: every tap reads the fill value,
            # so every output is fillvalue * sum(kernel), as in scipy.signal
            dt = problem.out_dtype.newbyteorder("=")
            w = kernel.astype(dt)
            if problem.conj_kernel:
                w = np.conjugate(w)
            out[...] = w.sum(dtype=dt, keepdims=True).ravel() * np.asarray(
                [problem.fillvalue], dtype=dt)
        return out
    return evaluate(method, problem, signal, kernel, workers, exact=exact)


_SHARED_PARAMS = """
    mode : {'full', 'valid', 'same', 'circular'}, optional
        Size of the output (per convolved axis, with ``N`` the length of
        ``in1`` and ``K`` that of ``in2``):

        ``full``
           every point where the inputs overlap, ``N + K - 1`` (default);
        ``valid``
           only points that do not depend on the boundary,
           ``max(N, K) - min(N, K) + 1``; one input must be at least as large
           as the other along every convolved axis;
        ``same``
           ``N`` points, centred with respect to ``full``;
        ``circular``
           cyclic with period ``N``: ``N`` points of the product with the
           circulant matrix of ``in2`` (a kernel longer than ``N`` wraps).
    method : {'auto', 'direct', 'fft', 'oa', 'toeplitz', 'separable'}, optional
        ``direct`` sums the products; ``fft`` multiplies the inputs' spectra
        (:mod:`scipy.fft`); ``oa`` does so by blocks (overlap-save, for a
        long signal and a much shorter kernel); all three give the same
        result, up to rounding, for every mode, boundary and stride.
        ``auto`` (default) takes the method :func:`choose_conv_method`
        answers for the same call: the fastest by a cost model of the three
        (per dtype, from the multiply-adds of ``direct`` and the transform
        lengths of ``fft`` and of the blocks of ``oa``), except that it
        stays with ``direct`` -- exact for integers, NaN/Inf kept local --
        for integer inputs whose exact result the transforms' error bound
        does not guarantee (and integers with a boundary other than a zero
        fill), and for inputs holding NaN or Inf. The inputs are scanned for
        these only when the model prefers a transform.
        ``toeplitz`` multiplies tiles of the input's windows (im2col) by
        the kernel with BLAS: one matrix product for every kernel a signal
        meets, which suits filter banks broadcast along ``axes``; integer
        and ``longdouble`` inputs, which BLAS cannot multiply, are computed
        by ``direct`` (exactly). For filter banks (several kernels
        broadcast against each signal) ``auto`` weighs ``toeplitz`` too.
        ``separable`` computes a kernel that is an outer product of 1-D
        kernels (a Gaussian, a box, Sobel; in 2-D also a sum of a few) as
        one pass of a 1-D kernel per axis, and raises :class:`ValueError`
        for a kernel that is not, to within the result dtype's rounding
        (integer kernels: exactly, with integer factors); ``auto`` detects
        such kernels and uses it when the model finds it cheaper.
    boundary : {'fill', 'wrap', 'symm', 'constant', 'symmetric', 'reflect', 'edge'}, optional
        How ``in1`` is extended beyond its edges, in every dimension:
        ``fill``/``constant`` pad with ``fillvalue`` (default), ``wrap``
        repeats the input periodically, ``symm``/``symmetric`` mirrors it
        including the edge sample (``d c b a | a b c d | d c b a``),
        ``reflect`` mirrors it without repeating the edge
        (``d c b | a b c d | c b a``), ``edge`` repeats the edge sample.
        Irrelevant in ``valid`` mode; ``circular`` mode implies ``wrap``.
    fillvalue : scalar, optional
        Value of the ``fill`` boundary (default 0), cast to the output dtype.
    axes : int or sequence of int, optional
        Axes to convolve over (default: all). Along the other axes the
        inputs must have equal lengths or length 1, and broadcast as in
        :func:`scipy.signal.fftconvolve`: a batch of signals, a multichannel
        recording or a filter bank is one call.
    stride : int or sequence of int, optional
        Keep every ``stride``-th output along each convolved axis; only the
        kept outputs are computed. The result equals the unstrided one
        sliced ``[::stride]``.
    workers : int, optional
        Threads. ``None`` (default) uses all cores for large problems and
        one for small ones, honouring ``OMP_NUM_THREADS`` and threadpoolctl;
        negative values count back from the number of cores. The result is
        bitwise identical whatever the thread count."""

_DTYPE_NOTES = """
    The output dtype is ``numpy.result_type(in1, in2)``, as in scipy:
    float32 stays float32 and is computed in single precision; integer and
    bool inputs give exact results in that dtype, which *wraps around* where
    a sum does not fit in it (``uint8`` inputs summing past 255, ``int64``
    past 2**63), exactly as scipy's direct method does -- convert the inputs
    to a wider type (or use :func:`autocorrelate` and the other functions
    scipy does not define, whose integer results hold the exact sums) to
    avoid it; complex inputs are computed as sums of real products. Inputs of any strides, including negative strides and
    read-only views, are accepted and never modified; the output is a new
    C-contiguous array. With the direct method NaN and Inf propagate only to
    the outputs whose sums include them; the zero fill around the inputs
    contributes no terms (as in :func:`numpy.convolve` and scipy's 1-D
    direct method: a NaN or Inf in the kernel does not turn the fill into
    NaN, ``0 * inf``). :func:`convolve2d` and :func:`correlate2d` follow
    :func:`scipy.signal.convolve2d` instead, where ``fillvalue`` is a value
    every tap multiplies.

    ``method='fft'`` and ``'oa'`` transform float32/complex64 in single
    precision, float16 in float32 and the other floating types in their own
    precision; their error grows with the transform length and the inputs'
    norms rather than with each output's own sum, and a NaN or Inf spreads
    to the whole output (for ``'oa'``, to the outputs of its block), with a
    :class:`RuntimeWarning` worded as scipy's. They compute integers in
    float64 and round the result to integers: the exact result when the
    bound of ``sigconv._exact.integer_error_bound`` on the rounding error is
    below 1/4 (``method='auto'`` takes a transform for integers only then);
    past it, as ``scipy.signal.convolve(..., method='fft')``, the rounded
    result, off by at most that bound plus 1/2."""


@_doc(r"""Convolve two N-dimensional arrays.

    ``out = in1 * in2`` in the sense of discrete convolution,
    :math:`y[n] = \sum_k x[n - k]\, h[k]`, along the convolved axes.

    Parameters
    ----------
    in1 : array_like
        First input (the signal).
    in2 : array_like
        Second input (the kernel), with as many dimensions as ``in1``.
    """ + _SHARED_PARAMS + r"""

    Returns
    -------
    out : ndarray
        The convolution, shape given by ``mode`` and ``stride`` along the
        convolved axes and the broadcast lengths along the others.

    Raises
    ------
    ValueError
        Unknown ``mode``, ``method`` or ``boundary``; inputs of different
        dimensionality or incompatible broadcast lengths; ``axes`` out of
        range or repeated; ``stride`` < 1; ``valid`` mode where neither input
        is as large as the other; empty inputs.
    TypeError
        Object, string or other non-numeric dtypes; non-integer ``stride``.
    MemoryError
        The output would not fit in this machine's memory (checked before
        allocating).

    See Also
    --------
    correlate : cross-correlation.
    convolve2d : the 2-D twin with scipy's ``convolve2d`` signature.
    scipy.signal.convolve : the reference this function matches.

    Notes
    -----
    Output length per convolved axis, before striding (``N = len(in1)``,
    ``K = len(in2)``):

    ============  ==========================
    mode          length
    ============  ==========================
    ``full``      ``N + K - 1``
    ``same``      ``N``
    ``valid``     ``max(N, K) - min(N, K) + 1``
    ``circular``  ``N``
    ============  ==========================

    With ``stride=s`` the length becomes ``ceil(length / s)``. In ``same``
    mode output ``i`` is output ``i + (K - 1) // 2`` of ``full``.
    ``circular`` computes :math:`y[n] = \sum_k h[k]\, x[(n - k) \bmod N]`.
    """ + _DTYPE_NOTES + """

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> sigconv.convolve([1, 2, 3], [0, 1, 0.5], mode="same")
    array([1. , 2.5, 4. ])
    >>> sigconv.convolve([1, 2, 3, 4], [1, 1], mode="circular")
    array([5, 3, 5, 7])

    A 2-D smoothing with a mirrored boundary, computed on every other pixel:

    >>> image = np.arange(16.0).reshape(4, 4)
    >>> sigconv.convolve(image, np.full((3, 3), 1 / 9), mode="same",
    ...                  boundary="symm", stride=2)
    array([[ 1.66666667,  3.33333333],
           [ 8.33333333, 10.        ]])

    A batch of signals along the last axis, one kernel for all:

    >>> x = np.ones((3, 5))
    >>> sigconv.convolve(x, np.array([[1.0, -1.0]]), mode="valid", axes=1)
    array([[0., 0., 0., 0.],
           [0., 0., 0., 0.],
           [0., 0., 0., 0.]])
    """)
def convolve(in1, in2, mode="full", method="auto", *, boundary="fill", fillvalue=0,
             axes=None, stride=1, workers=None):
    return _run("convolve", in1, in2, mode, method, boundary, fillvalue, axes, stride,
                workers)


@_doc(r"""Cross-correlate two N-dimensional arrays.

    :math:`z[n] = \sum_k x[n + k]\, \overline{h[k]}`, output index ``n``
    standing for lag ``n - (K - 1)`` in ``full`` mode (see
    :func:`correlation_lags`).

    Parameters
    ----------
    in1 : array_like
        First input.
    in2 : array_like
        Second input (the template), with as many dimensions as ``in1``.
    """ + _SHARED_PARAMS + r"""

    Returns
    -------
    out : ndarray
        The cross-correlation.

    Raises
    ------
    ValueError, TypeError, MemoryError
        As for :func:`convolve`.

    See Also
    --------
    convolve, correlate2d, correlation_lags
    scipy.signal.correlate : the reference this function matches.

    Notes
    -----
    ``correlate(x, h)`` equals ``convolve(x, conj(h[::-1]))`` for the
    ``full``, ``same`` and ``valid`` modes (``same`` keeps outputs
    ``(K - 1) // 2`` onwards of ``full``). In ``valid`` mode with ``in2``
    the larger, the result is that of scipy: the reversed conjugate of
    ``correlate(in2, in1)``. ``circular`` mode gives the cyclic
    cross-correlation :math:`z[n] = \sum_k x[(n + k) \bmod N]\,
    \overline{h[k]}`, i.e. lag ``n``; it equals
    ``ifft(fft(x) * conj(fft(h, N)))`` when ``K <= N``.
    """ + _DTYPE_NOTES + """

    Examples
    --------
    >>> import sigconv
    >>> sigconv.correlate([1, 2, 3], [0, 1, 0.5])
    array([0.5, 2. , 3.5, 3. , 0. ])
    >>> sigconv.correlate([1, 2, 3, 4], [1, 2], mode="circular")
    array([ 5,  8, 11,  6])
    """)
def correlate(in1, in2, mode="full", method="auto", *, boundary="fill", fillvalue=0,
              axes=None, stride=1, workers=None):
    return _run("correlate", in1, in2, mode, method, boundary, fillvalue, axes, stride,
                workers)


def _check_2d(in1, in2):
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if in1.ndim != 2 or in2.ndim != 2:
        raise ValueError("convolve2d and correlate2d need 2-D inputs, got %d-D and %d-D"
                         % (in1.ndim, in2.ndim))
    return in1, in2


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, stride=1,
               workers=None):
    """Convolve two 2-D arrays (:func:`scipy.signal.convolve2d`'s signature).

    Parameters
    ----------
    in1, in2 : array_like
        2-D inputs.
    mode : {'full', 'valid', 'same', 'circular'}, optional
        As in :func:`convolve`.
    boundary : {'fill', 'wrap', 'symm', 'constant', 'symmetric', 'reflect', 'edge'}, optional
        As in :func:`convolve`.
    fillvalue : scalar, optional
        Value of the ``fill`` boundary (default 0).
    stride, workers
        As in :func:`convolve` (keyword-only).

    Returns
    -------
    out : ndarray
        2-D convolution of ``in1`` and ``in2``.

    Raises
    ------
    ValueError
        Inputs that are not 2-D, and everything :func:`convolve` rejects.

    See Also
    --------
    convolve, correlate2d, scipy.signal.convolve2d

    Notes
    -----
    Identical to ``convolve(in1, in2, mode, method="direct", boundary=...,
    fillvalue=...)``, except that empty inputs give a result of zeros (as
    scipy's ``convolve2d`` does) instead of an error. The output dtype is
    scipy's, ``numpy.result_type(in1, in2)``: integer sums that do not fit
    in it wrap around, as in scipy (a ``uint8`` image summed past 255).

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.convolve2d(np.eye(3), [[1, 2], [3, 4]], mode="same", boundary="wrap")
    array([[5., 2., 3.],
           [3., 5., 2.],
           [2., 3., 5.]])
    """
    in1, in2 = _check_2d(in1, in2)
    return _run("convolve", in1, in2, mode, "direct", boundary, fillvalue, None, stride,
                workers, flavor="2d")


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, stride=1,
                workers=None):
    """Cross-correlate two 2-D arrays (:func:`scipy.signal.correlate2d`'s signature).

    Parameters
    ----------
    in1, in2 : array_like
        2-D inputs.
    mode : {'full', 'valid', 'same', 'circular'}, optional
        As in :func:`correlate`, except the ``same`` alignment (below).
    boundary : {'fill', 'wrap', 'symm', 'constant', 'symmetric', 'reflect', 'edge'}, optional
        As in :func:`convolve`.
    fillvalue : scalar, optional
        Value of the ``fill`` boundary (default 0).
    stride, workers
        As in :func:`convolve` (keyword-only).

    Returns
    -------
    out : ndarray
        2-D cross-correlation.

    See Also
    --------
    correlate, convolve2d, scipy.signal.correlate2d

    Notes
    -----
    Matches scipy's ``correlate2d``, which differs from its ``correlate``
    in two corners: for an even kernel length ``K``, ``same`` keeps the
    ``full`` outputs from ``K // 2`` on (``correlate`` from
    ``(K - 1) // 2``); and in ``valid`` mode with ``in2`` the larger, the
    result is ``correlate2d(in2, in1)`` reversed, without the final
    conjugation ``correlate`` applies. The output dtype is scipy's,
    ``numpy.result_type(in1, in2)``: integer sums that do not fit in it
    wrap around, as in scipy.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.correlate2d(np.arange(9).reshape(3, 3), [[1, 0], [0, -1]], mode="valid")
    array([[-4, -4],
           [-4, -4]])
    """
    in1, in2 = _check_2d(in1, in2)
    return _run("correlate", in1, in2, mode, "direct", boundary, fillvalue, None, stride,
                workers, flavor="2d")


def _spectral_dtype(d1, d2):
    """Output dtype of fftconvolve/oaconvolve: what scipy.fft computes in.

    scipy.fft transforms integers and bool in float64 and float16 in
    float32; the product of the two spectra promotes as numpy does.
    """
    def transformed(d):
        if d.kind in "biu":
            return np.dtype(np.float64)
        return np.dtype(np.float32) if (d.kind == "f" and d.itemsize == 2) else d
    return np.result_type(transformed(d1), transformed(d2))


def _spectral_convolve(method, in1, in2, mode, axes):
    """scipy.signal.fftconvolve's semantics, evaluated by ``method``."""
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality "
                         "(got %d and %d dimensions)" % (in1.ndim, in2.ndim))
    if in1.size == 0 or in2.size == 0:
        return np.array([])
    if mode not in ("full", "same", "valid"):
        raise ValueError("mode must be one of 'full', 'same', 'valid', got %r (acceptable "
                         "mode flags are 'valid', 'same', or 'full')" % (mode,))
    axes = normalize_axes(axes, in1.ndim)
    # As in scipy: an axis where either input has length 1 is not
    # transformed but broadcast (the convolution along it is a product).
    conv = tuple(a for a in axes if in1.shape[a] != 1 and in2.shape[a] != 1)
    for a in range(in1.ndim):
        n1, n2 = in1.shape[a], in2.shape[a]
        if a not in conv and n1 != n2 and 1 not in (n1, n2):
            raise ValueError("incompatible shapes for in1 and in2: %s and %s (axis %d is "
                             "not convolved)" % (in1.shape, in2.shape, a))
    if mode == "same":
        # 'same' keeps in1's length on every axis, broadcast ones included:
        # the centred entry of in2 along an axis where in1 has length 1
        cut = tuple(slice((n2 - 1) // 2, (n2 - 1) // 2 + 1)
                    if a not in conv and n1 == 1 and n2 > 1 else slice(None)
                    for a, (n1, n2) in enumerate(zip(in1.shape, in2.shape)))
        in2 = in2[cut]
    if not conv:
        return in1 * in2
    problem, signal, kernel = make_problem(in1, in2, op="convolve", mode=mode, axes=conv)
    out = _spectral_dtype(in1.dtype, in2.dtype)
    problem = problem._replace(out_dtype=out, fillvalue=out.type(0),
                               compute_dtype=kernel_dtype(out)[0])
    return BACKENDS[method](problem, signal, kernel, None)


_SPECTRAL_PARAMS = """
    Parameters
    ----------
    in1 : array_like
        First input.
    in2 : array_like
        Second input, with as many dimensions as ``in1``.
    mode : {'full', 'valid', 'same'}, optional
        ``full`` (default): every point of overlap, ``N + K - 1`` per axis;
        ``valid``: the points that do not depend on zero padding,
        ``max(N, K) - min(N, K) + 1``; ``same``: the size of ``in1``,
        centred with respect to ``full``.
    axes : int or sequence of int, optional
        Axes to convolve over (default: all). Along an axis that is not
        convolved, or where either input has length 1, the inputs must
        have equal lengths or length 1 and are broadcast."""

_SPECTRAL_NOTES = """
    Output dtype (scipy's): integer and bool inputs are transformed in
    float64 and float16 in float32, and the result is the promotion of
    those -- the result is *not* rounded back to integers (use
    :func:`convolve` for exact integer results). Inputs of size 0 give an
    empty float64 array; 0-d inputs give their product. ``valid`` mode
    needs one input at least as large as the other along every convolved
    axis (axes of length 1 excluded).

    The transforms are those of ``convolve(..., method=...)``: real inputs
    use real transforms, only as long as the mode needs, the spectrum
    product is formed in place and the result cropped with one copy; the
    rounding error is of the order of ``eps * log2(P) * ||in1||_2 *
    ||in2||_2`` for ``P`` transformed points, spread over the whole output."""


@_doc("""Convolve two N-dimensional arrays by FFT (scipy's ``fftconvolve``).

    Multiplies the inputs' spectra (:mod:`scipy.fft`). Same signature,
    output shape and output dtype as :func:`scipy.signal.fftconvolve`.
    """ + _SPECTRAL_PARAMS + """

    Returns
    -------
    out : ndarray
        The convolution of ``in1`` and ``in2``.

    Raises
    ------
    ValueError
        Unknown ``mode``; inputs of different dimensionality; incompatible
        lengths along a broadcast axis; ``axes`` empty, out of range or
        repeated; ``valid`` mode where neither input is as large as the
        other.

    See Also
    --------
    convolve : every mode, boundary, stride and method (``method='fft'``).
    oaconvolve : by blocks, for a long signal and a much shorter kernel.
    scipy.signal.fftconvolve : the reference this function matches.

    Notes
    -----""" + _SPECTRAL_NOTES + """

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> y = sigconv.fftconvolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    >>> np.allclose(y, [0.0, 1.0, 2.5, 4.0, 1.5])
    True

    Integers are transformed in float64, as scipy does:

    >>> sigconv.fftconvolve([1, 2, 3], [1, 1]).dtype
    dtype('float64')

    Smoothing a batch of 8 noisy signals with one kernel, along the last
    axis only (the kernel's length-1 first axis broadcasts):

    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((8, 1000))
    >>> window = np.hanning(51)[np.newaxis] / np.hanning(51).sum()
    >>> sigconv.fftconvolve(x, window, mode="same", axes=1).shape
    (8, 1000)
    """)
def fftconvolve(in1, in2, mode="full", axes=None):
    return _spectral_convolve("fft", in1, in2, mode, axes)


@_doc("""Convolve two N-dimensional arrays by FFT in blocks (scipy's ``oaconvolve``).

    Cuts the output into blocks along each convolved axis and computes every
    block by FFT from the samples it reads (overlap-save), for a long signal
    and a much shorter kernel; where one block is cheapest the call is
    :func:`fftconvolve`. The same result as scipy's overlap-add, to
    rounding.
    Same signature, output shape and output dtype as
    :func:`scipy.signal.oaconvolve`.
    """ + _SPECTRAL_PARAMS + """

    Returns
    -------
    out : ndarray
        The convolution of ``in1`` and ``in2``.

    Raises
    ------
    ValueError
        As for :func:`fftconvolve`.

    See Also
    --------
    convolve : every mode, boundary, stride and method (``method='oa'``).
    fftconvolve : one transform of the whole input.
    scipy.signal.oaconvolve : the reference this function matches.

    Notes
    -----
    The block length ``B`` along each axis minimises the number of blocks
    times a model of the cost of one transform of the fast length
    ``P >= B + K - 1``, ``P (log2 P + 4) + 256``, against the whole axis in
    one transform.
    """ + _SPECTRAL_NOTES + """

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> rng = np.random.default_rng(0)
    >>> audio = rng.standard_normal(100_000)
    >>> fir = np.ones(64) / 64
    >>> y = sigconv.oaconvolve(audio, fir, mode="valid")
    >>> y.shape
    (99937,)
    >>> np.allclose(y, sigconv.convolve(audio, fir, mode="valid"))
    True
    """)
def oaconvolve(in1, in2, mode="full", axes=None):
    return _spectral_convolve("oa", in1, in2, mode, axes)


def correlation_lags(in1_len, in2_len, mode="full"):
    """Lag of each output of a 1-D :func:`correlate` (scipy's function).

    Parameters
    ----------
    in1_len, in2_len : int
        Lengths of the two inputs.
    mode : {'full', 'same', 'valid'}, optional
        As in :func:`correlate`.

    Returns
    -------
    lags : ndarray of int
        ``lags[i]`` is the shift of ``in2`` against ``in1`` at output ``i``:
        ``full`` gives ``-(in2_len - 1), ..., in1_len - 1``; ``same`` the
        ``in1_len`` centred entries of those (centre ``F // 2`` for ``F``
        full lags, as scipy computes it); ``valid`` ``0 .. in1_len -
        in2_len`` or, for a longer ``in2``, ``in1_len - in2_len .. 0``.

    Notes
    -----
    Identical to :func:`scipy.signal.correlation_lags`. For ``same`` with an
    even ``in2_len`` scipy's centring of the lags and of the correlation
    itself differ by one sample; both are kept as scipy has them.

    Examples
    --------
    >>> import sigconv
    >>> sigconv.correlation_lags(4, 3)
    array([-2, -1,  0,  1,  2,  3])
    >>> sigconv.correlation_lags(4, 3, mode="same")
    array([-1,  0,  1,  2])
    """
    in1_len = as_int(in1_len, "in1_len must be an integer")
    in2_len = as_int(in2_len, "in2_len must be an integer")
    if in1_len < 0 or in2_len < 0:
        raise ValueError("lengths must be non-negative")
    full = np.arange(-in2_len + 1, in1_len)
    if mode == "full":
        return full
    if mode == "same":
        start = full.size // 2 - in1_len // 2
        return full[start:start + in1_len]
    if mode == "valid":
        d = in1_len - in2_len
        return np.arange(d + 1) if d >= 0 else np.arange(d, 1)
    raise ValueError("mode must be one of 'full', 'same', 'valid', got %r (Mode %s is "
                     "invalid)" % (mode, mode))
