"""convolution_matrix, circulant_matrix, circulant_eigenvalues.

References: scipy.linalg (convolution_matrix, toeplitz, circulant, dft),
numpy.fft and the numpy-only convolutions of tests/reference.py.
"""
import numpy as np
import pytest
import scipy.linalg
import scipy.sparse

import sigconv
from conftest import BOUNDARIES, assert_close, random_array, shape_mode_params
from reference import boundary_reference, circular_reference

DTYPES = (np.float32, np.float64, np.complex64, np.complex128, np.int32)


def _reference(x, h, mode, boundary):
    if mode == "circular":
        return circular_reference("convolve", x, h)
    return boundary_reference("convolve", x, h, mode, boundary)


def _matvec_close(A, x, h, expected):
    """A @ x.ravel() against the reference, with the tolerance of the products."""
    got = np.asarray(A @ x.ravel())
    if A.dtype.kind in "iu":
        np.testing.assert_array_equal(got, expected.ravel())
        return
    assert_close(got.astype(np.result_type(x, h)), expected.ravel(), inputs=(x, h))


def _matrix_cases():
    out = []
    for p in shape_mode_params((1, 2, 3), ("full", "same", "valid", "circular")):
        s1, s2, mode = p.values
        if mode == "valid" and any(k > n for n, k in zip(s1, s2)):
            continue
        for b in (("fill", "wrap") if mode == "circular" else BOUNDARIES):
            out.append(pytest.param(s1, s2, mode, b, id="%s-%s" % (p.id, b)))
    return out


@pytest.mark.parametrize("s1, s2, mode, boundary", _matrix_cases())
@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_times_vector_is_the_convolution(rng, s1, s2, mode, boundary, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    A = sigconv.convolution_matrix(h, s1, mode, boundary=boundary)
    S = sigconv.convolution_matrix(h, s1, mode, boundary=boundary, sparse=True)
    want = np.dtype(dtype)
    if want.kind == "i" and not (boundary in ("fill", "constant") and mode != "circular") \
            and h.size > 1:
        want = np.dtype(np.int64)   # entries summing several int32 taps do not wrap
    assert isinstance(A, np.ndarray) and A.dtype == want
    assert scipy.sparse.issparse(S) and S.format == "csr" and S.dtype == want
    assert S.has_canonical_format
    expected = _reference(x, h, mode, boundary)
    assert A.shape == (expected.size, x.size) == S.shape
    _matvec_close(A, x, h, expected)
    _matvec_close(S, x, h, expected)
    # sparse equals dense (taps summed into one entry in another order)
    if boundary in ("fill", "constant") and mode != "circular" or A.dtype.kind in "iu":
        np.testing.assert_array_equal(S.toarray(), A)
    else:
        eps = np.finfo(A.dtype).eps
        np.testing.assert_allclose(S.toarray(), A, rtol=0, atol=4 * eps * np.abs(h).sum())


@pytest.mark.parametrize("n, K", [(1, 1), (5, 3), (3, 5), (8, 8), (20, 7)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex64, np.int16])
def test_1d_equals_scipy_linalg_convolution_matrix(rng, n, K, mode, dtype):
    h = random_array(rng, (K,), dtype)
    if mode == "valid" and K > n:
        with pytest.raises(ValueError, match="valid"):
            sigconv.convolution_matrix(h, n, mode)
        return
    if mode == "same" and K > n:
        # scipy.linalg's 'same' keeps max(n, K) rows (numpy.convolve's), sigconv's
        # n (scipy.signal.convolve's): defined alike only for K <= n
        assert sigconv.convolution_matrix(h, n, mode).shape == (n, n)
        return
    expected = scipy.linalg.convolution_matrix(h, n, mode)
    got = sigconv.convolution_matrix(h, n, mode)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(sigconv.convolution_matrix(h, n, mode, sparse=True).toarray(),
                                  expected)


def test_1d_full_is_scipy_linalg_toeplitz(rng):
    h = random_array(rng, (6,))
    n = 9
    col = np.concatenate([h, np.zeros(n - 1)])
    row = np.zeros(n)
    row[0] = h[0]
    np.testing.assert_array_equal(sigconv.convolution_matrix(h, n),
                                  scipy.linalg.toeplitz(col, row))


def test_2d_is_doubly_block_toeplitz(rng):
    # full mode: blocks T_i (the 1-D matrices of the kernel's rows) placed
    # block-Toeplitz: block (r, c) = T_{r - c}
    h = random_array(rng, (3, 2))
    shape = (4, 5)
    A = sigconv.convolution_matrix(h, shape)
    blocks = [scipy.linalg.convolution_matrix(row, shape[1]) for row in h]
    rows, cols = shape[0] + h.shape[0] - 1, shape[0]
    B = np.zeros_like(A)
    bm, bn = blocks[0].shape
    for r in range(rows):
        for c in range(cols):
            if 0 <= r - c < len(blocks):
                B[r * bm:(r + 1) * bm, c * bn:(c + 1) * bn] = blocks[r - c]
    np.testing.assert_array_equal(A, B)


@pytest.mark.parametrize("n, K", [(1, 1), (4, 3), (5, 5), (3, 7), (6, 13)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int8])
def test_circulant_equals_scipy_linalg_circulant(rng, n, K, dtype):
    h = random_array(rng, (K,), dtype)
    folded = np.zeros(n, dtype=np.result_type(dtype, np.int64) if np.dtype(dtype).kind == "i"
                      else dtype)
    for k in range(K):
        folded[k % n] += h[k]
    expected = scipy.linalg.circulant(folded)
    got = sigconv.circulant_matrix(h, n)
    np.testing.assert_array_equal(got, expected.astype(got.dtype))
    x = random_array(rng, (n,), dtype)
    _matvec_close(got, x, h, circular_reference("convolve", x, h))


@pytest.mark.parametrize("n, K", [(4, 3), (7, 7), (5, 12), (16, 5)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_circulant_is_diagonalised_by_the_dft(rng, n, K, dtype):
    # C = F^-1 diag(lambda) F: the matrix view and the convolution theorem agree
    h = random_array(rng, (K,), dtype)
    C = sigconv.circulant_matrix(h, n)
    lam = sigconv.circulant_eigenvalues(h, n)
    F = scipy.linalg.dft(n)
    rebuilt = np.linalg.inv(F) @ np.diag(lam) @ F
    assert_close(rebuilt.astype(np.complex128), C.astype(np.complex128), inputs=(C[:, 0], h),
                 dtype=np.complex128, taps=n * n)
    # the eigenvalues are the eigenvalues
    np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(C)), np.sort_complex(lam),
                               atol=1e-10 * np.abs(h).sum())


def test_block_circulant_2d_is_diagonalised_by_the_2d_dft(rng):
    h = random_array(rng, (3, 5))
    n = (4, 3)
    C = sigconv.circulant_matrix(h, n)
    lam = sigconv.circulant_eigenvalues(h, n)
    assert lam.shape == n
    F = np.kron(scipy.linalg.dft(n[0]), scipy.linalg.dft(n[1]))
    rebuilt = np.linalg.inv(F) @ np.diag(lam.ravel()) @ F
    np.testing.assert_allclose(rebuilt, C, atol=1e-12 * np.abs(h).sum())
    x = random_array(rng, n)
    np.testing.assert_allclose(C @ x.ravel(), circular_reference("convolve", x, h).ravel(),
                               atol=1e-12 * np.abs(h).sum() * np.abs(x).max())


def test_eigenvalue_dtypes():
    assert sigconv.circulant_eigenvalues(np.ones(3, np.float32), 4).dtype == np.complex64
    assert sigconv.circulant_eigenvalues(np.ones(3, np.int32), 4).dtype == np.complex128
    np.testing.assert_allclose(sigconv.circulant_eigenvalues([1, 1, 1], 3), [3, 0, 0],
                               atol=1e-15)


def test_wrap_folds_repeated_columns():
    # a kernel longer than the input, wrap boundary: taps meet in one column
    A = sigconv.convolution_matrix([1, 10, 100], 2, "same", boundary="wrap")
    # row 0 reads extended samples -1, 0, 1 = inputs 1, 0, 1 with taps 100, 10, 1
    np.testing.assert_array_equal(A, [[10, 101], [101, 10]])
    S = sigconv.convolution_matrix([1, 10, 100], 2, "same", boundary="wrap", sparse=True)
    assert S.nnz == 4
    np.testing.assert_array_equal(S.toarray(), A)


def test_sparse_leaves_out_zero_taps():
    S = sigconv.convolution_matrix([1.0, 0.0, 2.0], 10, sparse=True)
    assert S.nnz == 20
    E = sigconv.convolution_matrix([1.0, -1.0], 2, "same", boundary="edge", sparse=True)
    # row 0 reads samples -1 and 0, both input 0: -1 + 1 cancels and is left out
    assert E.nnz == 2 and E.toarray().tolist() == [[0.0, 0.0], [-1.0, 1.0]]


def test_large_sparse_is_built_without_a_dense_matrix():
    # 2**20 x 2**20 dense would need 8 TiB
    S = sigconv.convolution_matrix(np.ones((5, 5)), (1024, 1024), "same", sparse=True,
                                   boundary="symm")
    assert S.shape == (2**20, 2**20)
    assert S.nnz <= 25 * 2**20
    np.testing.assert_allclose(np.asarray(S.sum(axis=1)).ravel(), 25.0)


def test_huge_sparse_request_is_refused_before_allocating():
    with pytest.raises(MemoryError, match="memory"):
        sigconv.convolution_matrix(np.ones((3, 3)), (10**5, 10**5), sparse=True)
    with pytest.raises(MemoryError, match="sparse convolution matrix"):
        sigconv.convolution_matrix(np.ones(10**4), 10**6, sparse=True)


def test_huge_dense_request_is_refused_before_allocating():
    with pytest.raises(MemoryError, match="sparse=True"):
        sigconv.convolution_matrix(np.ones(3), 10**6)
    with pytest.raises(MemoryError, match="DENSE_LIMIT"):
        sigconv.convolution_matrix(np.ones((3, 3)), (300, 300))


@pytest.mark.parametrize("call, error, match", [
    (lambda: sigconv.convolution_matrix(np.ones(5), 3, "valid"), ValueError, "valid"),
    (lambda: sigconv.convolution_matrix(np.ones((3, 3)), (4, 2), "valid"), ValueError,
     "at least as large"),
    (lambda: sigconv.convolution_matrix(np.ones(3), (4, 4)), ValueError, "entries"),
    (lambda: sigconv.convolution_matrix(np.ones((2, 2)), 4), ValueError, "entries"),
    (lambda: sigconv.convolution_matrix(np.ones(3), 0), ValueError, "positive"),
    (lambda: sigconv.convolution_matrix(np.ones(3), 4.5), TypeError, "int"),
    (lambda: sigconv.convolution_matrix(np.ones(3), 4, "sideways"), ValueError, "mode"),
    (lambda: sigconv.convolution_matrix(np.ones(3), 4, boundary="nope"), ValueError,
     "boundary"),
    (lambda: sigconv.convolution_matrix(np.ones(3), 4, "circular", boundary="symm"),
     ValueError, "circular"),
    (lambda: sigconv.convolution_matrix(np.ones(3), 4, sparse="yes"), TypeError, "sparse"),
    (lambda: sigconv.convolution_matrix(np.array(2.0), 4), ValueError, "dimension"),
    (lambda: sigconv.convolution_matrix(np.ones(0), 4), ValueError, "empty"),
    (lambda: sigconv.convolution_matrix(np.array(["a"]), 4), TypeError, "dtype"),
    (lambda: sigconv.convolution_matrix(np.array([None]), 4), TypeError, "dtype"),
    (lambda: sigconv.circulant_matrix(np.ones(3), (2, 2)), ValueError, "entries"),
    (lambda: sigconv.circulant_eigenvalues(np.ones(3), 0), ValueError, "positive"),
])
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_views_and_read_only_kernels(rng):
    h = random_array(rng, (12, 9))[::-3, 1::2]
    h.flags.writeable = False
    copy = h.copy()
    A = sigconv.convolution_matrix(h, (5, 6), "same", boundary="reflect")
    np.testing.assert_array_equal(A, sigconv.convolution_matrix(copy, (5, 6), "same",
                                                                boundary="reflect"))
    np.testing.assert_array_equal(h, copy)


def test_bool_and_float16_kernels():
    A = sigconv.convolution_matrix(np.array([True, True]), 3)
    assert A.dtype == np.uint8     # bool counts as unsigned, as in pooling sums
    np.testing.assert_array_equal(A, [[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]])
    B = sigconv.convolution_matrix(np.array([0.5, 0.25], np.float16), 3, "same")
    assert B.dtype == np.float16


def test_nan_kernel_taps_stay_in_their_entries():
    A = sigconv.convolution_matrix([1.0, np.nan], 3)
    assert np.isnan(A).sum() == 3
    S = sigconv.convolution_matrix([1.0, np.nan], 3, sparse=True)
    assert np.isnan(S.data).sum() == 3


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_4d(rng, boundary):
    x = random_array(rng, (2, 3, 2, 3))
    h = random_array(rng, (2, 2, 1, 2))
    A = sigconv.convolution_matrix(h, x.shape, "same", boundary=boundary, sparse=True)
    _matvec_close(A, x, h, boundary_reference("convolve", x, h, "same", boundary))


try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    given = None

if given is not None:
    @given(shape=st.lists(st.integers(1, 7), min_size=1, max_size=3),
           kshape=st.lists(st.integers(1, 5), min_size=3, max_size=3),
           mode=st.sampled_from(["full", "same", "valid", "circular"]),
           boundary=st.sampled_from(BOUNDARIES), seed=st.integers(0, 2**32 - 1))
    def test_matrix_property(shape, kshape, mode, boundary, seed):
        # dense and sparse matrices times x equal the numpy reference and the
        # Toeplitz method, for any small shapes
        rng = np.random.default_rng(seed)
        kshape = kshape[:len(shape)]
        if mode == "valid" and any(k > n for n, k in zip(shape, kshape)):
            with pytest.raises(ValueError):
                sigconv.convolution_matrix(np.ones(kshape), shape, mode)
            return
        if mode == "circular":
            boundary = "wrap"
        x = rng.standard_normal(shape)
        h = rng.standard_normal(kshape)
        A = sigconv.convolution_matrix(h, shape, mode, boundary=boundary)
        S = sigconv.convolution_matrix(h, shape, mode, boundary=boundary, sparse=True)
        expected = _reference(x, h, mode, boundary)
        assert_close(A @ x.ravel(), expected.ravel(), inputs=(x, h))
        assert_close(S @ x.ravel(), expected.ravel(), inputs=(x, h))
        got = sigconv.convolve(x, h, mode, boundary=boundary, method="toeplitz")
        assert_close(got, expected, inputs=(x, h))
