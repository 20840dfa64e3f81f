"""
Pooling and shift invariance
============================

Max pooling keeps the largest response in each window. A feature detected
anywhere inside a window gives the same pooled value, so small shifts of
the input change the pooled map much less than they change the input
itself. This example shifts the input by 0 to 7 pixels, detects it with a
convolution, pools the detector's response with :func:`sigconv.max_pool`
(8 x 8 windows) and compares how much each stage changed.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

rng = np.random.default_rng(10)
n = 64
r = np.arange(-4, 5)
pattern = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * 2.0 ** 2))   # a blob
image = np.zeros((n, n))
for (row, col) in rng.integers(4, n - 14, size=(6, 2)):
    image[row:row + 9, col:col + 9] += pattern
detector = pattern - pattern.mean()

def stages(shift):
    shifted = np.roll(image, shift, axis=1)
    response = np.maximum(sigconv.correlate(shifted, detector, mode="same"), 0)
    return shifted, response, sigconv.max_pool(response, (8, 8))

base = stages(0)
rows = []
for shift in range(8):
    current = stages(shift)
    rows.append([np.linalg.norm(a - b) / np.linalg.norm(b) for a, b in zip(current, base)])
rows = np.array(rows)
for shift, (d_in, d_resp, d_pool) in enumerate(rows):
    print("shift %d: relative change input %.2f, response %.2f, pooled %.2f"
          % (shift, d_in, d_resp, d_pool))

fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
axes[0].imshow(base[0], cmap="gray")
axes[0].set_title("input")
axes[1].imshow(base[1], cmap="magma")
axes[1].set_title("detector response")
axes[2].imshow(base[2], cmap="magma")
axes[2].set_title("max pooled 8x8")
for a in axes[:3]:
    a.set_xticks([])
    a.set_yticks([])
for i, name in enumerate(("input", "response", "pooled")):
    axes[3].plot(range(8), rows[:, i], "o-", label=name)
axes[3].set(xlabel="shift (pixels)", ylabel="relative change", title="change under shift")
axes[3].legend()
fig.tight_layout()
plt.show()
