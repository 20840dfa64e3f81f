"""Boundary names and the extension of inputs beyond their edges.

The compiled kernels handle every boundary by index arithmetic
(``map_index`` in ``sigconv/_ext/_common.pxd``); this module names the
boundaries, maps them to the kernels' codes, gives Python callers the same
index map for whole arrays of positions (:func:`map_index`) and extends
arrays explicitly for the methods that need a materialised extension.
"""
import operator

import numpy as np

FILL, WRAP, SYMMETRIC, REFLECT, EDGE = 0, 1, 2, 3, 4

#: accepted names -> kernel code (scipy.signal's names and numpy.pad's)
BOUNDARY_CODES = {
    "fill": FILL,
    "constant": FILL,
    "wrap": WRAP,
    "circular": WRAP,
    "symm": SYMMETRIC,
    "symmetric": SYMMETRIC,
    "reflect": REFLECT,
    "edge": EDGE,
}

#: kernel code -> numpy.pad mode with the same meaning
NUMPY_PAD_MODES = {FILL: "constant", WRAP: "wrap", SYMMETRIC: "symmetric",
                   REFLECT: "reflect", EDGE: "edge"}


def boundary_code(boundary):
    """Kernel code of a boundary name; ValueError naming the choices otherwise."""
    try:
        return BOUNDARY_CODES[boundary]
    except (KeyError, TypeError):
        raise ValueError(
            "boundary must be one of %s, got %r"
            % (", ".join(repr(b) for b in BOUNDARY_CODES), boundary)) from None


def map_index(i, n, code):
    """Index into an axis of length ``n`` of the extended positions ``i`` (an array).

    The vectorised twin of the kernels' ``map_index``: positions in
    ``[0, n)`` map to themselves, ``-1`` marks the fill value (boundary
    ``FILL``), and wide extensions repeat periodically, as :func:`numpy.pad`
    does.

    >>> map_index(np.arange(-3, 6), 3, SYMMETRIC)
    array([2, 1, 0, 0, 1, 2, 2, 1, 0])
    >>> map_index(np.arange(-2, 5), 3, FILL)
    array([-1, -1,  0,  1,  2, -1, -1])
    """
    i = np.asarray(i, dtype=np.intp)
    if code == FILL:
        return np.where((i >= 0) & (i < n), i, -1)
    if code == WRAP:
        return np.mod(i, n)
    if code == SYMMETRIC:
        j = np.mod(i, 2 * n)
        return np.where(j < n, j, 2 * n - 1 - j)
    if code == REFLECT:
        if n == 1:
            return np.zeros_like(i)
        j = np.mod(i, 2 * n - 2)
        return np.where(j < n, j, 2 * n - 2 - j)
    if code == EDGE:
        return np.clip(i, 0, n - 1)
    raise ValueError("boundary code %r has no index map" % (code,))


def extend(x, pad_width, boundary="fill", fillvalue=0):
    """``x`` extended by ``pad_width`` (numpy.pad's format) with ``boundary``.

    Wide extensions repeat periodically (numpy.pad's behaviour), which is what
    the kernels' index helpers compute. The result is a new C-ordered
    array, equal to ``numpy.pad``'s, made by one allocation and a gather per
    extended axis (:func:`map_index`) -- a fraction of ``numpy.pad``'s
    fixed cost, which small calls of the direct method would feel.

    >>> extend(np.arange(3), (2, 1), "symm")
    array([1, 0, 0, 1, 2, 2])
    >>> extend(np.ones((1, 2), dtype=np.int8), [(0, 0), (1, 1)], "fill", 7)
    array([[7, 1, 1, 7]], dtype=int8)
    """
    code = boundary_code(boundary) if isinstance(boundary, str) else int(boundary)
    if code not in NUMPY_PAD_MODES:
        raise ValueError("boundary code %r has no extension" % (code,))
    x = np.asarray(x)
    widths = _width_pairs(pad_width, x.ndim)
    if code == FILL:
        out = np.empty([n + a + b for n, (a, b) in zip(x.shape, widths)], dtype=x.dtype)
        inner = []
        for axis, (n, (a, b)) in enumerate(zip(x.shape, widths)):
            if a or b:
                before = (slice(None),) * axis
                out[before + (slice(0, a),)] = fillvalue
                out[before + (slice(a + n, a + n + b),)] = fillvalue
            inner.append(slice(a, a + n))
        out[tuple(inner)] = x
        return out
    out = x
    for axis, (n, (a, b)) in enumerate(zip(x.shape, widths)):
        if a or b:
            if n == 0:
                raise ValueError("cannot extend an empty axis with boundary %r" % (boundary,))
            # the interior copied as a block, the borders gathered
            shape = list(out.shape)
            shape[axis] = n + a + b
            ext = np.empty(shape, dtype=x.dtype)
            before = (slice(None),) * axis
            ext[before + (slice(a, a + n),)] = out
            if a:
                ext[before + (slice(0, a),)] = np.take(
                    out, map_index(np.arange(-a, 0), n, code), axis=axis)
            if b:
                ext[before + (slice(a + n, a + n + b),)] = np.take(
                    out, map_index(np.arange(n, n + b), n, code), axis=axis)
            out = ext
    return np.array(out, order="C") if out is x else out


def _width_pairs(pad_width, ndim):
    """``pad_width`` in any of numpy.pad's forms (``w``, ``(w,)``, ``(before,
    after)``, ``((before, after),)`` or one pair per axis) as ``ndim`` pairs
    of Python ints; ValueError for negative or ill-shaped widths."""
    seq = (tuple, list, np.ndarray)

    def pair(p):
        p = tuple(operator.index(v) for v in p) if isinstance(p, seq) else (operator.index(p),)
        if len(p) == 1:
            p = p * 2
        if len(p) != 2:
            raise ValueError("pad widths must be pairs, got %r" % (pad_width,))
        return p

    if not isinstance(pad_width, seq):
        pairs = [pair(pad_width)] * ndim
    else:
        items = list(pad_width)
        if not items:
            raise ValueError("pad widths must not be empty")
        if not isinstance(items[0], seq):           # (w,) or (before, after)
            pairs = [pair(items)] * ndim
        elif len(items) == 1:
            pairs = [pair(items[0])] * ndim
        elif len(items) == ndim:
            pairs = [pair(p) for p in items]
        else:
            raise ValueError("pad widths for %d axes, got %r" % (ndim, pad_width))
    if any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError("pad widths must be non-negative, got %r" % (pad_width,))
    return pairs
