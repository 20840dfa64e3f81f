"""VD1: a 384^3 float32 volume in 128^3 chunks, 7^3 Gaussian, same, on a Dask cluster.

Group ``VD1``: sigconv.dask.convolve and dask_image.ndfilters.convolve on the
same persisted chunks of a LocalCluster of 2 worker processes (one thread
each), each result checked against the in-memory sigconv.convolve first; and
sigconv.volumes.convolve_file on a ``.npy`` volume 4.5x larger than its
64 MiB budget, whose peak memory (measured in a fresh interpreter) is
recorded in ``extra_info``. The workload's definitions live in
``benchmarks/vd1.py``, which also runs stand-alone.

    PYTHONPATH=. pytest benchmarks/test_volumes.py --benchmark-only
"""
import os

import numpy as np
import pytest

pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import vd1  # noqa: E402  (benchmarks/ is on sys.path through its conftest)


@pytest.fixture(scope="module")
def cluster_volume():
    import sigconv
    cluster, client = vd1.start_cluster()
    vol = vd1.phantom()
    k = vd1.gaussian_kernel()
    expected = sigconv.convolve(vol, k, "same", boundary="symm").astype(np.float64)
    x = vd1.persist_volume(client, vol)
    try:
        yield client, x, k, expected
    finally:
        client.close()
        cluster.close()


@pytest.mark.parametrize("name", ["sigconv.dask", "dask_image"])
def test_vd1_cluster(benchmark, cluster_volume, name):
    client, x, k, expected = cluster_volume
    funcs = vd1.contenders()
    if name not in funcs:
        pytest.skip("%s is not installed" % name)
    f = funcs[name]
    result = vd1.check(name, f(x, k).compute(), expected)
    assert result["ok"], result

    def run():
        vd1.timed(client, f(x, k))

    benchmark.group = "VD1"
    benchmark.name = name
    benchmark.extra_info.update(workload="VD1 %s float32, chunks %d^3, 7^3 Gaussian, same, "
                                "symm; LocalCluster 2 processes x 1 thread" % (vd1.SHAPE,
                                                                               vd1.CHUNK),
                                check=result, loadavg=os.getloadavg())
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)


@pytest.fixture(scope="module")
def volume_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("vd1")
    src, dst = str(d / "vol.npy"), str(d / "out.npy")
    vd1.write_volume(src)
    yield src, dst
    for p in (src, dst):
        if os.path.exists(p):
            os.remove(p)


def test_vd1_file_under_budget(benchmark, volume_file):
    src, dst = volume_file
    runs = []
    benchmark.group = "VD1"
    benchmark.name = "sigconv.volumes.convolve_file (.npy, 64 MiB budget, fresh process)"
    benchmark.pedantic(lambda: runs.append(vd1.measure_file(src, dst)), rounds=2,
                       iterations=1, warmup_rounds=0)
    res = runs[-1]
    res["max_abs_error_region"] = vd1.check_file(src, dst)
    assert res["ratio_volume_to_budget"] >= 4
    assert all(r["under_budget"] for r in runs), runs
    assert res["max_abs_error_region"] < 1e-5
    benchmark.extra_info.update(res)
