"""Peers of the filter-bank workloads: one signal, many kernels along a batch axis.

A filter bank is one sigconv call (``axes=`` broadcasts the kernels); its
peers either loop over the kernels calling a single-kernel peer of
:mod:`sigconv.bench.peers`, or take the whole bank at once (PyTorch's output
channels, scipy's ``axes``). Importing this module adds them to
:data:`sigconv.bench.peers.PEERS`.
"""
import numpy as np

from .peers import (_C2D, _ND, _ND1, _SS_DIRECT, PEERS, NotApplicable, Peer, _kernel_batch_is_one,
                    _needs_fill, _one, _prep_convolve2d, _prep_ndimage, _prep_ndimage_1d,
                    _prep_scipy_direct, _torch_threads)
from .references import _same_crop, _same_pads


def _bank_split(w, x, k, who):
    """(workload of one signal and one kernel, the signal, the kernels) of a filter bank."""
    batch = [a for a in range(x.ndim) if a not in w.conv_axes]
    if batch != [0] or x.shape[0] != 1 or k.shape[0] < 2:
        raise NotApplicable("%s: not a filter bank (one signal, kernels along axis 0)" % who)
    import dataclasses
    sub = dataclasses.replace(w, x_shape=x.shape[1:], k_shape=k.shape[1:], axes=None)
    return sub, np.ascontiguousarray(x[0]), k


def _looped(prepare, who):
    """A peer computing a filter bank by calling ``prepare``'s function once per kernel."""
    def looped(w, x, k):
        sub, x1, ks = _bank_split(w, x, k, who)
        calls = []
        label = who
        for kj in ks:
            label, call = prepare(sub, x1, np.ascontiguousarray(kj))
            calls.append(call)
        shape = w.out_shape
        return ("%s (loop over %d kernels)" % (label, len(calls)),
                lambda: np.stack([c() for c in calls]).reshape(shape))
    return looped


def _prep_scipy_auto(w, x, k):
    import scipy.signal
    _needs_fill(w, "scipy.signal.convolve")
    _kernel_batch_is_one(w, k, "scipy.signal.convolve")
    mode = w.mode
    return "scipy.signal.convolve[auto]", lambda: scipy.signal.convolve(x, k, mode)


def _prep_torch_bank(w, x, k):
    import torch
    import torch.nn.functional as F
    sub, x1, ks = _bank_split(w, x, k, "torch.conv")
    nconv = x1.ndim
    if nconv > 3:
        raise NotApplicable("torch convolves 1-3 axes")
    _needs_fill(w, "torch.conv (filter bank)")
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nconv]
    kshape = list(ks.shape[1:])
    flip = (slice(None),) + (slice(None, None, -1),) * nconv
    xt = torch.from_numpy(x1)[None, None]
    wt = torch.from_numpy(np.ascontiguousarray(ks[flip]))[:, None]
    pad, padding = None, 0
    if w.mode == "full":
        padding = tuple(n - 1 for n in kshape)
    elif w.mode == "same":
        if all(n % 2 for n in kshape):
            padding = tuple(n // 2 for n in kshape)
        else:
            pad = [p for n in reversed(kshape) for p in _same_pads(n)]
    shape = w.out_shape

    def call():
        with torch.inference_mode():
            xi = xt if pad is None else F.pad(xt, pad)
            return conv(xi, wt, padding=padding).numpy().reshape(shape)
    return "torch.conv%dd (%d output channels)" % (nconv, ks.shape[0]), call


def _prep_spectral_bank(name):
    def prepare(w, x, k):
        import scipy.signal
        _bank_split(w, x, k, name)
        _needs_fill(w, name)
        func = getattr(scipy.signal, name)
        axes, shape = w.conv_axes, x.shape
        if w.mode != "same":
            mode = w.mode
            return "scipy.signal.%s" % name, lambda: func(x, k, mode, axes=axes)
        return ("scipy.signal.%s (full + crop: its 'same' crops the bank)" % name,
                lambda: _same_crop(func(x, k, "full", axes=axes), shape, axes))
    return prepare


PEERS.update({p.name: p for p in (
    Peer("scipy.signal.convolve[auto] per kernel", "scipy.signal", _one,
         _looped(_prep_scipy_auto, "scipy.signal.convolve[auto]")),
    Peer("scipy.signal.convolve[direct] per kernel", "scipy.signal", _one,
         _looped(_prep_scipy_direct, _SS_DIRECT)),
    Peer("scipy.signal.convolve2d per kernel", "scipy.signal", _one,
         _looped(_prep_convolve2d, _C2D)),
    Peer("scipy.ndimage.convolve1d per kernel", "scipy.ndimage", _one,
         _looped(_prep_ndimage_1d, _ND1)),
    Peer("scipy.ndimage.convolve per kernel", "scipy.ndimage", _one,
         _looped(_prep_ndimage, _ND)),
    Peer("torch.conv filter bank", "torch", _torch_threads, _prep_torch_bank),
    Peer("scipy.signal.fftconvolve filter bank", "scipy.signal", _one,
         _prep_spectral_bank("fftconvolve")),
    Peer("scipy.signal.oaconvolve filter bank", "scipy.signal", _one,
         _prep_spectral_bank("oaconvolve")),
)})

#: the peers every filter-bank workload lists
_BANK_PEERS = ("scipy.signal.convolve[auto] per kernel",
               "scipy.signal.convolve[direct] per kernel",
               "scipy.signal.fftconvolve filter bank", "scipy.signal.oaconvolve filter bank",
               "torch.conv filter bank")

