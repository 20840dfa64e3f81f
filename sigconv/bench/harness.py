"""Timing, the machine's state and the run of a set of workloads.

:func:`run` checks every contender of each workload against its reference
and times the matching ones side by side (:func:`time_calls`: interleaved
rounds, so load from other processes falls on all of them alike); the
``/proc`` probes (:func:`wait_quiet`, the other processes' share of the cores
during each workload) say how quiet the machine was.
"""
import datetime
import gc
import importlib
import math
import os
import platform
import random
import statistics
import time

import numpy as np

from .peers import PEERS
from .references import NotApplicable, check
from .workloads import BARS, RELATIVE_BARS, _KIND_FUNCS, get

# --------------------------------------------------------------------------
# Timing

#: calls shorter than this are timed in loops of several calls per sample
MIN_SAMPLE = 2e-3


def time_calls(calls, firsts, budget, repeat, min_samples=None):
    """Median seconds of each of ``calls``, timed side by side.

    Each call has had a warm-up call taking ``firsts[i]`` seconds. A call
    gets samples until ``budget`` seconds of its own are spent or ``repeat``
    samples exist, but at least ``min_samples[i]``; calls shorter than
    :data:`MIN_SAMPLE` are looped within a sample. The samples of all calls
    are taken in interleaved rounds, so a burst of load from other processes
    hits every contender alike instead of one of them, each round in its own
    order (a seeded shuffle), so no contender always runs right after the
    same one (whose freed memory or cache state it would inherit). A warm-up that alone
    exceeds the budget is that call's only sample (a call that long has
    nothing left to warm).

    Returns
    -------
    list of dict
        Per call: ``seconds`` (median), ``best`` (fastest sample),
        ``samples``, ``number`` (calls per sample) and ``spread``
        (interquartile range / median, None below 4 samples).
    """
    min_samples = min_samples or [1] * len(calls)
    plans = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for fn, first, least in zip(calls, firsts, min_samples):
            if first >= budget:
                plans.append({"times": [first], "number": 1, "target": 1, "fn": fn})
                continue
            t0 = time.perf_counter()
            fn()
            est = max(time.perf_counter() - t0, 1e-9)
            number = max(1, int(math.ceil(MIN_SAMPLE / est)))
            target = max(least, min(repeat, int(budget / (est * number))))
            plans.append({"times": [est] if number == 1 else [], "number": number,
                          "target": target, "fn": fn})
        rounds = max((p["target"] for p in plans), default=0)
        order = random.Random(0)
        for r in range(rounds):
            for p in order.sample(plans, len(plans)):
                # spread each call's samples evenly over the rounds
                while len(p["times"]) < math.ceil((r + 1) * p["target"] / rounds):
                    fn, number = p["fn"], p["number"]
                    t0 = time.perf_counter()
                    for _ in range(number):
                        fn()
                    p["times"].append((time.perf_counter() - t0) / number)
    finally:
        if gc_was:
            gc.enable()
    results = []
    for p in plans:
        times = p["times"]
        med = statistics.median(times)
        spread = None
        if len(times) >= 4:
            q = statistics.quantiles(times, n=4)
            spread = (q[2] - q[0]) / med if med else None
        results.append({"seconds": med, "best": min(times), "samples": len(times),
                        "number": p["number"], "spread": spread})
    return results


def time_call(fn, first, budget, repeat, min_samples=1):
    """:func:`time_calls` for one call."""
    return time_calls([fn], [first], budget, repeat, [min_samples])[0]


def matmul_peak(dtype, sizes=(2048,), seconds=1.5):
    """Best GFLOP/s of ``a @ b`` on square matrices of ``dtype`` (``2 n^3`` flops).

    Each size in ``sizes`` is called for about ``seconds`` after a warm-up;
    the best single call counts (a peak, not a typical speed).
    """
    rng = np.random.default_rng(0)
    best = 0.0
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=dtype)
        b = rng.standard_normal((n, n), dtype=dtype)
        a @ b
        start = time.perf_counter()
        for _ in range(20):
            t0 = time.perf_counter()
            a @ b
            t = time.perf_counter() - t0
            best = max(best, 2.0 * n ** 3 / t / 1e9)
            if time.perf_counter() - start > seconds:
                break
    return best


# --------------------------------------------------------------------------
# Environment


def _cpu_model():
    """CPU model name, family/model numbers and vector extensions (Linux), else the platform's."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break                       # the first processor is enough
                key, _, value = line.partition(":")
                info[key.strip().lower()] = value.strip()
    except OSError:
        return platform.processor() or platform.machine()
    name = info.get("model name") or platform.processor() or platform.machine()
    extra = []
    if "cpu family" in info:
        extra.append("family %s model %s" % (info["cpu family"], info.get("model", "?")))
    flags = info.get("flags", "").split()
    isa = [f for f in ("avx512f", "avx2", "fma", "neon") if f in flags]
    if isa:
        extra.append(" ".join(isa))
    return name + (" (%s)" % ", ".join(extra) if extra else "")


def _memory_gib():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (AttributeError, ValueError, OSError):
        return None


def _optional(module):
    """``(module or None, reason)``."""
    try:
        return importlib.import_module(module), None
    except Exception as exc:  # ImportError, or a broken install
        return None, "not installed" if isinstance(exc, ImportError) else repr(exc)


def _load():
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _cpu_snapshot():
    """(wall s, busy CPU s of the machine, CPU s of this process, CPU s stolen by the host)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        return None
    # user nice system idle iowait irq softirq steal
    busy = (sum(fields[:3]) + fields[5] + fields[6]) / ticks
    steal = fields[7] / ticks if len(fields) > 7 else 0.0
    t = os.times()
    return time.perf_counter(), busy, t.user + t.system, steal


def _other_cpu(start, end, cores):
    """Fractions of the cores' time used by other processes, and stolen by the
    host (a virtual machine's neighbours), between two snapshots."""
    if start is None or end is None:
        return None, None
    wall = end[0] - start[0]
    if wall <= 0:
        return None, None
    other = (end[1] - start[1]) - (end[2] - start[2])
    steal = end[3] - start[3]
    return (max(0.0, min(1.0, other / (wall * cores))),
            max(0.0, min(1.0, steal / (wall * cores))))


def environment(peaks=True, peak_sizes=(2048,)):
    """Machine, versions, sigconv's build and thread state, matmul peaks."""
    import scipy
    import sigconv
    from sigconv._ext._buildinfo import build_info, omp_max_threads
    from sigconv._threads import cpu_count, resolve_workers
    env = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu_model(), "cores": cpu_count(),
                    "memory_gib": _memory_gib(), "platform": platform.platform()},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scipy": scipy.__version__, "sigconv": sigconv.__version__},
        "sigconv": dict(build_info(), default_threads=resolve_workers(None),
                        omp_max_threads=omp_max_threads(),
                        OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS")),
        "optional": {},
        "load_before": _load(),
    }
    for label, module, attr in (("opencv", "cv2", "__version__"),
                                ("torch", "torch", "__version__"),
                                ("scikit-image", "skimage", "__version__"),
                                ("threadpoolctl", "threadpoolctl", "__version__")):
        mod, why = _optional(module)
        env["versions"][label] = getattr(mod, attr, "?") if mod else None
        if mod is None:
            env["optional"][label] = why
    tpc, _ = _optional("threadpoolctl")
    if tpc is not None:
        env["threadpools"] = [
            {k: info.get(k) for k in ("user_api", "internal_api", "prefix", "num_threads",
                                      "version")}
            for info in tpc.threadpool_info()]
    if peaks:
        env["peak_gflops"] = {d: matmul_peak(d, peak_sizes) for d in ("float32", "float64")}
        env["peak_n"] = "/".join(str(n) for n in peak_sizes)
    return env


# --------------------------------------------------------------------------
# Running


def _entry(w, contender, label, kind, threads):
    return {"workload": w.id, "contender": contender, "label": label, "kind": kind,
            "threads": threads, "status": None, "detail": "", "seconds": None,
            "samples": None, "gflops": None, "pct_peak": None, "ratio": None}


def _warm_and_check(e, w, call, reference, scale):
    """Call once (the warm-up) and check the result; returns the call's seconds
    if it matched, else None with ``e``'s status saying why."""
    try:
        t0 = time.perf_counter()
        out = call()
        first = time.perf_counter() - t0
    except NotApplicable as exc:
        e.update(status="n/a", detail=str(exc))
        return None
    except Exception as exc:  # a failing contender is reported, not fatal
        e.update(status="error", detail="%s: %s" % (type(exc).__name__, str(exc)[:200]))
        return None
    ok, detail = check(w, out, reference, scale)
    if ok and e["kind"] == "sigconv" and w.convolves \
            and np.asarray(out).dtype != np.dtype(w.dtype):
        ok, detail = False, "dtype %s, expected %s" % (np.asarray(out).dtype, w.dtype)
    del out
    e["detail"] = detail
    e["status"] = "ok" if ok else "MISMATCH"
    return first if ok else None


def wait_quiet(max_wait, threshold=0.1, probe=1.0, settle=3):
    """Wait up to ``max_wait`` seconds until other processes have used less
    than ``threshold`` of the cores' time for ``settle`` probes of ``probe``
    seconds in a row.

    Returns the last measured fraction (None where /proc/stat is missing).
    """
    cores = os.cpu_count() or 1
    deadline = time.perf_counter() + max_wait
    calm = 0
    while True:
        start = _cpu_snapshot()
        time.sleep(probe)
        other, _ = _other_cpu(start, _cpu_snapshot(), cores)
        if other is None:
            return None
        calm = calm + 1 if other < threshold else 0
        if calm >= settle or time.perf_counter() >= deadline:
            return other


#: a workload during which other processes used more than this share of the
#: cores is measured again (once) when waiting for quiet is asked for
BUSY = 0.2


def run(workloads, *, full=False, repeat=None, budget=None, workers=None, explicit=False,
        progress=None, env=None, quiet_wait=0, done=None):
    """Measure ``workloads``; returns the report (a JSON-serialisable dict).

    The matrix-product peak is measured at the start and again at the end;
    the higher of the two counts.

    Parameters
    ----------
    workloads : list of Workload
    full : bool
        Run slow peers and workloads that are slow by the available method,
        and sigconv on one thread besides the default.
    repeat : int, optional
        Most timed samples per contender (default 7, full run 15).
    budget : float, optional
        Seconds of timing per contender after its warm-up call (default 0.4,
        full run 2).
    workers : int, optional
        sigconv's ``workers`` (default: the library's choice).
    explicit : bool
        The workloads were named by the user: run full-only ones too.
    progress : callable, optional
        Called with one line per step (``"[3/10] I2 scipy.ndimage.convolve"``).
    env : dict, optional
        :func:`environment` output to include (computed if None).
    quiet_wait : float
        Before each workload, wait up to this many seconds for other
        processes to leave the cores (:func:`wait_quiet`), and measure a
        workload again (once) if they used more than :data:`BUSY` of the
        cores' time during it; 0 does neither.
    done : callable, optional
        Called with each workload when it is finished or skipped (a
        progress bar's step).
    """
    repeat = repeat or (15 if full else 7)
    budget = budget or (2.0 if full else 0.4)
    report = env if env is not None else environment(
        peak_sizes=(2048, 4096) if full else (2048,))
    report.update(mode="full" if full else "quick", repeat=repeat, budget=budget,
                  workers=workers, results=[], not_run=[], workloads={})
    report.setdefault("optional", {})
    say = progress or (lambda line: None)
    peaks = report.get("peak_gflops", {})
    cores = report["machine"]["cores"]
    run_start = _cpu_snapshot()
    for i, w in enumerate(workloads, 1):
        _run_workload(report, w, "[%d/%d] %s" % (i, len(workloads), w.id), say, full=full,
                      explicit=explicit, workers=workers, budget=budget, repeat=repeat,
                      quiet_wait=quiet_wait)
        if done is not None:
            done(w)
    report["load_after"] = _load()
    report["other_cpu"], report["steal"] = _other_cpu(run_start, _cpu_snapshot(), cores)
    if peaks and report["results"]:
        # measured again at the end: a peak taken while others used the cores
        # would understate it; the higher of the two counts
        if quiet_wait:
            wait_quiet(quiet_wait)
        sizes = tuple(int(n) for n in str(report.get("peak_n", "2048")).split("/"))
        for d in peaks:
            peaks[d] = max(peaks[d], matmul_peak(d, sizes))
        for e in report["results"]:
            if e.get("gflops") is not None:
                e["pct_peak"] = 100.0 * e["gflops"] / peaks[_dtype_of(report, e)]
    report["bars"] = evaluate_bars(report)
    report["failed"] = [e["label"] + " on " + e["workload"] for e in report["results"]
                        if e["kind"] == "sigconv" and e["status"] != "ok"]
    return report


def _run_workload(report, w, tag, say, *, full, explicit, workers, budget, repeat,
                  quiet_wait):
    """Measure one workload into ``report`` (its entries, or why it was not run)."""
    report["workloads"][w.id] = {"description": w.describe(), "flops": w.flops,
                                 "standard": w.standard}
    methods, why = w.sigconv_methods()
    if not methods:
        report["not_run"].append({"workload": w.id, "reason": why})
        say("%s skipped: %s" % (tag, why))
        return
    slow = w.full_only()
    if slow and not (full or explicit):
        report["not_run"].append({"workload": w.id, "reason": slow})
        say("%s skipped: %s" % (tag, slow))
        return
    if quiet_wait:
        other = wait_quiet(quiet_wait)
        if other is not None and other >= 0.1:
            say("%s other processes still use %.0f%% of the cores" % (tag, 100 * other))
    say("%s inputs and reference" % tag)
    x, k = w.inputs()
    try:
        reference = w.reference(x, k)
        scale = w.scale(x, k)
    except Exception as exc:
        report["not_run"].append({"workload": w.id, "reason": "reference: %r" % exc})
        return
    for attempt in (1, 2):
        w_start = _cpu_snapshot()
        entries = _measure_workload(w, methods, x, k, reference, scale, full=full,
                                    workers=workers, budget=budget, repeat=repeat,
                                    say=lambda line: say(tag + " " + line),
                                    missing=report["optional"])
        _finish(w, entries, report.get("peak_gflops", {}))
        other, steal = _other_cpu(w_start, _cpu_snapshot(), report["machine"]["cores"])
        report["workloads"][w.id].update(other_cpu=other, steal=steal, attempts=attempt)
        if not quiet_wait or other is None or other <= BUSY or attempt == 2:
            break
        say("%s other processes used %.0f%% of the cores: measuring again"
            % (tag, 100 * other))
        wait_quiet(quiet_wait)
    report["results"].extend(entries)
    del x, k, reference
    gc.collect()


def _measure_workload(w, methods, x, k, reference, scale, *, full, workers, budget, repeat,
                      say, missing):
    """Check and time sigconv's methods and the peers on one workload; returns the entries."""
    from sigconv._threads import resolve_workers
    entries = []
    timed = []       # (entry, call, warm-up seconds) of the matching contenders
    work = w.flops // 2 if w.flops else None
    runs = [(m, workers) for m in methods]
    if full and w.kind in ("convolve", "pool") and resolve_workers(workers, work) > 1:
        runs.append((methods[0], 1))
    for m, nw in runs:
        func = {"correlate": "correlate", "convolver": "Convolver"}.get(w.via,
                                                                       _KIND_FUNCS[w.kind])
        label = "sigconv.%s[%s]" % (func, m)
        if nw is not None:
            label += " workers=%d" % nw
        threads = resolve_workers(nw, work)
        say("%s ..." % label)
        e = _entry(w, "sigconv:%s:%s" % (m, nw or ""), label, "sigconv", threads)
        e["method"] = m
        e["primary"] = (m == methods[0] and nw == workers)
        call = w.sigconv_call(m, x, k, nw)
        first = _warm_and_check(e, w, call, reference, scale)
        if first is not None:
            timed.append((e, call, first))
        entries.append(e)
    for name in w.peers:
        peer = PEERS[name]
        e = _entry(w, name, name, "peer", None)
        if name in w.skip_peers:
            e.update(status="not run", detail=w.skip_peers[name])
            entries.append(e)
            continue
        if name in w.slow_peers and not full:
            e.update(status="not run", detail=w.slow_peers[name])
            entries.append(e)
            continue
        mod, why = _optional(peer.module)
        if mod is None:
            e.update(status="skipped", detail="%s %s" % (peer.module, why))
            missing.setdefault(peer.module.split(".")[0], why)
            entries.append(e)
            continue
        try:
            e["label"], call = peer.prepare(w, x, k)
        except NotApplicable as exc:
            e.update(status="n/a", detail=str(exc))
            entries.append(e)
            continue
        except Exception as exc:  # a peer that fails to set up is reported, not fatal
            e.update(status="error", detail="%s: %s" % (type(exc).__name__, str(exc)[:200]))
            entries.append(e)
            continue
        e["threads"] = peer.threads()
        say("%s ..." % e["label"])
        first = _warm_and_check(e, w, call, reference, scale)
        if first is not None:
            timed.append((e, call, first))
        entries.append(e)
    if timed:
        say("timing %d contenders side by side ..." % len(timed))
        results = time_calls([c for _, c, _ in timed], [f for _, _, f in timed], budget,
                             repeat, [3 if e["kind"] == "sigconv" else 1
                                      for e, _, _ in timed])
        for (e, _, _), res in zip(timed, results):
            e.update(res)
    return entries


def _dtype_of(report, e):
    return get(e["workload"]).dtype


def _finish(w, entries, peaks):
    """Fill in ratios against the compared sigconv method, and GFLOP/s and % of
    peak for sigconv's direct method (the only contender known to do the
    ``2 x outputs x taps`` flops; an FFT would show a meaningless rate)."""
    base = next((e for e in entries if e.get("primary")), None)
    base_t = base["seconds"] if base and base["status"] == "ok" else None
    for e in entries:
        t = e["seconds"]
        if t is None or e["status"] != "ok":
            continue
        if w.flops and e.get("method") == "direct":
            e["gflops"] = w.flops / t / 1e9
            if peaks.get(w.dtype):
                e["pct_peak"] = 100.0 * e["gflops"] / peaks[w.dtype]
        if base_t and not e.get("primary"):
            e["ratio"] = t / base_t


def evaluate_bars(report):
    """Each bar per workload: met, missed or not measured."""
    out = []
    by = {}
    for e in report["results"]:
        by.setdefault(e["workload"], []).append(e)
    for bar in BARS:
        rows = []
        for wid in (i for i in bar.ids if i in by):
            entries = by.get(wid, [])
            base = next((e for e in entries if e.get("primary") and e.get("method") == bar.method
                         and e["status"] == "ok"), None)
            peers = [e for e in entries if e["contender"] in bar.peers and e["status"] == "ok"]
            if base is None or not peers:
                rows.append({"workload": wid, "status": "not measured"})
                continue
            best = min(peers, key=lambda e: e["seconds"])
            ratio = best["seconds"] / base["seconds"]
            met = ratio > bar.factor if bar.factor == 1.0 else ratio >= bar.factor
            rows.append({"workload": wid, "status": "met" if met else "MISSED",
                         "ratio": ratio, "against": best["label"],
                         "unmeasured": [e["contender"] for e in entries
                                        if e["contender"] in bar.peers
                                        and e["status"] in ("not run", "skipped")]})
        if rows:
            out.append({"bar": bar.text, "factor": bar.factor, "rows": rows})
    for bar in RELATIVE_BARS:
        if bar.id not in by and bar.base_id not in by:
            continue
        times = {}
        for wid in (bar.id, bar.base_id):
            base = next((e for e in by.get(wid, []) if e.get("primary")
                         and e["status"] == "ok"), None)
            times[wid] = base["seconds"] if base else None
        if None in times.values():
            row = {"workload": bar.id, "status": "not measured"}
        else:
            ratio = times[bar.id] / times[bar.base_id]
            row = {"workload": bar.id, "status": "met" if ratio <= bar.factor else "MISSED",
                   "ratio": ratio, "against": "sigconv on %s" % bar.base_id,
                   "unmeasured": []}
        out.append({"bar": bar.text, "factor": bar.factor, "rows": [row]})
    return out

