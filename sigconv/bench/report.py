"""The report of a run as text, markdown and JSON-ready data, and its figures."""
import sys

from .peers import _C2D, _FFT, _ND, _ND1, _SS_DIRECT

# --------------------------------------------------------------------------
# Reports


def _fmt_time(t):
    if t is None:
        return "-"
    for unit, f in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if t >= f:
            return "%.3g %s" % (t / f, unit)
    return "%.3g ns" % (t * 1e9)


def _fmt(v, spec):
    return "-" if v is None else spec % v


def _status(e):
    if e["status"] == "ok":
        if e["samples"] == 1:
            return "ok (1 call)"
        return "ok"
    return e["status"]


def _busy(env):
    """A warning if other processes competed for the cores during the run."""
    other, steal = env.get("other_cpu"), env.get("steal")
    notes = []
    if other is not None and other > 0.1:
        notes.append("other processes used %.0f%% of the cores' time during the run"
                     % (100 * other))
    if steal is not None and steal > 0.05:
        notes.append("the host took %.0f%% of the cores' time (steal)" % (100 * steal))
    if notes:
        return "; ".join(notes) + ", so timings (multi-threaded ones most) are pessimistic"
    return ""


def format_text(report, file=None):
    """Print the report as plain tables (to ``file``, default stdout)."""
    out = file or sys.stdout
    env = report
    sc = env.get("sigconv", {})
    peaks = env.get("peak_gflops", {})
    print("sigconv %s bench (%s run), %s, %s cores; OpenMP %s, default threads %s"
          % (env["versions"]["sigconv"], env["mode"], env["machine"]["cpu"],
             env["machine"]["cores"], "on" if sc.get("openmp") else "off",
             sc.get("default_threads")), file=out)
    if peaks:
        print("matmul peak: float32 %.0f GFLOP/s, float64 %.0f GFLOP/s (numpy @, n=%s)"
              % (peaks["float32"], peaks["float64"], env.get("peak_n", 0)), file=out)
    busy = _busy(env)
    if busy:
        print("note: " + busy, file=out)
    print("time: median of repeated calls after a warm-up, contenders sampled in "
          "interleaved rounds; ratio = peer time / sigconv time (> 1: sigconv faster)\n",
          file=out)
    head = "%-8s %-44s %3s %10s %8s %8s %6s  %s" % ("id", "contender", "thr", "time",
                                                    "ratio", "GFLOP/s", "%peak", "check")
    print(head, file=out)
    print("-" * len(head), file=out)
    last = None
    for e in report["results"]:
        wid = e["workload"] if e["workload"] != last else ""
        last = e["workload"]
        check_txt = _status(e)
        if e["status"] == "ok":
            check_txt += " " + e["detail"]
        else:
            check_txt += ": " + e["detail"]
        print("%-8s %-44s %3s %10s %8s %8s %6s  %s" % (
            wid, e["label"][:44], _fmt(e["threads"], "%d"),
            _fmt_time(e["seconds"]) if e["status"] == "ok" else "-",
            _fmt(e["ratio"], "%.2f"), _fmt(e["gflops"], "%.1f"),
            _fmt(e["pct_peak"], "%.0f%%"), check_txt), file=out)
    if report["not_run"]:
        print("\nnot run:", file=out)
        for n in report["not_run"]:
            print("  %-8s %s" % (n["workload"], n["reason"]), file=out)
    if report.get("optional"):
        print("\noptional peers skipped: " + ", ".join(
            "%s (%s)" % kv for kv in sorted(report["optional"].items())), file=out)
    for bar in report.get("bars", []):
        print("\nbar: %s" % bar["bar"], file=out)
        for r in bar["rows"]:
            if r["status"] == "not measured":
                print("  %-4s not measured" % r["workload"], file=out)
            else:
                extra = ""
                if r["unmeasured"]:
                    extra = " (not measured here: %s)" % ", ".join(r["unmeasured"])
                print("  %-4s %-6s %6.2fx vs %s%s" % (r["workload"], r["status"], r["ratio"],
                                                      r["against"], extra), file=out)
    if report["failed"]:
        print("\nFAILED: " + "; ".join(report["failed"]), file=out)


def _md_table(rows, header):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


_SUMMARY_ORDER = ("numpy.convolve", _SS_DIRECT, _C2D, _ND, _ND1, "cv2.filter2D",
                  "torch.conv") + _FFT


def slower_than(report):
    """Lines stating where the compared sigconv method is slower than a peer."""
    lines = []
    method = {e["workload"]: e.get("method") for e in report["results"] if e.get("primary")}
    for e in report["results"]:
        if e["kind"] == "peer" and e["ratio"] is not None and e["ratio"] < 1:
            lines.append("%s: %s takes %s, sigconv %s %s: sigconv is %.2fx slower"
                         % (e["workload"], e["label"], _fmt_time(e["seconds"]),
                            method.get(e["workload"]), _fmt_time(e["seconds"] / e["ratio"]),
                            1 / e["ratio"]))
    return lines


def format_markdown(report, command=None):
    """The report as a markdown document (environment, tables per workload, bars)."""
    env = report
    m, v, sc = env["machine"], env["versions"], env.get("sigconv", {})
    peaks = env.get("peak_gflops", {})
    out = ["# sigconv benchmark results", ""]
    out.append("Date: %s. Command: `%s` (%s run: at most %d timed samples or %.1f s "
               "per contender)." % (env["date"], command or "sigconv bench", env["mode"],
                                    env["repeat"], env["budget"]))
    out += ["", "Times are medians of repeated calls after a warm-up call whose result was "
            "checked against a float64 scipy.signal reference; the contenders of a workload "
            "are sampled in interleaved rounds, so load from other processes falls on all "
            "of them alike. **Ratio = peer time / sigconv time** (above 1: sigconv is "
            "faster). GFLOP/s = 2 x outputs x taps / time; % of "
            "peak is against the measured matrix-product peak of the workload's dtype.", ""]
    out += ["## Machine", ""]
    mem = "%.0f GiB" % m["memory_gib"] if m.get("memory_gib") else "?"
    out.append("- CPU: %s, %d cores, %s memory (%s)" % (m["cpu"], m["cores"], mem,
                                                      m["platform"]))
    if peaks:
        out.append("- Matrix-product peak (best numpy `@` call, n = %s): float32 %.0f "
                   "GFLOP/s, float64 %.0f GFLOP/s" % (env["peak_n"], peaks["float32"],
                                                      peaks["float64"]))
    other, steal = env.get("other_cpu"), env.get("steal")
    out.append("- Load average (1 min) before / after the run: %s / %s; during the run "
               "other processes used %s of the cores' time and the host took %s (steal)"
               % (env.get("load_before"), env.get("load_after"),
                  "?" if other is None else "%.1f%%" % (100 * other),
                  "?" if steal is None else "%.1f%%" % (100 * steal)))
    if _busy(env):
        out.append("- **Note:** " + _busy(env))
    out += ["", "## Versions", ""]
    out.append("- python %s, numpy %s, scipy %s" % (v["python"], v["numpy"], v["scipy"]))
    out.append("- sigconv %s: compiler %s, flags `%s`, OpenMP %s, default threads %s "
               "(omp_get_max_threads %s, OMP_NUM_THREADS %s)"
               % (v["sigconv"], sc.get("compiler"), sc.get("flags"),
                  "on" if sc.get("openmp") else "off", sc.get("default_threads"),
                  sc.get("omp_max_threads"), sc.get("OMP_NUM_THREADS") or "unset"))
    for name in ("opencv", "torch", "scikit-image", "threadpoolctl"):
        out.append("- %s %s" % (name, v.get(name) or "not installed"))
    if env.get("threadpools"):
        out.append("- thread pools: " + "; ".join(
            "%s%s (%s threads)" % (p["internal_api"], " " + p["version"] if p.get("version") else "",
                                   p["num_threads"])
            for p in env["threadpools"]))

    by = {}
    for e in report["results"]:
        by.setdefault(e["workload"], []).append(e)
    seen = {e["contender"] for e in report["results"] if e["kind"] == "peer"}
    peer_names = [p for p in _SUMMARY_ORDER if p in seen]
    peer_names += sorted(p for p in seen if p not in peer_names)

    out += ["", "## Summary", "", "Per workload and sigconv method (default threads): "
            "sigconv's time, GFLOP/s (direct method only) and the ratio against each peer "
            "(peer time / that sigconv time; `-` not applicable; `not run` see below).", ""]
    short = {p: p.replace("scipy.signal.", "ss.").replace("scipy.ndimage.", "nd.")
             .replace("[direct]", "(direct)") for p in peer_names}
    rows = []
    for wid, entries in by.items():
        peers = [e for e in entries if e["kind"] == "peer"]
        for base in entries:
            if base["kind"] != "sigconv" or base["contender"].split(":")[2] != \
                    str(report.get("workers") or ""):
                continue
            ok = base["status"] == "ok"
            t = base["seconds"] if ok else None
            row = [wid, base["method"], _fmt_time(t) if ok else base["status"],
                   _fmt(base["gflops"], "%.1f"), _fmt(base["pct_peak"], "%.0f%%")]
            for p in peer_names:
                e = next((x for x in peers if x["contender"] == p), None)
                if e is None or e["status"] == "n/a":
                    row.append("-")
                elif e["status"] == "ok" and t:
                    r = e["seconds"] / t
                    row.append("**%.2f**" % r if r < 1 else "%.2f" % r)
                elif e["status"] in ("not run", "skipped"):
                    row.append("not run")
                else:
                    row.append(e["status"])
            timed = [e for e in peers if e["status"] == "ok"]
            if timed and t:
                best = min(timed, key=lambda e: e["seconds"])
                row.append("%s (%.2f)" % (best["label"], best["seconds"] / t))
            else:
                row.append("-")
            rows.append(row)
    out.append(_md_table(rows, ["id", "method", "sigconv", "GFLOP/s", "% peak"]
                         + [short[p] for p in peer_names] + ["fastest peer (ratio)"]))
    out += ["", "Bold ratios: sigconv is slower than that peer."]

    slow = slower_than(report)
    out += ["", "## Where sigconv is slower than a peer", ""]
    out += ["- " + s for s in slow] if slow else ["Nowhere among the measured peers."]

    out += ["", "## Per workload", ""]
    for wid, entries in by.items():
        out += ["### " + report["workloads"][wid]["description"], ""]
        info = report["workloads"][wid]
        other = info.get("other_cpu")
        if other is not None and other > 0.1:
            out += ["Other processes used %.0f%% of the cores' time while this workload "
                    "ran%s." % (100 * other, " (its second measurement)"
                                if info.get("attempts", 1) > 1 else ""), ""]
        rows = []
        for e in entries:
            ok = e["status"] == "ok"
            rows.append([e["label"], _fmt(e["threads"], "%d"),
                         _fmt_time(e["seconds"]) if ok else "-",
                         _fmt_time(e.get("best")) if ok else "-",
                         _fmt(e.get("samples"), "%d") if ok else "-",
                         _fmt(e["ratio"], "%.2f"), _fmt(e["gflops"], "%.1f"),
                         _fmt(e["pct_peak"], "%.0f%%"),
                         (_status(e) + ", " + e["detail"]) if ok
                         else "%s: %s" % (e["status"], e["detail"])])
        out.append(_md_table(rows, ["contender", "threads", "median", "best", "samples",
                                    "ratio", "GFLOP/s", "% peak", "check"]))
        out.append("")

    cv = [e for e in report["results"] if e["contender"] == "cv2.filter2D"]
    out += ["## Against cv2.filter2D", ""]
    if cv:
        rows = []
        for e in cv:
            mine = [x for x in by[e["workload"]] if x["kind"] == "sigconv"
                    and x["status"] == "ok" and x["contender"].endswith(":")]
            direct = next((x for x in mine if x.get("method") == "direct"), None)
            best = min(mine, key=lambda x: x["seconds"]) if mine else None
            ok = e["status"] == "ok"
            row = [e["workload"], e["label"], _fmt_time(e["seconds"]) if ok else e["status"]]
            for x in (direct, best):
                if x is None or not ok:
                    row += ["-", "-"]
                else:
                    r = e["seconds"] / x["seconds"]
                    row += ["%s %s" % (x["method"], _fmt_time(x["seconds"])),
                            "**%.2f**" % r if r < 1 else "%.2f" % r]
            rows.append(row)
        out.append(_md_table(rows, ["id", "cv2 call", "cv2 time", "sigconv direct",
                                    "ratio", "fastest sigconv", "ratio"]))
        out += ["", "cv2.filter2D correlates, so the kernel is flipped once outside the "
                "timing; its default anchor gives scipy's `same` alignment for odd and even "
                "kernels; 1-D signals are 1 x N images; valid mode keeps the inner part of "
                "its same-size output; it has no wrap border, so I5 pads with `numpy.pad` "
                "(inside the timing) and keeps the valid part. From 130 taps in float32 "
                "and 50 in float64 it filters through a DFT (marked [DFT]), not by direct "
                "summation: there it is an FFT method, to be compared with sigconv's fft or "
                "oa method where sigconv has one."]
    else:
        out.append("cv2.filter2D was not measured (OpenCV is not installed, or no workload "
                   "it applies to was run).")

    out += ["", "## Bars", ""]
    for bar in report.get("bars", []):
        out.append("**%s**" % bar["bar"])
        out.append("")
        rows = []
        for r in bar["rows"]:
            if r["status"] == "not measured":
                rows.append([r["workload"], "not measured", "-", "-"])
            else:
                rows.append([r["workload"], r["status"], "%.2f" % r["ratio"], r["against"]
                             + (" (not measured: %s)" % ", ".join(r["unmeasured"])
                                if r["unmeasured"] else "")])
        out.append(_md_table(rows, ["id", "bar", "ratio", "fastest peer of the bar"]))
        out.append("")

    if report["not_run"] or env.get("optional"):
        out += ["## Not run", ""]
        out += ["- %s: %s" % (n["workload"], n["reason"]) for n in report["not_run"]]
        out += ["- optional peer %s: %s" % kv for kv in sorted(env.get("optional", {}).items())]
        out.append("")
    return "\n".join(out) + "\n"
