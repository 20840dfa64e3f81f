"""Default threads against one thread while another process keeps a core busy.

    python benchmarks/load_cliff.py                  # every workload, loaded and quiet
    python benchmarks/load_cliff.py --only I4,P1 --repeat 41 --no-quiet

For each workload the script times the same call with the default thread
count (``workers=None``) and with ``workers=1``, alternating the two, first
while a busy process it starts itself (``while True: pass``) keeps one core
busy, then without it. It prints the median times and the ratio
default / one thread: under load the ratio should stay at or below 1.2 (no
cliff), on a quiet machine below 1 (threads help) or about 1 (a call too
small for threads). On a machine shared with other work both phases are
noisy; the ratios of interleaved medians are the figures to read.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sigconv  # noqa: E402


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
    return {
        # name: (what, call taking workers)
        "I4": ("direct 512x512 f64, 5x5 valid",
               lambda w: sigconv.convolve(*i4, mode="valid", method="direct", workers=w)),
        "I1": ("direct 1024x1024 f32, 3x3 same",
               lambda w: sigconv.convolve(*i1, mode="same", method="direct", workers=w)),
        "V1": ("direct 64^3 f32, 3^3 same",
               lambda w: sigconv.convolve(*v1, mode="same", method="direct", workers=w)),
        "A1": ("fft 2**18 f64, K=63 same",
               lambda w: sigconv.convolve(*a1, mode="same", method="fft", workers=w)),
        "A1-oa": ("oa 2**18 f64, K=63 same",
                  lambda w: sigconv.convolve(*a1, mode="same", method="oa", workers=w)),
        "T1": ("toeplitz 256x256 f64, 9x9 same",
               lambda w: sigconv.convolve(*t1, mode="same", method="toeplitz", workers=w)),
        "P1": ("max pool (4, 512, 512) f32, 2x2 stride 2",
               lambda w: sigconv.max_pool(p1, 2, axes=(-2, -1), workers=w)),
        "P2": ("avg pool (4, 512, 512) f32, 3x3 stride 1",
               lambda w: sigconv.pool(p1, 3, "avg", stride=1, axes=(-2, -1), workers=w)),
        "N1": ("normalized_correlate 512x512 f32, 15x15",
               lambda w: sigconv.normalized_correlate(*n1, workers=w)),
        "C1": ("autocorrelate 8 x 2**14 f64, maxlag 200, direct",
               lambda w: sigconv.autocorrelate(c1, maxlag=200, method="direct", axes=-1,
                                               workers=w)),
    }


def _time(call, workers):
    t0 = time.perf_counter()
    call(workers)
    return time.perf_counter() - t0


def measure(call, repeat):
    """Median seconds of the default-thread and the one-thread call, interleaved."""
    for _ in range(3):
        call(None)
        call(1)
    default, one = [], []
    for i in range(repeat):
        # alternate which goes first, so neither always follows the other
        order = (None, 1) if i % 2 == 0 else (1, None)
        for w in order:
            (default if w is None else one).append(_time(call, w))
    return statistics.median(default), statistics.median(one)


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
