"""VD1: a volume on a Dask cluster, and the same volume as a file, through a budget.

Part 1 (cluster): a 384^3 float32 volume in 128^3 chunks, persisted on a
``LocalCluster`` of 2 worker processes with one thread each, smoothed by a
7^3 Gaussian in ``same`` mode with a mirrored boundary by

- ``sigconv.dask.convolve(x, k, "same", boundary="symm", workers=1)``
- ``dask_image.ndfilters.convolve(x, k, mode="reflect")`` (the same boundary),

both on the same chunks and cluster, timed alternately (results persisted on
the workers, not gathered), median of the rounds; both results are checked
against the in-memory ``sigconv.convolve`` (float32 tolerance).

Part 2 (file): the same kind of volume, larger, as a ``.npy`` file of at least
4x the budget, through ``sigconv.volumes.convolve_file`` with that budget,
in a fresh interpreter whose peak resident memory (VmHWM) is measured.

Run from the repository root::

    PYTHONPATH=. python benchmarks/vd1.py [--rounds 3] [--file-only | --cluster-only]

The machine may be shared: the script prints the load average before and
after, and the ratios are of interleaved runs.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np

SHAPE = (384, 384, 384)
CHUNK = 128
SIGMA = 1.5
RADIUS = 3                  # a 7^3 kernel


def gaussian_kernel(sigma=SIGMA, radius=RADIUS, dtype=np.float32):
    """The normalised 3-D Gaussian of the workload."""
    g = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k = np.multiply.outer(np.multiply.outer(g, g), g)
    return (k / k.sum()).astype(dtype)


def phantom(shape=SHAPE, seed=0):
    """A real-looking volume: smooth blobs (tissue), edges and noise, float32."""
    rng = np.random.default_rng(seed)
    z, y, x = (np.linspace(-1, 1, n, dtype=np.float32) for n in shape)
    vol = np.zeros(shape, dtype=np.float32)
    for _ in range(6):
        c = rng.uniform(-0.6, 0.6, 3).astype(np.float32)
        r = np.float32(rng.uniform(0.15, 0.4))
        d2 = ((z[:, None, None] - c[0]) ** 2 + (y[None, :, None] - c[1]) ** 2
              + (x[None, None, :] - c[2]) ** 2)
        vol += (d2 < r * r).astype(np.float32) * np.float32(rng.uniform(0.5, 1.5))
    vol += rng.standard_normal(shape, dtype=np.float32) * np.float32(0.2)
    return vol


def load():
    return os.getloadavg()


def start_cluster(memory_limit="3GiB"):
    import distributed
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       memory_limit=memory_limit, dashboard_address=None,
                                       silence_logs=50)
    return cluster, distributed.Client(cluster)


def persist_volume(client, vol):
    """The volume in 128^3 chunks on the workers (sent once, kept there)."""
    import warnings
    import dask.array as da
    import distributed
    with warnings.catch_warnings():
        # "sending large graph": the volume itself, once
        warnings.simplefilter("ignore", UserWarning)
        x = client.persist(da.from_array(vol, chunks=CHUNK))
        distributed.wait(x)
    return x


def timed(client, y):
    """Seconds to compute ``y`` on the workers (kept there, not gathered), then released.

    The result's keys are deterministic: they are released and waited for
    before returning, so the next round computes them again.
    """
    import distributed
    from dask.core import flatten
    t0 = time.perf_counter()
    y = client.persist(y)
    distributed.wait(y)
    dt = time.perf_counter() - t0
    keys = list(flatten(y.__dask_keys__()))
    client.cancel(y)
    del y
    while any(client.who_has(keys).values()):
        time.sleep(0.05)
    return dt


def contenders():
    """name -> function(dask array, kernel) -> lazy dask array."""
    import sigconv.dask
    out = {"sigconv.dask": lambda x, k: sigconv.dask.convolve(x, k, "same", boundary="symm",
                                                              workers=1)}
    try:
        import dask_image.ndfilters
    except ImportError:
        pass
    else:
        out["dask_image"] = lambda x, k: dask_image.ndfilters.convolve(x, k, mode="reflect")
    return out


def check(name, result, expected):
    """Max abs error vs the in-memory result, and whether it is within float32 tolerance."""
    err = float(np.max(np.abs(result.astype(np.float64) - expected)))
    scale = float(np.max(np.abs(expected)))
    ok = err <= 1e-5 * max(scale, 1.0)
    return {"contender": name, "max_abs_error": err, "ok": ok}


def run_cluster(rounds=3, client=None):
    import dask.array as da
    import distributed
    import sigconv
    own = client is None
    if own:
        cluster, client = start_cluster()
    try:
        vol = phantom()
        k = gaussian_kernel()
        expected = sigconv.convolve(vol, k, "same", boundary="symm").astype(np.float64)
        x = persist_volume(client, vol)
        funcs = contenders()
        checks = []
        for name, f in funcs.items():
            checks.append(check(name, f(x, k).compute(), expected))
        del expected
        times = {name: [] for name in funcs}
        loads = [load()]
        for _ in range(rounds):
            for name, f in funcs.items():      # interleaved
                times[name].append(timed(client, f(x, k)))
        loads.append(load())
        voxels = float(np.prod(SHAPE))
        res = {"workload": "VD1", "shape": SHAPE, "chunks": CHUNK, "kernel": k.shape,
               "rounds": rounds, "checks": checks, "loadavg_before_after": loads,
               "median_s": {n: statistics.median(t) for n, t in times.items()},
               "all_s": times}
        res["mvoxel_per_s"] = {n: voxels / m / 1e6 for n, m in res["median_s"].items()}
        if "dask_image" in times:
            res["ratio_throughput"] = res["median_s"]["dask_image"] / res["median_s"][
                "sigconv.dask"]
            res["ratios_per_round"] = [d / s for d, s in zip(times["dask_image"],
                                                            times["sigconv.dask"])]
        return res
    finally:
        if own:
            client.close()
            cluster.close()


_CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import sigconv.volumes
    sys.path.insert(0, sys.argv[4])
    from vd1 import gaussian_kernel
    def status(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    k = gaussian_kernel()
    base = status("VmRSS")
    t0 = time.perf_counter()
    r = sigconv.volumes.convolve_file(sys.argv[1], sys.argv[2], k, boundary="symm",
                                      memory_limit=int(sys.argv[3]), progress=False)
    dt = time.perf_counter() - t0
    print(json.dumps({"base": base, "peak": status("VmHWM"), "seconds": dt,
                      "slabs": r.slabs, "planes_per_slab": r.planes_per_slab,
                      "method": r.method}))
""")


def write_volume(path, shape=(512, 384, 384)):
    """A phantom volume as a ``.npy`` file, written in pieces; returns its size in bytes."""
    from numpy.lib.format import open_memmap
    m = open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
    for i in range(0, shape[0], 64):
        m[i:i + 64] = phantom((min(64, shape[0] - i),) + shape[1:], seed=i)
    m.flush()
    del m
    return os.path.getsize(path)


def measure_file(src, dst, budget=64 << 20):
    """convolve_file in a fresh interpreter: its time, peak memory and report."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = subprocess.run([sys.executable, "-c", _CHILD, src, dst, str(budget), here],
                         capture_output=True, text=True, env=env, check=True)
    res = json.loads(run.stdout)
    size = os.path.getsize(src)
    shape = np.load(src, mmap_mode="r").shape
    res.update(volume_bytes=size, budget=budget, ratio_volume_to_budget=size / budget,
               growth=res["peak"] - res["base"], under_budget=res["peak"] - res["base"] <= budget,
               mvoxel_per_s=float(np.prod(shape)) / res["seconds"] / 1e6)
    return res


def check_file(src, dst):
    """Max error of a region (an edge and a corner) against the in-memory result."""
    import sigconv
    vol = np.load(src, mmap_mode="r")
    out = np.load(dst, mmap_mode="r")
    region = (slice(0, 40), slice(100, 140), slice(344, 384))
    piece = np.array(vol[0:43, 97:143, 341:384])
    ref = sigconv.convolve(piece, gaussian_kernel(), "same", boundary="symm")
    return float(np.max(np.abs(np.asarray(out[region]) - ref[0:40, 3:43, 3:43])))


def run_file(shape=(512, 384, 384), budget=64 << 20, directory=None):
    """The chunked .npy processing of a volume >= 4x the budget; peak memory measured."""
    with tempfile.TemporaryDirectory(dir=directory) as d:
        src, dst = os.path.join(d, "vol.npy"), os.path.join(d, "out.npy")
        write_volume(src, shape)
        loads = [load()]
        res = measure_file(src, dst, budget)
        loads.append(load())
        res.update(max_abs_error_region=check_file(src, dst), loadavg_before_after=loads)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cluster-only", action="store_true")
    p.add_argument("--file-only", action="store_true")
    p.add_argument("--json", help="write the results to this file")
    args = p.parse_args(argv)
    results = {}
    if not args.file_only:
        results["cluster"] = run_cluster(args.rounds)
        print(json.dumps(results["cluster"], indent=1, default=str), flush=True)
    if not args.cluster_only:
        results["file"] = run_file()
        print(json.dumps(results["file"], indent=1, default=str), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)


if __name__ == "__main__":
    main()
