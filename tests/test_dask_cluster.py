"""sigconv.dask on a dask.distributed cluster of worker processes.

Two worker processes, one thread each, each allowed less memory than the
volume: the volume is generated on the workers, smoothed chunk by chunk,
and checked there (only small arrays travel back). The reference is the
in-memory sigconv.convolve on the regions checked, which hold array edges
(where the boundary rule supplies the halo) and chunk boundaries.
"""
import numpy as np
import pytest

pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
import dask.array as da  # noqa: E402

import sigconv  # noqa: E402
import sigconv.dask as sd  # noqa: E402
from conftest import assert_close  # noqa: E402

SHAPE = (192, 512, 512)                   # float64: 384 MiB
CHUNKS = (32, 128, 128)                   # 4 MiB chunks
WORKER_MEMORY = 320 * 2**20               # per worker, less than the volume


def _volume():
    # deterministic per chunk, generated where the chunk lives
    def block(block_info=None):
        loc = block_info[None]["array-location"]
        seed = [lo for lo, _ in loc]
        shape = tuple(hi - lo for lo, hi in loc)
        rng = np.random.default_rng(seed)
        return rng.standard_normal(shape, dtype=np.float64)
    return da.map_blocks(block, chunks=tuple(
        tuple(min(c, n - i) for i in range(0, n, c)) for n, c in zip(SHAPE, CHUNKS)),
        dtype=np.float64, meta=np.empty((0, 0, 0)))


@pytest.fixture(scope="module")
def client():
    # spill to disk only close to the limit: the workers' own footprint
    # (interpreter, numpy, scipy, dask) is already about 130 MB of it
    memory = {"distributed.worker.memory.target": 0.75, "distributed.worker.memory.spill": 0.8,
              "distributed.worker.memory.pause": 0.9,
              "distributed.worker.memory.terminate": 0.98}
    with dask.config.set(memory):
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           memory_limit=WORKER_MEMORY,
                                           dashboard_address=None,
                                           silence_logs=50)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def _kernel():
    g = np.exp(-0.5 * np.arange(-2, 3) ** 2 / 1.5 ** 2)
    k = np.multiply.outer(np.multiply.outer(g, g), g[1:-1])
    return k / k.sum()


#: two corners (the boundary supplies the halo) and a box across chunk boundaries
REGIONS = [(slice(0, 40), slice(0, 40), slice(0, 40)),
           (slice(-40, None), slice(-40, None), slice(-40, None)),
           (slice(20, 50), slice(120, 140), slice(250, 262))]


def _check_regions(x, k, boundary, got):
    # the in-memory reference on each region: the 'valid' convolution of the
    # region extended by the kernel's reach, the elements beyond the
    # volume's edges taken as numpy.pad takes them
    mode = {"symm": "symmetric", "wrap": "wrap"}[boundary]
    for r, g in zip(REGIONS, got):
        piece = x
        for axis, (s, n, kk) in enumerate(zip(r, SHAPE, k.shape)):
            start, stop, _ = s.indices(n)
            idx = np.pad(np.arange(n), kk, mode=mode)[start - kk // 2 + kk:
                                                      stop + (kk - 1) // 2 + kk]
            piece = da.take(piece, idx, axis=axis)
        piece = piece.compute(scheduler="sync")
        expected = sigconv.convolve(piece, k, "valid", "direct")
        assert_close(g, expected, inputs=(piece, k), factor=64)


@pytest.mark.slow
def test_volume_larger_than_a_worker_memory(client):
    assert np.prod(SHAPE) * 8 > WORKER_MEMORY
    x = _volume()
    k = _kernel()
    y = sd.convolve(x, k, "same", boundary="symm", workers=1)
    assert y.chunks == x.chunks
    # every chunk computed (and reduced on the workers), a few regions fetched
    parts = client.compute([y.sum()] + [y[r] for r in REGIONS], sync=True)
    assert np.isfinite(float(parts[0]))
    _check_regions(x, k, "symm", parts[1:])
    info = client.run(lambda: __import__("os").getpid())
    assert len(set(info.values())) == 2


def test_wrap_halo_from_the_far_side_on_the_cluster(client):
    # only the chunks these regions need are computed
    x = _volume()
    k = _kernel()
    y = sd.convolve(x, k, "same", boundary="wrap", workers=1)
    _check_regions(x, k, "wrap", client.compute([y[r] for r in REGIONS], sync=True))
