"""Boundary names and the extension of inputs beyond their edges.

The compiled kernels handle every boundary by index arithmetic
(``sigconv/_ext/_common.pxd``); this module names the boundaries, maps them
to the kernels' codes and extends arrays explicitly for the methods and
references that need a materialised extension.
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
