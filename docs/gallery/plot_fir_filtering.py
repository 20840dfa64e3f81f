"""
FIR low-pass and band-pass filtering
====================================

A windowed-sinc FIR filter is a convolution. Here a signal made of three
tones and noise is filtered by a low-pass and a band-pass filter from
:mod:`sigconv.kernels` (windowed sincs, the same taps as
:func:`scipy.signal.firwin`), and the filters' frequency responses are
drawn beside what they do to the spectrum.
"""
import matplotlib.pyplot as plt
import numpy as np
from scipy.signal import freqz

import sigconv

fs = 8000.0
t = np.arange(0, 1.0, 1 / fs)
rng = np.random.default_rng(1)
x = (np.sin(2 * np.pi * 220 * t) + 0.6 * np.sin(2 * np.pi * 1200 * t)
     + 0.4 * np.sin(2 * np.pi * 3000 * t) + 0.3 * rng.standard_normal(t.size))

lowpass = sigconv.kernels.lowpass(255, 500, fs=fs)            # pass below 500 Hz
bandpass = sigconv.kernels.bandpass(255, 900, 1500, fs=fs)     # pass 900-1500 Hz

# mode="same" keeps the filtered signal aligned with the input
low = sigconv.convolve(x, lowpass, mode="same")
band = sigconv.convolve(x, bandpass, mode="same")


def spectrum_db(s):
    S = np.abs(np.fft.rfft(s * np.hanning(s.size)))
    return 20 * np.log10(S / S.max() + 1e-12)


freqs = np.fft.rfftfreq(t.size, 1 / fs)
fig, axes = plt.subplots(2, 2, figsize=(11, 6))
for taps, name, color in ((lowpass, "low-pass", "C0"), (bandpass, "band-pass", "C1")):
    w, H = freqz(taps, worN=2048, fs=fs)
    axes[0, 0].plot(w, 20 * np.log10(np.abs(H) + 1e-12), color=color, label=name)
axes[0, 0].set(title="frequency response", xlabel="Hz", ylabel="dB", ylim=(-100, 5))
axes[0, 0].legend()
axes[0, 1].plot(freqs, spectrum_db(x), color="0.6", lw=0.8, label="input")
axes[0, 1].plot(freqs, spectrum_db(low), color="C0", lw=0.8, label="low-passed")
axes[0, 1].plot(freqs, spectrum_db(band), color="C1", lw=0.8, label="band-passed")
axes[0, 1].set(title="spectra", xlabel="Hz", ylabel="dB", ylim=(-120, 5))
axes[0, 1].legend(fontsize=8)
window = slice(2000, 2400)
axes[1, 0].plot(t[window], x[window], color="0.6", lw=0.8, label="input")
axes[1, 0].plot(t[window], low[window], color="C0", label="low-passed (220 Hz)")
axes[1, 0].set(xlabel="s")
axes[1, 0].legend(fontsize=8)
axes[1, 1].plot(t[window], band[window], color="C1", label="band-passed (1200 Hz)")
axes[1, 1].plot(t[window], 0.6 * np.sin(2 * np.pi * 1200 * t[window]), "k:", lw=1,
                label="the 1200 Hz tone alone")
axes[1, 1].set(xlabel="s")
axes[1, 1].legend(fontsize=8)
fig.tight_layout()
plt.show()
