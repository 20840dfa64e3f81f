"""
Smoothing a chunked volume with Dask
====================================

A synthetic scan -- soft tissue, a few bright calcifications and noise --
held as a Dask array in irregular chunks is smoothed by a 3-D Gaussian with
:func:`sigconv.dask.convolve`. Each output chunk reads its own voxels plus
the halo the kernel needs from its neighbours (mirrored at the volume's
edges, ``boundary="symm"``), so the chunked result equals the in-memory
:func:`sigconv.convolve` -- the figure shows a slice of both, the chunk
grid, and their difference.
"""
import numpy as np
import matplotlib.pyplot as plt

import sigconv

try:
    import dask
    import dask.array as da
    import sigconv.dask
except ImportError:  # dask is optional
    da = None

# %%
# The scan: three overlapping blobs of tissue, 30 point-like calcifications
# and Gaussian noise, 64^3 voxels.
rng = np.random.default_rng(3)
n = 64
z, y, x = np.meshgrid(*(np.linspace(-1, 1, n, dtype=np.float32),) * 3, indexing="ij")
scan = np.zeros((n, n, n), np.float32)
for cz, cy, cx, r, v in [(0, 0, 0, 0.8, 40), (0.2, -0.1, 0.3, 0.3, 30),
                         (-0.3, 0.2, -0.2, 0.25, -20)]:
    scan += v * (((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2) < r * r)
for i, j, k in rng.integers(12, 52, (30, 3)):
    scan[i, j, k] = 400.0
scan += rng.normal(0, 8, scan.shape).astype(np.float32)

g = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
kernel = (g[:, None, None] * g[None, :, None] * g[None, None, :]).astype(np.float32)
kernel /= kernel.sum()

smooth = sigconv.convolve(scan, kernel, "same", boundary="symm")

# %%
# The same on a Dask array in chunks of unequal sizes, computed chunk by
# chunk (here by the threads of this process; a ``distributed.Client``
# would send the same tasks to a cluster).
if da is None:
    print("dask is not installed: pip install 'sigconv[dask]' to run the chunked part")
    chunked = None
    chunks = ((n,), (n,), (n,))
else:
    volume = da.from_array(scan, chunks=(20, (24, 16, 24), 30))
    lazy = sigconv.dask.convolve(volume, kernel, "same", boundary="symm")
    with dask.config.set(scheduler="threads"):
        chunked = lazy.compute()
    chunks = volume.chunks
    print("chunks:", chunks)
    print("max |chunked - in memory|:", float(np.abs(chunked - smooth).max()))

# %%
# A slice through the middle: the scan, the chunked result with the chunk
# boundaries, and the difference from the in-memory result.
s = n // 2
fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), constrained_layout=True)
axes[0].imshow(scan[s], cmap="gray", vmin=-30, vmax=90)
axes[0].set_title("scan, slice %d" % s)
shown = smooth if chunked is None else chunked
axes[1].imshow(shown[s], cmap="gray", vmin=-30, vmax=90)
for b in np.cumsum(chunks[1])[:-1]:
    axes[1].axhline(b - 0.5, color="tab:orange", lw=1)
for b in np.cumsum(chunks[2])[:-1]:
    axes[1].axvline(b - 0.5, color="tab:orange", lw=1)
axes[1].set_title("sigconv.dask.convolve (chunk grid)")
if chunked is None:
    axes[2].text(0.5, 0.5, "dask not installed", ha="center", va="center")
    axes[2].set_axis_off()
else:
    diff = chunked[s] - smooth[s]
    lim = max(float(np.abs(diff).max()), 1e-12)     # float32 rounding only
    im = axes[2].imshow(diff, cmap="coolwarm", vmin=-lim, vmax=lim)
    fig.colorbar(im, ax=axes[2], shrink=0.8)
    axes[2].set_title("chunked - in memory")
for ax in axes[:2]:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
