"""The separable method: a kernel of low rank as passes of 1-D kernels.

A kernel that is an outer product, ``w = f0 (x) f1 (x) ... (x) f[d-1]``,
correlates the extended signal ``X`` as ``d`` passes of 1-D kernels, one
per convolved axis: ``d`` times ``K`` multiply-adds per output instead of
``K**d``. A 2-D kernel of rank ``r`` is the sum of ``r`` such products and takes
``r`` chains of passes.

Boundaries. Pass ``j`` samples its own axis at the problem's positions
``o * step + lo + k`` and keeps every other axis as it is (its lengths
along them are those of the array it receives). The boundary rule extends
each axis independently: for ``wrap``, ``symm``, ``reflect`` and ``edge``
the extended signal is ``X[p] = x[m0(p0), m1(p1), ...]`` with one index map
per axis, so extending the output of the earlier passes along the next
axis by that axis's map gives exactly the samples the N-D correlation
reads. The ``fill`` boundary with the value ``c`` is extended by ``c``
where *any* index lies outside; a pass along axis ``j`` turns a line of
``c`` into a line of ``c * sum(f_j)``, so the next pass fills with ``c``
times the sums of the factors already applied (zero for the default fill).
``circular`` mode is the ``wrap`` boundary. Strides apply in the pass of
their axis, so later passes work on the strided array.

Integer and bool kernels are used only when their factors are exact
integers (found by :func:`integer_factors` and checked by reconstructing
the kernel): the passes then sum exactly in int64 (modulo ``2**64``, as the
direct method does), so the result equals the direct method's. Floating
kernels of rank 1 are factored by the fibres through their largest entry
(no matrix factorisation, which in a threaded LAPACK can cost more than a
small convolution), 2-D kernels of higher rank by repeating that on the
residual (cross approximation with full pivoting); the factors are accepted when what the factors leave out is at
most :data:`RANK_RTOL` times the dtype's epsilon times ``sqrt(taps)`` of
the kernel's Frobenius norm (``eps`` of the result's dtype): an error of
the order of the rounding error of the direct sums.

Each pass is a :class:`~sigconv._problem.Problem` of its own, evaluated
by the direct method (over the whole array, with a kernel of length 1
along the other axes, so that no axis is moved) or, for a long factor
where the cost model prefers it, by the FFT method along that axis.
"""
import itertools
import math
import threading

import numpy as np

from .._boundary import map_index
from .._dtypes import cast_fillvalue, kernel_dtype
from .._ext import _direct, _separable
from .._problem import Problem
from .._threads import resolve_workers
from . import direct, fft
from ._layout import batch_indices, finish, to_canonical

_ZERO = np.zeros(1, dtype=np.intp)

#: a floating kernel is separable when the part its factors leave out has
#: at most ``RANK_RTOL * eps * sqrt(taps)`` of its Frobenius norm (``eps``
#: of the result's dtype)
RANK_RTOL = 4.0

#: factors shorter than this are always applied by the direct method
FFT_MIN_TAPS = 48

#: bytes of one band's intermediate arrays in the banded evaluation (about
#: a core's share of the L2 cache)
BAND_BYTES = 1 << 18

#: items of at least this many samples are evaluated band by band
BAND_MIN_POINTS = 1 << 15


class Factors:
    """A kernel as a sum of outer products of 1-D factors.

    ``terms``: one tuple of ``d`` 1-D arrays per term (``d`` convolved
    axes); ``exact``: the factors reproduce the kernel exactly (integers);
    ``shape``: the kernel's lengths along the convolved axes.
    """

    __slots__ = ("terms", "exact", "shape")

    def __init__(self, terms, exact, shape):
        self.terms, self.exact, self.shape = terms, exact, shape

    @property
    def rank(self):
        return len(self.terms)

    def __repr__(self):
        return "Factors(rank=%d, shape=%s, exact=%s)" % (self.rank, self.shape, self.exact)


def max_rank(shape):
    """The largest rank worth separating: fewer taps in the passes than in the kernel."""
    active = [k for k in shape if k > 1]
    if len(active) != 2:
        return 1
    k0, k1 = active
    return max(1, (k0 * k1 - 1) // (k0 + k1))


def _wrap64(v):
    """Python int ``v`` modulo ``2**64`` as a signed int64 value."""
    return ((int(v) + (1 << 63)) % (1 << 64)) - (1 << 63)


def integer_factors(w):
    """Integer 1-D factors whose outer product is exactly ``w``, or None.

    ``w``: an array of integer values (any dtype). The fibres through the
    entry of largest magnitude span a rank-1 tensor's factors; each but the
    first is divided by the gcd of its entries, and the first is what is
    left (a rank-1 integer tensor is the product of primitive integer
    vectors and one integer vector, Gauss's lemma). The candidate is
    checked against ``w`` with Python integers.
    """
    w = np.asarray(w)
    if not np.any(w):
        return tuple(np.zeros(n, dtype=np.int64) if i == 0 else
                     np.eye(1, n, dtype=np.int64)[0] for i, n in enumerate(w.shape))
    mags = np.abs(w.astype(np.float64))
    p = np.unravel_index(int(np.argmax(mags)), w.shape)
    factors = []
    for i in range(w.ndim):
        sel = list(p)
        sel[i] = slice(None)
        fibre = [int(v) for v in w[tuple(sel)].tolist()]
        if i > 0:
            g = 0
            for v in fibre:
                g = math.gcd(g, v)
            if fibre[p[i]] < 0:
                g = -g
            fibre = [v // g for v in fibre]
        factors.append(fibre)
    scale = 1
    for i in range(1, w.ndim):
        scale *= factors[i][p[i]]
    if any(v % scale for v in factors[0]):
        return None
    factors[0] = [v // scale for v in factors[0]]
    if not _outer_equals(factors, w):
        return None
    if any(abs(v) >= 1 << 62 for f in factors for v in f):
        return None
    return tuple(np.array(f, dtype=np.int64) for f in factors)


def _outer_equals(factors, w):
    """Whether the outer product of the integer ``factors`` (lists of Python
    ints) is exactly ``w``.

    In int64 arrays where no partial product can overflow (the product of
    the factors' largest magnitudes below ``2**63``), else entry by entry
    with Python integers.
    """
    bound = 1
    for f in factors:
        bound *= max(abs(v) for v in f)
    if bound < 1 << 63:
        if w.dtype.kind == "u" and w.dtype.itemsize == 8 and int(w.max()) >= 1 << 63:
            return False           # beyond every product of the factors
        out = np.array(factors[0], dtype=np.int64)
        for f in factors[1:]:
            out = np.multiply.outer(out, np.array(f, dtype=np.int64))
        return bool(np.array_equal(out, w.astype(np.int64, copy=False)))
    flat = [int(v) for v in w.reshape(-1).tolist()]
    for idx, value in zip(itertools.product(*[range(n) for n in w.shape]), flat):
        prod = 1
        for f, j in zip(factors, idx):
            prod *= f[j]
        if prod != value:
            return False
    return True


def _norm(a):
    """The Frobenius norm of ``a``, as :func:`numpy.linalg.norm` computes it
    (the square root of the flattened array's dot product with itself)."""
    v = a.reshape(-1)
    if v.dtype.kind == "c":
        re, im = v.real, v.imag
        return math.sqrt(re.dot(re) + im.dot(im))
    return math.sqrt(v.dot(v))


def _fibres(w):
    """The rank-1 tensor through the entry of largest magnitude: its fibres there.

    ``w[:, q1, ...] (x) w[q0, :, ...] (x) ... / w[q]**(d - 1)``: exact for a
    rank-1 ``w`` up to rounding, found without a matrix factorisation.
    """
    flat = int(np.abs(w).argmax())
    q = []
    for n in reversed(w.shape):
        flat, r = divmod(flat, n)
        q.append(r)
    q.reverse()
    pivot = w[tuple(q)]
    vecs = []
    for i in range(w.ndim):
        sel = list(q)
        sel[i] = slice(None)
        vecs.append(w[tuple(sel)] if i == 0 else np.array(w[tuple(sel)]))
    vecs[0] = vecs[0] / pivot ** (w.ndim - 1)
    return vecs


#: the largest minor :func:`_minor_bound` evaluates (its determinant's
#: rounding stays far below the tolerances)
MINOR_MAX = 8


def _minor_positions(n0, n1):
    """Rows ``i, k`` and columns ``j, l`` of the two 2 x 2 minors of an
    ``n0 x n1`` matrix :func:`_minor_2x2_bound` reads (none below 2 x 2)."""
    if n0 < 2 or n1 < 2:
        return ()
    out = []
    for i, k, j, l in ((n0 // 4, (3 * n0) // 4, n1 // 4, (3 * n1) // 4),
                       (0, n0 - 1, n1 - 1, 0)):
        if i == k:
            k = i + 1
        if j == l:
            l = j + 1 if j + 1 < n1 else j - 1
        out.append((i, k, j, l))
    return out


def _minor_2x2_bound(w):
    """A lower bound of ``w``'s second singular value (of its unfolding along
    the first axis): the larger of two 2 x 2 minors' ``|det| / ||.||_F``.

    Every rank-1 tensor is rank 1 in that unfolding, so the best rank-1
    approximation of ``w`` leaves at least this much out (a submatrix's
    singular values are at most the matrix's, and ``sigma_min >= |det| /
    sigma_max``); the rounding of the determinant is taken off. Two minors
    of rows and columns a quarter and three quarters of the way: a handful
    of scalar operations that tell most kernels of full rank at once.
    """
    m = w.reshape(w.shape[0], -1)
    best = 0.0
    for i, k, j, l in _minor_positions(*m.shape):
        a, b, c, e = m.item(i, j), m.item(i, l), m.item(k, j), m.item(k, l)
        sq = abs(a) ** 2 + abs(b) ** 2 + abs(c) ** 2 + abs(e) ** 2
        if sq > 0.0:
            det = abs(a * e - b * c) - 4.0 * _EPS64 * sq
            best = max(best, det / math.sqrt(sq))
    return best


def _minor_bound(w, rank):
    """A lower bound of the ``rank + 1``-th singular value of the 2-D ``w``
    (0 where it tells nothing): the ``rank + 1`` square submatrix of evenly
    spaced rows and columns, ``|det| / ||S||_F**rank``, less what the
    determinant's rounding could add. No matrix of rank ``rank`` is closer
    to ``w`` than this (Eckart-Young; a submatrix's singular values are at
    most the matrix's)."""
    n = rank + 1
    if n > MINOR_MAX or n > min(w.shape):
        return 0.0
    rows = [(2 * i + 1) * w.shape[0] // (2 * n) for i in range(n)]
    cols = [(2 * j + 1) * w.shape[1] // (2 * n) for j in range(n)]
    S = w.take(rows, 0).take(cols, 1)
    size = _norm(S)
    if size == 0.0:
        return 0.0
    # LU of at most 8 x 8 with partial pivoting: the computed determinant is
    # that of S + E with ||E|| below gamma ||S|| (growth at most 2**(n - 1))
    gamma = 4.0 * n * n * 2.0 ** (n - 1) * _EPS64
    det = abs(np.linalg.det(S))
    return float(det) / ((1.0 + gamma) * size) ** rank - gamma * size


_EPS64 = float(np.finfo(np.float64).eps)


def _float_factors(w, tol, rank_limit):
    """Terms of outer products within ``tol * ||w||_F`` of ``w``, or None.

    Rank 1 from the fibres through the largest entry (no factorisation); in
    2-D, ranks 2 to ``rank_limit`` by repeating that on the residual. A
    minor of ``w`` whose bound on what any such terms leave out is twice
    the tolerance decides without them (:func:`_minor_2x2_bound`,
    :func:`_minor_bound`): the answer is the same, None.
    """
    d = w.ndim
    norm = _norm(w)
    if norm == 0.0:
        return [tuple(np.zeros(n, dtype=w.dtype) for n in w.shape)]
    if d == 1:
        return [(w.copy(),)]
    bound = tol * norm
    limit = 1 if d > 2 else min(rank_limit, max_rank(w.shape))
    # not of rank 1: a 2 x 2 minor tells most kernels of full rank at once
    full = _minor_2x2_bound(w) > 2.0 * bound
    if full and (limit < 2 or _minor_bound(w, limit) > 2.0 * bound):
        return None
    vecs = _fibres(w)
    rest = w - _outer(vecs)
    if not full and _norm(rest) <= bound:
        return [tuple(vecs)]
    if limit < 2 or (not full and _minor_bound(w, limit) > 2.0 * bound):
        return None
    # higher rank in 2-D: cross approximation with full pivoting (one
    # fibre pair per term, subtracted from the residual), which recovers a
    # matrix of rank r in r steps, again without a factorisation
    terms = [tuple(vecs)]
    for _ in range(1, limit):
        vecs = _fibres(rest)
        terms.append(tuple(vecs))
        rest -= _outer(vecs)
        if _norm(rest) <= bound:
            return terms
    return None


def _outer(vecs):
    out = vecs[0]
    for v in vecs[1:]:
        out = out[..., np.newaxis] * v
    return out


def _integer_valued(core):
    """Whether the floating ``core`` holds integers below ``2**52`` only (its
    first entry tells most kernels that do not at once)."""
    if core.size and not float(core.item(0)).is_integer():
        return False
    return bool((np.rint(core) == core).all()) and (
        core.size == 0 or float(np.abs(core).max()) < 2.0 ** 52)


def factorize(w, dtype, rank_limit=None):
    """:class:`Factors` of the kernel ``w`` (convolved axes only), or None.

    ``dtype``: the result's dtype (its epsilon sets the tolerance for
    floating kernels; integers must factor exactly); ``rank_limit``: the
    largest rank worth finding (default: :func:`max_rank`).
    Axes of length 1 are left out of the search and get the factor ``[1]``.
    """
    shape = w.shape
    active = [i for i, n in enumerate(shape) if n > 1]
    core = w.reshape([shape[i] for i in active]) if active else w.reshape(1)
    if not active:
        active = [0]
    exact = w.dtype.kind in "biu"
    if not exact and not np.isfinite(core).all():
        return None
    terms = None
    if exact or (w.dtype.kind == "f" and _integer_valued(core)):
        ints = integer_factors(core if exact else core.astype(np.int64))
        if ints is not None:
            if exact:
                terms = [ints]
            else:
                terms = [tuple(f.astype(w.dtype) for f in ints)]
                exact = True
        elif exact:
            return None
    if terms is None:
        eps = float(np.finfo(dtype).eps)
        tol = RANK_RTOL * eps * math.sqrt(core.size)
        # in double precision at most
        work = np.asarray(core, dtype=np.complex128 if core.dtype.kind == "c" else np.float64)
        terms = _float_factors(work, tol, max_rank(shape) if rank_limit is None
                               else rank_limit)
        if terms is None:
            return None
    if len(active) == len(shape):
        return Factors([tuple(term) for term in terms], exact, shape)
    full = []
    for term in terms:
        fs = [np.ones(1, dtype=term[0].dtype) for _ in shape]
        for i, f in zip(active, term):
            fs[i] = f
        full.append(tuple(fs))
    return Factors(full, exact, shape)


def kernel_matrix(problem, kernel):
    """The kernel as the passes correlate with it (convolved axes only), or None.

    None when the kernel has more than one item along the other axes (a
    filter bank: each item would need its own factors).
    """
    w = to_canonical(kernel, problem, None, flip=problem.flip_kernel)
    nb = len(problem.batch_shape)
    if any(n != 1 for n in w.shape[:nb]):
        return None
    w = w.reshape(w.shape[nb:])
    if problem.conj_kernel and w.dtype.kind == "c":
        w = np.conjugate(w)
    return w


def factors_for(problem, kernel, rank_limit=None):
    """:class:`Factors` of ``problem``'s kernel, or None when it is not separable.

    ``rank_limit``: the largest rank worth finding (see :func:`factorize`).
    Where only rank 1 is sought, a 2 x 2 minor read from the kernel as it
    is may tell first that there is none (:func:`_not_rank1`).
    """
    if _not_rank1(problem, kernel, rank_limit):
        return None
    w = kernel_matrix(problem, kernel)
    if w is None:
        return None
    return factorize(w, problem.out_dtype, rank_limit)


def _not_rank1(problem, kernel, rank_limit):
    """Whether a 2 x 2 minor of the kernel shows that :func:`factorize`, asked
    for rank 1 only, finds no factors: the minor is not zero (integers), or
    its bound of :func:`_minor_2x2_bound` is above twice the tolerance.

    Read from the kernel as given (its flips and conjugation do not change
    the singular values): a few scalar operations, where factoring costs a
    dozen array operations. False where it cannot tell.
    """
    dims = [kernel.shape[a] for a in problem.axes]
    active = [n for n in dims if n > 1]
    if len(active) < 2 or kernel.dtype.char in "gG" or kernel.size != math.prod(dims):
        return False        # (a filter bank is never separable: left to factors_for)
    if len(active) == 2 and (rank_limit is None or rank_limit > 1) and max_rank(active) > 1:
        return False
    # the kernel's lengths other than 1 are its convolved axes', in order
    core = kernel.reshape(active)
    if kernel.dtype.kind in "biu":
        m = core.reshape(core.shape[0], -1)
        return any(int(m.item(i, j)) * int(m.item(k, l)) != int(m.item(i, l)) * int(m.item(k, j))
                   for i, k, j, l in _minor_positions(*m.shape))
    best = _minor_2x2_bound(core)
    if not best > 0.0:
        return False
    work = np.asarray(core, dtype=np.complex128 if core.dtype.kind == "c" else np.float64)
    tol = RANK_RTOL * float(np.finfo(problem.out_dtype).eps) * math.sqrt(core.size)
    return best > 2.0 * tol * _norm(work)


class _Stash(threading.local):
    item = None


_stash = _Stash()


def stash(kernel, factors):
    """Hand ``factors`` of ``kernel`` to the next :func:`run` on this thread."""
    _stash.item = (kernel, factors)


def _take(kernel):
    item, _stash.item = _stash.item, None
    if item is not None and item[0] is kernel:
        return item[1]
    return None


# --------------------------------------------------------------------------
# The passes
# --------------------------------------------------------------------------

def _work_dtype(problem):
    """dtype of the intermediate arrays."""
    if problem.out_dtype.kind in "biu":
        return np.dtype(np.int64)
    if problem.is_complex:
        return np.result_type(problem.compute_dtype, np.complex64)
    return problem.compute_dtype


def _pass_problem(problem, shape, j, K, fill, dtype, along_only=False):
    """The Problem of the pass along convolved axis ``j`` of a canonical array of ``shape``.

    ``along_only``: axis ``j`` is the only convolved axis (the others are
    batch), the form the FFT method needs; otherwise every convolved axis
    is convolved, with length 1 of kernel along all but ``j`` (the direct
    method then needs no axis moved).
    """
    nb = len(problem.batch_shape)
    d = len(problem.axes)
    conv = list(shape[nb:])
    out_conv = list(conv)
    out_conv[j] = problem.out_conv_shape[j]
    out_shape = tuple(shape[:nb]) + tuple(out_conv)
    compute, is_complex = kernel_dtype(dtype)
    outputs = 1
    for n in out_shape:
        outputs *= n
    if along_only:
        ax = nb + j
        axes = (ax,)
        batch = tuple(n for i, n in enumerate(shape) if i != ax)
        x_shape, k_shape = (conv[j],), (K,)
        out_c = (out_conv[j],)
        lo, step = (problem.lo[j],), (problem.step[j],)
    else:
        axes = tuple(range(nb, nb + d))
        batch = tuple(shape[:nb])
        x_shape = tuple(conv)
        k_shape = tuple(K if i == j else 1 for i in range(d))
        out_c = tuple(out_conv)
        lo = tuple(problem.lo[j] if i == j else 0 for i in range(d))
        step = tuple(problem.step[j] if i == j else 1 for i in range(d))
    return Problem(
        op="convolve", flavor="nd", mode=problem.mode, boundary=problem.boundary,
        fillvalue=cast_fillvalue(fill, dtype), ndim=len(shape), axes=axes,
        batch_shape=batch, x_shape=x_shape, k_shape=k_shape, out_conv_shape=out_c,
        lo=lo, step=step, swapped=False, flip_kernel=False, conj_kernel=False,
        reverse_output=False, conj_output=False, out_shape=out_shape, out_dtype=dtype,
        compute_dtype=compute, is_complex=is_complex,
        work=outputs * K * (4 if is_complex else 1))


def _identity(problem, j, n):
    return (problem.k_shape[j] == 1 and problem.lo[j] == 0 and problem.step[j] == 1
            and problem.out_conv_shape[j] == n)


def pass_order(problem):
    """The convolved axes in the order of least work (axes needing no pass left out)."""
    d = len(problem.axes)
    needed = [j for j in range(d) if not _identity(problem, j, problem.x_shape[j])]
    if not needed:
        needed = [d - 1]
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    best = None
    for order in itertools.permutations(needed):
        conv = list(problem.x_shape)
        cost = 0
        for j in order:
            conv[j] = problem.out_conv_shape[j]
            n = rows
            for m in conv:
                n *= m
            cost += n * max(problem.k_shape[j], 2)
        if best is None or cost < best[0]:
            best = (cost, order)
    return best[1]


def passes(problem, order=None):
    """Per pass: ``(axis, direct-form Problem, axis-only Problem)`` (fill left at 0)."""
    dtype = _work_dtype(problem)
    nb = len(problem.batch_shape)
    shape = list(problem.batch_shape) + list(problem.x_shape)
    out = []
    for j in (pass_order(problem) if order is None else order):
        K = problem.k_shape[j]
        sub = _pass_problem(problem, shape, j, K, 0, dtype)
        along = _pass_problem(problem, shape, j, K, 0, dtype, along_only=True)
        out.append((j, sub, along))
        shape[nb + j] = problem.out_conv_shape[j]
    return out


def _pass_method(sub, along, workers):
    """'direct' or the transform method the cost model prefers for one pass."""
    if along.k_shape[0] < FFT_MIN_TAPS or sub.out_dtype.kind in "biu":
        return "direct"
    from .. import _cost
    direct_t = _cost._model_times(sub, 1, workers)["direct"]
    fft_t = _cost._model_times(along, 1, workers)["fft"]
    return "fft" if fft_t < direct_t else "direct"


def _scaled_fill(fill, total, dtype):
    if dtype.kind in "biu":
        return _wrap64(int(fill) * int(total))
    return fill * total


def _not_separable(problem):
    return ValueError(
        "method='separable' needs a kernel that is an outer product of 1-D factors (or "
        "in 2-D a sum of at most %d of them), to within the rounding error of %s results "
        "(integer kernels exactly, with integer factors), with finite values and one "
        "kernel for every item of the batch; this kernel of shape %s is not. Use "
        "method='auto' or 'direct'."
        % (max_rank(problem.k_shape), problem.out_dtype, problem.k_shape))


def _bandable(problem, factors, plan, methods):
    """Whether :func:`_run_banded` can evaluate ``problem``."""
    d = len(problem.axes)
    if d < 2 or problem.is_complex or problem.compute_dtype.char not in "fdq":
        return False
    if any(m != "direct" for m in methods):
        return False
    if any(k < 2 for k in problem.k_shape):
        return False
    points = 1
    for n in problem.x_shape:
        points *= n
    return points >= BAND_MIN_POINTS


def _run_banded(problem, x, factors, fill0, workers):
    """The passes band by band along the first convolved axis, into one result.

    Each band of ``R`` outputs along the first axis is taken through every
    pass before the next: the intermediate arrays (``R`` lines wide) stay in
    the cache, and the input is read and the output written once. Each pass
    calls the direct kernel on the whole item with the band's offset along
    the first axis (boundary by index, no copy); the last pass writes into
    the result in place.
    """
    nb = len(problem.batch_shape)
    d = len(problem.axes)
    dt = problem.compute_dtype
    out = np.empty(problem.batch_shape + problem.out_conv_shape, dtype=dt)
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    xs = x.reshape((-1,) + x.shape[nb:])
    outs = out.reshape((rows,) + problem.out_conv_shape)
    M0 = problem.out_conv_shape[0]
    line = dt.itemsize
    for n in problem.x_shape[1:]:
        line *= n
    R = max(1, min(M0, BAND_BYTES // line))
    nthreads = resolve_workers(workers, problem.work // max(1, sum(problem.k_shape)))
    terms = []
    for term in factors.terms:
        ws = []
        for j, f in enumerate(term):
            shape = [1] * d
            shape[j] = f.size
            ws.append(np.ascontiguousarray(f, dtype=dt).reshape(-1))
        fills = [fill0]
        for f in term[:-1]:
            fills.append(_scaled_fill(fills[-1], f.astype(dt).sum(dtype=dt), dt))
        terms.append((ws, [dt.type(v) if dt.kind == "f" else int(v) for v in fills]))
    kshapes = [tuple(problem.k_shape[j] if i == j else 1 for i in range(d)) for j in range(d)]
    bands = [(b, r0, min(M0, r0 + R)) for b in range(rows) for r0 in range(0, M0, R)]
    # three axes or more: the last two passes of a band in the fused kernel
    fuse = (d >= 3 and dt in _FUSED_DTYPES and max(problem.k_shape[-2:]) < FFT_MIN_TAPS
            and _fused_extra_ok(problem, d - 2, d - 1)[0])
    if fuse:
        rmap, cmap = _fused_maps(problem, (d - 2, d - 1))
        items = np.arange(R * math.prod(problem.out_conv_shape[1:d - 2]), dtype=np.intp)

    def work(chunk, threads):
        # this worker's scratch: each pass's band, and a term's result
        bufs = []
        for j in range(d - 1):
            size = R
            for i in range(1, d):
                size *= problem.out_conv_shape[i] if i <= j else problem.x_shape[i]
            bufs.append(np.empty(size, dtype=dt))
        extra = (None if len(terms) == 1 or fuse
                 else np.empty((R,) + problem.out_conv_shape[1:], dt))
        for b, r0, r1 in chunk:
            xb = xs[b].reshape(-1)
            for t, (ws, fills) in enumerate(terms):
                src, sshape = xb, tuple(problem.x_shape)
                for j in range(d):
                    if fuse and j == d - 2:
                        # both passes into the result (later terms added in place)
                        n = (r1 - r0) * math.prod(sshape[1:d - 2])
                        _separable.correlate(
                            src, ws[j], ws[j + 1], outs[b, r0:r1].reshape(-1),
                            sshape[d - 2], sshape[d - 1], problem.out_conv_shape[d - 2],
                            problem.out_conv_shape[d - 1], problem.step[d - 2],
                            problem.step[d - 1], problem.lo[d - 1], rmap, cmap, items[:n],
                            fills[j], t > 0, threads)
                        break
                    oshape = (r1 - r0,) + tuple(
                        problem.out_conv_shape[i] if i <= j else problem.x_shape[i]
                        for i in range(1, d))
                    lo = tuple((problem.lo[0] + r0 * problem.step[0]) if (i == 0 and j == 0)
                               else problem.lo[i] if i == j else 0 for i in range(d))
                    step = tuple(problem.step[i] if i == j else 1 for i in range(d))
                    if j == d - 1:
                        dest = outs[b, r0:r1] if t == 0 else extra[:r1 - r0]
                    else:
                        size = 1
                        for n in oshape:
                            size *= n
                        dest = bufs[j][:size]
                    _direct.correlate(src, ws[j], dest.reshape(-1), sshape, kshapes[j],
                                      oshape, lo, step, _ZERO, _ZERO, problem.boundary,
                                      fills[j], threads)
                    src, sshape = dest.reshape(-1), oshape
                if t > 0 and not fuse:
                    np.add(outs[b, r0:r1], extra[:r1 - r0], out=outs[b, r0:r1])

    nthreads = min(nthreads, len(bands))
    if nthreads <= 1:
        work(bands, 1)
        return out
    # One band list per thread, each calling the kernel on one thread: a
    # parallel region per band would wait for every thread at every band,
    # which costs dearly when the cores are shared.
    edges = [len(bands) * i // nthreads for i in range(nthreads + 1)]
    errors = []

    def guarded(chunk):
        try:
            work(chunk, 1)
        except BaseException as exc:     # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(bands[a:z],), name="sigconv-sep")
               for a, z in zip(edges[1:-1], edges[2:])]
    for th in threads:
        th.start()
    try:
        guarded(bands[edges[0]:edges[1]])
    finally:
        for th in threads:
            th.join()
    if errors:
        raise errors[0]
    return out


#: multiply-adds below which the fused kernel runs on one thread by default
#: (starting a helper thread costs about 50 microseconds)
TEAM_MIN_WORK = 1 << 24

#: the fused kernel is used while the work it does (its vertical pass runs
#: over every column a strided output row spans) is at most this many
#: times the work of the passes in their best order
FUSED_MAX_EXTRA = 2.0


_FUSED_DTYPES = tuple(np.dtype(t) for t in (np.float32, np.float64, np.longdouble, np.int64))


def _fused_extra_ok(problem, a, b):
    """The fused kernel's work rule for the convolved axes ``a`` (rows) and
    ``b`` (columns) of ``problem``: its vertical pass runs over every column
    a strided output row spans."""
    M0, M1 = problem.out_conv_shape[a], problem.out_conv_shape[b]
    n0, n1 = problem.x_shape[a], problem.x_shape[b]
    K0, K1 = problem.k_shape[a], problem.k_shape[b]
    span = min(n1, (M1 - 1) * problem.step[b] + K1)
    fused = M0 * (K0 * span + K1 * M1)
    # the passes in either order: rows first over the item's columns, or
    # columns first over every row the outputs read
    rows_first = M0 * n1 * K0 + M0 * M1 * K1
    rows_read = min(n0, (M0 - 1) * problem.step[a] + K0)
    cols_first = rows_read * M1 * K1 + M0 * M1 * K0
    return fused <= FUSED_MAX_EXTRA * min(rows_first, cols_first), fused


def fused_work(problem):
    """``(multiply-adds, outputs)`` of the fused kernel for ``problem``, or
    None where it does not apply.

    It applies to two convolved axes of real data (computed in float32,
    float64, long double or int64) while its vertical pass, which runs
    over every column a strided output row spans, does at most
    :data:`FUSED_MAX_EXTRA` times the work of the passes in their best
    order. The cost model (:func:`sigconv._cost.separable_time`) takes it
    for factors shorter than :data:`FFT_MIN_TAPS`, which always run direct.
    """
    if len(problem.axes) != 2 or problem.is_complex:
        return None
    if problem.compute_dtype not in _FUSED_DTYPES:
        return None
    ok, fused = _fused_extra_ok(problem, 0, 1)
    if not ok:
        return None
    rows = 1
    for n in problem.batch_shape:
        rows *= n
    M0, M1 = problem.out_conv_shape
    return rows * fused, rows * M0 * M1


def _fusable(problem, methods):
    """Whether :func:`_run_fused` evaluates ``problem``: :func:`fused_work`
    applies and both passes are direct."""
    return all(m == "direct" for m in methods) and fused_work(problem) is not None


def _fused_maps(problem, axes=(0, 1)):
    """The fused kernel's index maps along two convolved axes: extended rows
    and columns -> index into the item (-1: the fill value)."""
    maps = []
    for j in axes:
        n = problem.x_shape[j]
        length = (problem.out_conv_shape[j] - 1) * problem.step[j] + problem.k_shape[j]
        pos = np.arange(problem.lo[j], problem.lo[j] + length, dtype=np.intp)
        maps.append(np.ascontiguousarray(map_index(pos, n, problem.boundary), dtype=np.intp))
    return maps


def _run_fused(problem, x, factors, fill0, workers):
    """Both passes of each term in one sweep (``sigconv._ext._separable``)."""
    dt = problem.compute_dtype
    n0, n1 = problem.x_shape
    M0, M1 = problem.out_conv_shape
    K0, K1 = problem.k_shape
    xi, _, count = batch_indices(problem, x, x)
    xi = np.ascontiguousarray(xi[:count], dtype=np.intp)
    out = np.empty((count, M0, M1), dtype=dt)
    if out.size == 0:
        return out.reshape(problem.batch_shape + problem.out_conv_shape)
    rmap, cmap = _fused_maps(problem)
    work = count * M0 * M1 * (K0 + K1)
    nthreads = resolve_workers(workers, work)
    if workers is None and work < TEAM_MIN_WORK:
        nthreads = 1
    fill = dt.type(fill0) if dt.kind == "f" else int(fill0)
    xs = x.reshape(-1)
    for t, term in enumerate(factors.terms):
        f0 = np.ascontiguousarray(term[0], dtype=dt).reshape(-1)
        f1 = np.ascontiguousarray(term[1], dtype=dt).reshape(-1)
        args = (xs, f0, f1, out.reshape(-1), n0, n1, M0, M1, problem.step[0],
                problem.step[1], problem.lo[1], rmap, cmap, xi, fill, t > 0, nthreads)
        if nthreads <= 1:
            _separable.correlate(*args)
        else:
            _in_team(args, nthreads)
    return out.reshape(problem.batch_shape + problem.out_conv_shape)


def _helper(args, ctrl):
    try:
        _separable.correlate(*args, ctrl=ctrl, helper=True)
    except BaseException:       # the calling thread's own call reports it
        pass


def _in_team(args, nthreads):
    """``_separable.correlate(*args)`` by ``nthreads`` threads taking tasks
    from one counter: this thread and ``nthreads - 1`` helpers.

    The call returns when every task is done; a helper the scheduler has
    not started by then (its core busy with another process) finds none
    left and leaves at once, so nobody waits for it -- where an OpenMP
    team would wait at its closing barrier for every thread to arrive.
    """
    ctrl = np.zeros(_separable.TEAM_CTRL + 8 * nthreads, dtype=np.int64)
    for _ in range(nthreads - 1):
        try:
            threading.Thread(target=_helper, args=(args, ctrl), name="sigconv-sep",
                             daemon=True).start()
        except RuntimeError:    # no more threads: the others take the tasks
            break
    _separable.correlate(*args, ctrl=ctrl, helper=False)


def run(problem, signal, kernel, workers=None, prepared=None):
    """Evaluate ``problem`` by passes of 1-D kernels; returns the finished array.

    ``prepared``: the kernel's :class:`Factors` (from :func:`prepare`);
    otherwise they are computed here, and :class:`ValueError` is raised
    when the kernel is not separable.
    """
    factors = prepared if prepared is not None else _take(kernel)
    if factors is None:
        factors = factors_for(problem, kernel)
    if factors is None:
        raise _not_separable(problem)
    if tuple(factors.shape) != tuple(problem.k_shape):
        raise ValueError("the kernel factors are for a kernel of shape %s, not %s"
                         % (factors.shape, problem.k_shape))
    dtype = _work_dtype(problem)
    real = dtype.kind != "c"
    x = to_canonical(signal, problem, problem.compute_dtype if real else None)
    plan = passes(problem)
    methods = [_pass_method(sub, along, workers) for _, sub, along in plan]
    fill0 = problem.fillvalue
    if dtype.kind in "biu":
        fill0 = int(np.asarray(fill0).astype(np.int64))
    if real and _fusable(problem, methods):
        return finish(_run_fused(problem, x, factors, fill0, workers), problem)
    if _bandable(problem, factors, plan, methods):
        return finish(_run_banded(problem, x, factors, fill0, workers), problem)
    acc = None
    for term in factors.terms:
        cur = x
        fill = fill0
        for (j, sub, along), method in zip(plan, methods):
            f = term[j].astype(dtype if dtype.kind != "c" or term[j].dtype.kind == "c"
                               else problem.compute_dtype, copy=False)
            target = sub if method == "direct" else along
            target = target._replace(fillvalue=cast_fillvalue(fill, dtype))
            shape = [1] * target.ndim
            shape[len(problem.batch_shape) + j] = f.size
            if method == "direct":
                cur = direct.run(target, cur, f.reshape(shape), workers)
            else:
                cur = fft.run(target, cur, f.reshape(shape), workers)
            if fill != 0:
                fill = _scaled_fill(fill, f.sum(dtype=dtype if dtype.kind != "c"
                                                else None), dtype)
        if acc is None:
            acc = cur if cur is not x else cur.copy()
        else:
            np.add(acc, cur, out=acc)
    return finish(acc, problem)


def prepare(problem, kernel, workers=None):
    """The kernel's :class:`Factors` for ``problem`` (ValueError when not separable)."""
    factors = factors_for(problem, kernel)
    if factors is None:
        raise _not_separable(problem)
    return factors
