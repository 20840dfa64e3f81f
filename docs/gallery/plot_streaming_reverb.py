"""
Streaming convolution reverb
============================

A click train and a short tone pass block by block through a synthetic
stereo room response with :class:`sigconv.StreamConvolver`, as an audio
callback would feed it. The blocks joined equal the offline convolution;
the figure shows the dry and wet signals, and the time each block took
against the real-time budget of a 256-sample block at 48 kHz.
"""
import time

import matplotlib.pyplot as plt
import numpy as np

import sigconv

rate = 48000
block = 256
rng = np.random.default_rng(0)

# a dry signal: clicks, then a short 440 Hz tone (stereo, float32)
t = np.arange(2 * rate) / rate
dry = np.zeros((2, t.size), np.float32)
dry[:, ::rate // 4] = 1.0
tone = (t > 1.0) & (t < 1.2)
dry[:, tone] += 0.5 * np.sin(2 * np.pi * 440 * t[tone])

# a room: 0.8 s of decaying noise, a different one for each ear
m = int(0.8 * rate)
decay = np.exp(-np.arange(m) / (0.15 * rate))
ir = (0.05 * rng.standard_normal((2, m)) * decay).astype(np.float32)

sc = sigconv.StreamConvolver(ir, block)
wet = np.empty_like(dry)
seconds = []
for a in range(0, dry.shape[1], block):
    t0 = time.perf_counter()
    sc.process(dry[:, a:a + block], out=wet[:, a:a + block])
    seconds.append(time.perf_counter() - t0)

offline = sigconv.convolve(dry, ir, axes=-1)[:, :dry.shape[1]]
print("max difference from the offline convolution: %.2g of the peak"
      % (np.abs(wet - offline).max() / np.abs(offline).max()))
print("schedule: head %d taps, levels %s" % (sc.head, sc.levels))

fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5.5))
ax1.plot(t, wet[0], lw=0.6, label="wet (left)")
ax1.plot(t, dry[0], lw=0.8, label="dry (left)")
ax1.set_xlabel("time (s)")
ax1.set_title("StreamConvolver, %d-sample blocks" % block)
ax1.legend(loc="upper right")
ms = 1e3 * np.array(seconds)
ax2.semilogy(np.arange(ms.size) * block / rate, ms, ".", ms=2)
ax2.axhline(1e3 * block / rate, color="C3", label="real-time budget per block")
ax2.set_xlabel("time (s)")
ax2.set_ylabel("ms per block")
ax2.legend(loc="upper right")
fig.tight_layout()
plt.show()
