"""Boundary names and the extension of inputs beyond their edges.

The compiled kernels handle every boundary by index arithmetic
(``map_index`` in ``sigconv/_ext/_common.pxd``); this module names the
boundaries, maps them to the kernels' codes, gives Python callers the same
index map for whole arrays of positions (:func:`map_index`) and extends
arrays explicitly for the methods that need a materialised extension.
"""
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
    the kernels' index helpers compute.
    """
    code = boundary_code(boundary) if isinstance(boundary, str) else int(boundary)
    mode = NUMPY_PAD_MODES[code]
    if code == FILL:
        return np.pad(x, pad_width, mode="constant", constant_values=fillvalue)
    return np.pad(x, pad_width, mode=mode)
