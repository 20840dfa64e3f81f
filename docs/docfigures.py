"""Figures of sigconv's documentation, drawn by the pages' ``.. plot::`` blocks.

Every extension shown is computed by sigconv itself: convolving with a
centred unit impulse in ``full`` mode returns the input extended by the
boundary rule, ``P`` samples past each edge.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

import sigconv

ORIGINAL = "#1f4e9c"
EXTENSION = "#e07b00"
SHADE = "#e8eef8"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def extended(x, pad, boundary, fillvalue=0):
    """``x`` extended by ``pad`` samples past both edges of every axis."""
    x = np.asarray(x)
    impulse = np.zeros((2 * pad + 1,) * x.ndim, dtype=x.dtype)
    impulse[(pad,) * x.ndim] = 1
    return sigconv.convolve(x, impulse, mode="full", boundary=boundary,
                            fillvalue=fillvalue)


def _extension_1d(ax, boundary, x, pad, fillvalue=0):
    n = len(x)
    values = extended(x, pad, boundary, fillvalue)
    # where each extended sample comes from (-1: the fill value)
    source = extended(np.arange(n), pad, boundary, fillvalue=-1)
    pos = np.arange(-pad, n + pad)
    inside = (pos >= 0) & (pos < n)

    ax.axvspan(-0.5, n - 0.5, color=SHADE, zorder=0)
    ax.axhline(0, color="0.6", lw=0.8, zorder=1)
    ax.vlines(pos[inside], 0, values[inside], color=ORIGINAL, lw=2.2, zorder=2)
    ax.plot(pos[inside], values[inside], "o", color=ORIGINAL, ms=9, zorder=3,
            label="input")
    ax.vlines(pos[~inside], 0, values[~inside], color=EXTENSION, lw=1.4,
              linestyles="--", zorder=2)
    ax.plot(pos[~inside], values[~inside], "o", mfc="white", mec=EXTENSION,
            mew=1.8, ms=9, zorder=3, label="extension")
    top = max(values.max(), 1)
    for p, v, s, isin in zip(pos, values, source, inside):
        text = LETTERS[s] if s >= 0 else "%g" % fillvalue
        ax.text(p, v + 0.06 * top + 0.1, text, ha="center", va="bottom",
                fontsize=12, color=ORIGINAL if isin else EXTENSION,
                fontweight="bold" if isin else "normal")
    ax.set_xticks(pos)
    ax.set_xticklabels([str(p) for p in pos], fontsize=10)
    ax.set_xlim(-pad - 0.7, n + pad - 0.3)
    ax.set_ylim(min(values.min(), 0) - 0.3, top * 1.55 + 0.3)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("sample index")
    ax.legend(loc="upper left", fontsize=10, frameon=False, ncol=2)


def glyph_image():
    """A small asymmetric test image: an 'F' on a gentle gradient."""
    rows, cols = 8, 7
    img = 0.25 * np.add.outer(np.arange(rows), np.arange(cols)) / (rows + cols)
    img[1:7, 1] = 1.0          # stem
    img[1, 1:6] = 1.0          # top bar
    img[4, 1:5] = 0.8          # middle bar
    return img


def _extension_2d(ax, boundary, pad, fillvalue=0):
    img = glyph_image()
    rows, cols = img.shape
    big = extended(img, pad, boundary, fillvalue)
    extent = (-pad - 0.5, cols + pad - 0.5, rows + pad - 0.5, -pad - 0.5)
    ax.imshow(big, cmap="magma", vmin=0, vmax=1, extent=extent,
              interpolation="nearest")
    # veil the extension so the original stands out
    veil = np.ones(big.shape + (4,))
    veil[..., 3] = 0.45
    veil[pad:pad + rows, pad:pad + cols, 3] = 0
    ax.imshow(veil, extent=extent, interpolation="nearest")
    ax.add_patch(Rectangle((-0.5, -0.5), cols, rows, fill=False, ec=ORIGINAL, lw=2.5))
    ax.set_xticks([0, cols - 1])
    ax.set_yticks([0, rows - 1])
    ax.tick_params(labelsize=10)


def boundary_figure(boundary, fillvalue=0):
    """1-D extension of a five-sample signal and 2-D padding of an image."""
    x = np.array([2.0, 4.0, 3.0, 5.0, 1.5])
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [2.4, 1]})
    _extension_1d(ax1, boundary, x, pad=7, fillvalue=fillvalue)
    _extension_2d(ax2, boundary, pad=5, fillvalue=fillvalue)
    ax1.set_title("boundary=%r: a 1-D signal, 7 samples past each edge" % boundary,
                  fontsize=12)
    ax2.set_title("an image, 5 pixels past each edge", fontsize=12)
    fig.tight_layout()
    return fig


def modes_figure():
    """Which window of the input each output of full / same / valid reads."""
    n = 7
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, k in zip(axes, (3, 4)):
        rows = [("in1", np.arange(n), ORIGINAL)]
        # output n of 'full' reads in1[n-K+1 .. n]: its window centre
        full = np.arange(n + k - 1) - (k - 1) / 2
        start = (k - 1) // 2
        rows.append(("full", full, "0.35"))
        rows.append(("same", full[start:start + n], EXTENSION))
        if k % 2 == 0:
            rows.append(("correlate2d same", full[k // 2:k // 2 + n], "#a33"))
        rows.append(("valid", full[k - 1:n], "#2a8a4a"))
        for r, (label, centres, color) in enumerate(rows):
            y = -r
            for c in centres:
                ax.add_patch(Rectangle((c - 0.45, y - 0.35), 0.9, 0.7, fc=color,
                                       ec="white", alpha=0.9))
            ax.text(-k - 0.3, y, "%s (%d)" % (label, len(centres)), ha="right",
                    va="center", fontsize=11)
        ax.axvspan(-0.5, n - 0.5, color=SHADE, zorder=0)
        ax.set_xlim(-k - 0.3 - 4.2, n + k / 2)
        ax.set_ylim(-len(rows) + 0.4, 0.6)
        ax.set_yticks([])
        ax.set_xticks(range(0, n))
        ax.tick_params(labelsize=10)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.set_title("kernel length K = %d" % k, fontsize=12)
        ax.set_xlabel("position on the axis of in1")
    fig.tight_layout()
    return fig


def wraparound_figure():
    """Linear convolution against circular convolution of the same length."""
    x = np.array([1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 0.5, 0.25])
    h = np.array([1.0, 1.0, 1.0, 1.0])
    full = sigconv.convolve(x, h)
    circ = sigconv.convolve(x, h, mode="circular")
    n, m = len(x), len(full)
    tail = np.zeros(n)
    tail[:m - n] = full[n:]
    fig, ax = plt.subplots(figsize=(9, 3.4))
    ax.axvspan(-0.5, n - 0.5, color=SHADE, zorder=0)
    ax.bar(np.arange(m) - 0.2, full, width=0.4, color="0.6",
           label="linear: 'full', N + K - 1 outputs")
    ax.bar(np.arange(n, m) - 0.2, full[n:], width=0.4, color=EXTENSION)
    ax.bar(np.arange(n) + 0.2, circ - tail, width=0.4, color=ORIGINAL,
           label="circular: N outputs")
    ax.bar(np.arange(n) + 0.2, tail, bottom=circ - tail, width=0.4, color=EXTENSION,
           label="the linear tail, added back at the start")
    for i in range(n, m):
        ax.annotate("", xy=(i - n + 0.2, -0.25), xytext=(i - 0.2, -0.25),
                    arrowprops=dict(arrowstyle="->", color=EXTENSION, lw=1.2,
                                    connectionstyle="arc3,rad=-0.12"))
    ax.set_ylim(-3.2, full.max() * 1.15)
    ax.spines["left"].set_bounds(0, full.max())
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xticks(np.arange(m))
    ax.set_yticks([0, 5, 10])
    ax.set_xlabel("output index (N = %d, K = %d)" % (n, len(h)))
    ax.legend(fontsize=10, frameon=False, loc="upper right")
    ax.set_title("circular convolution = linear convolution with its last K - 1 outputs "
                 "wrapped onto the first", fontsize=12)
    for side in ("right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", length=0)
    fig.tight_layout()
    return fig


METHOD_STYLE = {"direct": ("#1f4e9c", "o"), "fft": ("#e07b00", "s"), "oa": ("#2a9d3f", "^"),
                "separable": ("#b2182b", "D"), "auto": ("black", "x")}


def method_times_figure(path=None):
    """Time against kernel length per method, log-log, from measured times.

    ``path``: the JSON of :file:`docs/_data/method_times.json` (measured by
    timing every method on a grid of sizes; see its ``machine`` entry).
    One panel per input size; solid lines for a separable (Gaussian)
    kernel, where every method applies, crosses for what ``auto`` took.
    """
    import json
    import os
    if path is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data",
                            "method_times.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = [r for r in data["rows"] if r["kernel"] == "separable kernel"
            and r.get("dtype", "float32") == "float32"]
    panels = sorted({(r["ndim"], r["N"]) for r in rows})
    cols = 3
    nrows = -(-len(panels) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.3 * cols, 3.0 * nrows), squeeze=False)
    flat = [a for row in axes for a in row]
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    for ax, (d, N) in zip(flat, panels):
        sel = sorted((r for r in rows if r["ndim"] == d and r["N"] == N),
                     key=lambda r: r["K"])
        for m, (color, marker) in METHOD_STYLE.items():
            pts = [(r["K"], r["times"][m]) for r in sel if m in r["times"]]
            if not pts:
                continue
            ks, ts = zip(*pts)
            ls = "none" if m == "auto" else "-"
            ax.loglog(ks, [t * 1e3 for t in ts], ls=ls, marker=marker, color=color,
                      label=m, ms=6 if m == "auto" else 4)
        ks_all = [r["K"] for r in sel]
        ax.set_xticks(ks_all)
        ax.set_xticklabels([str(k) for k in ks_all])
        ax.xaxis.set_minor_locator(plt.NullLocator())
        ax.set_title("%d-D, N = %d per axis" % (d, N), fontsize=9)
        ax.set_xlabel("kernel length K per axis")
        ax.grid(True, which="both", alpha=0.3)
    for row in axes:
        row[0].set_ylabel("time (ms)")
    flat[len(panels) - 1].legend(fontsize=7)
    fig.tight_layout()
    return fig
