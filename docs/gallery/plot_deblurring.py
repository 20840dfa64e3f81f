"""
Deblurring with ConvolutionOperator and LSQR
============================================

Blurring is a linear map ``A``; undoing it is a least-squares problem.
:class:`sigconv.ConvolutionOperator` is a
:class:`scipy.sparse.linalg.LinearOperator` whose ``matvec`` convolves and
whose ``rmatvec`` is its exact adjoint (a correlation), which is all that
:func:`scipy.sparse.linalg.lsqr` needs. A little damping (Tikhonov
regularisation) keeps the noise from being amplified.
"""
import matplotlib.pyplot as plt
import numpy as np
from scipy.sparse.linalg import lsqr

import sigconv

n = 96
y, x = np.mgrid[0:n, 0:n]
truth = np.zeros((n, n))
truth[20:76, 20:30] = 1.0
truth[20:30, 20:60] = 1.0
truth[45:55, 20:50] = 0.7
truth += 0.8 * (((x - 68) ** 2 + (y - 62) ** 2) < 12 ** 2)

r = np.arange(-6, 7)
psf = np.exp(-0.5 * (r[:, None] ** 2 + r[None, :] ** 2) / 2.5 ** 2)
psf /= psf.sum()

A = sigconv.ConvolutionOperator(psf, truth.shape, mode="same", boundary="symm")
blurred = (A @ truth.ravel()).reshape(n, n)
blurred += 0.005 * np.random.default_rng(7).standard_normal(blurred.shape)

# the dot test: <A u, v> = <u, A^T v>
u, v = np.random.default_rng(8).standard_normal((2, n * n))
print("dot test: %.3e vs %.3e" % (np.dot(A @ u, v), np.dot(u, A.rmatvec(v))))

restored = lsqr(A, blurred.ravel(), damp=0.02, iter_lim=60)[0].reshape(n, n)
err = lambda im: np.linalg.norm(im - truth) / np.linalg.norm(truth)  # noqa: E731
print("relative error: blurred %.3f, restored %.3f" % (err(blurred), err(restored)))

fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
for ax, im, title in ((axes[0], truth, "truth"), (axes[1], blurred, "blurred + noise"),
                      (axes[2], restored, "LSQR, 60 iterations")):
    ax.imshow(im, cmap="gray", vmin=-0.1, vmax=1.1)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
