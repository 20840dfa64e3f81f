"""Pooling: max, min, sum, average and Lp-norm pooling of N-D arrays.

:func:`pool` reduces every window of an array -- a box of ``size`` elements
along the pooled axes, moved by ``stride``, with optional zero/identity
``padding`` and ``dilation`` -- to one value, in one of five ways. The
output length along a pooled axis follows PyTorch's formula, so results
line up with ``torch.nn.functional.max_pool1d/2d/3d`` and ``avg_pool1d/2d/3d``.
The compiled kernels (``sigconv._ext._pool_*``) work separably, one axis after
the other, with algorithms whose cost does not grow with the window (see
the pooling page of the documentation).
"""
import collections
import math
import operator

import numpy as np

from ._ext import _pool_float, _pool_int16, _pool_int64
from ._dtypes import exact_sum_dtype
from ._problem import normalize_axes
from ._threads import resolve_workers
from ._validate import as_int

__all__ = ["pool", "max_pool", "min_pool", "avg_pool", "lp_pool", "max_unpool"]

OPS = ("max", "min", "sum", "avg", "lp")

# kernel codes (sigconv/_ext/_pool.pxi)
_OP_MAX, _OP_MIN, _OP_SUM = 0, 1, 2
_V_DIRECT, _V_VANHERK = 0, 1
_H_DIRECT, _H_WIDEN, _H_VANHERK = 0, 1, 2

# Algorithm choice, measured on an AMD EPYC (AVX2), one thread, float32:
#: the vertical stage combines every row of a window directly while each
#: input row enters at most this many output lines (the product of
#: ceil(k / s) over the pooled axes but the last: 2x2 stride 2 is 1, 3x3
#: stride 1 is 3); beyond it, the axes are reduced one at a time, each by
#: van Herk / Gil-Werman where its window overlaps more than AXIS_DIRECT_MAX
#: times (direct summation of k rows costs k - 1 vector passes, van Herk
#: three: they cross between 4 and 5 rows)
VERTICAL_DIRECT_MAX = 4
AXIS_DIRECT_MAX = 4
#: horizontal max/min: direct for windows of at most HORIZONTAL_DIRECT_MAX
#: taps or overlapping at most HORIZONTAL_DIRECT_OVERLAP times (k <= 2 s),
#: widening up to WIDENING_MAX taps, van Herk beyond (its scans are serial:
#: about ten times slower per element than a widening pass, so only a window
#: needing more than eight widening passes would gain)
HORIZONTAL_DIRECT_MAX = 4
HORIZONTAL_DIRECT_OVERLAP = 2
WIDENING_MAX = 1 << 16
#: horizontal sums: direct (vectorised, k adds per output) up to these, van
#: Herk (serial, constant cost) beyond: they cross near 256 taps
HORIZONTAL_SUM_DIRECT_MAX = 256
HORIZONTAL_SUM_DIRECT_OVERLAP = 4


#: the pooling geometry of one call, per pooled axis in increasing axis order:
#: the axes, their windows, input lengths n and output lengths m
_Window = collections.namedtuple("_Window", "axes size stride padding dilation n m")


def _index(value, name):
    return as_int(value, "%s must be an integer or a tuple of integers" % name)


def _per_axis(value, name, naxes, minimum):
    """One int >= minimum per pooled axis, from an int or a sequence."""
    if np.ndim(value) == 0:
        values = (_index(value, name),) * naxes
    else:
        values = tuple(_index(v, name) for v in value)
        if len(values) != naxes:
            raise ValueError("%s has %d entries for %d pooled axes" % (name, len(values), naxes))
    for v in values:
        if v < minimum:
            raise ValueError("%s must be >= %d, got %d" % (name, minimum, v))
    return values


def output_length(n, size, stride, padding, dilation, ceil_mode):
    """Outputs along an axis of length ``n`` (PyTorch's formula).

    ``floor((n + 2 padding - dilation (size - 1) - 1) / stride) + 1``, or with
    ``ceil_mode`` the ceiling, less one if the last window would start past
    the input and its left padding. A result below 1 means no window fits.
    """
    span = n + 2 * padding - dilation * (size - 1) - 1
    if ceil_mode:
        m = -(-span // stride) + 1
        if (m - 1) * stride >= n + padding:
            m -= 1
    else:
        m = span // stride + 1
    return m


def _window(shape, size, stride, padding, dilation, ceil_mode, axes):
    ndim = len(shape)
    scalar_size = np.ndim(size) == 0
    if axes is None:
        if scalar_size:
            given = list(range(ndim))
        else:
            size = tuple(size)
            if len(size) > ndim:
                raise ValueError("size has %d entries but the input has only %d axes"
                                 % (len(size), ndim))
            if not size:
                raise ValueError("size must name at least one axis")
            given = list(range(ndim - len(size), ndim))
    else:
        normalize_axes(axes, ndim)            # validates: integers, in range, unique
        given = [operator.index(a) % ndim
                 for a in ((axes,) if np.ndim(axes) == 0 else axes)]
    naxes = len(given)
    size = _per_axis(size, "size", naxes, 1)
    stride = size if stride is None else _per_axis(stride, "stride", naxes, 1)
    padding = _per_axis(padding, "padding", naxes, 0)
    dilation = _per_axis(dilation, "dilation", naxes, 1)
    order = sorted(range(naxes), key=lambda i: given[i])
    axes = tuple(given[i] for i in order)
    size, stride, padding, dilation = (tuple(v[i] for i in order)
                                       for v in (size, stride, padding, dilation))
    n = tuple(shape[a] for a in axes)
    m = []
    for a, nn, k, s, p, d in zip(axes, n, size, stride, padding, dilation):
        if p > k // 2:
            raise ValueError("padding should be at most half of the window size (as in "
                             "PyTorch): padding %d, size %d along axis %d" % (p, k, a))
        mm = output_length(nn, k, s, p, d, ceil_mode)
        if mm < 1:
            raise ValueError("the window (%d elements%s) is larger than the padded input "
                             "(%d = %d + 2 x %d) along axis %d"
                             % (d * (k - 1) + 1, " with dilation %d" % d if d > 1 else "",
                                nn + 2 * p, nn, p, a))
        m.append(mm)
    return _Window(axes=axes, size=size, stride=stride, padding=padding, dilation=dilation,
                   n=n, m=tuple(m))


# --------------------------------------------------------------------------
# dtypes

def _identity(dtype, op):
    """The value a padded position holds: op's identity in ``dtype``."""
    if op == _OP_SUM:
        return 0
    if dtype.kind == "f":
        return -np.inf if op == _OP_MAX else np.inf
    info = np.iinfo(dtype)
    return int(info.min) if op == _OP_MAX else int(info.max)


def sum_dtype(dtype, taps):
    """Result dtype of summing ``taps`` values of integer or bool ``dtype``.

    The smallest integer type of the same signedness (bool counts as
    unsigned) that holds ``taps`` times the type's extremes, so no window's
    sum overflows; int64 / uint64 at most (sums beyond them wrap around
    modulo 2**64, as in numpy). The rule of :func:`sigconv._dtypes.exact_sum_dtype`,
    shared with the other functions scipy does not define.

    >>> sum_dtype(np.dtype(np.int8), 4), sum_dtype(np.dtype(np.uint8), 258)
    (dtype('int16'), dtype('uint32'))
    """
    return exact_sum_dtype(dtype, taps)


def _check_dtype(dtype):
    if dtype.kind not in "biufc":
        raise TypeError("pooling works on bool, integer, float and complex arrays, got %s"
                        % dtype)


def _float_compute(dtype):
    """Compute dtype of a float dtype: float16 in float32, others as they are."""
    # float16 in either byte order: there is no half-precision kernel
    return np.dtype(np.float32) if dtype.itemsize == 2 else dtype.newbyteorder("=")


# --------------------------------------------------------------------------
# Layout and kernel calls

class _Kernel:
    """The kernels' view of a call, in the input's own axis order.

    The axes before the first pooled one form the batch; from there on,
    every axis is a kernel axis: pooled axes with their windows, the others
    with the trivial window (one tap, stride 1, no padding), so that no
    input is ever transposed. Runs of trivial axes merge into one (unless
    indices are wanted, which count pooled axes only).
    """

    __slots__ = ("batch", "n", "m", "k", "s", "p", "d", "istr")

    def __init__(self, shape, win, merge=True):
        first = win.axes[0]
        self.batch = math.prod(shape[:first])
        window = dict(zip(win.axes, zip(win.m, win.size, win.stride, win.padding,
                                        win.dilation)))
        istr, step = {}, 1
        for a in reversed(win.axes):
            istr[a] = step
            step *= shape[a]
        axes = []
        for a in range(first, len(shape)):
            m, k, s, p, d = window.get(a, (shape[a], 1, 1, 0, 1))
            trivial = k == 1 and s == 1 and p == 0
            if merge and trivial and axes and axes[-1][-1]:
                prev = axes[-1]
                axes[-1] = [prev[0] * shape[a], prev[1] * m, 1, 1, 0, 1, 0, True]
            else:
                axes.append([shape[a], m, k, s, p, d, istr.get(a, 0), trivial])
        if merge:
            while len(axes) > 1 and axes[0][-1]:      # leading trivial axes: batch
                self.batch *= axes.pop(0)[0]
        self.n, self.m, self.k, self.s, self.p, self.d, self.istr, _ = \
            (tuple(v) for v in zip(*axes))

    @property
    def xshape(self):
        return (self.batch,) + self.n

    @property
    def oshape(self):
        return (self.batch,) + self.m


def _out_shape(shape, win):
    out = list(shape)
    for a, m in zip(win.axes, win.m):
        out[a] = m
    return tuple(out)


def _counts(n, m, k, s, p, d, include_pad):
    """Taps of each of the m windows along an axis inside [0, n) (or the
    padded [-p, n + p) with ``include_pad``)."""
    lo, hi = (-p, n + p) if include_pad else (0, n)
    start = np.arange(m, dtype=np.int64) * s - p
    first = np.maximum(0, -((start - lo) // d))          # ceil((lo - start) / d)
    last = np.minimum(k - 1, (hi - 1 - start) // d)
    return np.maximum(0, last - first + 1).astype(np.float64)


def _avg_divisors(kg, count_include_pad):
    """(line_div, col_div) of the kernel: the windows' tap counts, as products
    over the axes but the last (per output line) and along the last."""
    counts = [_counts(*a, count_include_pad) for a in zip(kg.n, kg.m, kg.k, kg.s, kg.p, kg.d)]
    line = np.ones(1)
    for c in counts[:-1]:
        line = np.multiply.outer(line, c).reshape(-1)
    return np.ascontiguousarray(line), np.ascontiguousarray(counts[-1])


_ONE = np.ones(1)


def _hmode(op, k, s):
    overlap = -(-k // s)
    if op == _OP_SUM:
        direct = k <= HORIZONTAL_SUM_DIRECT_MAX or overlap <= HORIZONTAL_SUM_DIRECT_OVERLAP
        return _H_DIRECT if direct else _H_VANHERK
    if k <= HORIZONTAL_DIRECT_MAX or overlap <= HORIZONTAL_DIRECT_OVERLAP:
        return _H_DIRECT
    return _H_WIDEN if k <= WIDENING_MAX else _H_VANHERK


def _axis_vmode(k, s):
    return _V_DIRECT if -(-k // s) <= AXIS_DIRECT_MAX else _V_VANHERK


def _kernels(dtype):
    """The compiled module that pools arrays of ``dtype`` (a native real type)."""
    if dtype.kind == "f":
        return _pool_float
    return _pool_int16 if dtype.itemsize <= 2 else _pool_int64


def _reduce(x, kg, op, nthreads, divisors=None):
    """Pool the C-contiguous array ``x`` as the kernel geometry ``kg`` says;
    returns the (batch, m...) result. ``divisors`` = (line_div, col_div)
    divides, for averages."""
    dtype = x.dtype
    r = len(kg.n)
    ident = _identity(dtype, op)
    line_div, col_div = divisors if divisors is not None else (_ONE, _ONE)
    hmode = _hmode(op, kg.k[-1], kg.s[-1])
    outer = math.prod(-(-k // s) for k, s in zip(kg.k[:-1], kg.s[:-1]))
    if r == 1 or outer <= VERTICAL_DIRECT_MAX:
        out = np.empty(kg.oshape, dtype=dtype)
        _kernels(dtype).pool(x.reshape(-1), out.reshape(-1), kg.xshape, kg.oshape, kg.k, kg.s, kg.p,
                   kg.d, op, _V_DIRECT, hmode, ident, line_div, col_div,
                   divisors is not None, nthreads)
        return out
    # Large windows: the axes before the last two in passes of their own
    # (each a 2-D problem: the axis, and everything after it as one long
    # row), then the last two axes together.
    cur = x
    shape = list(kg.n)
    for a in range(r - 2):
        k, s, p, d = kg.k[a], kg.s[a], kg.p[a], kg.d[a]
        if k == 1 and s == 1 and p == 0:
            continue
        lead = kg.batch * math.prod(shape[:a])
        inner = math.prod(shape[a + 1:])
        nxt = np.empty((lead, kg.m[a], inner), dtype=dtype)
        _kernels(dtype).pool(cur.reshape(-1), nxt.reshape(-1), (lead, shape[a], inner), nxt.shape,
                   (k, 1), (s, 1), (p, 0), (d, 1), op, _axis_vmode(k, s), _H_DIRECT, ident,
                   _ONE, _ONE, False, nthreads)
        shape[a] = kg.m[a]
        cur = nxt
    lead = kg.batch * math.prod(kg.m[:r - 2])
    out = np.empty((lead,) + kg.m[r - 2:], dtype=dtype)
    _kernels(dtype).pool(cur.reshape(-1), out.reshape(-1), (lead,) + tuple(shape[r - 2:]), out.shape,
               kg.k[r - 2:], kg.s[r - 2:], kg.p[r - 2:], kg.d[r - 2:], op,
               _axis_vmode(kg.k[r - 2], kg.s[r - 2]), hmode, ident, line_div, col_div,
               divisors is not None, nthreads)
    return out


def _pool_kernel(x, win, op, dtype, nthreads, divisors_from=None):
    """``x`` (any layout) pooled by kernel op in ``dtype``; the pooled array
    in the input's axis order. ``divisors_from``: count_include_pad for an
    average."""
    kg = _Kernel(x.shape, win)
    xc = np.ascontiguousarray(x, dtype=dtype)
    divisors = None if divisors_from is None else _avg_divisors(kg, divisors_from)
    return _reduce(xc, kg, op, nthreads, divisors).reshape(_out_shape(x.shape, win))


# --------------------------------------------------------------------------
# Public functions

def pool(x, size, op="max", *, stride=None, padding=0, dilation=1, ceil_mode=False,
         axes=None, p=2, count_include_pad=True, return_indices=False, workers=None):
    """Pool an N-dimensional array: reduce every window to one value.

    The window is a box of ``size`` elements along the pooled axes (every
    ``dilation``-th element), placed every ``stride`` elements; ``op``
    reduces it to its maximum, minimum, sum, average or Lp norm. Axes not
    pooled are batch or channel axes: each of their entries is pooled on its
    own.

    Parameters
    ----------
    x : array_like
        Input: bool, integer, floating or (for ``sum``, ``avg`` and ``lp``)
        complex.
    size : int or tuple of ints
        Window size per pooled axis. An int applies to every pooled axis.
    op : {'max', 'min', 'sum', 'avg', 'lp'}, optional
        The reduction: maximum (default), minimum, sum, average (mean), or
        the Lp norm ``(sum |x|**p)**(1/p)`` of each window.
    stride : int or tuple of ints, optional
        Step between windows; default ``size`` (non-overlapping windows).
    padding : int or tuple of ints, optional
        Implicit padding on both sides of each pooled axis, at most half the
        window size (``size // 2``) as in PyTorch. Padding counts as
        ``-inf`` for ``max``, ``+inf`` for ``min`` (the extremes of the
        type for integers) and 0 for ``sum``, ``avg`` and ``lp``.
    dilation : int or tuple of ints, optional
        Distance between the taps of a window (1: adjacent elements).
    ceil_mode : bool, optional
        Round the number of windows up instead of down, so that a last,
        partial window covers the end of the input (see Notes).
    axes : int or tuple of ints, optional
        The pooled axes, matching ``size`` entry by entry. Default: the last
        ``len(size)`` axes, or every axis when ``size`` is an int.
    p : float, optional
        The norm of ``op='lp'``: ``p >= 1``, ``numpy.inf`` for the maximum
        absolute value. Default 2.
    count_include_pad : bool, optional
        ``op='avg'`` only: whether padded positions count in the divisor (as
        in PyTorch's ``avg_pool``). Default True.
    return_indices : bool, optional
        ``op='max'`` or ``'min'`` only: also return the position of each
        window's extreme (see Returns).
    workers : int, optional
        Threads; ``None`` is the library default (see :doc:`/threads`).

    Returns
    -------
    out : ndarray
        The pooled array: ``x``'s shape with the pooled axes' lengths
        replaced by the numbers of windows. dtype: floating inputs keep
        their dtype; integer and bool inputs keep it for ``max`` and ``min``
        and sum in the smallest integer type of the same signedness that
        cannot overflow (:func:`sigconv.pooling.sum_dtype`: ``int8`` with a
        2x2 window sums in ``int16``; ``int64``/``uint64`` at most, which
        wrap around like numpy's sums); ``avg`` and ``lp`` of integers are
        float64; ``lp`` of complex values is real.
    indices : ndarray of int64
        With ``return_indices``: the flat index, within the pooled axes of
        ``x`` (C order over them, in increasing axis order), of the element
        each window took, as ``torch.nn.functional.max_pool2d`` returns it:
        the first of equal extremes in row-major order, the last NaN of a
        window that holds NaN, -1 for a window lying wholly in the padding.
        :func:`max_unpool` puts the values back.

    Raises
    ------
    ValueError
        ``size``, ``stride`` or ``dilation`` below 1; negative padding or
        padding above ``size // 2``; a window larger than the padded input;
        axes out of range or repeated; an unknown ``op``; ``p < 1``;
        ``return_indices`` with an op other than max/min.
    TypeError
        Non-integer sizes, a non-numeric input, complex input to max/min.

    See Also
    --------
    max_pool, min_pool, avg_pool, lp_pool, max_unpool
    scipy.ndimage.maximum_filter : sliding maximum of the same length as the input.

    Notes
    -----
    Along a pooled axis of length ``n`` with window ``k``, stride ``s``,
    padding ``p`` and dilation ``d``, window ``o`` takes the elements at
    ``o s - p + t d`` for ``t = 0 ... k - 1``, and there are

    .. math::

        m = \\left\\lfloor \\frac{n + 2p - d (k - 1) - 1}{s} \\right\\rfloor + 1

    windows (PyTorch's formula). With ``ceil_mode`` the floor becomes a
    ceiling, less one window if the last one would start at or beyond
    ``n + p`` (every window starts inside the input or its left padding).
    Positions a window reaches beyond the padded input count neither as
    values nor in the divisor of ``avg``. The divisor of ``avg`` is the
    number of the window's positions inside the padded input
    (``count_include_pad=True``) or inside the input (False).

    ``op='lp'`` is the p-norm of each window,
    :math:`(\\sum |x|^p)^{1/p}` -- ``p=1`` the sum of absolute values,
    ``p=2`` the Euclidean norm, ``p=inf`` the largest absolute value (the
    lecture-notes norms ``n = 1, 2, \\infty``). PyTorch's ``lp_pool``
    computes :math:`(\\sum x^p)^{1/p}` without the absolute value (it
    differs for negative inputs and odd ``p``), has no padding or
    dilation, and in ``ceil_mode`` scales a partial last window by
    ``size / taps inside``; where neither applies the two agree. The
    powers are computed in the input's floating type, so in float32
    ``|x|**p`` overflows for ``|x| > 3.4e38 ** (1/p)``.

    The kernels are separable: one axis after another, each with an
    algorithm whose cost per element does not grow with the window --
    van Herk / Gil-Werman block prefixes and suffixes -- and direct
    summation where the window is small; see :doc:`/pooling`.

    Examples
    --------
    The 6x6 feature map of the lecture notes (a 3x3 filter correlated with
    the input, ``same`` size), and its 2x2 max pooling:

    >>> import numpy as np
    >>> import sigconv
    >>> image = np.array([[3, 3, 2, 1, 0, 0]] * 3 + [[3, 3, 3, 2, 0, 0],
    ...                   [3, 3, 2, 1, 0, 0], [3, 2, 1, 1, 0, 0]])
    >>> feature_map = sigconv.correlate2d(image, [[1, 0, 1], [0, 1, 0], [1, 0, 1]], "same")
    >>> feature_map
    array([[ 6,  8,  6,  3,  1,  0],
           [ 9, 13, 10,  5,  2,  0],
           [ 9, 14, 11,  6,  3,  0],
           [ 9, 13, 11,  6,  2,  0],
           [ 8, 13, 10,  5,  3,  0],
           [ 6,  7,  5,  3,  1,  0]])
    >>> sigconv.pool(feature_map, (2, 2))
    array([[13, 10,  2],
           [14, 11,  3],
           [13, 10,  3]])

    Average pooling with stride 1, and an Lp norm:

    >>> sigconv.pool(np.arange(6.0), 3, "avg", stride=1)
    array([1., 2., 3., 4.])
    >>> sigconv.pool(np.array([3.0, -4.0, 1.0, 0.0]), 2, "lp")
    array([5., 1.])

    Padding and ``ceil_mode`` as in PyTorch; the positions of the maxima:

    >>> sigconv.pool(np.arange(5), 2, padding=1)
    array([0, 2, 4])
    >>> sigconv.pool(np.arange(5.0), 2, "avg", ceil_mode=True)
    array([0.5, 2.5, 4. ])
    >>> values, idx = sigconv.pool(feature_map, (2, 2), return_indices=True)
    >>> idx
    array([[ 7,  8, 10],
           [13, 14, 16],
           [25, 26, 28]])

    A batch of RGB images ``(N, H, W, C)``, 2x2 max pooling over H and W:

    >>> batch = np.zeros((8, 64, 64, 3), dtype=np.float32)
    >>> sigconv.pool(batch, (2, 2), axes=(1, 2)).shape
    (8, 32, 32, 3)
    """
    x = np.asarray(x)
    _check_dtype(x.dtype)
    if not x.flags.aligned:
        # the kernels load whole elements: a misaligned buffer (a view into
        # bytes at an odd offset) would be undefined behaviour
        x = x.copy()
    if not isinstance(op, str) or op not in OPS:
        raise ValueError("op must be one of %s, got %r" % (", ".join(map(repr, OPS)), op))
    if return_indices and op not in ("max", "min"):
        raise ValueError("return_indices is for op='max' and op='min', not %r" % op)
    if op == "lp":
        try:
            p = float(p)
        except (TypeError, ValueError):
            raise TypeError("p must be a real number, got %r" % (p,)) from None
        if not p >= 1:
            raise ValueError("p must be >= 1 (or inf), got %r" % (p,))
    if x.ndim == 0:
        raise ValueError("cannot pool a 0-dimensional array")
    win = _window(x.shape, size, stride, padding, dilation, bool(ceil_mode), axes)
    nthreads = resolve_workers(workers, x.size)
    if op in ("max", "min"):
        return _pool_extreme(x, win, _OP_MAX if op == "max" else _OP_MIN, return_indices,
                             nthreads)
    if x.dtype.kind == "c":
        if op == "lp":
            return _pool_lp(np.abs(x), win, p, nthreads)
        parts = [_pool_sum(part, win, op, count_include_pad, nthreads)
                 for part in (x.real, x.imag)]
        out = np.empty(parts[0].shape, dtype=x.dtype)
        out.real, out.imag = parts
        return out
    if op == "lp":
        return _pool_lp(x, win, p, nthreads)
    return _pool_sum(x, win, op, count_include_pad, nthreads)


def _pool_extreme(x, win, op, return_indices, nthreads):
    dtype = x.dtype
    if dtype.kind == "c":
        raise TypeError("%s pooling is not defined for complex input"
                        % ("max" if op == _OP_MAX else "min"))
    if dtype.kind == "b":
        compute = np.dtype(np.uint8)
        x = x.view(np.uint8)
    elif dtype.kind == "f":
        compute = _float_compute(dtype)
    else:
        compute = dtype.newbyteorder("=")
    if return_indices:
        kg = _Kernel(x.shape, win, merge=False)
        xc = np.ascontiguousarray(x, dtype=compute)
        out = np.empty(_out_shape(x.shape, win), dtype=compute)
        idx = np.empty(out.shape, dtype=np.int64)
        _kernels(compute).pool_arg(xc.reshape(-1), out.reshape(-1), idx.reshape(-1), kg.xshape, kg.oshape,
                       kg.k, kg.s, kg.p, kg.d, kg.istr, op, _identity(compute, op), nthreads)
    else:
        out = _pool_kernel(x, win, op, compute, nthreads)
    out = out.view(np.bool_) if dtype.kind == "b" else out.astype(dtype, copy=False)
    if return_indices:
        return out, idx
    return out


def _pool_sum(x, win, op, count_include_pad, nthreads):
    dtype = x.dtype
    if op == "sum":
        if dtype.kind in "biu":
            out_dtype, compute = sum_dtype(dtype, math.prod(win.size)), np.dtype(np.int64)
        else:
            out_dtype = dtype
            compute = _float_compute(dtype)
    else:
        out_dtype = np.dtype(np.float64) if dtype.kind in "biu" else dtype
        compute = _float_compute(out_dtype)
    out = _pool_kernel(x, win, _OP_SUM, compute, nthreads,
                       count_include_pad if op == "avg" else None)
    if out.dtype != out_dtype:
        with np.errstate(over="ignore"):
            out = out.astype(out_dtype)
    return out


def _pool_lp(x, win, p, nthreads):
    """(sum |x|**p) ** (1/p) per window; x real (complex callers pass |x|)."""
    out_dtype = np.dtype(np.float64) if x.dtype.kind in "biu" else x.dtype
    compute = _float_compute(out_dtype)
    a = np.abs(x, dtype=compute) if x.dtype.kind != "b" else x.astype(compute)
    if p == math.inf:
        return _pool_kernel(a, win, _OP_MAX, compute, nthreads).astype(out_dtype, copy=False)
    if p == 2:
        np.square(a, out=a)
    elif p != 1:
        np.power(a, compute.type(p), out=a)
    out = _pool_kernel(a, win, _OP_SUM, compute, nthreads)
    if p == 2:
        np.sqrt(out, out=out)
    elif p != 1:
        # 1/p in the compute precision (a double 1/p limits longdouble to double accuracy)
        np.power(out, compute.type(1) / compute.type(p), out=out)
    return out.astype(out_dtype, copy=False)


def max_pool(x, size, *, stride=None, padding=0, dilation=1, ceil_mode=False, axes=None,
             return_indices=False, workers=None):
    """Max pooling: ``pool(x, size, "max", ...)``.

    The maximum of each window; NaN propagates (a window holding NaN gives
    NaN, as in :func:`numpy.max` and PyTorch). See :func:`pool` for the
    parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> x = np.array([[1, 5, 2, 0],
    ...               [3, 4, 8, 1]])
    >>> sigconv.max_pool(x, (2, 2))
    array([[5, 8]])
    >>> sigconv.max_pool(x, (2, 2), return_indices=True)
    (array([[5, 8]]), array([[1, 6]]))
    """
    return pool(x, size, "max", stride=stride, padding=padding, dilation=dilation,
                ceil_mode=ceil_mode, axes=axes, return_indices=return_indices,
                workers=workers)


def min_pool(x, size, *, stride=None, padding=0, dilation=1, ceil_mode=False, axes=None,
             return_indices=False, workers=None):
    """Min pooling: ``pool(x, size, "min", ...)``.

    The minimum of each window; NaN propagates. See :func:`pool` for the
    parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.min_pool(np.array([4, 2, 7, 1, 3]), 2, stride=1)
    array([2, 2, 1, 1])
    """
    return pool(x, size, "min", stride=stride, padding=padding, dilation=dilation,
                ceil_mode=ceil_mode, axes=axes, return_indices=return_indices,
                workers=workers)


def avg_pool(x, size, *, stride=None, padding=0, dilation=1, ceil_mode=False, axes=None,
             count_include_pad=True, workers=None):
    """Average pooling: ``pool(x, size, "avg", ...)``.

    The mean of each window; integer input gives float64. Padded positions
    count as zeros, and in the divisor unless ``count_include_pad=False``
    (as in PyTorch's ``avg_pool``). See :func:`pool` for the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> sigconv.avg_pool(np.arange(16.0).reshape(4, 4), (2, 2))
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> sigconv.avg_pool(np.ones(4), 2, padding=1)
    array([0.5, 1. , 0.5])
    >>> sigconv.avg_pool(np.ones(4), 2, padding=1, count_include_pad=False)
    array([1., 1., 1.])
    """
    return pool(x, size, "avg", stride=stride, padding=padding, dilation=dilation,
                ceil_mode=ceil_mode, axes=axes, count_include_pad=count_include_pad,
                workers=workers)


def lp_pool(x, size, p=2, *, stride=None, padding=0, dilation=1, ceil_mode=False, axes=None,
            workers=None):
    """Lp-norm pooling: ``pool(x, size, "lp", p=p, ...)``.

    The p-norm ``(sum |x|**p)**(1/p)`` of each window, ``p >= 1``;
    ``p=numpy.inf`` gives the largest absolute value. Unlike
    ``torch.nn.functional.lp_pool2d`` the absolute value is taken (see
    :func:`pool`'s Notes). See :func:`pool` for the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> x = np.array([3.0, -4.0, 1.0, -1.0])
    >>> sigconv.lp_pool(x, 2)                    # Euclidean norm
    array([5.        , 1.41421356])
    >>> sigconv.lp_pool(x, 2, p=1), sigconv.lp_pool(x, 2, p=np.inf)
    (array([7., 2.]), array([4., 1.]))
    """
    return pool(x, size, "lp", stride=stride, padding=padding, dilation=dilation,
                ceil_mode=ceil_mode, axes=axes, p=p, workers=workers)


def max_unpool(values, indices, shape, *, axes=None):
    """Put pooled values back where they came from; zeros elsewhere.

    The inverse of ``pool(..., return_indices=True)`` (for max or min
    pooling) in the sense of ``torch.nn.functional.max_unpool2d``: the
    result has the input's shape, each value at the position its index
    names, and zeros at every position no window took.

    Parameters
    ----------
    values, indices : array_like
        The two results of :func:`pool` with ``return_indices=True``.
    shape : int or tuple of ints
        Lengths of the pooled axes of the original input (for an input ``x``
        pooled over its last two axes, ``x.shape[-2:]``).
    axes : int or tuple of ints, optional
        The pooled axes, as given to :func:`pool`; default the last
        ``len(shape)`` axes.

    Returns
    -------
    ndarray
        ``values``' dtype, its shape with the pooled axes' lengths replaced
        by ``shape``.

    Raises
    ------
    ValueError
        ``values`` and ``indices`` of different shapes, an index outside the
        pooled axes' ``prod(shape)`` positions, bad axes.

    Examples
    --------
    >>> import numpy as np
    >>> import sigconv
    >>> x = np.array([[1, 5, 2, 0],
    ...               [3, 4, 8, 1]])
    >>> v, i = sigconv.max_pool(x, (2, 2), return_indices=True)
    >>> sigconv.max_unpool(v, i, x.shape)
    array([[0, 5, 0, 0],
           [0, 0, 8, 0]])
    """
    values = np.asarray(values)
    indices = np.asarray(indices)
    if values.shape != indices.shape:
        raise ValueError("values and indices must have the same shape, got %s and %s"
                         % (values.shape, indices.shape))
    if indices.dtype.kind not in "iu":
        raise TypeError("indices must be integers, got %s" % indices.dtype)
    shape = tuple(_index(n, "shape") for n in ((shape,) if np.ndim(shape) == 0 else shape))
    if any(n < 0 for n in shape):
        raise ValueError("shape must not be negative, got %s" % (shape,))
    ndim = values.ndim
    if axes is None:
        if len(shape) > ndim or not shape:
            raise ValueError("shape has %d entries for values with %d axes"
                             % (len(shape), ndim))
        given = list(range(ndim - len(shape), ndim))
    else:
        normalize_axes(axes, ndim)
        given = [operator.index(a) % ndim for a in ((axes,) if np.ndim(axes) == 0 else axes)]
        if len(given) != len(shape):
            raise ValueError("shape has %d entries for %d axes" % (len(shape), len(given)))
    order = sorted(range(len(given)), key=lambda i: given[i])
    pooled = tuple(given[i] for i in order)
    lengths = tuple(shape[i] for i in order)
    r = len(pooled)
    dest = tuple(range(ndim - r, ndim))
    v = np.moveaxis(values, pooled, dest) if pooled != dest else values
    i = np.moveaxis(indices, pooled, dest) if pooled != dest else indices
    batch_shape = v.shape[:ndim - r]
    nb = math.prod(batch_shape)
    plane = math.prod(lengths)
    v = v.reshape(nb, -1)
    i = i.reshape(nb, -1).astype(np.int64, copy=False)
    taken = i >= 0
    if np.any(i[taken] >= plane) or np.any(i < -1):
        raise ValueError("indices must lie in [0, %d) (the pooled axes hold %d elements), "
                         "or be -1" % (plane, plane))
    out = np.zeros((nb, plane), dtype=values.dtype)
    rows = np.broadcast_to(np.arange(nb)[:, None], i.shape)
    out[rows[taken], i[taken]] = v[taken]
    out = out.reshape(batch_shape + lengths)
    if pooled != dest:
        out = np.moveaxis(out, dest, pooled)
    return np.ascontiguousarray(out)
