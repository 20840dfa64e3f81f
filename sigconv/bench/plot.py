"""Figures of a benchmark report: speed-up bars per workload and peer, and the scaling sweep.

The figures are drawn from the report dict alone (the one written as JSON),
so a committed JSON report redraws the same figure anywhere. matplotlib is
optional: :func:`require_matplotlib` says how to install it.

>>> report = {"results": [
...     {"workload": "A1", "kind": "sigconv", "contender": "sigconv:direct:", "label": "s",
...      "status": "ok", "ratio": None},
...     {"workload": "A1", "kind": "peer", "contender": "numpy.convolve",
...      "label": "numpy.convolve", "status": "ok", "ratio": 2.5}]}
>>> speedups(report)
{'A1': {'numpy.convolve': 2.5}}
"""

from .._optional import require


def require_matplotlib():
    """Import matplotlib, or raise ImportError saying how to get it."""
    return require("matplotlib", "plotting", "plot")


def speedups(report):
    """``{workload: {peer: ratio}}`` of every timed peer: the bars that :func:`plot` draws.

    The ratio is the report's own (peer time / time of sigconv's compared
    method; above 1 means sigconv is faster).
    """
    out = {}
    for e in report["results"]:
        if e["kind"] == "peer" and e["status"] == "ok" and e.get("ratio") is not None:
            out.setdefault(e["workload"], {})[e["contender"]] = e["ratio"]
    return out


def _bars(ax, report):
    data = speedups(report)
    peers = []
    for ratios in data.values():
        peers += [p for p in ratios if p not in peers]
    cmap = _colors(len(peers))
    width = 0.8 / max(1, max((len(r) for r in data.values()), default=1))
    for i, (wid, ratios) in enumerate(data.items()):
        for j, (peer, ratio) in enumerate(ratios.items()):
            x = i - 0.4 + width * (j + 0.5)
            ax.bar(x, ratio, width, color=cmap[peers.index(peer)], gid="%s|%s" % (wid, peer),
                   label=peer if peer not in ax.get_legend_handles_labels()[1] else None)
    ax.axhline(1.0, color="black", linewidth=1)
    ax.set_yscale("log")
    ax.set_xticks(range(len(data)))
    ax.set_xticklabels(list(data))
    ax.set_ylabel("peer time / sigconv time")
    ax.set_title("sigconv against each peer (above 1: sigconv is faster)")
    if peers:
        ax.legend(fontsize="x-small", ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.08))


def _colors(n):
    from matplotlib import colormaps
    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def _scaling(ax, part, xname, fixed):
    for m, times in part["seconds"].items():
        ax.loglog(part[xname], times, marker="o", label=m)
    for c in part["crossovers"]:
        ax.axvline(c["at"], color="grey", linestyle=":", linewidth=1)
        ax.annotate("%s = %s at %.0f" % (c["methods"][0], c["methods"][1], c["at"]),
                    (c["at"], 0.02), xycoords=("data", "axes fraction"), fontsize="xx-small",
                    rotation=90, va="bottom", ha="right")
    ax.set_xlabel(xname.upper())
    ax.set_ylabel("seconds (fastest call)")
    ax.set_title("1-D float64, one thread, %s" % fixed, fontsize="medium")
    ax.legend(fontsize="small")


def plot(report, path=None, fig=None):
    """Draw the report's figure (into ``fig``, a new Figure if None) and save it to ``path``.

    One panel of speed-up bars (:func:`speedups`), and, when the report has a
    scaling sweep (``report["scaling"]``, :mod:`sigconv.bench.scaling`), two
    log-log panels of time against N and against K per method with the
    crossovers marked. Returns the figure.
    """
    require_matplotlib()
    from matplotlib.figure import Figure
    scaling = report.get("scaling")
    nbars = max(1, len(speedups(report)))
    if fig is None:
        fig = Figure(figsize=(max(11.0, 0.6 * nbars + 4), 10 if scaling else 5.5),
                     layout="constrained")
    if scaling:
        grid = fig.add_gridspec(2, 2, height_ratios=(1.3, 1))
        _bars(fig.add_subplot(grid[0, :]), report)
        _scaling(fig.add_subplot(grid[1, 0]), scaling["vs_n"], "n",
                 "K = %d" % scaling["vs_n"]["k"])
        _scaling(fig.add_subplot(grid[1, 1]), scaling["vs_k"], "k",
                 "N = %d" % scaling["vs_k"]["n"])
    else:
        _bars(fig.add_subplot(), report)
    machine = report.get("machine", {})
    if machine:
        fig.suptitle("sigconv %s, %s, %s cores%s" % (
            report.get("versions", {}).get("sigconv", ""), machine.get("cpu", "?"),
            machine.get("cores", "?"), "" if report.get("other_cpu") is None else
            ", other processes %.0f%% of the cores" % (100 * report["other_cpu"])),
            fontsize="small")
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


def plotted_speedups(fig):
    """``{workload: {peer: height}}`` of the bars in a figure drawn by :func:`plot`."""
    out = {}
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid()
            if gid and "|" in gid:
                wid, peer = gid.split("|", 1)
                out.setdefault(wid, {})[peer] = patch.get_height()
    return out


__all__ = ["plot", "speedups", "plotted_speedups", "require_matplotlib"]
