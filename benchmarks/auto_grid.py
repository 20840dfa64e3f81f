"""Does ``method='auto'`` pick the fastest method? A grid of N and K in 1-D, 2-D, 3-D.

For each signal size N and kernel size K, every sigconv method that can do
the call (direct, fft, oa; separable for separable kernels) is timed, and
so is the default call (``auto``, which includes the choice itself). The
figure of merit is ``auto time / fastest method's time``: 1.0 means auto
took the fastest method, and the bar is 1.1.

Times are the CPU time of one thread (``workers=1``; the process's CPU
time, so other processes on the machine change them less than wall-clock
times), the least of a few runs. A method already ten times slower than
the fastest at a smaller K is not timed at larger ones (its time only grows
with K: direct).

Run: ``python benchmarks/auto_grid.py [--quick] [--markdown FILE]``.
"""
import argparse
import math
import platform
import sys
import time

import numpy as np

import sigconv
from sigconv._backends.separable import stash
from sigconv._problem import make_problem
from sigconv.plan import auto_choice

METHODS = ("direct", "fft", "oa")

GRID = {
    1: {"N": [4096, 65536, 1 << 20], "K": [3, 15, 63, 255, 1023, 4095]},
    2: {"N": [128, 512, 2048], "K": [3, 7, 15, 31, 63]},
    3: {"N": [32, 64, 128], "K": [3, 5, 9, 15]},
}
QUICK = {
    1: {"N": [65536], "K": [15, 255, 4095]},
    2: {"N": [512], "K": [7, 31]},
    3: {"N": [64], "K": [5, 15]},
}


def cpu_time(call, budget=0.5, reps=5):
    """Least CPU time of ``call`` over up to ``reps`` runs (after one warm-up) within ``budget`` s."""
    call()
    best = math.inf
    spent = 0.0
    for _ in range(reps):
        t0 = time.process_time()
        call()
        t = time.process_time() - t0
        best = min(best, t)
        spent += t
        if spent > budget:
            break
    return best


def auto_method(x, h):
    """The method auto takes for ``convolve(x, h, 'same', workers=1)`` (the call timed)."""
    problem, signal, kernel = make_problem(x, h, op="convolve", mode="same")
    method, _ = auto_choice(problem, signal, kernel, workers=1)
    stash(None, None)          # no call follows to take the kernel's factors
    return method


def cases(grid, dtypes):
    rng = np.random.default_rng(2026)
    for d, axes in grid.items():
        for N in axes["N"]:
            for dtype in dtypes:
                x = rng.standard_normal((N,) * d).astype(dtype)
                for K in axes["K"]:
                    if K > N:
                        continue
                    dense = rng.standard_normal((K,) * d).astype(dtype)
                    yield d, N, K, dtype, "dense", x, dense
                    if d > 1 and K > 3:
                        g = np.exp(-0.5 * ((np.arange(K) - K // 2) / (K / 6.0)) ** 2)
                        sep = g
                        for _ in range(d - 1):
                            sep = np.multiply.outer(sep, g)
                        yield d, N, K, dtype, "separable", x, sep.astype(dtype)


def run(grid, dtypes, out=sys.stdout):
    rows = []
    slow = {}          # (d, N, dtype, kind, method) -> True once 10x the best
    for d, N, K, dtype, kind, x, h in cases(grid, dtypes):
        methods = METHODS + (("separable",) if kind == "separable" else ())
        times = {}
        for m in methods:
            key = (d, N, np.dtype(dtype).name, kind, m)
            if slow.get(key):
                continue
            times[m] = cpu_time(lambda: sigconv.convolve(x, h, "same", method=m, workers=1))
        best_m = min(times, key=times.get)
        best = times[best_m]
        for m, t in times.items():
            if m == "direct" and t > 10 * best:
                slow[(d, N, np.dtype(dtype).name, kind, m)] = True
        auto = cpu_time(lambda: sigconv.convolve(x, h, "same", workers=1))
        chosen = auto_method(x, h)
        row = dict(d=d, N=N, K=K, dtype=np.dtype(dtype).name, kind=kind, best=best_m,
                   best_ms=best * 1e3, auto=chosen, auto_ms=auto * 1e3,
                   ratio=auto / best, times={m: t * 1e3 for m, t in times.items()})
        rows.append(row)
        print("%dD N=%-7d K=%-5d %-7s %-9s best %-9s %9.3f ms  auto %-9s %9.3f ms  %.2f" % (
            d, N, K, row["dtype"], kind, best_m, row["best_ms"], chosen, row["auto_ms"],
            row["ratio"]), file=out, flush=True)
    return rows


def markdown(rows):
    lines = ["| dims | N | K | dtype | kernel | fastest | ms | auto took | ms | auto / fastest |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %d | %d | %d | %s | %s | %s | %.3f | %s | %.3f | %.2f |" % (
            r["d"], r["N"], r["K"], r["dtype"], r["kind"], r["best"], r["best_ms"], r["auto"],
            r["auto_ms"], r["ratio"]))
    within = sum(r["ratio"] <= 1.1 for r in rows)
    worst = max(rows, key=lambda r: r["ratio"])
    lines.append("")
    lines.append("%d of %d cases within 1.1x; the worst %.2f (%dD N=%d K=%d %s %s)." % (
        within, len(rows), worst["ratio"], worst["d"], worst["N"], worst["K"], worst["dtype"],
        worst["kind"]))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a few cases (seconds)")
    ap.add_argument("--markdown", help="write the table here")
    ap.add_argument("--json", help="write the times here, in the form of "
                    "docs/_data/method_times.json (the docs' figure)")
    args = ap.parse_args(argv)
    print("sigconv %s, numpy %s, python %s, %s" % (
        sigconv.__version__, np.__version__, platform.python_version(), platform.processor()
        or platform.machine()))
    rows = run(QUICK if args.quick else GRID, (np.float64, np.float32))
    table = markdown(rows)
    print(table.splitlines()[-1])
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    if args.json:
        import json
        machine = ("%s; workers=1; float64 and float32; mode same; CPU time, least of up "
                   "to 5 runs (benchmarks/auto_grid.py)" % (platform.processor()
                                                            or platform.machine()))
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "rows": [as_json(r) for r in rows]}, f, indent=1)


def as_json(row):
    """One row in the form of docs/_data/method_times.json (seconds)."""
    times = {m: t * 1e-3 for m, t in row["times"].items()}
    times["auto"] = row["auto_ms"] * 1e-3
    return {"ndim": row["d"], "N": row["N"], "K": row["K"], "dtype": row["dtype"],
            "kernel": row["kind"] + " kernel", "times": times, "auto_method": row["auto"],
            "auto_over_best": row["ratio"]}


if __name__ == "__main__":
    main()
