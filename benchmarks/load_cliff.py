"""Default threads against one thread while another process keeps a core busy.

    python benchmarks/load_cliff.py                  # every workload, loaded and quiet
    python benchmarks/load_cliff.py --only I4,P1 --repeat 41 --no-quiet

For each workload the script times the same call with the default thread
count (``workers=None``) and with ``workers=1`` in interleaved rounds
(``sigconv.bench.harness.time_calls``, as ``sigconv bench`` times), first
while a busy process it starts itself (``while True: pass``) keeps one core
busy, then without it. It prints the median times and the ratio
default / one thread: under load the ratio should stay at or below 1.2 (no
cliff), on a quiet machine below 1 (threads help) or about 1 (a call too
small for threads). On a machine shared with other work both phases are
noisy; the ratios of interleaved medians are the figures to read.
"""
import argparse
import functools
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sigconv  # noqa: E402
from sigconv.bench.harness import time_calls  # noqa: E402


def _workloads():
    rng = np.random.default_rng(0)

    def arr(shape, dtype):
        return rng.standard_normal(shape).astype(dtype)

    i4 = arr((512, 512), np.float64), arr((5, 5), np.float64)
    a1 = arr(1 << 18, np.float64), arr(63, np.float64)
    i1 = arr((1024, 1024), np.float32), arr((3, 3), np.float32)
    v1 = arr((64, 64, 64), np.float32), arr((3, 3, 3), np.float32)
    p1 = arr((4, 512, 512), np.float32)
    t1 = arr((256, 256), np.float64), arr((9, 9), np.float64)
    n1 = arr((512, 512), np.float32), arr((15, 15), np.float32)
    c1 = arr((8, 1 << 14), np.float64)
    conv, planes = sigconv.convolve, {"axes": (-2, -1)}
    table = {
        # name: (what, function, arguments, keywords); the call adds workers=
        "I4": ("direct 512x512 f64, 5x5 valid", conv, i4, {"mode": "valid", "method": "direct"}),
        "I1": ("direct 1024x1024 f32, 3x3 same", conv, i1, {"mode": "same", "method": "direct"}),
        "V1": ("direct 64^3 f32, 3^3 same", conv, v1, {"mode": "same", "method": "direct"}),
        "A1": ("fft 2**18 f64, K=63 same", conv, a1, {"mode": "same", "method": "fft"}),
        "A1-oa": ("oa 2**18 f64, K=63 same", conv, a1, {"mode": "same", "method": "oa"}),
        "T1": ("toeplitz 256x256 f64, 9x9 same", conv, t1, {"mode": "same", "method": "toeplitz"}),
        "P1": ("max pool (4, 512, 512) f32, 2x2 stride 2", sigconv.max_pool, (p1, 2), planes),
        "P2": ("avg pool (4, 512, 512) f32, 3x3 stride 1", sigconv.pool, (p1, 3, "avg"),
               dict(planes, stride=1)),
        "N1": ("normalized_correlate 512x512 f32, 15x15", sigconv.normalized_correlate, n1, {}),
        "C1": ("autocorrelate 8 x 2**14 f64, maxlag 200, direct", sigconv.autocorrelate, (c1,),
               {"maxlag": 200, "method": "direct", "axes": -1}),
    }
    return {name: (what, functools.partial(_call, f, args, kw))
            for name, (what, f, args, kw) in table.items()}


def _call(f, args, kw, workers):
    return f(*args, workers=workers, **kw)


def measure(call, repeat):
    """Median seconds of the default-thread and the one-thread call, timed side by side."""
    calls = [functools.partial(call, None), functools.partial(call, 1)]
    firsts = []
    for c in calls:
        for _ in range(2):
            c()
        t0 = time.perf_counter()
        c()
        firsts.append(time.perf_counter() - t0)
    # no time budget: `repeat` samples of each
    default, one = time_calls(calls, firsts, budget=1e9, repeat=repeat,
                              min_samples=[repeat, repeat])
    return default["seconds"], one["seconds"]


def run(names, repeat, loaded):
    busy = None
    if loaded:
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.5)
    try:
        work = _workloads()
        rows = []
        for name in names:
            what, call = work[name]
            d, o = measure(call, repeat)
            rows.append((name, what, d, o))
            print("%-6s %-44s default %8.3f ms  1 thread %8.3f ms  ratio %5.2f"
                  % (name, what, d * 1e3, o * 1e3, d / o), flush=True)
        return rows
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--no-quiet", action="store_true", help="skip the unloaded phase")
    parser.add_argument("--no-load", action="store_true", help="skip the loaded phase")
    args = parser.parse_args(argv)
    names = list(_workloads())
    if args.only:
        names = [n.strip() for n in args.only.split(",")]
    print("cores available: %d; sigconv from %s"
          % (len(os.sched_getaffinity(0)), os.path.dirname(sigconv.__file__)))
    if not args.no_load:
        print("-- one core kept busy by another process")
        run(names, args.repeat, True)
    if not args.no_quiet:
        print("-- no busy process started (other users' load, if any, remains)")
        run(names, args.repeat, False)


if __name__ == "__main__":
    main()
