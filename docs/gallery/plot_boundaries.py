"""
Modes, boundaries and stride
============================

``mode`` decides which outputs are kept (``full``, ``same``, ``valid``, or
``circular`` for cyclic convolution); ``boundary`` decides what the signal
is taken to be beyond its ends. The same 9-tap smoothing of a ramp shows
each boundary's extension and what it does at the ends of the output, and
``stride=3`` keeps every third output without computing the others.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

x = np.linspace(0.0, 1.0, 40) ** 2 + 0.2
k = np.ones(9) / 9
pad = 8

fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharey=True)
for ax, boundary in zip(axes.flat, ("fill", "wrap", "symm", "reflect", "edge")):
    numpy_name = {"fill": "constant", "wrap": "wrap", "symm": "symmetric",
                  "reflect": "reflect", "edge": "edge"}[boundary]
    extended = np.pad(x, pad, mode=numpy_name)
    y = sigconv.convolve(x, k, mode="same", boundary=boundary)
    ax.plot(np.arange(-pad, x.size + pad), extended, ".", color="0.6",
            label="extension")
    ax.plot(np.arange(x.size), x, "k.", label="signal")
    ax.plot(np.arange(x.size), y, "C0-", lw=2, label="same")
    ax.axvspan(-pad, -0.5, color="0.93")
    ax.axvspan(x.size - 0.5, x.size + pad, color="0.93")
    ax.set_title("boundary=%r" % boundary)
axes.flat[0].legend(fontsize=8)

ax = axes.flat[5]
full = sigconv.convolve(x, k, mode="full")
valid = sigconv.convolve(x, k, mode="valid")
strided = sigconv.convolve(x, k, mode="same", stride=3)
ax.plot(np.arange(full.size) - 4, full, label="full (%d)" % full.size)
ax.plot(np.arange(valid.size) + 4, valid, lw=3, alpha=0.6, label="valid (%d)" % valid.size)
ax.plot(np.arange(0, x.size, 3), strided, "s", label="same, stride 3 (%d)" % strided.size)
ax.set_title("modes and stride")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
