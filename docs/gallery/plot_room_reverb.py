"""
Convolution reverb with a synthetic room
========================================

A room's acoustics are, to a good approximation, a linear time-invariant
system: what a listener hears is the dry sound convolved with the room's
impulse response. Here the impulse response is synthetic (a direct path,
a few early reflections and an exponentially decaying diffuse tail with a
reverberation time of 0.6 s), the dry sound is a few plucked notes, and the
wet sound is one call to :func:`sigconv.convolve` (``method="auto"`` takes
the transform route for a kernel this long).
"""
import matplotlib.pyplot as plt
import numpy as np

import sigconv

fs = 16000
rng = np.random.default_rng(2)

# impulse response: direct sound, early reflections, diffuse tail (T60 = 0.6 s)
t60 = 0.6
n_ir = int(0.8 * fs)
t_ir = np.arange(n_ir) / fs
ir = rng.standard_normal(n_ir) * 10 ** (-3 * t_ir / t60) * 0.25
ir[: int(0.01 * fs)] = 0.0
ir[0] = 1.0
for delay, gain in ((0.011, 0.6), (0.017, -0.45), (0.023, 0.35), (0.031, 0.3)):
    ir[int(delay * fs)] += gain

# dry sound: three plucked notes
t = np.arange(int(1.5 * fs)) / fs
dry = np.zeros_like(t)
for start, freq in ((0.05, 220.0), (0.45, 277.2), (0.85, 329.6)):
    on = t >= start
    tau = t[on] - start
    dry[on] += np.sin(2 * np.pi * freq * tau) * np.exp(-tau / 0.08)

wet = sigconv.convolve(dry, ir)             # full convolution: len(dry) + len(ir) - 1
print("method chosen by auto:", sigconv.choose_conv_method(dry, ir))
print("dry %d samples, wet %d samples" % (dry.size, wet.size))

# energy decay curve (Schroeder integral) of the impulse response
edc = np.cumsum(ir[::-1] ** 2)[::-1]
edc_db = 10 * np.log10(edc / edc[0])

fig, axes = plt.subplots(3, 1, figsize=(10, 7))
axes[0].plot(t_ir, ir, lw=0.5)
axes[0].set(title="room impulse response", xlabel="s")
axes[1].plot(t_ir, edc_db)
axes[1].axhline(-60, color="k", ls=":", lw=1)
axes[1].set(title="energy decay (dB): the -60 dB line near T60 = %.1f s" % t60,
            xlabel="s", ylim=(-80, 2))
tw = np.arange(wet.size) / fs
axes[2].plot(tw, wet / np.abs(wet).max(), lw=0.5, label="wet")
axes[2].plot(t, dry / np.abs(dry).max(), lw=0.5, label="dry")
axes[2].set(title="dry and wet (peak-normalised)", xlabel="s")
axes[2].legend(loc="upper right")
fig.tight_layout()
plt.show()
