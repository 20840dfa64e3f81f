"""sigconv's direct method on every convolution workload, standard and extra sizes.

One benchmark group per workload id; the peers of the group are in
``test_peers.py``.
"""
import pytest

from sigconv import bench
from sigconv._threads import resolve_workers

CONV = [w for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS
        if w.kind == "convolve" and "direct" in w.methods]


@pytest.mark.parametrize("workers", [None, 1], ids=["default-threads", "1-thread"])
@pytest.mark.parametrize("workload_id", [w.id for w in CONV])
def test_direct(measure, prepared, runnable, workload_id, workers):
    w = bench.get(workload_id)
    if "direct" not in runnable(w):
        pytest.skip("sigconv has no direct method")
    threads = resolve_workers(workers, w.flops // 2)
    if workers == 1 and resolve_workers(None, w.flops // 2) == 1:
        pytest.skip("the default already runs this workload on one thread")
    w, x, k, reference, scale = prepared(workload_id)
    label = "sigconv.convolve[direct]" + ("" if workers is None else " workers=1")
    measure(w, label, w.sigconv_call("direct", x, k, workers), threads,
            reference, scale, check_dtype=True, direct=True)
