"""sigconv's other methods (fft, oa, ...) on the workloads that list them.

Each runs in its workload's benchmark group, beside the direct method and the
peers; a method this version of sigconv does not have is skipped.
"""
import pytest

from sigconv import bench

CASES = [pytest.param(w.id, m, id="%s-%s" % (w.id, m))
         for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS
         for m in w.methods if m != "direct"]


@pytest.mark.parametrize("workload_id, method", CASES)
def test_method(measure, prepared, runnable, workload_id, method):
    w = bench.get(workload_id)
    if method not in runnable(w):
        pytest.skip("sigconv has no method %r in this version" % method)
    w, x, k, reference, scale = prepared(workload_id)
    label = "sigconv.%s[%s]" % (w.kind, method)
    measure(w, label, w.sigconv_call(method, x, k), "library default", reference, scale,
            check_dtype=w.kind == "convolve")
