"""
A Gabor filter bank on a texture
================================

A Gabor filter is a sinusoid under a Gaussian envelope,

.. math::

    g(x, y) = \\exp\\left(-\\frac{x'^2 + \\gamma^2 y'^2}{2\\sigma^2}\\right)
              \\cos\\left(2\\pi \\frac{x'}{\\lambda}\\right),
    \\quad x' = x\\cos\\theta + y\\sin\\theta,\\;
    y' = -x\\sin\\theta + y\\cos\\theta,

tuned to one orientation ``theta`` and wavelength ``lambda``. A bank of
them tells textures apart by orientation. With ``axes=(1, 2)`` the whole
bank is one call: the image (shape ``(1, H, W)``) broadcasts against the
stack of kernels (shape ``(4, k, k)``) and the result holds one response
per kernel.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv


def gabor(theta, wavelength=8.0, sigma=4.0, gamma=0.7, size=25):
    r = np.arange(size) - size // 2
    y, x = np.meshgrid(r, r, indexing="ij")
    xr = x * np.cos(theta) + y * np.sin(theta)
    yr = -x * np.sin(theta) + y * np.cos(theta)
    g = np.exp(-(xr ** 2 + gamma ** 2 * yr ** 2) / (2 * sigma ** 2))
    g = g * np.cos(2 * np.pi * xr / wavelength)
    return g - g.mean()                     # no response to flat regions


# a texture of four patches, stripes at 0, 45, 90 and 135 degrees
n = 192
yy, xx = np.mgrid[0:n, 0:n]
angles = np.deg2rad([0, 45, 90, 135])
texture = np.zeros((n, n))
quadrant = (yy >= n // 2) * 2 + (xx >= n // 2)
for q, a in enumerate(angles):
    stripes = np.cos(2 * np.pi * (xx * np.cos(a) + yy * np.sin(a)) / 8.0)
    texture[quadrant == q] = stripes[quadrant == q]
texture += 0.3 * np.random.default_rng(4).standard_normal(texture.shape)

bank = np.stack([gabor(a) for a in angles])                 # (4, 25, 25)
responses = sigconv.convolve(texture[None], bank, mode="same", axes=(1, 2),
                             boundary="reflect")            # (4, n, n)
# local energy of each response, smoothed
energy = sigconv.convolve(responses ** 2, np.ones((1, 15, 15)) / 225, mode="same",
                          axes=(1, 2), boundary="reflect")
label = energy.argmax(axis=0)
accuracy = np.mean(label == quadrant)
print("bank output shape:", responses.shape)
print("pixels labelled with their patch's orientation: %.1f%%" % (100 * accuracy))

fig, axes = plt.subplots(2, 4, figsize=(12, 6))
for i, a in enumerate(angles):
    axes[0, i].imshow(bank[i], cmap="RdBu_r")
    axes[0, i].set_title("kernel %d deg" % round(np.rad2deg(a)))
    axes[1, i].imshow(energy[i], cmap="magma")
    axes[1, i].set_title("energy %d deg" % round(np.rad2deg(a)))
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

fig2, axes2 = plt.subplots(1, 2, figsize=(7, 3.6))
axes2[0].imshow(texture, cmap="gray")
axes2[0].set_title("texture")
axes2[1].imshow(label, cmap="tab10", vmin=0, vmax=9)
axes2[1].set_title("strongest orientation")
for ax in axes2:
    ax.set_xticks([])
    ax.set_yticks([])
fig2.tight_layout()
plt.show()
