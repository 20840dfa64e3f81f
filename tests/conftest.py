"""Shared fixtures, parametrisations and the one tolerance check (assert_close)."""
import functools
import math
import os
import tempfile
import warnings

import numpy as np
import pytest

try:
    import hypothesis
    from hypothesis import settings
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    hypothesis = None

if hypothesis is not None:
    # No example database, no per-example deadline (the first call of a
    # compiled kernel may be slow), the same examples on every run, and
    # hypothesis's own files outside the source tree.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "sigconv-tests-hypothesis"))
    settings.register_profile("sigconv", database=None, deadline=None, derandomize=True,
                              print_blob=True)
    settings.load_profile("sigconv")
    # hypothesis reports a failing example through libcst, whose import emits
    # a DeprecationWarning (mypy_extensions) that filterwarnings=error would
    # turn into an internal error hiding the failure: import it quietly now.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import hypothesis.extra._patching  # noqa: F401
        except Exception:  # pragma: no cover - optional dependency missing
            pass


# --------------------------------------------------------------------------
# Parametrisation tables
# --------------------------------------------------------------------------

MODES = ("full", "same", "valid")
ALL_MODES = MODES + ("circular",)
BOUNDARIES = ("fill", "constant", "wrap", "symm", "symmetric", "reflect", "edge")
SCIPY_2D_BOUNDARIES = ("fill", "wrap", "symm")
OPS = ("convolve", "correlate")

FLOAT_DTYPES = (np.float32, np.float64)
COMPLEX_DTYPES = (np.complex64, np.complex128)
INT_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64)

#: (in1 shape, in2 shape) pairs per dimension: kernels smaller, equal,
#: larger on some or all axes, even and odd lengths, length 1.
SHAPE_PAIRS = {
    1: [((7,), (3,)), ((8,), (4,)), ((5,), (5,)), ((1,), (1,)), ((6,), (1,)),
        ((3,), (8,)), ((2,), (7,)), ((29,), (6,))],
    2: [((6, 7), (3, 2)), ((5, 5), (5, 5)), ((4, 6), (2, 9)), ((3, 4), (6, 7)),
        ((1, 5), (1, 3)), ((9, 8), (4, 3))],
    3: [((5, 4, 6), (3, 2, 3)), ((3, 4, 3), (4, 2, 5)), ((2, 3, 2), (3, 4, 5)),
        ((6, 5, 4), (1, 3, 2))],
    4: [((3, 4, 3, 5), (2, 3, 2, 2)), ((2, 3, 2, 3), (3, 2, 4, 2))],
}

def valid_defined(s1, s2):
    """Whether 'valid' is defined: one input at least as large on every axis."""
    return all(a >= b for a, b in zip(s1, s2)) or all(b >= a for a, b in zip(s1, s2))


def _shape_id(s1, s2):
    return "%s-%s" % ("x".join(map(str, s1)), "x".join(map(str, s2)))


def shape_str(shape):
    """pytest id of one shape argument: ``(3, 4)`` -> ``3x4``."""
    return "x".join(map(str, shape))


def shape_pair_params(ndims=(1, 2, 3, 4)):
    """pytest params of (s1, s2) over the given dimensions, with readable ids."""
    return [pytest.param(s1, s2, id=_shape_id(s1, s2))
            for d in ndims for s1, s2 in SHAPE_PAIRS[d]]


def shape_mode_params(ndims=(1, 2, 3, 4), modes=MODES):
    """pytest params of (s1, s2, mode), leaving out 'valid' where it is undefined."""
    return [pytest.param(s1, s2, m, id="%s-%s" % (_shape_id(s1, s2), m))
            for d in ndims for s1, s2 in SHAPE_PAIRS[d] for m in modes
            if m != "valid" or valid_defined(s1, s2)]


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def random_array(rng, shape, dtype=np.float64, *, full_range=False):
    """Random data of ``dtype``.

    Floats are standard normal; complex have both parts; integers are small
    (|v| <= 5) unless ``full_range``, which draws from the whole range of the
    type so sums overflow and wrap; bool is a coin flip.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if full_range:
            return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
        lo = max(info.min, -5)
        return rng.integers(lo, 6, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.fixture
def rng(request):
    """A generator seeded from the test's id: reproducible, different per test."""
    seed = sum(ord(c) * (i + 1) for i, c in enumerate(request.node.nodeid)) % (2**32)
    return np.random.default_rng(seed)


@pytest.fixture(params=BOUNDARIES)
def boundary(request):
    """Every accepted boundary name (scipy's and numpy.pad's)."""
    return request.param


# --------------------------------------------------------------------------
# The tolerance check
# --------------------------------------------------------------------------

#: multiple of eps * sqrt(taps) * scale allowed; see :func:`tolerance`
TOLERANCE_FACTOR = 4.0


def _finite_abs(a):
    a = np.abs(np.asarray(a, dtype=np.complex128 if np.iscomplexobj(a) else np.float64))
    return a[np.isfinite(a)]


def tolerance(dtype, inputs, *, taps=None, fillvalue=0, factor=TOLERANCE_FACTOR):
    """Absolute tolerance for a result of ``dtype`` computed from ``inputs``.

    ``inputs = (x, h1, h2, ...)``: the signal and the kernel(s) it was
    convolved with. The bound is ``factor * eps(dtype) * sqrt(taps) *
    max(||x||_inf, |fillvalue|) * prod ||h_i||_1`` with ``taps`` the number
    of products in one output (default: the product of the kernels' sizes),
    plus ``factor * taps`` smallest subnormals for results that underflow.
    Integer and bool results have tolerance 0 (exact).
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return 0.0
    eps = float(np.finfo(dtype).eps)
    x, *kernels = inputs
    ax = _finite_abs(x)
    scale = max(float(ax.max()) if ax.size else 0.0, abs(complex(fillvalue))
                if np.isfinite(fillvalue) else 0.0)
    n_taps = 1
    for h in kernels:
        ah = _finite_abs(h)
        scale *= float(ah.sum())
        n_taps *= max(np.asarray(h).size, 1)
    if taps is not None:
        n_taps = taps
    n_taps = max(n_taps, 1)
    # below the normal range rounding is absolute: half the smallest
    # subnormal per operation
    floor = n_taps * float(np.finfo(dtype).smallest_subnormal)
    return factor * (eps * math.sqrt(n_taps) * scale + floor)


def fft_tolerance(dtype, x, h, *, axes=None, circular=False, fillvalue=0,
                  factor=TOLERANCE_FACTOR):
    """Absolute tolerance for a result of ``dtype`` computed by FFTs of ``x`` and ``h``.

    An FFT convolution's rounding error is not local to each output's sum:
    every transform commits a relative L2 error of about ``eps * log2(P)``
    (``P`` transformed points), which the product and the inverse spread over
    the whole output. The tolerance is ``factor * eps * log2(P) * ||x'||_2 *
    ||h||_2`` with ``x'`` the signal extended by up to ``K - 1`` samples on
    each side (bounded by ``max(|x|, |fillvalue|)`` per extra sample) and
    ``P`` the padded size along the convolved ``axes`` (``N + 2 (K - 1)``
    per axis, ``N`` for ``circular``) -- far below the error of any wrong
    index, which is of the size of the outputs themselves. It is never
    tighter than :func:`tolerance`'s (results near zero, subnormals).
    Integer and bool results have tolerance 0.
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return 0.0
    x = np.asarray(x)
    h = np.asarray(h)
    axes = range(x.ndim) if axes is None else [a % x.ndim for a in np.atleast_1d(axes)]
    ax = _finite_abs(x)
    ah = _finite_abs(h)
    points = 1
    extra = 1
    for a in axes:
        n, k = x.shape[a], h.shape[a]
        padded = n if circular else n + 2 * (k - 1)
        points *= max(padded, 2)
        extra *= padded
    extra -= int(np.prod([x.shape[a] for a in axes]))
    fill = abs(complex(fillvalue)) if np.isfinite(fillvalue) else 0.0
    big = max(float(ax.max()) if ax.size else 0.0, fill)
    x2 = math.sqrt(float((ax ** 2).sum()) + max(extra, 0) * big ** 2)
    h2 = math.sqrt(float((ah ** 2).sum()))
    eps = float(np.finfo(dtype).eps)
    spread = factor * eps * math.log2(points) * x2 * h2
    return max(spread, tolerance(dtype, (x, h), fillvalue=fillvalue, factor=factor))


def _first(mask, count=6):
    where = [tuple(int(i) for i in w) for w in np.argwhere(mask)[:count]]
    return "%s%s" % (where, " ..." if mask.sum() > count else "")


def assert_close(actual, expected, *, inputs, dtype=None, taps=None, fillvalue=0,
                 factor=TOLERANCE_FACTOR, atol=None):
    """Assert ``actual`` is a correct result given the reference ``expected``.

    * ``actual`` must be an ndarray of dtype ``dtype`` (default: the result
      dtype of ``inputs``, ``numpy.result_type``) and of ``expected``'s shape;
    * integer and bool results must be exactly equal;
    * floating results must agree within :func:`tolerance` (or ``atol``
      when given, e.g. :func:`fft_tolerance`); NaN and infinite values must
      sit at the same places (with the same sign for infinities).
    """
    if dtype is None:
        dtype = np.result_type(*inputs)
    dtype = np.dtype(dtype)
    assert isinstance(actual, np.ndarray), type(actual)
    assert actual.dtype == dtype, "dtype %s, expected %s" % (actual.dtype, dtype)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, "shape %s, expected %s" % (actual.shape,
                                                                      expected.shape)
    if dtype.kind in "biu":
        if not np.array_equal(actual, expected):
            bad = np.argwhere(actual != expected)
            raise AssertionError("%d of %d elements differ; first at %s: %r != %r"
                                 % (len(bad), actual.size, tuple(bad[0]),
                                    actual[tuple(bad[0])], expected[tuple(bad[0])]))
        return
    if atol is None:
        atol = tolerance(dtype, inputs, taps=taps, fillvalue=fillvalue, factor=factor)
    wide = np.clongdouble if dtype.kind == "c" or expected.dtype.kind == "c" else np.longdouble
    a = actual.astype(wide)
    e = expected.astype(wide)
    for part in ((lambda v: v.real, lambda v: v.imag) if np.iscomplexobj(a) else
                 (lambda v: v,)):
        pa, pe = part(a), part(e)
        for what, test in (("NaN", np.isnan), ("Inf", np.isinf)):
            ma, me = test(pa), test(pe)
            if not np.array_equal(ma, me):
                raise AssertionError("%s at %d places %s, expected at %d places %s" % (
                    what, ma.sum(), _first(ma), me.sum(), _first(me)))
        inf_a, inf_e = np.isinf(pa), np.isinf(pe)
        assert np.array_equal(pa[inf_a], pe[inf_e]), "infinities of different sign"
    finite = np.isfinite(a) & np.isfinite(e)
    err = np.abs(a[finite] - e[finite])
    if err.size and not err.max() <= atol:
        i = int(np.argmax(err))
        where = tuple(np.argwhere(finite)[i])
        raise AssertionError(
            "max error %.3g > tolerance %.3g (%s) at %s: got %r, expected %r"
            % (float(err.max()), atol, dtype, where, actual[where], expected[where]))


def fresh_plans(monkeypatch):
    """Give the overlap-save method empty plan caches for the rest of the test.

    Tilings and block layouts are remembered per problem
    (:func:`sigconv._backends.oa.tile_plan`); a test that changes how they
    are chosen (a patched ``choose_block`` or ``choose_tiles``) must neither
    read the plans made before nor leave its own behind.
    """
    from sigconv._backends import oa

    for name in ("_cached_tile_plan", "_cached_block_plan"):
        monkeypatch.setattr(oa, name, functools.lru_cache(maxsize=None)(
            getattr(oa, name).__wrapped__))
