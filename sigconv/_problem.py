"""One frozen description of a convolution call, consumed by every method.

:func:`make_problem` validates and normalises the arguments of
``convolve``/``correlate`` and their 2-D twins once. Every method then sees
the same thing: a *correlation* of the signal ``in1`` (possibly swapped with
``in2`` in ``valid`` mode) with a kernel ``w`` (``in2`` flipped for a
convolution, conjugated for a correlation), evaluated at

    out[o] = sum_k w[k] * X[o * step + lo + k]        (per convolved axis)

where ``X`` is ``in1`` extended by the boundary rule. The mode only decides
``lo`` and the output length along each convolved axis.
"""
import os
from collections import namedtuple

import numpy as np

from ._boundary import FILL, WRAP, boundary_code
from ._dtypes import cast_fillvalue, kernel_dtype, result_dtype
from ._validate import as_int

MODES = ("full", "same", "valid", "circular")

#: Above this many bytes of output (and intermediate) memory a call is
#: refused before allocating: the machine's physical memory.
try:
    MEMORY_LIMIT = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
    MEMORY_LIMIT = 1 << 40


_PROBLEM_FIELDS = ("op", "flavor", "mode", "boundary", "fillvalue", "ndim", "axes",
                   "batch_shape", "x_shape", "k_shape", "out_conv_shape", "lo", "step",
                   "swapped", "flip_kernel", "conj_kernel", "reverse_output",
                   "conj_output", "out_shape", "out_dtype", "compute_dtype",
                   "is_complex", "work")


class Problem(namedtuple("Problem", _PROBLEM_FIELDS)):
    """What to compute, independent of how (see the module docstring).

    Attributes
    ----------
    op : {'convolve', 'correlate'}
    flavor : {'nd', '2d'}
        ``'2d'`` follows scipy's ``convolve2d``/``correlate2d`` conventions
        (``same`` alignment of correlate2d, its ``valid`` swap, empty inputs).
    mode : str
    boundary : int
        Kernel code of the boundary (``sigconv._boundary``).
    fillvalue : numpy scalar of ``out_dtype``
    axes : tuple of int
        The convolved axes, increasing.
    batch_shape : tuple
        Broadcast shape of the other axes, in their order.
    x_shape, k_shape : tuple
        Signal and kernel lengths along the convolved axes (after a swap).
    out_conv_shape : tuple
        Output lengths along the convolved axes (after striding).
    lo, step : tuple
        Offset and stride of the sampled positions per convolved axis.
    swapped : bool
        ``valid`` mode with ``in2`` larger: the roles of the inputs swapped.
    flip_kernel, conj_kernel : bool
        How ``w`` is obtained from the kernel input.
    reverse_output, conj_output : bool
        Post-processing of a swapped correlation.
    out_shape : tuple
        Shape of the result, in the inputs' axis order.
    out_dtype : numpy.dtype
    compute_dtype : numpy.dtype
        Real dtype the kernels compute in.
    is_complex : bool
    work : int
        Multiply-adds of a direct evaluation (for method and thread choice).
    """

    __slots__ = ()

    @property
    def empty(self):
        """Nothing to compute: no outputs, or no samples along a convolved axis."""
        return 0 in self.out_shape or 0 in self.x_shape or 0 in self.k_shape


class AxesTypeError(TypeError, ValueError):
    """Non-integer ``axes``: a TypeError, and the ValueError scipy raises."""


def normalize_axes(axes, ndim):
    """Increasing tuple of distinct non-negative axes (all axes for None).

    The messages contain scipy's wording (``when provided, axes cannot be
    empty``, ``axes must be a scalar or iterable of integers``, ``axes
    exceeds dimensionality of input``, ``all axes must be unique``) so code
    matching on scipy's messages keeps working.
    """
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, int) or np.ndim(axes) == 0:
        axes = (axes,)
    out = []
    for a in axes:
        try:
            a = as_int(a, "axes must be integers")
        except TypeError:
            raise AxesTypeError("axes must be integers, got %r (axes must be a scalar or "
                                "iterable of integers)" % (a,)) from None
        if not -ndim <= a < ndim:
            raise ValueError("axis %d is out of range for arrays of dimension %d (axes "
                             "exceeds dimensionality of input)" % (a, ndim))
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError("all axes must be unique, got %r" % (tuple(axes),))
    if not out:
        raise ValueError("axes must name at least one axis (when provided, axes cannot "
                         "be empty)")
    return tuple(sorted(out))


def normalize_stride(stride, naxes):
    """Tuple of positive ints, one per convolved axis."""
    if stride == 1 and type(stride) is int:
        return (1,) * naxes
    if np.ndim(stride) == 0:
        stride = (stride,) * naxes
    stride = tuple(stride)
    if len(stride) != naxes:
        raise ValueError("stride has %d entries for %d convolved axes" % (len(stride), naxes))
    out = []
    for s in stride:
        s = as_int(s, "stride must be an integer or a tuple of integers")
        if s < 1:
            raise ValueError("stride must be >= 1, got %d" % s)
        out.append(s)
    return tuple(out)


def _same_start(op, flavor, K):
    # scipy.signal.correlate2d centres 'same' one sample later than
    # scipy.signal.correlate for even kernels; each twin matches its namesake.
    if op == "correlate" and flavor == "2d":
        return K // 2
    return (K - 1) // 2


def _swap_needed(x_conv, k_conv):
    ok1 = all(n >= k for n, k in zip(x_conv, k_conv))
    ok2 = all(k >= n for n, k in zip(x_conv, k_conv))
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other "
                         "in every dimension (shapes %s and %s along the convolved axes)"
                         % (tuple(x_conv), tuple(k_conv)))
    return not ok1


def make_problem(in1, in2, *, op, mode="full", boundary="fill", fillvalue=0,
                 axes=None, stride=1, flavor="nd", check_memory=True):
    """Validate a call's arguments into a :class:`Problem`.

    ``in1`` and ``in2`` must already be arrays (or anything with ``shape``,
    ``ndim`` and ``dtype``). ``check_memory=False`` skips the test of the
    output against this machine's memory, for callers that never hold the
    whole output at once (chunked arrays, files processed by slabs). Returns
    ``(problem, signal, kernel)`` where signal and kernel are ``in1`` and
    ``in2``, or the other way round when ``valid`` mode swaps them.
    """
    if mode not in MODES:
        raise ValueError("mode must be one of %s, got %r"
                         % (", ".join(repr(m) for m in MODES), mode))
    bcode = boundary_code(boundary)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality "
                         "(got %d and %d dimensions)" % (in1.ndim, in2.ndim))
    out_dtype = result_dtype(in1, in2)
    ndim = in1.ndim
    axes = normalize_axes(axes, ndim)
    step = normalize_stride(stride, len(axes))
    if mode == "circular":
        if bcode not in (FILL, WRAP):
            raise ValueError("mode 'circular' is cyclic by definition; boundary %r does "
                             "not apply (use 'wrap' or leave the default)" % (boundary,))
        bcode = WRAP
    fill = cast_fillvalue(fillvalue, out_dtype)

    batch_shape = []
    for a in range(ndim):
        if a in axes:
            continue
        n1, n2 = in1.shape[a], in2.shape[a]
        if n1 != n2 and n1 != 1 and n2 != 1:
            raise ValueError("in1 and in2 have incompatible lengths %d and %d along the "
                             "non-convolved axis %d" % (n1, n2, a))
        batch_shape.append(0 if 0 in (n1, n2) else max(n1, n2))

    x_conv = [in1.shape[a] for a in axes]
    k_conv = [in2.shape[a] for a in axes]
    empty = 0 in x_conv or 0 in k_conv
    if empty and flavor == "nd":
        raise ValueError("in1 and in2 must not be empty along the convolved axes "
                         "(shapes %s and %s)" % (in1.shape, in2.shape))

    swapped = False
    signal, kernel = in1, in2
    if mode == "valid" and _swap_needed(x_conv, k_conv):
        swapped = True
        signal, kernel = in2, in1
        x_conv, k_conv = k_conv, x_conv
    if bcode != FILL and mode not in ("valid",) and 0 in x_conv:
        raise ValueError("boundary %r cannot extend an empty input" % (boundary,))

    out_conv, lo = [], []
    correlate_swapped = swapped and op == "correlate"
    for N, K, s in zip(x_conv, k_conv, step):
        if mode == "full":
            L, l0 = N + K - 1, -(K - 1)
        elif mode == "same":
            L, l0 = N, _same_start(op, flavor, K) - (K - 1)
        elif mode == "valid":
            L, l0 = N - K + 1, 0
        else:  # circular
            L, l0 = N, (-(K - 1) if op == "convolve" else 0)
        if L < 0:
            # the 2-D twins' full mode of two inputs empty along one axis
            raise ValueError("negative dimensions are not allowed: 'full' mode of inputs "
                             "of lengths %d and %d has %d outputs" % (N, K, L))
        M = -(-L // s)
        if correlate_swapped:
            # the result is reversed afterwards: sample the unreversed one
            # where the reversed one's strided samples fall
            l0 = (L - 1) % s
        out_conv.append(M)
        lo.append(l0)

    out_shape = [0] * ndim
    it_b = iter(batch_shape)
    for a in range(ndim):
        out_shape[a] = out_conv[axes.index(a)] if a in axes else next(it_b)
    out_shape = tuple(out_shape)

    compute, is_complex = kernel_dtype(out_dtype)
    n_out = 1
    for v in out_shape:
        n_out *= v
    # result + per-part kernel outputs (complex: two parts and their products)
    need = n_out * (out_dtype.itemsize + compute.itemsize * (4 if is_complex else 1))
    if check_memory and need > MEMORY_LIMIT:
        raise MemoryError("the output of shape %s (%s) needs about %.3g GiB, more than "
                          "this machine's %.3g GiB of memory"
                          % (out_shape, out_dtype, need / 2**30, MEMORY_LIMIT / 2**30))
    taps = 1
    for k in k_conv:
        taps *= k
    work = n_out * taps * (4 if is_complex else 1)

    problem = Problem(
        op=op, flavor=flavor, mode=mode, boundary=bcode, fillvalue=fill, ndim=ndim,
        axes=axes, batch_shape=tuple(batch_shape), x_shape=tuple(x_conv),
        k_shape=tuple(k_conv), out_conv_shape=tuple(out_conv), lo=tuple(lo), step=step,
        swapped=swapped, flip_kernel=(op == "convolve"),
        conj_kernel=(op == "correlate"),
        reverse_output=correlate_swapped,
        conj_output=correlate_swapped and flavor == "nd",
        out_shape=out_shape, out_dtype=out_dtype, compute_dtype=compute,
        is_complex=is_complex, work=work)
    return problem, signal, kernel
