"""sigconv.pool on the pooling workloads (P1, P2, P3 and the extra P2-15).

``test_methods.py`` times sigconv.pool with the default threads and
``test_peers.py`` the peers (torch, skimage.measure.block_reduce,
scipy.ndimage.maximum_filter, numpy), each in the workload's group; here
sigconv.pool on one thread joins the group, and one benchmark checks the bar
that a 15x15 sliding maximum costs at most 1.5 times a 3x3 one (van Herk /
widening: the cost does not grow with the window).
"""
import pytest

from sigconv import bench
from sigconv._threads import resolve_workers

POOL = [w for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS if w.kind == "pool"]


@pytest.mark.parametrize("workload_id", [w.id for w in POOL])
def test_pool_one_thread(measure, prepared, runnable, workload_id):
    w = bench.get(workload_id)
    runnable(w)
    if resolve_workers(None, 1 << 30) == 1:
        pytest.skip("the default already runs on one thread")
    w, x, k, reference, scale = prepared(workload_id)
    measure(w, "sigconv.pool workers=1", w.sigconv_call("auto", x, k, 1), 1, reference, scale,
            check_dtype=True)


def test_sliding_max_15_within_1_5x_of_3(benchmark, prepared, runnable):
    """P2-15 / P2, both timed side by side in interleaved rounds."""
    small, large = bench.get("P2"), bench.get("P2-15")
    runnable(small)
    _, x, k, ref3, scale = prepared("P2")
    call3 = small.sigconv_call("auto", x, k)
    call15 = large.sigconv_call("auto", x, k)       # same input (both 2048 x 2048 float32)
    ok, detail = bench.check(small, call3(), ref3, scale)
    assert ok, detail
    t3, t15 = bench.time_calls([call3, call15], [0.0, 0.0], budget=2.0, repeat=25,
                               min_samples=[5, 5])
    ratio = t15["seconds"] / t3["seconds"]
    benchmark.group = "P2-15"
    benchmark.name = "sigconv.pool 15x15 / 3x3 time ratio"
    benchmark.extra_info.update(p2_seconds=t3["seconds"], p2_15_seconds=t15["seconds"],
                                ratio=round(ratio, 3), bar=1.5)
    benchmark.pedantic(call15, rounds=3, iterations=1, warmup_rounds=0)
    assert ratio <= 1.5, "15x15 sliding max takes %.2fx the 3x3 one (bar: 1.5x)" % ratio
