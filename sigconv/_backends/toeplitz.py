"""The matrix (Toeplitz / im2col) method: convolution as GEMM (``sigconv._ext._toeplitz``).

The outputs of each input item are computed in tiles: the tile's window
matrix (one row of ``taps`` extended input samples per output, boundaries
and strides included) is multiplied by the matrix of every kernel the item
meets -- one kernel, or a whole filter bank broadcast along the batch axes
-- by one BLAS GEMM (``sgemm``/``dgemm``/``cgemm``/``zgemm``).

Memory: besides the result (and the inputs converted to the compute dtype
and moved to the canonical layout when they are not already), each thread
holds one tile: ``tile * taps`` window entries, ``kernels * taps`` kernel
entries and ``tile * kernels`` products, with ``tile * taps`` at most
:data:`TILE_BUDGET` elements (one window row when the kernel alone is
larger). BLAS has no integer or extended-precision products: integer and
bool inputs (exact results) and ``longdouble`` data are computed by the
direct method.

One kernel per input item (a batch of signals, or one signal) makes the
window-matrix product a GEMV, which rereads every window; that case instead
cuts each output line into blocks of ``B`` outputs, whose ``(B - 1) * step +
K`` samples per kernel row form one window row, and multiplies by the
kernel's banded ``(rows * L) x B`` matrix: a GEMM with about twice the
direct method's multiply-adds. Inputs holding NaN or Inf take the
one-row-per-output path, where they stay in the outputs whose windows hold
them.
"""
import numpy as np

from .._ext import _toeplitz
from .._threads import resolve_workers
from . import direct
from ._layout import batch_indices, finish, to_canonical

#: elements of one thread's window matrix (a tile of outputs times the taps)
TILE_BUDGET = 1 << 16

#: products per GEMM (tile x kernels x taps) and per GEMV (tile x taps) up to
#: which scipy's OpenBLAS computes on the calling thread alone: tiles stay
#: below them, so the thread count is sigconv's (``workers``) and BLAS's own
#: pool stays idle
GEMM_SERIAL = 65536 * 4
GEMV_SERIAL = 2304 * 4

#: the fewest outputs of a tile (below it the calls' overhead dominates)
TILE_MIN = 16

_BLAS_DTYPES = {"f": np.float32, "d": np.float64, "F": np.complex64, "D": np.complex128}


def blas_dtype(problem):
    """The dtype the GEMMs run in, or None when BLAS cannot compute ``problem``."""
    dt = problem.compute_dtype
    if dt.char not in "fd":
        return None
    if problem.is_complex:
        return np.dtype(np.complex64 if dt.char == "f" else np.complex128)
    return dt


def groups(problem, xi, wi, count):
    """Batch items grouped by their input item.

    Returns ``(xgroup, bidx, kidx)``: group ``g`` is input item
    ``xgroup[g]``, which meets kernels ``kidx[g]`` to give output items
    ``bidx[g]``. Broadcasting gives every input item the same number of
    kernels.
    """
    xi = np.asarray(xi)[:count]
    wi = np.asarray(wi)[:count]
    order = np.argsort(xi, kind="stable")
    nx = int(np.unique(xi).size)
    bidx = np.ascontiguousarray(order.reshape(nx, count // nx), dtype=np.intp)
    kidx = np.ascontiguousarray(wi[bidx], dtype=np.intp)
    xgroup = np.ascontiguousarray(xi[bidx[:, 0]], dtype=np.intp)
    return xgroup, bidx, kidx


def tile_size(taps, kernels, outputs):
    """Outputs per tile: ``kernels`` kernels of ``taps`` taps, items of ``outputs`` outputs."""
    taps = max(taps, 1)
    if kernels == 1:
        serial = (GEMV_SERIAL - 1) // taps
    else:
        serial = GEMM_SERIAL // (taps * kernels)
    tile = min(TILE_BUDGET // taps, max(serial, TILE_MIN))
    return int(max(1, min(outputs, tile)))


def block_size(K, s, M):
    """Outputs per block of the one-kernel path: about the kernel's length."""
    B = min(max(16, -(-K // 8) * 8), 128)
    return int(max(1, min(B, M)))


def _block_plan(problem, w, kidx, taps):
    """(B, banded kernel matrices, blocks per tile) of the one-kernel path, or None.

    Every kernel becomes the matrix that maps a block's window row (``L =
    (B - 1) * step + K`` samples per kernel row) to the block's ``B``
    outputs: column ``j`` holds the kernel row shifted by ``j * step``. The
    GEMM then does ``(B + K - 1) / K`` times the direct method's
    multiply-adds (about 2x), at matrix-product speed, where one window row
    per output would be a memory-bound GEMV.
    """
    K = problem.k_shape[-1]
    s = problem.step[-1]
    M = problem.out_conv_shape[-1]
    B = block_size(K, s, M)
    if B < 4:
        return None
    L = (B - 1) * s + K
    rows = taps // K
    used = np.unique(kidx[:, 0])
    if used.size * rows * L * B * w.itemsize > BLOCK_KERNELS_BYTES:
        return None
    flat = w.reshape(-1, rows, K)
    wb = np.zeros((flat.shape[0], B, rows, L), dtype=w.dtype)
    for j in range(B):
        wb[:, j, :, j * s:j * s + K] = flat
    # tiles of blocks: the GEMM stays below BLAS's threading threshold
    per_block = rows * L
    tile = max(1, min(GEMM_SERIAL // (B * per_block), TILE_BUDGET // per_block))
    return B, wb, int(tile)


def _finite(a):
    """Whether ``a`` holds no NaN or Inf (one summing pass; overflow tells apart)."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(a, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())


#: most bytes of banded kernel matrices the one-kernel path prepares
BLOCK_KERNELS_BYTES = 64 << 20


def run(problem, signal, kernel, workers=None, prepared=None):
    """Evaluate ``problem`` by window-matrix products; returns the finished array."""
    dt = blas_dtype(problem)
    if dt is None:
        return direct.run(problem, signal, kernel, workers)
    taps = 1
    for k in problem.k_shape:
        taps *= k
    if taps >= 2**31:
        return direct.run(problem, signal, kernel, workers)
    nthreads = resolve_workers(workers, problem.work)
    x = to_canonical(signal, problem, dt)
    w = to_canonical(kernel, problem, dt, flip=problem.flip_kernel)
    if problem.conj_kernel and dt.kind == "c":
        w = np.conjugate(w)
    xi, wi, count = batch_indices(problem, x, w)
    xgroup, bidx, kidx = groups(problem, xi, wi, count)
    out = np.empty((count,) + problem.out_conv_shape, dtype=dt)
    oitem = 1
    for m in problem.out_conv_shape:
        oitem *= m
    fill = problem.fillvalue
    fill = dt.type(fill) if dt.kind == "c" else dt.type(fill.real)
    nconv = len(problem.axes)
    blocks = None
    if bidx.shape[1] == 1 and _finite(x):
        # (the banded matrices' zeros would spread a NaN or Inf over its block)
        blocks = _block_plan(problem, w, kidx, taps)
    if blocks is not None:
        B, wb, tile = blocks
        kgroup = np.ascontiguousarray(kidx[:, 0])
        _toeplitz.correlate_blocks(x.reshape(-1), wb.reshape(-1), out.reshape(-1),
                                   x.shape[-nconv:], w.shape[-nconv:],
                                   problem.out_conv_shape, problem.lo, problem.step, xgroup,
                                   np.ascontiguousarray(bidx[:, 0]), kgroup,
                                   problem.boundary, fill, B, tile, nthreads)
        return finish(out.reshape(problem.batch_shape + problem.out_conv_shape), problem)
    _toeplitz.correlate(x.reshape(-1), w.reshape(-1), out.reshape(-1),
                        x.shape[-nconv:], w.shape[-nconv:], problem.out_conv_shape,
                        problem.lo, problem.step, xgroup, bidx, kidx, problem.boundary,
                        fill, tile_size(taps, bidx.shape[1], oitem), nthreads)
    return finish(out.reshape(problem.batch_shape + problem.out_conv_shape), problem)
