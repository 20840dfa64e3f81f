"""ConvolutionOperator: products, the exact adjoint (dot tests), solvers."""
import numpy as np
import pytest
import scipy.sparse.linalg
from scipy.sparse.linalg import LinearOperator, aslinearoperator

import sigconv
from conftest import BOUNDARIES, assert_close, random_array
from reference import boundary_reference, circular_reference

try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    given = None

SHAPES = {1: [((9,), (4,)), ((3,), (6,)), ((1,), (1,))],
          2: [((5, 6), (3, 2)), ((3, 2), (2, 4))],
          3: [((4, 3, 5), (2, 3, 2))]}


def _cases():
    out = []
    for d, pairs in SHAPES.items():
        for s1, s2 in pairs:
            for mode in ("full", "same", "valid", "circular"):
                if mode == "valid" and any(k > n for n, k in zip(s1, s2)):
                    continue
                for b in (("wrap",) if mode == "circular" else BOUNDARIES):
                    out.append(pytest.param(s1, s2, mode, b, id="%s-%s-%s-%s" % (
                        "x".join(map(str, s1)), "x".join(map(str, s2)), mode, b)))
    return out


def _vector(rng, n, complex_):
    v = rng.standard_normal(n)
    return v + 1j * rng.standard_normal(n) if complex_ else v


def _dot_test(A, rng, complex_):
    x = _vector(rng, A.shape[1], complex_)
    y = _vector(rng, A.shape[0], complex_)
    lhs = np.vdot(y, A @ x)
    rhs = np.vdot(A.H @ y, x)
    scale = np.linalg.norm(A @ x) * np.linalg.norm(y) + np.linalg.norm(x) * np.linalg.norm(
        A.H @ y)
    assert abs(lhs - rhs) <= 1e-10 * scale, (lhs, rhs)


@pytest.mark.parametrize("s1, s2, mode, boundary", _cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_dot_test(rng, s1, s2, mode, boundary, dtype):
    h = random_array(rng, s2, dtype)
    A = sigconv.ConvolutionOperator(h, s1, mode, boundary=boundary)
    _dot_test(A, rng, np.dtype(dtype).kind == "c")


@pytest.mark.parametrize("s1, s2, mode, boundary", _cases())
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_adjoint_is_the_conjugate_transpose_of_the_matrix(rng, s1, s2, mode, boundary, dtype):
    h = random_array(rng, s2, dtype)
    A = sigconv.ConvolutionOperator(h, s1, mode, boundary=boundary)
    M = sigconv.convolution_matrix(h, s1, mode, boundary=boundary)
    eye_out = np.eye(A.shape[0])
    eye_in = np.eye(A.shape[1])
    np.testing.assert_allclose(A.H @ eye_out, M.conj().T, atol=1e-12 * np.abs(h).sum())
    np.testing.assert_allclose(A @ eye_in, M, atol=1e-12 * np.abs(h).sum())
    # the operator's products equal the references'
    x = random_array(rng, s1, dtype)
    ref = circular_reference("convolve", x, h) if mode == "circular" else \
        boundary_reference("convolve", x, h, mode, boundary)
    assert_close(A @ x.ravel(), ref.ravel(), inputs=(x, h))


@pytest.mark.parametrize("method", ["direct", "fft", "oa", "toeplitz", "auto"])
@pytest.mark.parametrize("mode, boundary", [("full", "fill"), ("same", "symm"),
                                            ("valid", "fill"), ("circular", "wrap"),
                                            ("same", "reflect"), ("same", "edge")])
def test_every_method(rng, method, mode, boundary):
    h = random_array(rng, (4, 3), np.complex128)
    A = sigconv.ConvolutionOperator(h, (7, 6), mode, boundary=boundary, method=method)
    M = sigconv.convolution_matrix(h, (7, 6), mode, boundary=boundary)
    x = _vector(rng, A.shape[1], True)
    y = _vector(rng, A.shape[0], True)
    np.testing.assert_allclose(A @ x, M @ x, atol=1e-12 * np.abs(M).sum())
    np.testing.assert_allclose(A.H @ y, M.conj().T @ y, atol=1e-12 * np.abs(M).sum())
    _dot_test(A, rng, True)


if given is not None:
    @given(n=st.integers(1, 12), k=st.integers(1, 8), m=st.integers(1, 5),
           mode=st.sampled_from(["full", "same", "valid", "circular"]),
           boundary=st.sampled_from(BOUNDARIES), seed=st.integers(0, 2**32 - 1),
           complex_=st.booleans())
    def test_dot_test_property(n, k, m, mode, boundary, seed, complex_):
        rng = np.random.default_rng(seed)
        if mode == "valid" and (k > n or m > n + 1):
            return
        if mode == "circular":
            boundary = "wrap"
        shape = (n, n + 1)
        h = rng.standard_normal((k, m))
        if complex_:
            h = h + 1j * rng.standard_normal((k, m))
        A = sigconv.ConvolutionOperator(h, shape, mode, boundary=boundary, method="direct")
        _dot_test(A, rng, complex_)


def test_vector_shapes_and_matmat(rng):
    h = random_array(rng, (3, 3))
    A = sigconv.ConvolutionOperator(h, (5, 4), "full", boundary="fill")
    assert A.shape == (7 * 6, 20)
    assert A.input_shape == (5, 4) and A.output_shape == (7, 6)
    x = rng.standard_normal(20)
    y1 = A.matvec(x)
    y2 = A.matvec(x[:, None])
    assert y1.shape == (42,) and y2.shape == (42, 1)
    np.testing.assert_array_equal(y1, y2[:, 0])
    X = rng.standard_normal((20, 3))
    Y = A.matmat(X)
    assert Y.shape == (42, 3)
    for j in range(3):
        np.testing.assert_allclose(Y[:, j], A @ X[:, j], rtol=1e-13, atol=1e-13)
    Z = rng.standard_normal((42, 2))
    R = A.rmatmat(Z)
    assert R.shape == (20, 2)
    np.testing.assert_allclose(R[:, 1], A.rmatvec(Z[:, 1]), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose((A @ X), aslinearoperator(A.to_matrix()) @ X, atol=1e-12)
    with pytest.raises(ValueError):
        A.matvec(np.ones(19))
    with pytest.raises(ValueError):
        A.rmatvec(np.ones(20))


def test_dtype_and_attributes():
    assert sigconv.ConvolutionOperator(np.ones(3, np.float32), 5).dtype == np.float32
    assert sigconv.ConvolutionOperator(np.ones(3, np.int16), 5).dtype == np.float64
    assert sigconv.ConvolutionOperator(np.ones(3, np.complex64), 5).dtype == np.complex64
    A = sigconv.ConvolutionOperator([1, 2], 4, "same", boundary="edge", method="direct")
    assert isinstance(A, LinearOperator)
    assert (A.mode, A.boundary, A.method) == ("same", "edge", "direct")
    assert not A.kernel.flags.writeable
    assert "ConvolutionOperator" in repr(A)
    # integer inputs give exact integer products
    np.testing.assert_array_equal(A @ np.array([1, 2, 3, 4]), [3, 4, 7, 10])


def test_sparse_to_matrix(rng):
    h = random_array(rng, (3,))
    A = sigconv.ConvolutionOperator(h, 8, "same", boundary="reflect")
    np.testing.assert_allclose(A.to_matrix(sparse=True).toarray(), A.to_matrix(), atol=1e-15)


@pytest.mark.parametrize("call, error, match", [
    (lambda: sigconv.ConvolutionOperator(np.ones(5), 3, "valid"), ValueError, "valid"),
    (lambda: sigconv.ConvolutionOperator(np.ones(3), (3, 3)), ValueError, "entries"),
    (lambda: sigconv.ConvolutionOperator(np.ones(3), 3, method="gemm"), ValueError,
     "method"),
    (lambda: sigconv.ConvolutionOperator(np.ones(3), 3, boundary="mirror"), ValueError,
     "boundary"),
    (lambda: sigconv.ConvolutionOperator(np.ones(3), 3, "nope"), ValueError, "mode"),
    (lambda: sigconv.ConvolutionOperator(np.ones(0), 3), ValueError, "empty"),
    (lambda: sigconv.ConvolutionOperator(np.array(["x"]), 3), TypeError, "dtype"),
])
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_deblur_1d_with_lsqr(rng):
    x = np.repeat([0.0, 1.0, -0.5, 2.0, 0.0], 30)
    h = np.exp(-0.5 * (np.arange(-4, 5) / 1.5) ** 2)
    h /= h.sum()
    A = sigconv.ConvolutionOperator(h, x.size, "same", boundary="edge")
    b = A @ x
    x_hat = scipy.sparse.linalg.lsqr(A, b, atol=1e-12, btol=1e-12, iter_lim=2000)[0]
    # noise-free: the residual vanishes and the signal is recovered far better
    assert np.linalg.norm(A @ x_hat - b) < 1e-6 * np.linalg.norm(b)
    assert np.linalg.norm(x_hat - x) < 0.1 * np.linalg.norm(b - x)


def test_deblur_2d_with_cg(rng):
    image = np.zeros((24, 24))
    image[6:18, 6:18] = 1.0
    image[9:15, 9:15] = 2.0
    blur = np.full((3, 3), 1 / 9)
    A = sigconv.ConvolutionOperator(blur, image.shape, "same", boundary="symm",
                                    method="toeplitz")
    b = A @ image.ravel()
    n = A.shape[1]
    normal = LinearOperator((n, n), dtype=float, matvec=lambda v: A.H @ (A @ v))
    sharp = scipy.sparse.linalg.cg(normal, A.H @ b, rtol=1e-12, maxiter=2000)[0]
    assert np.abs(sharp - image.ravel()).max() < 0.2 * np.abs(b - image.ravel()).max()


def test_vectors_of_any_layout_are_accepted_and_unchanged(rng):
    h = random_array(rng, (3, 2))
    A = sigconv.ConvolutionOperator(h, (6, 5), "same", boundary="wrap")
    M = sigconv.convolution_matrix(h, (6, 5), "same", boundary="wrap")
    base = rng.standard_normal(90)
    x = base[::-3]                      # negative stride, non-contiguous
    x.flags.writeable = False
    copy = x.copy()
    np.testing.assert_allclose(A @ x, M @ copy, atol=1e-13)
    np.testing.assert_array_equal(x, copy)
    X = np.asfortranarray(rng.standard_normal((30, 4)))[:, ::-1]
    np.testing.assert_allclose(A @ X, M @ X, atol=1e-13)
    np.testing.assert_allclose(A.H @ (M @ X), M.T @ (M @ X), atol=1e-12)


def test_float32_products_stay_float32(rng):
    h = random_array(rng, (5,), np.float32)
    A = sigconv.ConvolutionOperator(h, 40, "same", boundary="symm", method="toeplitz")
    x = random_array(rng, (40,), np.float32)
    assert (A @ x).dtype == np.float32 and (A.H @ (A @ x)).dtype == np.float32
    _dot_test(A, rng, False)
