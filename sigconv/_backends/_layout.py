"""Array layout shared by the backends: convolved axes last, batch flattened."""
import numpy as np

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


def finish(out, problem):
    """From the canonical result (compute or output dtype) to the final array."""
    nconv = len(problem.axes)
    if problem.reverse_output:
        out = out[(Ellipsis,) + (slice(None, None, -1),) * nconv]
    if problem.conj_output and out.dtype.kind == "c":
        out = np.conjugate(out)
    ndim = problem.ndim
    if problem.axes != tuple(range(ndim - nconv, ndim)):
        out = np.moveaxis(out, range(ndim - nconv, ndim), problem.axes)
    if out.dtype != problem.out_dtype:
        with np.errstate(over="ignore", invalid="ignore"):
            return out.astype(problem.out_dtype, order="C")
    return np.ascontiguousarray(out)
