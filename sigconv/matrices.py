"""Convolution as a matrix: Toeplitz and circulant matrices, and a linear operator.

A convolution with a fixed kernel is a linear map of its input. This module
writes that map down -- :func:`convolution_matrix` (dense or sparse, any
dimension, mode and boundary), :func:`circulant_matrix` and the circulant's
eigenvalues, :func:`circulant_eigenvalues` -- and wraps it as a
:class:`scipy.sparse.linalg.LinearOperator`, :class:`ConvolutionOperator`,
whose products are fast convolutions and whose adjoint is exact.
"""
import math

import numpy as np
import scipy.fft
import scipy.sparse
from scipy.sparse.linalg import LinearOperator

from ._boundary import FILL, map_index
from ._dtypes import exact_sum_dtype
from ._ext import _toeplitz
from ._problem import MEMORY_LIMIT, make_problem
from ._threads import resolve_workers
from ._validate import as_int

__all__ = ["convolution_matrix", "circulant_matrix", "circulant_eigenvalues",
           "ConvolutionOperator", "DENSE_LIMIT"]

#: Largest dense matrix, in bytes, that :func:`convolution_matrix` builds
#: (2 GiB, or the machine's memory if smaller); above it, a dense request
#: raises :class:`MemoryError` before allocating and ``sparse=True`` is the way.
DENSE_LIMIT = 2 * 2**30

#: taps (rows x taps) from which a dense matrix is written by several threads
DENSE_PARALLEL = 1 << 22

# dtype the matrix entries are accumulated in, by kind / char
_ENTRY_DTYPES = {"f": np.float32, "d": np.float64, "g": np.longdouble, "F": np.complex64,
                 "D": np.complex128, "G": np.clongdouble, "e": np.float32}


def _entry_dtype(dtype, terms=1):
    """(dtype the matrix has, dtype its entries are summed in).

    An entry is the sum of up to ``terms`` kernel taps (several taps read
    the same extended sample with a boundary other than the zero fill):
    integer and bool kernels give the integer dtype that holds every such
    sum (:func:`sigconv._dtypes.exact_sum_dtype`, the rule of the functions
    scipy does not define), floating kernels keep their dtype.
    """
    dtype = dtype.newbyteorder("=")
    if dtype.kind in "biu":
        return exact_sum_dtype(dtype, terms), np.dtype(np.int64)
    return dtype, np.dtype(_ENTRY_DTYPES[dtype.char])


def _as_kernel(kernel):
    kernel = np.asarray(kernel)
    if kernel.dtype.kind not in "biufc":
        raise TypeError("the kernel has dtype %s; sigconv works on bool, integer, float and "
                        "complex arrays" % (kernel.dtype,))
    if kernel.ndim == 0:
        raise ValueError("the kernel must have at least one dimension")
    if kernel.size == 0:
        raise ValueError("the kernel must not be empty (shape %s)" % (kernel.shape,))
    return kernel


def _as_shape(shape, ndim, what="shape"):
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    shape = tuple(as_int(n, "%s must be an int or a tuple of ints" % what) for n in shape)
    if len(shape) != ndim:
        raise ValueError("%s %r has %d entries for a %d-D kernel (one length per kernel "
                         "dimension)" % (what, shape, len(shape), ndim))
    if any(n < 1 for n in shape):
        raise ValueError("%s must hold positive lengths, got %r" % (what, shape))
    return shape


def _geometry(kernel, shape, mode, boundary):
    """The Problem of ``convolve(x, kernel, mode, boundary=...)`` for x of ``shape``."""
    template = np.broadcast_to(np.zeros((), np.int8), shape)
    problem, _, _ = make_problem(template, kernel, op="convolve", mode=mode,
                                 boundary=boundary)
    if problem.swapped:
        raise ValueError("mode 'valid' needs a kernel no larger than the input along every "
                         "axis; got a kernel of shape %s for inputs of shape %s"
                         % (kernel.shape, shape))
    return problem


def _prepare(kernel, shape, mode, boundary):
    kernel = _as_kernel(kernel)
    shape = _as_shape(shape, kernel.ndim)
    problem = _geometry(kernel, shape, mode, boundary)
    out_dtype, sum_dtype = _entry_dtype(kernel.dtype,
                                        1 if problem.boundary == FILL else kernel.size)
    w = np.ascontiguousarray(kernel[(slice(None, None, -1),) * kernel.ndim].reshape(-1),
                             dtype=sum_dtype)
    if not w.flags.aligned:  # the kernels load whole elements
        w = w.copy()
    args = (shape, kernel.shape, problem.out_conv_shape, problem.lo, problem.step,
            problem.boundary)
    return problem, w, out_dtype, sum_dtype, args


def convolution_matrix(kernel, shape, mode="full", *, boundary="fill", sparse=False):
    """The matrix of the convolution with ``kernel`` of inputs of ``shape``.

    Returns ``A`` with ``A @ x.ravel() == convolve(x, kernel, mode,
    boundary=boundary).ravel()`` for every ``x`` of shape ``shape``: a
    Toeplitz matrix in 1-D, doubly block Toeplitz in 2-D (block Toeplitz
    with Toeplitz blocks, and so on in N-D), circulant (block circulant) for
    ``mode='circular'``; boundaries other than a zero fill are folded into
    the matrix.

    Parameters
    ----------
    kernel : array_like
        The kernel (``in2`` of :func:`convolve`), at least 1-D, not empty.
    shape : int or tuple of int
        Shape of the inputs ``x`` (one length per dimension of ``kernel``).
    mode : {'full', 'same', 'valid', 'circular'}, optional
        As in :func:`convolve`; ``valid`` needs the kernel no larger than
        ``shape`` along every axis.
    boundary : {'fill', 'constant', 'wrap', 'symm', 'symmetric', 'reflect', 'edge'}, optional
        As in :func:`convolve`, with a zero fill value (a non-zero fill
        makes the map affine, not linear). The extended samples a tap reads
        are mapped back onto the input samples they copy, so a row may sum
        several taps in one column.
    sparse : bool, optional
        ``True``: a :class:`scipy.sparse.csr_matrix`, built directly (no
        dense intermediate), with the zero taps left out and the taps that
        meet in one column summed.

    Returns
    -------
    A : ndarray or scipy.sparse.csr_matrix
        Shape ``(prod(out_shape), prod(shape))``, ``out_shape`` the shape of
        ``convolve(x, kernel, mode)``. Floating kernels give their own
        dtype (in native byte order). Integer and bool kernels give an
        integer matrix whose entries never wrap: the smallest integer dtype
        of the kernel's signedness (bool counting as unsigned) that holds
        the sum of every tap that can meet in one entry (the kernel's own
        dtype for the zero fill, where no taps meet; bool kernels give
        uint8) -- the rule of the pooling sums and
        :func:`autocorrelate`, ``sigconv._dtypes.exact_sum_dtype``.

    Raises
    ------
    ValueError
        An empty or 0-d kernel, ``shape`` with the wrong number of entries
        or non-positive lengths, an unknown ``mode`` or ``boundary``,
        ``mode='valid'`` with a kernel larger than the input, ``circular``
        with a boundary other than ``wrap``.
    TypeError
        A kernel of non-numeric dtype.
    MemoryError
        A dense matrix of more than :data:`DENSE_LIMIT` bytes (use
        ``sparse=True``), or a sparse one beyond the machine's memory;
        raised before allocating.

    See Also
    --------
    circulant_matrix : the ``circular`` case.
    ConvolutionOperator : the same map without forming the matrix.
    scipy.linalg.convolution_matrix : the 1-D ``fill`` case.

    Notes
    -----
    Row ``o`` (C order over the output) holds, at the column of input sample
    ``i``, the sum of the kernel taps ``w[k]`` (``w`` the flipped kernel)
    whose extended sample ``o * 1 + lo + k`` is ``i`` under the boundary
    rule, where ``lo`` is ``-(K - 1)`` for ``full`` and ``circular``, ``0``
    for ``valid`` and ``-(K // 2)`` for ``same`` along each axis. For a
    kernel of length ``K`` and inputs of length ``N`` the shape is
    ``(N + K - 1, N)`` (full), ``(N, N)`` (same, circular) or
    ``(N - K + 1, N)`` (valid). A sparse matrix has at most ``K`` entries
    per row (``prod(K)`` in N-D); for a float16 kernel it is float32, as
    :mod:`scipy.sparse` has no float16 arithmetic.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.convolution_matrix([1, 2, 3], 4)
    array([[1, 0, 0, 0],
           [2, 1, 0, 0],
           [3, 2, 1, 0],
           [0, 3, 2, 1],
           [0, 0, 3, 2],
           [0, 0, 0, 3]])
    >>> A = sigconv.convolution_matrix([1.0, 2.0, 3.0], 4, "same", boundary="wrap")
    >>> A
    array([[2., 1., 0., 3.],
           [3., 2., 1., 0.],
           [0., 3., 2., 1.],
           [1., 0., 3., 2.]])
    >>> x = np.array([1.0, -1.0, 2.0, 0.5])
    >>> np.allclose(A @ x, sigconv.convolve(x, [1.0, 2.0, 3.0], "same", boundary="wrap"))
    True

    A 2-D blur of 64 x 64 images as a sparse matrix (9 entries per row):

    >>> B = sigconv.convolution_matrix(np.full((3, 3), 1 / 9), (64, 64), "same",
    ...                                sparse=True)
    >>> B.shape, B.nnz
    ((4096, 4096), 36100)

    Dense matrices that would not fit are refused before allocating:

    >>> sigconv.convolution_matrix(np.ones((3, 3)), (1000, 1000))
    Traceback (most recent call last):
        ...
    MemoryError: a dense convolution matrix of shape (1004004, 1000000) ... use sparse=True ...
    """
    if not isinstance(sparse, (bool, np.bool_)):
        raise TypeError("sparse must be True or False, got %r" % (sparse,))
    problem, w, out_dtype, sum_dtype, args = _prepare(kernel, shape, mode, boundary)
    rows = math.prod(problem.out_conv_shape)
    cols = math.prod(args[0])
    taps = w.size
    if sparse:
        return _sparse(w, rows, cols, taps, out_dtype, sum_dtype, args)
    need = rows * cols * max(out_dtype.itemsize, sum_dtype.itemsize)
    limit = min(DENSE_LIMIT, MEMORY_LIMIT)
    if need > limit:
        raise MemoryError(
            "a dense convolution matrix of shape (%d, %d) (%s) needs %.2g GiB, above "
            "sigconv.matrices.DENSE_LIMIT (%.3g GiB); use sparse=True (at most %d entries "
            "per row)" % (rows, cols, out_dtype, need / 2**30, limit / 2**30, taps))
    # np.zeros maps fresh zero pages: the cost is the pages the taps touch,
    # which threads do not speed up; threads pay off only for many taps
    A = np.zeros((rows, cols), dtype=sum_dtype)
    nthreads = resolve_workers(None, rows * taps) if rows * taps >= DENSE_PARALLEL else 1
    _toeplitz.dense_matrix(w, A, *args, nthreads)
    if A.dtype != out_dtype:
        with np.errstate(over="ignore", invalid="ignore"):
            A = A.astype(out_dtype)
    return A


def _sparse(w, rows, cols, taps, out_dtype, sum_dtype, args):
    if out_dtype.kind == "f" and out_dtype.itemsize == 2:
        # scipy.sparse has no float16 arithmetic (sum_duplicates, products)
        out_dtype = np.dtype(np.float32)
    room = rows * taps
    need = room * (sum_dtype.itemsize + 8) + (rows + 1) * 8
    if need > MEMORY_LIMIT:
        raise MemoryError("a sparse convolution matrix of shape (%d, %d) with up to %d "
                          "entries needs about %.3g GiB, more than this machine's %.3g GiB"
                          % (rows, cols, room, need / 2**30, MEMORY_LIMIT / 2**30))
    data = np.empty(room, dtype=sum_dtype)
    indices = np.empty(room, dtype=np.int64)
    indptr = np.empty(rows + 1, dtype=np.int64)
    nnz = _toeplitz.sparse_matrix(w, data, indices, indptr, *args)
    data = data[:nnz]
    if data.dtype != out_dtype:
        with np.errstate(over="ignore", invalid="ignore"):
            data = data.astype(out_dtype)
    if max(nnz, cols) < 2**31:
        indices = indices[:nnz].astype(np.int32)
        indptr = indptr.astype(np.int32)
    else:
        indices = indices[:nnz].copy()
    A = scipy.sparse.csr_matrix((data, indices, indptr), shape=(rows, cols))
    if args[-1] != FILL:
        # several taps of a row may read the same input sample
        A.sum_duplicates()
        if out_dtype.kind in "fc":
            A.eliminate_zeros()
    else:
        A.has_sorted_indices = True
    return A


def _fold(kernel, n):
    """The kernel summed onto one period ``n`` (per axis): ``c[i] = sum h[i + m n]``."""
    c = kernel
    for a, p in enumerate(n):
        K = c.shape[a]
        if K == p:
            continue
        m = -(-K // p) * p
        pad = [(0, 0)] * c.ndim
        pad[a] = (0, m - K)
        c = np.pad(c, pad)
        shape = c.shape[:a] + (m // p, p) + c.shape[a + 1:]
        c = c.reshape(shape).sum(axis=a, dtype=c.dtype)
    return c


def circulant_matrix(kernel, n):
    """The circulant matrix of cyclic convolution with ``kernel``, period ``n``.

    ``C @ x == convolve(x, kernel, mode="circular")`` for ``x`` of shape
    ``n``. Its first column is the kernel folded onto one period
    (``c[i] = sum_m kernel[i + m n]``, zero-padded when shorter); in N-D it
    is block circulant with circulant blocks.

    Parameters
    ----------
    kernel : array_like
        The kernel, at least 1-D; any length (it wraps around the period).
    n : int or tuple of int
        The period: the shape of the inputs, one length per kernel dimension.

    Returns
    -------
    C : ndarray
        Shape ``(prod(n), prod(n))``, the dtype :func:`convolution_matrix`
        gives in ``circular`` mode (integer kernels: one that holds the sums
        of the taps a period folds together).

    Raises
    ------
    ValueError, TypeError, MemoryError
        As :func:`convolution_matrix`.

    See Also
    --------
    circulant_eigenvalues : its eigenvalues, the DFT of its first column.
    convolution_matrix : ``circulant_matrix(h, n)`` is
        ``convolution_matrix(h, n, "circular")``.
    scipy.linalg.circulant : the same matrix from its first column.

    Examples
    --------
    >>> import sigconv
    >>> sigconv.circulant_matrix([1, 2, 3], 4)
    array([[1, 0, 3, 2],
           [2, 1, 0, 3],
           [3, 2, 1, 0],
           [0, 3, 2, 1]])

    A kernel longer than the period wraps around:

    >>> sigconv.circulant_matrix([1, 2, 3, 4, 5], 3)
    array([[5, 3, 7],
           [7, 5, 3],
           [3, 7, 5]])
    """
    return convolution_matrix(kernel, n, "circular")


def circulant_eigenvalues(kernel, n):
    """Eigenvalues of :func:`circulant_matrix(kernel, n) <circulant_matrix>`.

    A circulant matrix is diagonalised by the discrete Fourier transform:
    ``C = F^-1 diag(lam) F`` with ``F`` the DFT matrix and ``lam`` the DFT
    of ``C``'s first column (the kernel folded onto the period). This is the
    convolution theorem in matrix form.

    Parameters
    ----------
    kernel : array_like
        The kernel, at least 1-D.
    n : int or tuple of int
        The period, one length per kernel dimension.

    Returns
    -------
    lam : ndarray
        Complex, shape ``n``: ``lam[f]`` is the eigenvalue of the Fourier
        mode of frequency ``f`` (``numpy.fft`` order), ``scipy.fft.fftn`` of
        the folded kernel. complex64 for float32/complex64 kernels,
        otherwise complex128 (clongdouble for extended precision).

    Raises
    ------
    ValueError, TypeError
        As :func:`circulant_matrix`.

    See Also
    --------
    circulant_matrix

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> lam = sigconv.circulant_eigenvalues([1.0, 2.0, 3.0], 4)
    >>> np.allclose(lam, [6, -2 - 2j, 2, -2 + 2j])
    True
    >>> C = sigconv.circulant_matrix([1.0, 2.0, 3.0], 4)
    >>> F = np.fft.fft(np.eye(4))
    >>> np.allclose(C, np.linalg.inv(F) @ np.diag(lam) @ F)
    True
    """
    kernel = _as_kernel(kernel)
    n = _as_shape(n, kernel.ndim, "n")
    if kernel.dtype.kind in "biu":
        kernel = kernel.astype(np.float64)
    else:  # the fold sums in a native dtype, float16 in float32 (complex64 out)
        half = kernel.dtype.kind == "f" and kernel.dtype.itemsize == 2
        kernel = kernel.astype(np.float32 if half else kernel.dtype.newbyteorder("="),
                               copy=False)
    return scipy.fft.fftn(_fold(kernel, n))


# --------------------------------------------------------------------------
# The operator


def _fold_plan(lo, length, n, code):
    """How the adjoint's ``length`` extended samples from ``lo`` land on ``n`` inputs.

    Returns ``(p0, p1, i0, rest, index)``: samples ``p0 .. p1-1`` are the
    input itself (inputs ``i0 ..``); the samples ``rest`` are added onto
    inputs ``index[rest]`` (the boundary's copies; fill samples are dropped).
    """
    p0 = min(max(0, -lo), length)
    p1 = max(p0, min(length, n - lo))
    index = map_index(lo + np.arange(length), n, code)
    positions = np.arange(length)
    rest = np.flatnonzero((index >= 0) & ((positions < p0) | (positions >= p1)))
    return p0, p1, lo + p0, rest, index[rest]


def _fold_axis(z, axis, plan, n):
    """Sum the extended samples of ``z`` along ``axis`` onto the ``n`` inputs."""
    p0, p1, i0, rest, index = plan
    z = np.moveaxis(z, axis, 0)
    out = np.zeros((n,) + z.shape[1:], dtype=z.dtype)
    out[i0:i0 + p1 - p0] = z[p0:p1]
    if rest.size:
        np.add.at(out, index, z[rest])
    return np.moveaxis(out, 0, axis)


class ConvolutionOperator(LinearOperator):
    """Convolution with ``kernel`` as a :class:`scipy.sparse.linalg.LinearOperator`.

    ``A @ x`` is ``convolve(x.reshape(shape), kernel, mode, boundary=...,
    method=...).ravel()``, computed by a fast convolution, never by forming
    the matrix; ``A.H @ y`` is its exact adjoint (conjugate transpose), the
    correlation of ``y`` with the kernel mapped back onto the input samples
    the boundary rule read. Use it with the iterative solvers of
    :mod:`scipy.sparse.linalg` (``lsqr``, ``lsmr``, ``cg`` on ``A.H @ A``)
    to deconvolve.

    Parameters
    ----------
    kernel : array_like
        The kernel, at least 1-D, not empty.
    shape : int or tuple of int
        Shape of the inputs (one length per kernel dimension).
    mode : {'full', 'same', 'valid', 'circular'}, optional
        As in :func:`convolve` (``valid`` needs the kernel no larger than
        the input).
    boundary : {'fill', 'constant', 'wrap', 'symm', 'symmetric', 'reflect', 'edge'}, optional
        As in :func:`convolve`, with a zero fill value.
    method : {'auto', 'direct', 'fft', 'oa', 'toeplitz'}, optional
        The method of the products (forward and adjoint), as in
        :func:`convolve`.

    Attributes
    ----------
    shape : tuple
        ``(prod(output_shape), prod(input_shape))``.
    dtype : numpy.dtype
        The kernel's dtype (float32 for float16), float64 for integer and
        bool kernels. A product with a vector ``x`` has dtype
        ``numpy.result_type(dtype, x.dtype)`` (as a matrix of ``dtype``
        would give): integer vectors are computed in floating point and
        never wrap around.
    kernel : ndarray
        The kernel (read-only view).
    input_shape, output_shape : tuple
        Shapes of the inputs and of the convolutions.
    mode, boundary, method : str

    Raises
    ------
    ValueError, TypeError
        As :func:`convolution_matrix`, and an unknown ``method``.

    See Also
    --------
    convolution_matrix : the same map as a matrix.
    convolve

    Notes
    -----
    The forward product is ``out[o] = sum_k w[k] X[o + lo + k]`` with ``w``
    the flipped kernel and ``X`` the boundary-extended input. Its adjoint
    first computes the full convolution of ``y`` with the conjugated
    correlation kernel, which gives the adjoint on the extended samples
    ``lo .. lo + M + K - 2``, then adds every extended sample onto the input
    sample it copies (``wrap``, ``symm``, ``reflect``, ``edge``) or drops it
    (``fill``). So ``<A x, y> == <x, A^H y>`` holds to rounding for every
    mode and boundary, and ``A.H`` equals the conjugate transpose of
    :func:`convolution_matrix`.

    Examples
    --------
    Deblurring a 1-D signal: blur it, add a little noise, and solve the
    least-squares problem with :func:`scipy.sparse.linalg.lsqr`:

    >>> import numpy as np
    >>> from scipy.sparse.linalg import lsqr
    >>> import sigconv
    >>> rng = np.random.default_rng(0)
    >>> x = np.repeat([0.0, 1.0, -0.5, 2.0, 0.0], 40)          # a step signal
    >>> h = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
    >>> h /= h.sum()                                         # a Gaussian blur
    >>> A = sigconv.ConvolutionOperator(h, x.size, "same", boundary="edge")
    >>> b = A @ x + 1e-3 * rng.standard_normal(x.size)
    >>> x_hat = lsqr(A, b, damp=1e-2, iter_lim=200)[0]
    >>> bool(np.linalg.norm(x_hat - x) < 0.75 * np.linalg.norm(b - x))
    True

    The adjoint is exact (the dot test):

    >>> y = rng.standard_normal(A.shape[0])
    >>> bool(np.isclose(np.vdot(A @ x, y), np.vdot(x, A.H @ y), rtol=1e-12))
    True

    Deblurring an image with the conjugate gradient method on the normal
    equations ``(A^H A + lam I) x = A^H b``:

    >>> from scipy.sparse.linalg import cg, LinearOperator
    >>> image = np.zeros((32, 32))
    >>> image[8:24, 8:24] = 1.0
    >>> image[12:20, 12:20] = 2.0
    >>> blur = np.full((5, 5), 1 / 25)
    >>> B = sigconv.ConvolutionOperator(blur, image.shape, "same", boundary="symm")
    >>> b = B @ image.ravel()
    >>> N = LinearOperator((B.shape[1], B.shape[1]), dtype=float,
    ...                    matvec=lambda v: B.H @ (B @ v) + 1e-4 * v)
    >>> sharp = cg(N, B.H @ b, maxiter=300)[0].reshape(image.shape)
    >>> bool(np.abs(sharp - image).mean() < 0.5 * np.abs(b.reshape(image.shape) - image).mean())
    True
    """

    def __init__(self, kernel, shape, mode="full", *, boundary="fill", method="auto"):
        from ._backends import check_method
        kernel = _as_kernel(kernel)
        shape = _as_shape(shape, kernel.ndim)
        check_method(method)
        problem = _geometry(kernel, shape, mode, boundary)
        view = kernel.view()
        view.flags.writeable = False
        self.kernel = view
        self.input_shape = shape
        self.output_shape = problem.out_conv_shape
        self.mode = mode
        self.boundary = boundary
        self.method = method
        self._adjoint_kernel = np.conjugate(kernel[(slice(None, None, -1),) * kernel.ndim])
        # where each extended sample of the adjoint lands, per axis
        self._folds = [
            _fold_plan(lo, m + k - 1, n, problem.boundary)
            for lo, m, k, n in zip(problem.lo, problem.out_conv_shape, kernel.shape, shape)]
        if kernel.dtype.kind in "biu":
            dtype = np.dtype(np.float64)
        else:
            dtype = np.result_type(kernel.dtype, np.float32)
        super().__init__(dtype=dtype, shape=(math.prod(self.output_shape), math.prod(shape)))

    def __repr__(self):
        return ("<%dx%d ConvolutionOperator: kernel of shape %s, input shape %s, mode=%r, "
                "boundary=%r, method=%r, dtype=%s>"
                % (self.shape[0], self.shape[1], self.kernel.shape, self.input_shape,
                   self.mode, self.boundary, self.method, self.dtype))

    def _convolve(self, x, kernel, mode, boundary, nbatch):
        from .convolution import convolve
        d = kernel.ndim
        if nbatch is None:
            return convolve(x, kernel, mode, method=self.method, boundary=boundary)
        return convolve(x, kernel.reshape((1,) + kernel.shape), mode, method=self.method,
                        boundary=boundary, axes=tuple(range(1, d + 1)))

    def _operand(self, x):
        """``x`` in ``numpy.result_type(self.dtype, x.dtype)``: integer data never wraps."""
        x = np.asarray(x)
        dt = np.result_type(self.dtype, x.dtype)
        return x if x.dtype == dt else x.astype(dt)

    def _forward(self, x, nbatch=None):
        x = self._operand(x)
        shape = self.input_shape if nbatch is None else (nbatch,) + self.input_shape
        out = self._convolve(x.reshape(shape), self.kernel, self.mode, self.boundary, nbatch)
        return out

    def _backward(self, y, nbatch=None):
        y = self._operand(y)
        shape = self.output_shape if nbatch is None else (nbatch,) + self.output_shape
        z = self._convolve(y.reshape(shape), self._adjoint_kernel, "full", "fill", nbatch)
        first = 0 if nbatch is None else 1
        for a, (plan, n) in enumerate(zip(self._folds, self.input_shape)):
            z = _fold_axis(z, a + first, plan, n)
        return z

    def _matvec(self, x):
        return self._forward(x).reshape(-1)

    def _rmatvec(self, y):
        return self._backward(y).reshape(-1)

    def _matmat(self, X):
        X = np.asarray(X)
        k = X.shape[1]
        out = self._forward(np.ascontiguousarray(X.T), k)
        return np.ascontiguousarray(out.reshape(k, -1).T)

    def _rmatmat(self, Y):
        Y = np.asarray(Y)
        k = Y.shape[1]
        out = self._backward(np.ascontiguousarray(Y.T), k)
        return np.ascontiguousarray(out.reshape(k, -1).T)

    def to_matrix(self, sparse=False):
        """The operator's matrix: :func:`convolution_matrix` of the same arguments.

        Examples
        --------
        >>> import sigconv
        >>> sigconv.ConvolutionOperator([1, 1], 3, "valid").to_matrix()
        array([[1, 1, 0],
               [0, 1, 1]])
        """
        return convolution_matrix(self.kernel, self.input_shape, self.mode,
                                  boundary=self.boundary, sparse=sparse)
