"""
Finding a pitch by autocorrelation
==================================

A periodic signal correlates with itself at lags that are multiples of its
period. :func:`sigconv.autocorrelate` with ``normalize="coeff"`` gives the
autocorrelation scaled to 1 at lag 0, and ``maxlag`` computes just the lags
a pitch search needs. The first strong peak after lag 0 gives the period of
a noisy, vowel-like signal.
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

fs = 16000
f0 = 146.8                                          # D3
t = np.arange(int(0.1 * fs)) / fs
rng = np.random.default_rng(11)
voice = sum(np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 2 * np.pi)) / h
            for h in range(1, 12))
voice += 0.8 * rng.standard_normal(t.size)

maxlag = fs // 60                                   # pitches down to 60 Hz
r = sigconv.autocorrelate(voice, maxlag=maxlag, normalize="coeff")
lags = sigconv.autocorrelation_lags(voice.size, maxlag=maxlag)
positive = lags >= fs // 400                        # pitches up to 400 Hz
best = lags[positive][np.argmax(r[positive])]
print("true pitch %.1f Hz, estimated %.1f Hz" % (f0, fs / best))

fig, axes = plt.subplots(2, 1, figsize=(10, 5.5))
axes[0].plot(t * 1000, voice, lw=0.7)
axes[0].set(title="signal", xlabel="ms")
axes[1].plot(lags / fs * 1000, r)
axes[1].axvline(best / fs * 1000, color="C1", ls="--",
                label="period %.2f ms -> %.1f Hz" % (best / fs * 1000, fs / best))
axes[1].set(title="normalised autocorrelation", xlabel="lag (ms)")
axes[1].legend()
fig.tight_layout()
plt.show()
