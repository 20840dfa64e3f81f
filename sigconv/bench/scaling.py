"""A small scaling sweep: time against N and against K per method, and where they cross.

The sweep convolves 1-D float64 signals (``mode='same'``, one thread, so that
other processes on a shared machine disturb it least) with sigconv's
``direct``, ``fft`` and ``oa`` methods, once at a fixed kernel length
over a range of signal lengths and once at a fixed signal length over a
range of kernel lengths. Each point is the fastest of a few calls timed side
by side (:func:`~sigconv.bench.harness.time_calls`; the fastest, as on a
shared machine it is the least disturbed); the whole sweep takes a few
seconds. :func:`crossovers` finds where one method's time curve
crosses another's (interpolated on log-log axes), which is what
``method='auto'`` has to get right.

>>> crossovers([10, 100, 1000], {"direct": [1.0, 2.0, 8.0], "fft": [4.0, 4.0, 4.0]})
[{'methods': ['direct', 'fft'], 'at': 316.2...}]
"""
import math

import numpy as np

from .harness import time_calls

METHODS = ("direct", "fft", "oa")
#: signal lengths at a fixed kernel length, and kernel lengths at a fixed signal length
N_RANGE = tuple(2 ** p for p in range(8, 19, 2))
K_FIXED = 63
K_RANGE = (3, 9, 27, 63, 127, 255, 511, 1023)
N_FIXED = 2 ** 15


def _times(pairs, budget, repeat):
    """Per method, the best seconds of ``convolve(x, k, 'same', method)`` for each (n, k)."""
    import sigconv
    rng = np.random.default_rng(0)
    out = {m: [] for m in METHODS}
    for n, k in pairs:
        x = rng.standard_normal(n)
        w = rng.standard_normal(k)
        calls = [(lambda m=m: sigconv.convolve(x, w, "same", method=m, workers=1))
                 for m in METHODS]
        for call in calls:
            call()                                  # warm-up
        res = time_calls(calls, [0.0] * len(calls), budget, repeat, [3] * len(calls))
        for m, r in zip(METHODS, res):
            out[m].append(r["best"])
    return out


def crossovers(xs, seconds):
    """Where the time curves of two methods cross, interpolated in log-log.

    ``seconds`` maps a method to its times at ``xs``; one entry per crossing
    of each pair of methods, ``at`` in the units of ``xs``.
    """
    names = list(seconds)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            d = [math.log(ta / tb) for ta, tb in zip(seconds[a], seconds[b])]
            for j in range(len(d) - 1):
                if d[j] == 0 or d[j] * d[j + 1] < 0:
                    la, lb = math.log(xs[j]), math.log(xs[j + 1])
                    t = d[j] / (d[j] - d[j + 1])
                    found.append({"methods": [a, b], "at": math.exp(la + t * (lb - la))})
    return found


def sweep(n_range=N_RANGE, k_fixed=K_FIXED, k_range=K_RANGE, n_fixed=N_FIXED,
          budget=0.05, repeat=7):
    """Time the methods against N and against K; a JSON-ready dict for the report."""
    vs_n = _times([(n, k_fixed) for n in n_range], budget, repeat)
    vs_k = _times([(n_fixed, k) for k in k_range], budget, repeat)
    return {"dtype": "float64", "mode": "same", "methods": list(METHODS), "workers": 1,
            "vs_n": {"k": k_fixed, "n": list(n_range), "seconds": vs_n,
                     "crossovers": crossovers(list(n_range), vs_n)},
            "vs_k": {"n": n_fixed, "k": list(k_range), "seconds": vs_k,
                     "crossovers": crossovers(list(k_range), vs_k)}}
