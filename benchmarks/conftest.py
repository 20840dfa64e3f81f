"""pytest-benchmark harness over the workload table of :mod:`sigconv.bench`.

Run from the repository root::

    PYTHONPATH=. pytest benchmarks --benchmark-only --benchmark-group-by=group
    PYTHONPATH=. pytest benchmarks --benchmark-only --sigconv-full   # slow cases too

Each workload is one benchmark group holding sigconv and every peer that
applies, so the table shows them side by side. Every benchmark first checks
its result against the workload's float64 reference and fails if it does not
match. These files are not part of the test suite (``testpaths`` is
``tests``).
"""
import functools
import os

import pytest

pytest.importorskip("pytest_benchmark")

from sigconv import bench  # noqa: E402

#: a call slower than this is timed in a few explicit rounds (pedantic mode)
#: instead of pytest-benchmark's calibrated loop
SLOW_CALL = 0.25


def pytest_addoption(parser):
    group = parser.getgroup("sigconv", "sigconv benchmarks")
    group.addoption("--sigconv-full", action="store_true", default=False,
                    help="also run workloads that are slow by sigconv's available method "
                         "and peers that take seconds per call")
    group.addoption("--sigconv-rounds-budget", type=float, default=5.0, metavar="SECONDS",
                    help="time budget for the explicit rounds of a slow call (default 5)")
    group.addoption("--sigconv-wait-quiet", type=float, default=0.0, metavar="SECONDS",
                    help="before each workload's group, wait up to SECONDS for other "
                         "processes to leave the cores (default: do not wait)")


@pytest.fixture(scope="session")
def full_run(request):
    return request.config.getoption("--sigconv-full")


@functools.lru_cache(maxsize=1)
def _prepared(workload_id, quiet_wait):
    """Inputs, reference and scale of one workload (kept while its group runs)."""
    w = bench.get(workload_id)
    x, k = w.inputs()
    reference, scale = w.reference(x, k), w.scale(x, k)
    if quiet_wait:
        bench.wait_quiet(quiet_wait)
    return w, x, k, reference, scale


@pytest.fixture
def prepared(request):
    """``prepared(id) -> (workload, x, k, reference, scale)``, cached per workload."""
    quiet_wait = request.config.getoption("--sigconv-wait-quiet")
    return functools.partial(_prepared, quiet_wait=quiet_wait)


def _environment():
    from sigconv._ext._buildinfo import build_info, omp_max_threads
    return {"openmp": build_info()["openmp"], "omp_max_threads": omp_max_threads(),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}


def _measure(benchmark, request, w, label, call, threads, reference, scale, *,
             check_dtype=False, direct=False):
    """Check ``call()`` against ``reference``, then time it in the workload's group."""
    import time
    benchmark.group = w.id
    benchmark.name = label
    t0 = time.perf_counter()
    out = call()
    first = time.perf_counter() - t0
    ok, detail = bench.check(w, out, reference, scale)
    assert ok, "%s on %s does not match the reference: %s" % (label, w.id, detail)
    if check_dtype:
        assert out.dtype == w.dtype, "dtype %s, expected %s" % (out.dtype, w.dtype)
    del out
    benchmark.extra_info.update(_environment())
    benchmark.extra_info.update(workload=w.describe(), contender=label, threads=threads,
                                check=detail)
    if first > SLOW_CALL:
        budget = request.config.getoption("--sigconv-rounds-budget")
        rounds = max(1, min(5, int(budget / first)))
        benchmark.pedantic(call, rounds=rounds, iterations=1, warmup_rounds=0)
    else:
        benchmark(call)
    stats = getattr(benchmark, "stats", None)
    if stats is not None and w.flops and direct:
        median = stats.stats.median
        gflops = w.flops / median / 1e9
        benchmark.extra_info["gflops"] = round(gflops, 2)
        benchmark.extra_info["pct_of_matmul_peak"] = round(100 * gflops / _peak(w.dtype), 1)


@functools.lru_cache(maxsize=None)
def _peak(dtype):
    """The machine's matrix-product GFLOP/s in ``dtype`` (measured once per session)."""
    return bench.matmul_peak(dtype, (2048,))


@pytest.fixture
def measure(benchmark, request):
    """``measure(workload, label, call, threads, reference, scale, *, check_dtype, direct)``.

    ``direct``: record GFLOP/s (2 x outputs x taps / median) and its % of the
    matrix-product peak, meaningful for direct summation only.
    """
    return functools.partial(_measure, benchmark, request)


@pytest.fixture
def runnable(full_run):
    """``runnable(workload) -> sigconv methods``; skips what this run leaves out."""
    def check(w):
        methods, why = w.sigconv_methods()
        if why:
            pytest.skip(why)
        slow = w.full_only()
        if slow and not full_run:
            pytest.skip(slow.replace("--full", "--sigconv-full"))
        return methods
    return check


def pytest_collection_modifyitems(config, items):
    """Run each workload's benchmarks together (sigconv, then its peers)."""
    order = {w.id: i for i, w in enumerate(bench.WORKLOADS + bench.EXTRA_WORKLOADS)}

    def key(item):
        spec = getattr(item, "callspec", None)
        wid = spec.params.get("workload_id") if spec is not None else None
        return order.get(wid, -1)
    items.sort(key=key)
