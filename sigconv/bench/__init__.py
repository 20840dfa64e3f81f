"""The standard workloads of sigconv and the harness that measures them.

Every workload of the project's workload list is defined once, in
:data:`WORKLOADS` (:mod:`sigconv.bench.workloads`): its inputs, the sigconv
call, the reference it is checked against (:mod:`sigconv.bench.references`)
and the peers that compute the same thing (:mod:`sigconv.bench.peers`; the
filter banks' in :mod:`sigconv.bench.banks`).
``sigconv bench`` (:mod:`sigconv.cli`) and the pytest-benchmark files in
``benchmarks/`` both read this table, so a new workload, method or peer is
one entry there.

Each contender (a sigconv method or a peer) is called once as a warm-up; that
result is checked against the reference (float64, computed once per
workload) and only a matching result is timed. The time is the median of
repeated calls within a time budget per contender; the contenders of a
workload are sampled in interleaved rounds (:mod:`sigconv.bench.harness`),
so that load from other processes falls on all of them alike. Ratios are
``peer time / sigconv time``: above 1 means sigconv is faster. The report
is a JSON-ready dict, printed or written by :mod:`sigconv.bench.report` and
drawn by :mod:`sigconv.bench.plot`, with the scaling sweep of
:mod:`sigconv.bench.scaling` when asked for.

Examples
--------
>>> from sigconv import bench
>>> w = bench.get("A5")
>>> w.describe()
'A5  small call (overhead): x 4096, K=16, float64, full'
>>> x, k = w.inputs()
>>> ok, detail = bench.check(w, w.sigconv_call("direct", x, k)(), w.reference(x, k),
...                          w.scale(x, k))
>>> ok
True
"""
from .harness import (environment, evaluate_bars, matmul_peak, run, time_call, time_calls,
                      wait_quiet)
from .peers import PEERS, Peer
from .references import NotApplicable, check, tolerance
from .report import format_markdown, format_text, slower_than
from .workloads import (BARS, EXTRA_WORKLOADS, RELATIVE_BARS, WORKLOADS, Workload, get,
                        select)

__all__ = ["Workload", "WORKLOADS", "EXTRA_WORKLOADS", "PEERS", "Peer", "BARS",
           "RELATIVE_BARS", "get", "select", "check", "tolerance", "time_call", "time_calls",
           "matmul_peak", "wait_quiet", "environment", "evaluate_bars", "run", "format_text",
           "format_markdown", "slower_than", "NotApplicable"]
