"""
Edges in an image: Sobel and Laplace
====================================

Edge detectors are small convolution kernels. The Sobel pair estimates the
two components of the gradient; the Laplace kernel, the second derivative,
responds on both sides of an edge. ``boundary="symm"`` mirrors the image at
its border so that the frame of the picture is not mistaken for an edge.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

# a synthetic scene: a disc, a rotated square and a soft gradient, with noise
n = 256
y, x = np.mgrid[0:n, 0:n] / n
image = 0.3 * x
image += 0.6 * (((x - 0.3) ** 2 + (y - 0.35) ** 2) < 0.15 ** 2)
u, v = (x - 0.68) * np.cos(0.5) - (y - 0.65) * np.sin(0.5), \
       (x - 0.68) * np.sin(0.5) + (y - 0.65) * np.cos(0.5)
image += 0.5 * ((np.abs(u) < 0.14) & (np.abs(v) < 0.14))
image += 0.02 * np.random.default_rng(3).standard_normal(image.shape)
image = image.astype(np.float32)

sobel_x = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float32)
sobel_y = sobel_x.T
laplace = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32)

gx = sigconv.convolve2d(image, sobel_x, mode="same", boundary="symm")
gy = sigconv.convolve2d(image, sobel_y, mode="same", boundary="symm")
magnitude = np.hypot(gx, gy)
lap = sigconv.convolve2d(image, laplace, mode="same", boundary="symm")
print("float32 in, float32 out:", magnitude.dtype)

fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
for ax, img, title, cmap in ((axes[0], image, "image", "gray"),
                             (axes[1], gx, "Sobel x", "RdBu_r"),
                             (axes[2], magnitude, "gradient magnitude", "magma"),
                             (axes[3], lap, "Laplace", "RdBu_r")):
    if cmap == "RdBu_r":
        lim = np.percentile(np.abs(img), 99.5)
        ax.imshow(img, cmap=cmap, vmin=-lim, vmax=lim)
    else:
        ax.imshow(img, cmap=cmap)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
