"""The transform-length model: which lengths scipy.fft transforms fast, and how fast.

Used by every method that transforms (``fft``, ``oa``, the correlation
family) to pick transform and block lengths, and by the cost model
(:mod:`sigconv._cost`) to weigh them.
"""
import functools
import itertools
import math

import numpy as np
import scipy.fft as sfft


#: Extra time of a prime factor ``p`` of a transform length, beyond the
#: ``log2(p)`` radix-2 passes it replaces, in units of one radix-2 pass over
#: the data; by the kind of transform. Fitted to single-thread scipy.fft
#: times of 377 lengths from 2**10 to 2**21 (x86-64, AVX2; within groups of
#: similar size, so that cache effects cancel): single-precision real
#: transforms pay dearly for factors 3 and 5, double-precision ones less,
#: complex ones hardly at all but for 7 and 11.
FACTOR_EXTRA = {
    "real32": {3: 1.6, 5: 1.6},
    "real64": {3: 0.6, 5: 0.6},
    "complex": {3: 0.0, 5: 0.0, 7: 0.2, 11: 0.7},
}

#: Lengths below this take scipy.fft's next fast length (setup dominates).
MODEL_MIN_LENGTH = 256


def is_single(dtype):
    """Whether transforms in ``dtype`` run in single precision."""
    return np.dtype(dtype).char in "fF"


def _kind(real, single):
    return ("real32" if single else "real64") if real else "complex"


def _factor_exponents(n, primes):
    out = {}
    for p in primes:
        while n % p == 0:
            n //= p
            out[p] = out.get(p, 0) + 1
    return out if n == 1 else None


@functools.lru_cache(maxsize=16384)
def length_units(n, kind):
    """Modelled time of a transform of length ``n``, in radix-2 passes over ``n`` points.

    ``n log2 n`` plus each factor's extra (:data:`FACTOR_EXTRA`); a power
    of two costs exactly ``n log2 n``.
    """
    extra = FACTOR_EXTRA[kind]
    exps = _factor_exponents(n, (2,) + tuple(extra))
    if exps is None:      # a prime factor the transform has no fast pass for
        return n * (math.log2(max(n, 2)) + 8.0)
    return n * (math.log2(max(n, 2)) + sum(e * extra[p] for p, e in exps.items() if p > 2))


@functools.lru_cache(maxsize=4096)
def good_lengths(n, real, single=False, count=1):
    """The ``count`` transform lengths ``>= n`` of least modelled time, best first.

    Candidates are the lengths whose prime factors have fast passes
    (5-smooth for a real-to-complex transform, 11-smooth for a complex one)
    up to the next power of two, which always is one; the time is
    :func:`length_units`.
    """
    n = max(1, int(n))
    if n < MODEL_MIN_LENGTH:
        return (sfft.next_fast_len(n, real=real),)
    kind = _kind(real, single)
    primes = (2,) + tuple(sorted(FACTOR_EXTRA[kind]))
    hi = 1 << (n - 1).bit_length()
    smooth = [1]
    for p in primes:          # every p-smooth number up to hi
        grown = []
        for m in smooth:
            while m <= hi:
                grown.append(m)
                m *= p
        smooth = grown
    ranked = sorted((length_units(m, kind), m) for m in smooth if m >= n)
    return tuple(m for _, m in ranked[:count])


def good_length(n, real, single=False):
    """The transform length ``>= n`` of least modelled time (see :func:`good_lengths`)."""
    return good_lengths(n, real, single)[0]


def fast_lengths(sizes, real, single=False):
    """Transform lengths at least ``sizes`` of least modelled time together.

    For real transforms the last axis (the real-to-complex one) takes a
    5-smooth length, the others are complex transforms (11-smooth). An
    axis's length multiplies the number of lines every other axis
    transforms, so in N-D the few best lengths of each axis are tried
    together (:func:`transform_units`). ``single``: the transforms run in
    single precision.
    """
    last = len(sizes) - 1
    if len(sizes) == 1:
        return (good_length(int(sizes[0]), real, single),)
    options = [good_lengths(int(n), real and i == last, single, 3)
               for i, n in enumerate(sizes)]
    return min(itertools.product(*options),
               key=lambda shape: transform_units(shape, real, single))


def transform_units(shape, real, single=False):
    """Modelled time of a transform of ``shape`` (:func:`length_units` per axis).

    An N-D transform is one 1-D transform per line along each axis:
    ``prod(shape) * sum(units(n) / n)``.
    """
    total = 1
    for n in shape:
        total *= n
    last = len(shape) - 1
    return total * sum(length_units(n, _kind(real and i == last, single)) / n
                       for i, n in enumerate(shape))


def fft_work(rows, shape):
    """Rough operation count of the transforms (for the thread decision)."""
    total = 1
    for n in shape:
        total *= n
    return rows * total * max(1, int(math.log2(max(total, 2))))
