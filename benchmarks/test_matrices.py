"""Building convolution matrices, side by side with scipy.linalg.

Groups: ``M1`` the 1-D Toeplitz matrix of a 63-tap kernel for inputs of
4096 samples (``full``: 4158 x 4096, float64), dense by sigconv and by
:func:`scipy.linalg.convolution_matrix`, sparse by sigconv and by
``scipy.sparse.diags`` of the kernel's diagonals; ``M2`` the circulant
matrix of the same kernel with period 4096, by sigconv and by
:func:`scipy.linalg.circulant`; ``M3`` the sparse matrix of a 5 x 5 blur of
512 x 512 images (``same``, symmetric boundary), built by sigconv. Every
result is checked against the reference construction first.

    PYTHONPATH=. pytest benchmarks/test_matrices.py --benchmark-only --benchmark-group-by=group
"""
import numpy as np
import pytest
import scipy.linalg
import scipy.sparse

import sigconv

pytest.importorskip("pytest_benchmark")

N, K = 4096, 63
KERNEL = np.random.default_rng(0).standard_normal(K)


def _scipy_sparse_toeplitz(h, n):
    return scipy.sparse.diags(list(h), offsets=[-k for k in range(len(h))],
                              shape=(n + len(h) - 1, n), format="csr")


def _folded(h, n):
    c = np.zeros(n)
    np.add.at(c, np.arange(len(h)) % n, h)
    return c


CASES = {
    "M1": {
        "sigconv.convolution_matrix (dense)": lambda: sigconv.convolution_matrix(KERNEL, N),
        "scipy.linalg.convolution_matrix": lambda: scipy.linalg.convolution_matrix(KERNEL, N),
        "sigconv.convolution_matrix (sparse)":
            lambda: sigconv.convolution_matrix(KERNEL, N, sparse=True),
        "scipy.sparse.diags (csr)": lambda: _scipy_sparse_toeplitz(KERNEL, N),
    },
    "M2": {
        "sigconv.circulant_matrix": lambda: sigconv.circulant_matrix(KERNEL, N),
        "scipy.linalg.circulant": lambda: scipy.linalg.circulant(_folded(KERNEL, N)),
    },
}

REFERENCE = {"M1": lambda: scipy.linalg.convolution_matrix(KERNEL, N),
             "M2": lambda: scipy.linalg.circulant(_folded(KERNEL, N))}


@pytest.mark.parametrize("group, label", [(g, label) for g, d in CASES.items() for label in d])
def test_construction(benchmark, group, label):
    call = CASES[group][label]
    out = call()
    dense = out.toarray() if scipy.sparse.issparse(out) else out
    np.testing.assert_allclose(dense, REFERENCE[group](), rtol=0, atol=1e-15)
    del out, dense
    benchmark.group = group
    benchmark.name = label
    benchmark.pedantic(call, rounds=15, iterations=1, warmup_rounds=1)


def test_blur_sparse_2d(benchmark):
    blur = np.full((5, 5), 1 / 25)
    A = sigconv.convolution_matrix(blur, (512, 512), "same", boundary="symm", sparse=True)
    x = np.random.default_rng(1).standard_normal((512, 512))
    np.testing.assert_allclose(A @ x.ravel(),
                               sigconv.convolve(x, blur, "same", boundary="symm").ravel(),
                               rtol=0, atol=1e-12)
    benchmark.group = "M3"
    benchmark.name = "sigconv.convolution_matrix (5x5, 512x512, sparse)"
    benchmark.pedantic(lambda: sigconv.convolution_matrix(blur, (512, 512), "same",
                                                          boundary="symm", sparse=True),
                       rounds=5, iterations=1, warmup_rounds=1)
