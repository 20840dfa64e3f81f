"""The peers of every workload sigconv runs, in the workload's benchmark group.

A peer whose library is not installed, or that cannot compute the workload,
is skipped with the reason; one whose result does not match the reference
fails.
"""
import importlib

import pytest

from sigconv import bench

CASES = [pytest.param(w.id, name, id="%s-%s" % (w.id, name))
         for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS for name in w.peers]


@pytest.mark.parametrize("workload_id, peer_name", CASES)
def test_peer(measure, prepared, runnable, full_run, workload_id, peer_name):
    w = bench.get(workload_id)
    runnable(w)
    if peer_name in w.skip_peers:
        pytest.skip(w.skip_peers[peer_name])
    if peer_name in w.slow_peers and not full_run:
        pytest.skip(w.slow_peers[peer_name].replace("--full", "--sigconv-full"))
    peer = bench.PEERS[peer_name]
    try:
        importlib.import_module(peer.module)
    except ImportError:
        pytest.skip("%s is not installed" % peer.module)
    w, x, k, reference, scale = prepared(workload_id)
    try:
        label, call = peer.prepare(w, x, k)
    except bench.NotApplicable as exc:
        pytest.skip(str(exc))
    measure(w, label, call, peer.threads(), reference, scale)
