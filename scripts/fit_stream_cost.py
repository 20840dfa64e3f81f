"""Fit the cost model of StreamConvolver's partition planner on this machine.

Times each piece of a stream alone, on one core: the run of one level of
``n`` partitions of ``P`` taps (``Engine.time_level``, the best of many
runs) for stereo per-channel responses, and the direct head (per sample,
from all-direct schedules). Prints the constants of ``sigconv/streaming.py``
(``HEAD_NS``, ``LEVEL_NS``, ``FFT_NS``, ``MAC_NS``) fitted by least squares
on levels whose spectra fit in the cache, and the measured against the
modelled time of every level. Run from the source tree:

    PYTHONPATH=. python3 scripts/fit_stream_cost.py

On a shared machine run it when the machine is quiet, or twice: the best
times are taken, but other processes still inflate them.
"""
import time

import numpy as np

from sigconv import StreamConvolver, streaming


def level_times(channels=2):
    rng = np.random.default_rng(0)
    rows = []
    for P in (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192):
        for n in (1, 4, 16):
            h = rng.standard_normal((channels, P * (n + 1))).astype(np.float32)
            sc = StreamConvolver(h, P, partition=(P, P))
            sc.process(np.zeros((channels, P), np.float32))
            reps = max(20, min(2000, int(4e6 / (P * (n + 10)))))
            rows.append((P, n, sc._engine.time_level(0, reps) * 1e9))
    return rows


def head_ns_per_tap(channels=2, block=256):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((channels, 48000)).astype(np.float32)
    out = np.empty_like(x)
    per_sample = {}
    for H in (1, 256):
        sc = StreamConvolver(rng.standard_normal((channels, H)).astype(np.float32), block,
                             partition=(H,))
        best = np.inf
        for _ in range(9):
            t0 = time.perf_counter()
            for a in range(0, x.shape[1], block):
                sc.process(x[:, a:a + block], out=out[:, a:a + block])
            best = min(best, time.perf_counter() - t0)
        per_sample[H] = best / x.shape[1] * 1e9
    return (per_sample[256] - per_sample[1]) / (255 * channels)


def main():
    ch = 2
    rows = level_times(ch)
    # fixed + transforms + products, on levels small enough to stay in the cache
    fit = [(P, n, t) for P, n, t in rows if n * (2 * ch) * (2 * P + 64) * 4 < (1 << 20)]
    A = np.array([[1.0, P * streaming._transform_units(P) * 2 * ch, n * ch * (P + 2)]
                  for P, n, _ in fit])
    y = np.array([t for _, _, t in fit])
    w = 1.0 / y                                  # relative errors
    level_ns, fft_ns, mac_ns = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)[0]
    head_ns = head_ns_per_tap(ch)
    print("HEAD_NS = %.3g\nLEVEL_NS = %.3g\nFFT_NS = %.3g\nMAC_NS = %.3g"
          % (head_ns, level_ns, fft_ns, mac_ns))
    print("\n    P    n   measured ns   model ns (with the fitted constants)")
    for P, n, t in rows:
        footprint = n * (ch + ch) * (2 * P + 64) * 4
        mac = mac_ns * (1.0 + footprint / streaming.CACHE_BYTES)
        model = (level_ns + fft_ns * P * streaming._transform_units(P) * 2 * ch
                 + mac * n * ch * (P + 2))
        print("%5d %4d %12.0f %12.0f" % (P, n, t, model))


if __name__ == "__main__":
    main()
