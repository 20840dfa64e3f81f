"""Halos: which input elements each block of a blocked evaluation reads.

A convolution evaluated block by block (:mod:`sigconv.dask`, the slab loop
of :mod:`sigconv.volumes`) computes, per convolved axis, the outputs
``o0 .. o1 - 1`` of ``out[o] = sum_k w[k] X[o * step + lo + k]``
(:mod:`sigconv._problem`) from the *extended* positions
``o0 * step + lo .. (o1 - 1) * step + lo + K - 1`` of the input: the block's
own elements plus exactly the halo the kernel, the mode's offset ``lo`` and
the stride need. Positions outside ``0 .. n - 1`` come from the boundary
rule (:func:`source`), which may cross chunks: a ``symm`` reflection at the
end of an axis reads the last chunk backwards, a ``wrap`` halo the other end
of the axis. This module turns such a range into *runs* of consecutive
source elements and those into per-chunk *pieces*, the copies that
assemble the block. Only index arithmetic: no data moves here.

>>> axis_runs(-2, 4, 5, "symm")            # two mirrored elements, then 0..3
[(0, 1, 2, -1), (2, 0, 4, 1)]
>>> pieces(axis_runs(3, 8, 5, "wrap"), [0, 2, 5])
[(0, 2, 1, slice(1, 3, 1)), (2, 4, 0, slice(0, 2, 1)), (4, 5, 1, slice(0, 1, 1))]
"""
import numpy as np

from ._boundary import EDGE, FILL, REFLECT, SYMMETRIC, WRAP, boundary_code


def source(j, n, boundary):
    """Index of the element of an axis of length ``n`` at extended position ``j``.

    ``-1`` for the fill value. Extensions repeat periodically, as numpy.pad
    extends and the compiled kernels index (``map_index`` in
    ``_ext/_common.pxd``).
    """
    if 0 <= j < n:
        return j
    if boundary == FILL:
        return -1
    if boundary == WRAP:
        return j % n
    if boundary == SYMMETRIC:
        j %= 2 * n
        return j if j < n else 2 * n - 1 - j
    if boundary == REFLECT:
        if n == 1:
            return 0
        j %= 2 * n - 2
        return j if j < n else 2 * n - 2 - j
    if boundary == EDGE:
        return 0 if j < 0 else n - 1
    raise ValueError("unknown boundary code %r" % (boundary,))


def axis_runs(start, stop, n, boundary):
    """Runs ``(dst, first, length, step)`` covering extended positions ``start .. stop - 1``.

    Destination ``dst + t`` (counted from ``start``) holds source element
    ``first + step * t`` for ``t < length``; ``step`` is 1 or -1, and
    ``first`` is -1 (with step 0) for a run of the fill value.
    """
    if not isinstance(boundary, (int, np.integer)):
        boundary = boundary_code(boundary)
    runs = []

    def add(d, s):
        if runs:
            d0, f0, ln, st = runs[-1]
            if s < 0 and f0 < 0:
                runs[-1] = (d0, -1, ln + 1, 0)
                return
            if s >= 0 and f0 >= 0:
                if ln == 1 and abs(s - f0) == 1:
                    runs[-1] = (d0, f0, 2, s - f0)
                    return
                if ln > 1 and s == f0 + st * ln:
                    runs[-1] = (d0, f0, ln + 1, st)
                    return
        runs.append((d, s, 1, 0 if s < 0 else 1))

    mid0, mid1 = max(start, 0), min(stop, n)
    for j in range(start, min(stop, 0)):
        add(j - start, source(j, n, boundary))
    if mid1 > mid0:
        if runs and runs[-1][1] >= 0 and runs[-1][3] == 1 and \
                runs[-1][1] + runs[-1][2] == mid0:
            d0, f0, ln, st = runs.pop()
            runs.append((d0, f0, ln + mid1 - mid0, 1))
        elif runs and runs[-1][1] >= 0 and runs[-1][2] == 1 and runs[-1][1] + 1 == mid0:
            d0, f0, _, _ = runs.pop()
            runs.append((d0, f0, 1 + mid1 - mid0, 1))
        else:
            runs.append((mid0 - start, mid0, mid1 - mid0, 1))
    for j in range(max(start, n), stop):
        add(j - start, source(j, n, boundary))
    return runs


def pieces(runs, bounds):
    """Split runs at chunk boundaries: ``(dst0, dst1, chunk, slice)`` per piece.

    ``bounds`` are the chunks' start offsets followed by the axis length
    (``[0, c0, c0 + c1, ..., n]``). ``chunk`` is None for the fill value;
    otherwise ``slice`` selects, within that chunk, the elements in
    destination order (a negative step where the run goes backwards).
    """
    bounds = np.asarray(bounds)
    out = []
    for dst, first, length, step in runs:
        if first < 0:
            out.append((dst, dst + length, None, None))
            continue
        t = 0
        while t < length:
            s = first + step * t
            c = int(np.searchsorted(bounds, s, side="right")) - 1
            c0, c1 = int(bounds[c]), int(bounds[c + 1])
            take = (c1 - s) if step > 0 else (s - c0 + 1)
            take = min(take, length - t)
            a = s - c0
            b = a + step * take
            out.append((dst + t, dst + t + take, c,
                        slice(a, b if b >= 0 else None, step)))
            t += take
    return out


def chunk_bounds(chunks):
    """``[0, c0, c0 + c1, ..., n]`` of a tuple of chunk lengths."""
    return [0] + [int(v) for v in np.cumsum(chunks)]


def output_chunks(bounds, m, first_at):
    """Output chunk lengths along an axis of ``m`` outputs.

    An input chunk boundary ``b`` cuts the outputs before ``first_at(b)`` (the
    first output anchored at or after ``b``), so output chunks follow input
    chunks; empty chunks are dropped.
    """
    cuts = [0] + [min(max(int(first_at(b)), 0), m) for b in bounds[1:-1]] + [m]
    cuts = sorted(cuts)
    sizes = tuple(b - a for a, b in zip(cuts, cuts[1:]) if b > a)
    return sizes if sizes else (m,)
