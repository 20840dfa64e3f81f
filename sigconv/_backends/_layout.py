"""Array layout shared by the backends: convolved axes last, batch flattened."""
import numpy as np

from .._exact import round_to_integers

_ZERO = np.zeros(1, dtype=np.intp)


def to_canonical(a, problem, dtype, flip=False):
    """``a`` with the convolved axes moved last, C-contiguous, as ``dtype``.

    Returns an array of shape ``(batch..., conv...)`` (the batch axes of ``a``
    keep their own, possibly broadcastable, lengths).
    """
    axes, ndim = problem.axes, problem.ndim
    if axes != tuple(range(ndim - len(axes), ndim)):
        a = np.moveaxis(a, axes, range(ndim - len(axes), ndim))
    if flip:
        a = a[(Ellipsis,) + (slice(None, None, -1),) * len(axes)]
    return aligned(np.ascontiguousarray(a, dtype=dtype))


def aligned(a):
    """``a``, or an aligned copy of it: the kernels load whole elements, and a
    misaligned load (a view into a bytes buffer at an odd offset) is
    undefined behaviour."""
    return a if a.flags.aligned else a.copy()


def batch_indices(problem, x, w):
    """Per output item, the batch index into x and into w (flat, intp)."""
    nb = len(problem.batch_shape)
    if nb == 0:
        return _ZERO, _ZERO, 1
    bshape = problem.batch_shape
    count = int(np.prod(bshape))
    xb = x.shape[:nb]
    wb = w.shape[:nb]
    if xb == bshape:
        xi = np.arange(count, dtype=np.intp)
    else:
        xi = np.broadcast_to(np.arange(int(np.prod(xb)), dtype=np.intp).reshape(xb),
                             bshape).ravel()
    if wb == bshape:
        wi = np.arange(count, dtype=np.intp)
    else:
        wi = np.broadcast_to(np.arange(int(np.prod(wb)), dtype=np.intp).reshape(wb),
                             bshape).ravel()
    return xi, wi, count


def cast_result(a, dtype, out=None):
    """``a`` in the output ``dtype`` (into ``out`` if given), by the one rounding rule.

    A floating result of integer inputs (a transform's) is rounded by
    :func:`sigconv._exact.round_to_integers` (to the nearest integers, which
    wrap like the direct method's sums); any other result is cast as is (overflow to
    inf, as numpy casts).
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "biu" and a.dtype.kind not in "biu":
        return round_to_integers(a, dtype, out)
    if out is None:
        if a.dtype == dtype:
            return np.ascontiguousarray(a)
        out = np.empty(a.shape, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        np.copyto(out, a, casting="unsafe")
    return out


def finish(view, problem, whole=None, out=None):
    """The final array from (a view of) the canonical result: the one finishing step.

    Undoes the canonical layout (reversed outputs, convolved axes last),
    takes the conjugate a correlation asks for and casts to the output dtype
    (:func:`cast_result`). When ``view`` is all of ``whole`` (the array it
    views, which nothing else references) in the same layout and the output
    dtype, ``whole`` is returned without a copy; any other view of ``whole``
    is copied, so that the result does not hold on to ``whole``. ``out``: an
    array of the result's shape and dtype (possibly a view) the result is
    written into instead.
    """
    nconv = len(problem.axes)
    ndim = problem.ndim
    if problem.reverse_output:
        view = view[(Ellipsis,) + (slice(None, None, -1),) * nconv]
    if problem.axes != tuple(range(ndim - nconv, ndim)):
        view = np.moveaxis(view, range(ndim - nconv, ndim), problem.axes)
    dt = problem.out_dtype
    conj = problem.conj_output and dt.kind == "c"
    if (out is None and whole is not None and view.dtype == dt and view.shape == whole.shape
            and view.strides == whole.strides and whole.flags.c_contiguous
            and view.__array_interface__["data"][0] == whole.__array_interface__["data"][0]
            and not conj):
        return whole
    if out is None and whole is not None:
        out = np.empty(view.shape, dtype=dt)
    out = cast_result(view, dt, out)
    if conj:
        # a fresh array unless nothing was cast: conjugate into a new one then
        out = np.conjugate(out, out=out) if out is not view else np.conjugate(out)
    return out
