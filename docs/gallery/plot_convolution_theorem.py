"""
The convolution theorem, seen twice
===================================

Convolution in time is multiplication in frequency. This example checks it
two ways:

* the direct sum and the FFT route of :func:`sigconv.convolve` give the same
  result (to rounding), and
* the circulant matrix of a kernel, the matrix of *cyclic* convolution, is
  diagonalised by the discrete Fourier transform: ``F C F^-1`` is diagonal and
  its diagonal is the DFT of the kernel, :func:`sigconv.circulant_eigenvalues`.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

rng = np.random.default_rng(0)
x = rng.standard_normal(400)
k = np.exp(-0.5 * (np.arange(-20, 21) / 6.0) ** 2)
k /= k.sum()

direct = sigconv.convolve(x, k, mode="same", method="direct")
by_fft = sigconv.convolve(x, k, mode="same", method="fft")
print("largest difference, direct vs fft: %.2e" % np.max(np.abs(direct - by_fft)))

# %%
# The circulant matrix and its eigenvalues
# ----------------------------------------
# A cyclic convolution of period ``n`` is the product with an ``n x n``
# circulant matrix. Conjugating it by the DFT matrix leaves a diagonal.
n = 32
h = np.array([0.25, 0.5, 0.25, 0.0, -0.1])
C = sigconv.circulant_matrix(h, n)
F = np.fft.fft(np.eye(n))
D = F @ C @ np.linalg.inv(F)
off_diagonal = np.max(np.abs(D - np.diag(np.diag(D))))
eigenvalues = sigconv.circulant_eigenvalues(h, n)
print("largest off-diagonal entry: %.1e" % off_diagonal)
print("diagonal equals circulant_eigenvalues:", np.allclose(np.diag(D), eigenvalues))

# the product with C is circular convolution
v = rng.standard_normal(n)
print("C @ v equals mode='circular':",
      np.allclose(C @ v, sigconv.convolve(v, h, mode="circular")))

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
axes[0].plot(x, color="0.75", lw=0.8, label="signal")
axes[0].plot(direct, lw=2, label="direct")
axes[0].plot(by_fft, "--", lw=1.5, label="fft")
axes[0].set_title("direct and FFT agree")
axes[0].legend(loc="upper right", fontsize=8)
axes[1].imshow(C, cmap="RdBu_r", vmin=-0.5, vmax=0.5)
axes[1].set_title("circulant matrix C")
axes[2].imshow(np.log10(np.abs(D) + 1e-17), cmap="magma", vmin=-17, vmax=0)
axes[2].set_title("log10 |F C F$^{-1}$|: diagonal")
for ax in axes[1:]:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
