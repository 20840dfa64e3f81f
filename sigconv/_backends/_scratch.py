"""Scratch arrays kept between calls.

A call's temporaries of a megabyte or more (the tile loop's planes, the
kernel spectrum's work planes) are taken from here and given back when the
call ends, so that repeated calls of one shape reuse memory whose pages are
already mapped. A fresh large array is memory the operating system maps
page by page on its first write (a fault per 4 KiB page, a few
microseconds each on some virtual machines), and the allocator may hand
such memory back to the system between calls: a 512^2 float64 call with a
63^2 kernel met 1,300 faults per call, half its time, on one machine.

Arrays are kept per (dtype, length), at most ``KEEP_BYTES`` in all (the
least recently given back go first). Taking is thread-safe: an array is
lent to one call at a time. The contents of a taken array are undefined.
"""
import collections
import threading

import numpy as np

#: the most memory kept between calls, in bytes
KEEP_BYTES = 64 << 20

_lock = threading.Lock()
_kept = collections.OrderedDict()    # (dtype char, length) -> [arrays]
_kept_bytes = 0


def take(n, dtype):
    """A 1-D array of ``n`` items of ``dtype`` (contents undefined), kept or new."""
    global _kept_bytes
    dtype = np.dtype(dtype)
    key = (dtype.char, int(n))
    with _lock:
        arrays = _kept.get(key)
        if arrays:
            a = arrays.pop()
            _kept_bytes -= a.nbytes
            if not arrays:
                del _kept[key]
            return a
    return np.empty(n, dtype)


def give(*arrays):
    """Give back arrays that :func:`take` lent (none of them is used after this)."""
    global _kept_bytes
    with _lock:
        for a in arrays:
            if a.nbytes > KEEP_BYTES:
                continue
            key = (a.dtype.char, a.shape[0])
            _kept.setdefault(key, []).append(a)
            _kept.move_to_end(key)
            _kept_bytes += a.nbytes
        while _kept_bytes > KEEP_BYTES:
            key, old = next(iter(_kept.items()))
            _kept_bytes -= old.pop(0).nbytes
            if not old:
                del _kept[key]


def clear():
    """Forget every kept array."""
    global _kept_bytes
    with _lock:
        _kept.clear()
        _kept_bytes = 0
