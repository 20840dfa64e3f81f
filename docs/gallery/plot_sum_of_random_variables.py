"""
The density of a sum of random variables
========================================

If ``X`` and ``Y`` are independent with densities ``f`` and ``g``, the
density of ``Z = X + Y`` is their convolution,

.. math:: f_Z(z) = \\int f(x)\\, g(z - x)\\, dx.

Sampled on a grid of spacing ``dx``, that integral is a discrete
convolution times ``dx``. Convolving the uniform density with itself again
and again gives the densities of sums of 2, 3, ... uniform variables, which
approach the normal density (the central limit theorem); a histogram of
simulated sums agrees with each.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

dx = 0.005
grid = np.arange(0, 1, dx) + dx / 2
uniform = np.ones_like(grid)                   # density of U(0, 1)

densities = {1: uniform}
for count in range(2, 7):
    densities[count] = sigconv.convolve(densities[count - 1], uniform) * dx

rng = np.random.default_rng(9)
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
for ax, count in zip(axes, (2, 3, 6)):
    f = densities[count]
    z = (np.arange(f.size) + count / 2) * dx   # centres of the summed cells
    print("n=%d: integral of the density = %.6f" % (count, f.sum() * dx))
    samples = rng.random((200_000, count)).sum(axis=1)
    ax.hist(samples, bins=120, density=True, color="0.8", label="simulated sums")
    ax.plot(z, f, lw=2, label="convolution")
    mean, var = count / 2, count / 12
    ax.plot(z, np.exp(-(z - mean) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var), "k:",
            label="normal, same mean and variance")
    ax.set_title("sum of %d uniform variables" % count)
    ax.set_xlabel("z")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()
