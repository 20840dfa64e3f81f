#!/usr/bin/env python3
"""Differential fuzzing of sigconv against slow references (tests/_fuzz.py).

Runs hypothesis-generated cases for every public function and prints a
summary: cases per function, mismatches (with a command that replays each),
and the cases that hit a known open defect. The exit status is 1 when there
is a mismatch.

    python scripts/fuzz.py                      # 100,000 cases
    python scripts/fuzz.py -n 5000 --seed 7     # fewer, another seed
    python scripts/fuzz.py --only convolve,pool
    python scripts/fuzz.py --replay '<case JSON printed by a run>'

Run it from the repository root (sigconv importable from the tree).
"""
import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

import _fuzz  # noqa: E402


def run_function(fn, n, rng_seed, record, deadline):
    @seed(rng_seed)
    @settings(max_examples=n, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(_fuzz.cases(fn))
    def body(case):
        if time.monotonic() > deadline:
            return
        record(fn, case, _fuzz.run_case(case))
    body()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--cases", type=int, default=100_000, help="total cases (default 100000)")
    ap.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    ap.add_argument("--only", default="", help="comma-separated functions to fuzz")
    ap.add_argument("--replay", help="a case's JSON: run it alone and print the verdict")
    ap.add_argument("--max-minutes", type=float, default=0,
                    help="stop generating after this many minutes (0: no limit)")
    ap.add_argument("--show", type=int, default=20, help="mismatches printed per function")
    args = ap.parse_args(argv)

    if args.replay:
        case = json.loads(args.replay)
        verdict = _fuzz.run_case(case)
        print(verdict.status, verdict.message)
        return 1 if verdict.status == "mismatch" else 0

    plan = _fuzz.share(args.cases)
    if args.only:
        names = args.only.split(",")
        unknown = [n for n in names if n not in plan]
        if unknown:
            ap.error("unknown functions %s (known: %s)" % (unknown, ", ".join(plan)))
        total = sum(plan[n] for n in names)
        plan = {n: max(1, round(args.cases * plan[n] / total)) for n in names}

    counts = defaultdict(Counter)
    mismatches = defaultdict(list)
    expected = defaultdict(Counter)

    def record(fn, case, verdict):
        counts[fn][verdict.status] += 1
        if verdict.status == "mismatch":
            mismatches[fn].append((case, verdict.message))
        elif verdict.status == "expected":
            expected[fn][verdict.message.split("]")[0].strip("[")] += 1

    start = time.monotonic()
    deadline = start + args.max_minutes * 60 if args.max_minutes else float("inf")
    for i, (fn, n) in enumerate(plan.items()):
        t0 = time.monotonic()
        try:
            run_function(fn, n, args.seed + i, record, deadline)
        except Exception as exc:  # the generator failed: report it, go on
            counts[fn]["mismatch"] += 1
            mismatches[fn].append(({"fn": fn}, "the case generator failed: %r" % (exc,)))
        c = counts[fn]
        print("%-22s %7d cases  %6d ok  %5d expected  %4d mismatches  %6.1f s"
              % (fn, sum(c.values()), c["ok"], c["expected"], c["mismatch"],
                 time.monotonic() - t0), flush=True)

    total = sum(sum(c.values()) for c in counts.values())
    bad = sum(len(v) for v in mismatches.values())
    print("\n%d cases in %.0f s: %d mismatches, %d expected (known open defects)"
          % (total, time.monotonic() - start, bad,
             sum(sum(c.values()) for c in expected.values())))
    if expected:
        reasons = {name: reason for name, _, reason in _fuzz.KNOWN}
        kinds = Counter()
        for c in expected.values():
            kinds.update(c)
        for name, k in kinds.items():
            print("  expected %-26s %6d  (%s)" % (name, k, reasons.get(name, "")))
    for fn, items in mismatches.items():
        print("\n== %s: %d mismatches" % (fn, len(items)))
        for case, msg in items[:args.show]:
            print("  %s\n    %s" % (msg, _fuzz.reproducer(case)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
