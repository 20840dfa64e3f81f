"""Factoring a kernel into outer products of 1-D factors (the separable method's).

:func:`factorize` finds the terms: integer kernels exact integer factors
(:func:`integer_factors`), floating ones the fibres through the largest
entry, and in 2-D, for a higher rank, the same on the residual (cross
approximation with full pivoting), accepted within ``RANK_RTOL * eps *
sqrt(taps)`` of the kernel's Frobenius norm. Minors of the kernel bound
from below what any terms of a given rank leave out (its singular values):
where a bound is above the tolerance, the answer (none) is known without
the terms (:func:`_not_rank1`, :func:`_minor_2x2_bound`,
:func:`_minor_bound`), which ``method='auto'`` relies on to test kernels
quickly on every call.
"""
import itertools
import math
import threading

import numpy as np

#: a floating kernel is separable when the part its factors leave out has
#: at most ``RANK_RTOL * eps * sqrt(taps)`` of its Frobenius norm (``eps``
#: of the result's dtype)
RANK_RTOL = 4.0


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
    (0 where it tells nothing): the least singular value of ``rank + 1``
    evenly spaced columns of ``w`` (all rows), less what its rounding could
    add. No matrix of rank ``rank`` is closer to ``w`` than this
    (Eckart-Young; the singular values of a submatrix of columns are at
    most the matrix's, by interlacing)."""
    n = rank + 1
    if n > min(w.shape):
        return 0.0
    cols = [(2 * j + 1) * w.shape[1] // (2 * n) for j in range(n)]
    s = np.linalg.svd(w.take(cols, 1), compute_uv=False)
    # a backward stable SVD: the values of a matrix within a few units of
    # rounding (times its size) of the columns', so each within that of its own
    return float(s[-1]) - 8.0 * max(w.shape[0], n) * _EPS64 * float(s[0])


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


#: kernels of at most this many bytes have their answer kept (see :func:`factorize`)
MEMO_BYTES = 1 << 16

#: how many answers are kept
MEMO_ENTRIES = 16

_memo = []                 # [(key, kernel bytes, answer)], the latest first
_memo_lock = threading.Lock()
_MISSING = object()


def memo_get(key, data):
    """The answer kept for ``key`` and the kernel bytes ``data``, or ``_MISSING``."""
    with _memo_lock:
        for i, (k, b, answer) in enumerate(_memo):
            if k == key and b == data:
                if i:
                    _memo.insert(0, _memo.pop(i))
                return answer
    return _MISSING


def memo_put(key, data, answer):
    """Keep ``answer`` for ``key`` and ``data`` (its factors made read-only)."""
    if answer is not None:
        for term in answer.terms:
            for f in term:
                f.flags.writeable = False
    with _memo_lock:
        _memo.insert(0, (key, data, answer))
        del _memo[MEMO_ENTRIES:]


def factorize(w, dtype, rank_limit=None):
    """:class:`Factors` of the kernel ``w`` (convolved axes only), or None.

    ``dtype``: the result's dtype (its epsilon sets the tolerance for
    floating kernels; integers must factor exactly); ``rank_limit``: the
    largest rank worth finding (default: :func:`max_rank`).
    Axes of length 1 are left out of the search and get the factor ``[1]``.

    The answers for the last :data:`MEMO_ENTRIES` kernels of at most
    :data:`MEMO_BYTES` bytes are kept, matched by the kernel's bytes (not
    its identity: an array changed in place is a new kernel), so a loop
    that filters with one kernel tests it once; their factors are
    read-only.
    """
    if w.nbytes > MEMO_BYTES:
        return _factorize(w, dtype, rank_limit)
    key = ("factorize", w.dtype.str, w.shape, np.dtype(dtype).str, rank_limit)
    data = w.tobytes()
    answer = memo_get(key, data)
    if answer is _MISSING:
        answer = _factorize(w, dtype, rank_limit)
        memo_put(key, data, answer)
    return answer


def clear_memo():
    """Forget the kept answers of :func:`factorize` (and of the callers that keep theirs here)."""
    with _memo_lock:
        del _memo[:]


def _factorize(w, dtype, rank_limit):
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
