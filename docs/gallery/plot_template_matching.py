"""
Template matching by normalized correlation
===========================================

:func:`sigconv.normalized_correlate` slides a template over an image and
scores every position by the Pearson correlation coefficient between the
template and the window under it. The score is 1 where the window is an
exact copy of the template up to brightness and contrast, which makes it
robust to changes in lighting that defeat a plain correlation.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

rng = np.random.default_rng(6)
image = sigconv.convolve(rng.standard_normal((300, 400)), np.ones((5, 5)) / 25,
                         mode="same", boundary="wrap")
template = image[120:152, 250:290].copy()          # a 32 x 40 patch

# plant two more copies: one brighter and of higher contrast, one noisy
image[30:62, 40:80] = 3.0 * template + 2.0
image[200:232, 100:140] = template + 0.05 * rng.standard_normal(template.shape)

score = sigconv.normalized_correlate(image, template, mode="valid")
plain = sigconv.correlate(image, template - template.mean(), mode="valid")
found = np.argwhere(score > 0.9)
print("score map:", score.shape, " positions scoring above 0.9:", found.tolist())
print("score at the bright copy: %.4f" % score[30, 40])

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
axes[0].imshow(image, cmap="gray")
for (r, c) in found:
    axes[0].add_patch(plt.Rectangle((c, r), 40, 32, fill=False, color="C1", lw=2))
axes[0].set_title("image and the matches")
axes[1].imshow(score, cmap="viridis", vmin=-1, vmax=1)
axes[1].set_title("normalized correlation (Pearson)")
axes[2].imshow(plain, cmap="viridis")
axes[2].set_title("plain correlation: the bright copy wins")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()
