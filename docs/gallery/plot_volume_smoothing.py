"""
Smoothing a 3-D volume
======================

A noisy synthetic volume (spheres of different intensities, as in a CT
phantom) is smoothed with a 3-D Gaussian kernel in one call, with the
``reflect`` boundary so that the faces of the volume are not darkened.
Three orthogonal slices through the centre show the result, and a
``stride=2`` call computes only every other voxel (a smoothed,
downsampled volume, with no wasted work).
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

n = 96
z, y, x = np.mgrid[0:n, 0:n, 0:n] / n
volume = np.zeros((n, n, n), dtype=np.float32)
for (cz, cy, cx, r, value) in ((0.5, 0.5, 0.5, 0.35, 1.0), (0.4, 0.45, 0.4, 0.1, 2.0),
                               (0.6, 0.6, 0.62, 0.08, 0.5), (0.5, 0.3, 0.6, 0.06, 3.0)):
    volume[(z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 < r ** 2] = value
noisy = volume + np.random.default_rng(5).normal(0, 0.6, volume.shape).astype(np.float32)

r = np.arange(-4, 5)
g1 = np.exp(-0.5 * (r / 1.5) ** 2)
g1 /= g1.sum()
gauss = (g1[:, None, None] * g1[None, :, None] * g1[None, None, :]).astype(np.float32)

smooth = sigconv.convolve(noisy, gauss, mode="same", boundary="reflect")
half = sigconv.convolve(noisy, gauss, mode="same", boundary="reflect", stride=2)
print("smoothed:", smooth.shape, smooth.dtype, " strided:", half.shape)
print("noise std before %.2f, after %.2f"
      % (np.std(noisy - volume), np.std(smooth - sigconv.convolve(
          volume, gauss, mode="same", boundary="reflect"))))

c = n // 2
fig, axes = plt.subplots(3, 3, figsize=(9, 9))
for row, (data, name) in enumerate(((noisy, "noisy"), (smooth, "smoothed"),
                                    (half, "smoothed, stride 2"))):
    m = data.shape[0] // 2
    for col, (sl, plane) in enumerate(((data[m], "axial"), (data[:, m], "coronal"),
                                       (data[:, :, m], "sagittal"))):
        axes[row, col].imshow(sl, cmap="gray", vmin=-0.5, vmax=3)
        axes[row, col].set_title("%s, %s" % (name, plane), fontsize=9)
        axes[row, col].set_xticks([])
        axes[row, col].set_yticks([])
fig.tight_layout()
plt.show()
