"""The benchmark table: small versions of its workloads check out against their references.

Every sigconv method and installed peer of a workload, on inputs a few
thousand times smaller than the real ones, must match the workload's
reference; the timing itself is left to ``sigconv bench`` and benchmarks/.
"""
import dataclasses
import importlib

import pytest

import sigconv
from sigconv import bench

SMALL = {
    "S1": dict(x_shape=(120, 97)),
    "S2": dict(x_shape=(30, 26, 21)),
    "A3": dict(x_shape=(5000,), k_shape=(301,)),
    "A4": dict(x_shape=(3000, 2), k_shape=(700, 2)),
    "I3": dict(x_shape=(100, 90), k_shape=(17, 12)),
    "V2": dict(x_shape=(30, 31, 20)),
    "V3": dict(x_shape=(24, 20, 22), k_shape=(5, 6, 7)),
    "AU1": dict(x_shape=(2, 3000), k_shape=(2, 700)),
}
SLOW_PEERS = {"torch.conv", "dask_image.ndfilters.convolve", "scipy.signal.convolve[direct]"}


def _small(wid):
    return dataclasses.replace(bench.get(wid), **SMALL[wid])


@pytest.mark.parametrize("wid", sorted(SMALL))
def test_small_workload_methods_match_the_reference(wid):
    w = _small(wid)
    x, k = w.inputs()
    ref, scale = w.reference(x, k), w.scale(x, k)
    methods, why = w.sigconv_methods()
    if not methods:
        pytest.skip(why)
    for m in methods:
        ok, detail = bench.check(w, w.sigconv_call(m, x, k)(), ref, scale)
        assert ok, (m, detail)


PEER_CASES = [(wid, name) for wid in sorted(SMALL) for name in bench.get(wid).peers
              if name not in SLOW_PEERS]


@pytest.mark.parametrize("wid, name", PEER_CASES)
def test_small_workload_peers_match_the_reference(wid, name):
    peer = bench.PEERS[name]
    pytest.importorskip(peer.module)
    w = _small(wid)
    x, k = w.inputs()
    try:
        label, call = peer.prepare(w, x, k)
    except bench.NotApplicable as exc:
        pytest.skip(str(exc))
    ok, detail = bench.check(w, call(), w.reference(x, k), w.scale(x, k))
    assert ok, (label, detail)


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("name", ["ducc0 r2c/c2r", "scipy.signal.fftconvolve[pyfftw]"])
def test_fft_library_peers_in_every_mode(mode, name):
    pytest.importorskip(bench.PEERS[name].module)
    w = dataclasses.replace(bench.get("I3"), x_shape=(50, 41), k_shape=(8, 13), mode=mode)
    x, k = w.inputs()
    label, call = bench.PEERS[name].prepare(w, x, k)
    assert bench.check(w, call(), w.reference(x, k), w.scale(x, k))[0]


def test_gaussian_kernels_are_the_outer_product_of_their_factors():
    for wid in ("S1", "S2", "VD1"):
        w = bench.get(wid)
        factors = w.factors()
        assert [len(f) for f in factors] == list(w.k_shape)
        for f in factors:
            assert f.sum() == pytest.approx(1.0)
            assert (f == f[::-1]).all()
    w = _small("S1")
    _, k = w.inputs()
    f0, f1 = w.factors()
    assert k == pytest.approx((f0[:, None] * f1[None, :]).astype(k.dtype), rel=1e-6)


@pytest.mark.parametrize("wid, name", [("AU1", "StreamConvolver"), ("VD1", "dask")])
def test_streaming_and_dask_workloads_wait_for_their_modules(wid, name):
    w = bench.get(wid)
    assert not w.quick and w not in bench.select()
    methods, why = w.sigconv_methods()
    present = (hasattr(sigconv, "StreamConvolver") if name == "StreamConvolver"
               else importlib.util.find_spec("sigconv.dask") is not None)
    if present:
        assert methods
    else:
        assert methods == [] and name in why and "not in this version" in why


def test_every_peer_named_by_a_workload_exists():
    for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS:
        for name in w.peers:
            assert name in bench.PEERS, (w.id, name)
