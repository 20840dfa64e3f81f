"""Differential fuzzing of sigconv's public functions against slow references.

Nothing here calls sigconv to compute an expected value: every reference is
written in plain numpy from the definitions (explicit sums over the taps,
:func:`numpy.pad` for the boundaries, explicit window gathers for pooling),
in exact Python integers for integer and bool inputs and in float64 /
complex128 (longdouble for longdouble) otherwise; the scipy twins are also
checked against :mod:`scipy.signal` where scipy defines the call.

A *case* is a plain dict (JSON-serialisable): the function, the specs of the
arrays (shape, dtype, layout, value pattern, seed) and the arguments.
:func:`cases` is the hypothesis strategy of the cases of one function;
:func:`run_case` builds the arrays, calls sigconv and checks

* the result's dtype (scipy's result dtype for the scipy twins) and shape;
* its values, within :func:`tolerance` (exact for integers);
* that the inputs were not modified;
* that an invalid combination raises ValueError or TypeError (and that a
  valid one raises nothing), never another exception.

It returns a :class:`Verdict`. Known open defects (see :data:`KNOWN`) are
reported as ``expected`` rather than as mismatches. ``scripts/fuzz.py``
runs many cases and prints a summary; ``tests/test_fuzz.py`` a fixed-seed
sample.
"""
import functools
import itertools
import json
import math
import warnings
from collections import namedtuple

import numpy as np
from hypothesis import strategies as st

import sigconv

# --------------------------------------------------------------------------
# dtypes and arrays
# --------------------------------------------------------------------------

NATIVE = ("?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "e", "f", "d", "g", "F", "D")
#: non-native byte order variants of some of them
SWAPPED = tuple(np.dtype(c).newbyteorder("S").str for c in ("i2", "u4", "i8", "e", "f", "d", "D"))
DTYPES = NATIVE + SWAPPED
REAL = tuple(d for d in DTYPES if np.dtype(d).kind != "c")
LAYOUTS = ("C", "F", "strided", "negative", "readonly", "unaligned")
VALUES = ("small", "normal", "full", "const")


def native(dtype):
    """``dtype`` in native byte order (the comparisons ignore byte order)."""
    return np.dtype(dtype).newbyteorder("=")


def _values(rng, shape, dt, pattern):
    """Values of native dtype ``dt``: small integers, normal draws, the full range, a constant."""
    kind = dt.kind
    if kind == "b":
        if pattern == "const":
            return np.ones(shape, bool)
        return rng.random(shape) < 0.5
    if kind in "iu":
        info = np.iinfo(dt)
        if pattern == "full":
            return rng.integers(int(info.min), int(info.max), size=shape, endpoint=True,
                                dtype=dt)
        if pattern == "const":
            return np.full(shape, min(7, int(info.max)), dt)
        lo = -3 if kind == "i" else 0
        return rng.integers(lo, 4, size=shape).astype(dt)
    real = np.dtype(dt.char.lower()) if kind == "c" else dt
    parts = []
    for _ in range(2 if kind == "c" else 1):
        if pattern == "small":
            v = rng.integers(-3, 4, size=shape).astype(real)
        elif pattern == "const":
            v = np.full(shape, 1.5, real)
        else:
            scale = 1.0 if (pattern == "normal" or real.itemsize <= 2) else 1e3
            v = (rng.standard_normal(shape) * scale).astype(real)
        parts.append(v)
    return parts[0] if kind != "c" else parts[0] + 1j * parts[1]


def _layout(a, layout):
    if a.ndim == 0 or layout == "C":
        return np.ascontiguousarray(a)
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":
        base = np.zeros(tuple(2 * n + 1 for n in a.shape), a.dtype)
        view = base[(slice(1, None, 2),) * a.ndim]
        view[...] = a
        return view
    if layout == "negative":
        rev = (slice(None, None, -1),) * a.ndim
        return np.ascontiguousarray(a[rev])[rev]
    if layout == "readonly":
        b = a.copy()
        b.flags.writeable = False
        return b
    if layout == "unaligned":
        if a.dtype.itemsize == 1 or a.size == 0:
            b = a.copy()
            b.flags.writeable = False
            return b
        # a view into a bytes object at offset 1: read-only and misaligned
        return np.frombuffer(b"\0" + a.tobytes(), dtype=a.dtype, count=a.size,
                             offset=1).reshape(a.shape)
    raise ValueError(layout)


def make_array(spec):
    """The array a spec describes (dict: shape, dtype, layout, values, seed)."""
    dt = np.dtype(spec["dtype"])
    rng = np.random.default_rng(spec["seed"])
    a = _values(rng, tuple(spec["shape"]), native(dt), spec["values"]).astype(dt)
    return _layout(a, spec["layout"])


# --------------------------------------------------------------------------
# reference arithmetic
# --------------------------------------------------------------------------

def ref_dtype(out_dtype):
    """dtype a floating reference computes in (object: exact Python integers)."""
    out_dtype = native(out_dtype)
    if out_dtype.kind in "biu":
        return np.dtype(object)
    extended = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps
    if out_dtype.kind == "f":
        return np.dtype(np.longdouble if (out_dtype.char == "g" and extended) else np.float64)
    return np.dtype(np.clongdouble if (out_dtype.char == "G" and extended) else np.complex128)


def to_ref(a, out_dtype):
    """``a`` cast to the result dtype (as the call rounds it), then to the reference domain."""
    a = np.asarray(a)
    out_dtype = native(out_dtype)
    with np.errstate(all="ignore"):
        a = a.astype(out_dtype)
    if out_dtype.kind in "biu":
        return np.array(a.astype(np.int64 if out_dtype.kind == "b" else out_dtype).tolist(),
                        dtype=object).reshape(a.shape)
    return a.astype(ref_dtype(out_dtype))


def wrap(exact, dtype):
    """Exact integers as ``dtype`` the way integer arithmetic wraps (bool: ``> 0``)."""
    dtype = native(dtype)
    flat = [int(v) for v in np.asarray(exact, dtype=object).ravel()]
    if dtype.kind == "b":
        return np.array([v > 0 for v in flat], dtype=bool).reshape(np.shape(exact))
    bits = 8 * dtype.itemsize
    m = 1 << bits
    out = []
    for v in flat:
        v &= m - 1
        if dtype.kind == "i" and v >= m // 2:
            v -= m
        out.append(v)
    return np.array(out, dtype=dtype).reshape(np.shape(exact))


def compute_eps(out_dtype):
    """Unit roundoff of the arithmetic a result of ``out_dtype`` is computed in."""
    d = native(out_dtype)
    if d.kind in "biu":
        return 0.0
    real = np.dtype(d.char.lower()) if d.kind == "c" else d
    if real.itemsize <= 4:
        return float(np.finfo(np.float32).eps)  # float16 is computed in float32
    return float(np.finfo(real).eps)


def tolerance(out_dtype, scale, terms, ref=None):
    """Absolute error allowed in a result of ``out_dtype``.

    ``scale`` bounds the magnitude of the sums (the product of the inputs'
    2-norms: by Cauchy-Schwarz no output of a convolution exceeds it);
    ``terms`` is the number of samples involved (direct sums grow their
    error like its square root, transforms like its logarithm). The
    computing precision's unit roundoff times those, plus the final
    rounding to ``out_dtype`` relative to each reference value. Integer
    results are exact: 0.
    """
    d = native(out_dtype)
    if d.kind in "biu":
        return 0.0
    terms = max(int(terms), 1)
    tol = 8.0 * compute_eps(d) * (math.sqrt(terms) + math.log2(terms + 1) + 1.0) * float(scale)
    if ref is not None:
        real = np.dtype(d.char.lower()) if d.kind == "c" else d
        tol = tol + 2.0 * float(np.finfo(real).eps) * np.abs(np.asarray(ref)).astype(np.float64)
    return tol


def norm(a):
    a = np.asarray(a)
    if a.dtype == object:
        return math.sqrt(float(sum(abs(int(v)) ** 2 for v in a.ravel())))
    return float(np.sqrt(np.sum(np.abs(a.astype(np.complex128)) ** 2)))


def compare(result, ref, out_dtype, tol, *, exact_dtype=True):
    """None when ``result`` matches ``ref`` (same shape; dtype; within ``tol``), else why not."""
    out_dtype = native(out_dtype)
    result = np.asarray(result)
    if exact_dtype and native(result.dtype) != out_dtype:
        return "dtype %s, expected %s" % (result.dtype, out_dtype)
    if result.shape != np.shape(ref):
        return "shape %s, expected %s" % (result.shape, np.shape(ref))
    if result.size == 0:
        return None
    if out_dtype.kind in "biu":
        expected = wrap(ref, out_dtype) if np.asarray(ref).dtype == object else ref
        if not np.array_equal(result, expected):
            bad = tuple(int(i) for i in np.argwhere(result != expected)[0])
            return "values differ at %s: %r, expected %r" % (bad, result[bad], expected[bad])
        return None
    refa = np.asarray(ref)
    if refa.dtype == object:
        refa = refa.astype(np.float64)
    with np.errstate(all="ignore"):
        err = np.abs(result.astype(ref_dtype(out_dtype)) - refa).astype(np.float64)
    tol = np.broadcast_to(np.asarray(tol, dtype=np.float64), err.shape)
    bad = ~(err <= tol)
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        return "values differ at %s: %r, expected %r (error %.3g > tolerance %.3g)" % (
            i, result[i], refa[i], err[i], tol[i])
    return None


# --------------------------------------------------------------------------
# convolution references
# --------------------------------------------------------------------------

PAD = {"fill": "constant", "constant": "constant", "wrap": "wrap", "symm": "symmetric",
       "symmetric": "symmetric", "reflect": "reflect", "edge": "edge"}


class Invalid(Exception):
    """The reference's verdict: the call must raise ValueError or TypeError."""


def _flip(a):
    return a[(slice(None, None, -1),) * a.ndim]


def _conj(a):
    return a if a.dtype == object else np.conj(a)


def conv_full(x, h, pad_mode="constant", fill=0):
    """``y[n] = sum_k h[k] X[n - k]``, ``n = 0 .. N + K - 2``, X = x extended by ``pad_mode``."""
    K = h.shape
    L = tuple(n + k - 1 for n, k in zip(x.shape, K))
    if pad_mode == "constant":
        xp = np.full(tuple(n + 2 * (k - 1) for n, k in zip(x.shape, K)), fill, dtype=x.dtype)
        xp[tuple(slice(k - 1, k - 1 + n) for n, k in zip(x.shape, K))] = x
    else:
        xp = np.pad(x, [(k - 1, k - 1) for k in K], mode=pad_mode)
    out = np.zeros(L, dtype=x.dtype)
    if x.dtype == object:
        out[...] = 0
    for k in itertools.product(*(range(n) for n in K)):
        window = tuple(slice(kk2 - 1 - kk, kk2 - 1 - kk + ll) for kk2, kk, ll in zip(K, k, L))
        out = out + h[k] * xp[window]
    return out


def conv_ref(op, x, h, mode, boundary="fill", fill=0, flavor="nd"):
    """convolve / correlate of x and h over all their axes (arrays in the reference domain)."""
    if x.ndim == 0:
        return x * (_conj(h) if op == "correlate" else h)
    if mode == "circular":
        if boundary not in ("fill", "constant", "wrap"):
            raise Invalid("circular mode with boundary %r" % boundary)
        if 0 in x.shape:
            raise Invalid("a cyclic convolution of period 0")
        out = np.zeros(x.shape, dtype=x.dtype)
        if x.dtype == object:
            out[...] = 0
        axes = tuple(range(x.ndim))
        for k in itertools.product(*(range(n) for n in h.shape)):
            if op == "convolve":
                out = out + h[k] * np.roll(x, k, axis=axes)
            else:
                c = h[k] if h.dtype == object else np.conj(h[k])
                out = out + c * np.roll(x, tuple(-v for v in k), axis=axes)
        return out
    if boundary not in PAD:
        raise Invalid("boundary %r" % (boundary,))
    K, N = h.shape, x.shape
    if 0 in N and PAD[boundary] != "constant" and mode != "valid":
        raise Invalid("boundary %r cannot extend an empty input" % (boundary,))
    if 0 in K or 0 in N:
        # (the 2-D twins only: convolve/correlate refuse empty inputs)
        if mode == "valid":
            if not (all(n >= k for n, k in zip(N, K)) or all(k >= n for n, k in zip(N, K))):
                raise Invalid("valid mode: neither input fits in the other")
            shape, value = tuple(abs(n - k) + 1 for n, k in zip(N, K)), 0
        else:
            shape = tuple(n + k - 1 for n, k in zip(N, K)) if mode == "full" else N
            if min(shape) < 0:
                raise Invalid("negative output length")
            # no taps: empty sums; an empty input: every tap reads the fill
            w = h if (op == "convolve" or h.dtype == object) else np.conj(h)
            value = 0 if 0 in K else fill * w.sum()
        out = np.empty(shape, dtype=x.dtype)
        out[...] = value
        return out
    if mode == "valid":
        fits = all(n >= k for n, k in zip(N, K))
        if not fits:
            if not all(k >= n for n, k in zip(N, K)):
                raise Invalid("valid mode: neither input fits in the other")
            if op == "convolve":
                return conv_ref("convolve", h, x, "valid")
            r = _flip(conv_ref("correlate", h, x, "valid"))
            return r if flavor == "2d" else _conj(r)
    w = h if op == "convolve" else _conj(_flip(h))
    if mode == "valid":
        full = conv_full(x, w)
        return full[tuple(slice(k - 1, n) for n, k in zip(N, K))]
    full = conv_full(x, w, PAD[boundary], fill)
    if mode == "full":
        return full
    if mode != "same":
        raise Invalid("mode %r" % (mode,))
    start = [(k // 2 if (op == "correlate" and flavor == "2d") else (k - 1) // 2) for k in K]
    return full[tuple(slice(s, s + n) for s, n in zip(start, N))]


def norm_axes(axes, ndim):
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, int):
        axes = (axes,)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise Invalid("axis %d out of range" % a)
        out.append(a % ndim)
    if len(set(out)) != len(out) or not out:
        raise Invalid("repeated or no axes")
    return tuple(sorted(out))


def batched(func, x, h, axes):
    """``func`` of the items along the broadcast non-convolved axes, axes put back."""
    nd = x.ndim
    nc = len(axes)
    last = tuple(range(nd - nc, nd))
    xm = np.moveaxis(x, axes, last)
    hm = np.moveaxis(h, axes, last)
    nb = nd - nc
    for n1, n2 in zip(xm.shape[:nb], hm.shape[:nb]):
        if n1 != n2 and 1 not in (n1, n2):
            raise Invalid("incompatible batch lengths %d, %d" % (n1, n2))
    bshape = np.broadcast_shapes(xm.shape[:nb], hm.shape[:nb])
    xb = np.broadcast_to(xm, bshape + xm.shape[nb:])
    hb = np.broadcast_to(hm, bshape + hm.shape[nb:])
    if 0 in bshape:
        probe = func(np.zeros(xm.shape[nb:], x.dtype), np.ones(hm.shape[nb:], h.dtype))
        out = np.zeros(bshape + probe.shape, x.dtype)
    else:
        items = [func(xb[i], hb[i]) for i in np.ndindex(*bshape)]
        out = np.stack(items).reshape(bshape + items[0].shape)
    return np.moveaxis(out, last, axes)


# --------------------------------------------------------------------------
# known open defects (issue 10): reported as 'expected', not as mismatches
# --------------------------------------------------------------------------

#: (name, predicate(case, message), reason); the integrator removes the entries
#: whose fixes are merged
KNOWN = []


def known(name, reason):
    def register(pred):
        KNOWN.append((name, pred, reason))
        return pred
    return register


def known_issue(case, msg):
    for name, pred, reason in KNOWN:
        if pred(case, msg):
            return name
    return None


# --------------------------------------------------------------------------
# running a case
# --------------------------------------------------------------------------

Verdict = namedtuple("Verdict", "status message")  # status: ok | expected | mismatch

ACCEPTED_ERRORS = (ValueError, TypeError)


class Mismatch(Exception):
    pass


def _snapshot(arrays):
    return [(a.dtype, a.shape, a.tobytes()) for a in arrays]


def run_case(case):
    """Run one case; a :class:`Verdict`."""
    try:
        arrays = [make_array(case[k]) for k in ("a", "b", "c") if case.get(k)]
    except Exception as exc:  # a generator problem, not sigconv's
        return Verdict("mismatch", "could not build the inputs: %r" % (exc,))
    before = _snapshot(arrays)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CHECKS[case["fn"]](case, *arrays)
        status, msg = "ok", ""
    except Mismatch as exc:
        status, msg = "mismatch", str(exc)
    except Exception as exc:
        status, msg = "mismatch", "unexpected %s: %s" % (type(exc).__name__, exc)
    if status == "ok" and _snapshot(arrays) != before:
        status, msg = "mismatch", "an input was modified"
    if status == "mismatch":
        name = known_issue(case, msg)
        if name:
            return Verdict("expected", "[%s] %s" % (name, msg))
    return Verdict(status, msg)


def expect(call, reference, check):
    """Run ``reference()``; if it declares the call invalid the call must raise
    ValueError/TypeError; otherwise the call's result goes to ``check``."""
    try:
        ref = reference()
    except Invalid as why:
        try:
            got = call()
        except ACCEPTED_ERRORS:
            return
        raise Mismatch("invalid call (%s) returned a %s instead of raising"
                       % (why, type(got).__name__))
    try:
        got = call()
    except ACCEPTED_ERRORS as exc:
        raise Mismatch("raised %s on a valid call: %s" % (type(exc).__name__, exc))
    check(got, ref)


def _fail(msg, what=""):
    if msg:
        raise Mismatch((what + ": " if what else "") + msg)


def reproducer(case):
    return "python scripts/fuzz.py --replay '%s'" % json.dumps(case, sort_keys=True)


# --------------------------------------------------------------------------
# the checks, one per public function
# --------------------------------------------------------------------------

_SCIPY_DTYPE = {}


def scipy_dtype(func, x, h, mode, axes):
    """Result dtype of ``scipy.signal.<func>`` for inputs of x's and h's shapes and
    (native) dtypes: scipy's transforms return other dtypes on some shortcuts."""
    import scipy.signal
    key = (func, native(x.dtype).str, native(h.dtype).str, x.shape, h.shape, mode,
           None if axes is None else tuple(np.atleast_1d(axes)))
    if key not in _SCIPY_DTYPE:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = getattr(scipy.signal, func)(np.ones(x.shape, native(x.dtype)),
                                                np.ones(h.shape, native(h.dtype)), mode,
                                                axes=axes)
            _SCIPY_DTYPE[key] = native(r.dtype)
        except Exception:
            _SCIPY_DTYPE[key] = native(np.result_type(x.dtype, h.dtype))
        if len(_SCIPY_DTYPE) > 10000:
            _SCIPY_DTYPE.clear()
    return _SCIPY_DTYPE[key]


def _empty_conv(x, h, axes):
    ax = range(x.ndim) if axes is None else [a % x.ndim for a in np.atleast_1d(axes)]
    return any(x.shape[a] == 0 or h.shape[a] == 0 for a in ax)


def check_conv(case, x, h):
    """convolve, correlate, convolve2d, correlate2d, fftconvolve, oaconvolve, Convolver."""
    import scipy.signal
    fn = case["fn"]
    mode, method = case["mode"], case.get("method", "auto")
    boundary, fillvalue = case.get("boundary", "fill"), case.get("fillvalue", 0)
    axes, stride = case.get("axes"), case.get("stride", 1)
    flavor = "2d" if fn.endswith("2d") else "nd"
    op = "correlate" if fn.startswith("correlate") else "convolve"
    out_dtype = native(np.result_type(x.dtype, h.dtype))
    if fn in ("fftconvolve", "oaconvolve"):
        out_dtype = scipy_dtype(fn, x, h, mode, axes)

    kwargs = {}
    if fn in ("convolve", "correlate", "Convolver"):
        kwargs = dict(boundary=boundary, fillvalue=fillvalue, axes=axes, stride=stride)
    elif flavor == "2d":
        kwargs = dict(boundary=boundary, fillvalue=fillvalue, stride=stride)
    elif axes is not None:
        kwargs = dict(axes=axes)

    def call():
        if fn in ("fftconvolve", "oaconvolve"):
            return getattr(sigconv, fn)(x, h, mode, **kwargs)
        if fn == "Convolver":
            ax = norm_axes(axes, h.ndim) if x.ndim == h.ndim else tuple(range(h.ndim))
            shape = tuple(x.shape[a] for a in ax) if x.ndim == h.ndim else x.shape
            plan = sigconv.Convolver(h, shape, mode, method=method, dtype=x.dtype, **kwargs)
            return plan(x)
        if flavor == "2d":
            return getattr(sigconv, fn)(x, h, mode, **kwargs)
        return getattr(sigconv, fn)(x, h, mode, method, **kwargs)

    def reference():
        if x.ndim != h.ndim:
            raise Invalid("different dimensionality")
        if flavor == "2d" and x.ndim != 2:
            raise Invalid("2-D function on %d-D inputs" % x.ndim)
        if fn in ("fftconvolve", "oaconvolve"):
            # empty inputs: scipy's behaviour is the specification
            if _empty_conv(x, h, axes) or x.size == 0 or h.size == 0:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        f = getattr(scipy.signal, fn)
                        if flavor == "2d":
                            if boundary not in PAD:
                                raise Invalid("boundary %r" % (boundary,))
                            if PAD[boundary] != "constant" and 0 in x.shape and \
                                    mode != "valid":
                                # scipy dies of SIGFPE here; sigconv refuses
                                raise Invalid("boundary %r cannot extend an empty input"
                                              % (boundary,))
                            r = f(np.asarray(x, native(x.dtype)), np.asarray(h, native(h.dtype)),
                                  mode, {"constant": "fill", "symmetric": "symm"}
                                  .get(boundary, boundary), fillvalue)
                            st_ = (stride,) * 2 if isinstance(stride, int) else tuple(stride)
                            return ("scipy", r[::st_[0], ::st_[1]])
                        return ("scipy", f(np.asarray(x, native(x.dtype)),
                                           np.asarray(h, native(h.dtype)), mode, axes=axes))
                except ValueError as exc:
                    raise Invalid("scipy raises: %s" % exc)
        if mode not in ("full", "same", "valid", "circular") or (
                mode == "circular" and fn not in ("convolve", "correlate", "Convolver",
                                                  "convolve2d", "correlate2d")):
            raise Invalid("mode %r" % (mode,))
        if flavor == "nd" and x.ndim == 0 and fn != "Convolver":
            return ("ref", conv_ref(op, to_ref(x, out_dtype), to_ref(h, out_dtype), mode))
        if x.ndim == 0:
            raise Invalid("0-d")
        ax = norm_axes(axes, x.ndim)
        if fn in ("fftconvolve", "oaconvolve"):
            # scipy: an axis where either input has length 1 is broadcast, not convolved
            ax = tuple(a for a in ax if x.shape[a] != 1 and h.shape[a] != 1)
            if not ax:
                for a in range(x.ndim):
                    if x.shape[a] != h.shape[a] and 1 not in (x.shape[a], h.shape[a]):
                        raise Invalid("incompatible shapes")
                r = to_ref(x, out_dtype) * to_ref(h, out_dtype)
                if mode == "same":
                    r = r[tuple(slice((m - n) // 2, (m - n) // 2 + n)
                                for m, n in zip(r.shape, x.shape))]
                return ("ref", r)
        if any(x.shape[a] == 0 or h.shape[a] == 0 for a in ax) and flavor == "nd":
            raise Invalid("empty along a convolved axis")
        st = (stride,) * len(ax) if isinstance(stride, int) else tuple(stride)
        if len(st) != len(ax) or min(st) < 1:
            raise Invalid("stride %r" % (stride,))
        fill = np.asarray(fillvalue)
        if fill.dtype.kind == "c" and out_dtype.kind != "c":
            if fill.imag != 0:
                raise Invalid("complex fillvalue for a real result")
            fill = fill.real
        fill = to_ref(fill, out_dtype)[()]
        if boundary not in PAD:
            raise Invalid("boundary %r" % (boundary,))
        if mode == "circular" and boundary not in ("fill", "constant", "wrap"):
            raise Invalid("circular with boundary %r" % (boundary,))
        if boundary not in ("fill", "constant") and mode in ("full", "same") and \
                any(x.shape[a] == 0 for a in ax):
            raise Invalid("cannot extend an empty input")
        xr, hr = to_ref(x, out_dtype), to_ref(h, out_dtype)

        def item(xi, hi):
            return conv_ref(op, xi, hi, mode, boundary, fill, flavor)
        r = batched(item, xr, hr, ax)
        if fn in ("fftconvolve", "oaconvolve") and mode == "same":
            # scipy centres the result on in1's shape along every axis
            r = r[tuple(slice((m - n) // 2, (m - n) // 2 + n) for m, n in zip(r.shape, x.shape))]
        sl = [slice(None)] * r.ndim
        for a, s in zip(ax, st):
            sl[a] = slice(None, None, s)
        return ("ref", r[tuple(sl)])

    def check(got, ref):
        kind, r = ref
        if kind == "scipy":
            if got.shape != r.shape or native(got.dtype) != native(r.dtype) or not \
                    np.array_equal(got, r):
                raise Mismatch("empty inputs: got %s %s, scipy gives %s %s"
                               % (got.shape, got.dtype, r.shape, r.dtype))
            return
        taps = x.size + h.size
        tol = tolerance(out_dtype, norm(to_ref(x, out_dtype)) * norm(to_ref(h, out_dtype)),
                        taps, None if out_dtype.kind in "biu" else r)
        problem = compare(got, r, out_dtype, tol)
        if problem and integer_transform and problem.startswith("values differ"):
            # an explicit transform on integers too large for an exact result
            # returns the rounded float64 result, as scipy does
            problem = _rounded_integers(got, r, out_dtype, x, h, taps,
                                        case.get("fillvalue", 0))
        _fail(problem)
        _scipy_cross_check(case, x, h, got, out_dtype, tol)

    integer_transform = (out_dtype is not None and out_dtype.kind in "biu"
                         and method in ("fft", "oa"))
    try:
        expect(call, reference, check)
    except Mismatch as exc:
        # the transforms refuse integers whose exact result they cannot guarantee
        if integer_transform and "raised ValueError on a valid call" in str(exc) and \
                "exact" in str(exc):
            return
        raise


def _rounded_integers(got, ref, out_dtype, x, h, taps, fillvalue=0):
    """A message if ``got`` is farther from the exact integers ``ref`` than a
    float64 evaluation may be (an independent bound: unit roundoff times the
    inputs' 1-norms, times a generous growth in the transform length), modulo
    the output dtype's wrap-around; None otherwise."""
    if got.shape != ref.shape:
        return "shape %s, expected %s" % (got.shape, ref.shape)
    l1 = float(sum(abs(int(v)) for v in np.asarray(to_ref(x, out_dtype), dtype=object).ravel()))
    if fillvalue:
        # the fill (in the output dtype, as the calls take it) around the
        # signal: at most one fill value per tap of every output
        with np.errstate(all="ignore"):
            f = abs(int(np.asarray(fillvalue).astype(out_dtype)))
        l1 += f * float(np.size(ref)) * float(h.size)
    l1 *= float(sum(abs(int(v)) for v in np.asarray(to_ref(h, out_dtype), dtype=object).ravel()))
    allowed = 16 * np.finfo(np.float64).eps * l1 * (math.log2(taps + 1) + 1) + 1
    bits = 8 * np.dtype(out_dtype).itemsize
    for g, e in zip(np.asarray(got).ravel().tolist(), np.asarray(ref).ravel().tolist()):
        d = (int(g) - int(e)) % (1 << bits)
        d = min(d, (1 << bits) - d)
        if d > allowed:
            return "rounded integers off by %d (allowed %.3g)" % (d, allowed)
    return None


def _scipy_cross_check(case, x, h, got, out_dtype, tol):
    """The same call through scipy.signal, where scipy defines it."""
    import scipy.signal
    fn = case["fn"]
    if case["mode"] == "circular" or case.get("stride", 1) != 1 or x.size == 0 or h.size == 0:
        return
    if x.dtype.byteorder not in "=|" or h.dtype.byteorder not in "=|":
        return
    bnd = {"constant": "fill", "symmetric": "symm"}.get(case.get("boundary", "fill"),
                                                       case.get("boundary", "fill"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fn in ("convolve", "correlate"):
                if case.get("axes") is not None or bnd != "fill" or case.get("fillvalue", 0) != 0:
                    return
                s = getattr(scipy.signal, fn)(x, h, case["mode"], method="direct")
            elif fn in ("convolve2d", "correlate2d"):
                if bnd not in ("fill", "wrap", "symm"):
                    return
                s = getattr(scipy.signal, fn)(x, h, case["mode"], bnd,
                                              case.get("fillvalue", 0))
            elif fn in ("fftconvolve", "oaconvolve"):
                s = getattr(scipy.signal, fn)(x, h, case["mode"], axes=case.get("axes"))
            else:
                return
    except Exception:
        return  # scipy does not define this call
    if native(s.dtype) != native(got.dtype):
        raise Mismatch("dtype %s, scipy.signal.%s gives %s" % (got.dtype, fn, s.dtype))
    if fn in ("fftconvolve", "oaconvolve"):
        # scipy transforms each input in its own precision (float16 in float32,
        # integers in float64)
        low = max((d if d.kind in "fc" else np.dtype(np.float64) for d in (x.dtype, h.dtype)),
                  key=lambda d: compute_eps(d))
        if low is not None and compute_eps(low) > compute_eps(out_dtype):
            tol = tolerance(low, norm(to_ref(x, out_dtype)) * norm(to_ref(h, out_dtype)),
                            x.size + h.size, s)
    if s.dtype.kind in "biu" and (fn in ("fftconvolve", "oaconvolve")
                                  or case.get("method") in ("fft", "oa")):
        # both round a float64 transform: neither is exact where the values
        # are large (the check against the exact reference bounds sigconv's)
        return
    _fail(compare(got, s, out_dtype, tol), "against scipy.signal.%s" % fn)


def check_choose(case, x, h):
    mode = case["mode"]

    def call():
        return sigconv.choose_conv_method(x, h, mode)

    def reference():
        if x.ndim != h.ndim:
            raise Invalid("different dimensionality")
        if mode not in ("full", "same", "valid"):
            raise Invalid("mode %r" % (mode,))
        if mode == "valid" and not (all(a >= b for a, b in zip(x.shape, h.shape))
                                    or all(b >= a for a, b in zip(x.shape, h.shape))):
            raise Invalid("valid: neither fits")
        if x.size == 0 or h.size == 0:
            # sigconv's convolve refuses empty inputs (scipy.signal's returns an
            # empty array); choose_conv_method follows convolve
            raise Invalid("empty inputs")
        return None

    def check(got, _):
        if got not in ("direct", "fft", "oa", "toeplitz", "separable"):
            raise Mismatch("choose_conv_method returned %r" % (got,))
        if x.ndim == 0 or x.size == 0 or h.size == 0:
            return
        sub = dict(case, fn="convolve", method=got)
        check_conv(sub, x, h)

    expect(call, reference, check)


def check_lags(case):
    import scipy.signal
    n1, n2, mode = case["n1"], case["n2"], case["mode"]
    try:
        s = scipy.signal.correlation_lags(n1, n2, mode)
    except ValueError:
        s = None
    try:
        got = sigconv.correlation_lags(n1, n2, mode)
    except ACCEPTED_ERRORS as exc:
        if s is None:
            return
        raise Mismatch("raised %r where scipy gives %s" % (exc, s))
    if s is None:
        raise Mismatch("returned %s where scipy raises" % (got,))
    if got.shape != s.shape or not np.array_equal(got, s):
        raise Mismatch("%s, scipy gives %s" % (got, s))


def _lag_window(n, mode, maxlag):
    """Lags of an autocorrelation along an axis of length n (from the definitions)."""
    if maxlag is not None:
        if mode != "full" or not 0 <= maxlag <= n - 1:
            raise Invalid("maxlag %r with mode %r, n=%d" % (maxlag, mode, n))
        return list(range(-maxlag, maxlag + 1))
    if mode == "circular":
        return list(range(n))
    if mode == "full":
        return list(range(-(n - 1), n))
    if mode == "same":
        return [i - n // 2 for i in range(n)]
    if mode == "valid":
        return [0]
    raise Invalid("mode %r" % (mode,))


def check_autolags(case):
    n, mode, maxlag = case["n1"], case["mode"], case.get("maxlag")

    def call():
        return sigconv.autocorrelation_lags(n, mode, maxlag=maxlag)

    def reference():
        if n < 1:
            raise Invalid("n < 1")
        return np.array(_lag_window(n, mode, maxlag))

    def check(got, ref):
        if not np.array_equal(got, ref) or got.dtype.kind != "i":
            raise Mismatch("%s, expected %s" % (got, ref))
    expect(call, reference, check)


def check_autocorrelate(case, x):
    mode, maxlag, how = case["mode"], case.get("maxlag"), case.get("normalize")
    axes, method = case.get("axes"), case.get("method", "auto")
    base = native(np.result_type(x.dtype, x.dtype))

    def call():
        return sigconv.autocorrelate(x, mode, maxlag=maxlag, normalize=how, axes=axes,
                                     method=method)

    def reference():
        if x.ndim == 0 or x.size == 0:
            raise Invalid("0-d or empty")
        ax = norm_axes(axes, x.ndim)
        ns = [x.shape[a] for a in ax]
        lags = [_lag_window(n, mode, maxlag) for n in ns]
        xr = to_ref(x, base)
        xm = np.moveaxis(xr, ax, range(x.ndim - len(ax), x.ndim))
        nb = x.ndim - len(ax)
        out = np.empty(xm.shape[:nb] + tuple(len(l) for l in lags), dtype=xr.dtype)
        for i in np.ndindex(*xm.shape[:nb]):
            item = xm[i]
            if mode == "circular":
                r = conv_ref("correlate", item, item, "circular")
                sel = tuple(lg for lg in lags)
                r = r[np.ix_(*[[l % n for l in lg] for lg, n in zip(lags, ns)])]
            else:
                full = conv_ref("correlate", item, item, "full")
                r = full[np.ix_(*[[l + n - 1 for l in lg] for lg, n in zip(lags, ns)])]
            out[i] = r
        return np.moveaxis(out, range(nb, x.ndim), ax), lags, ns

    def checked_call():
        try:
            return call()
        except ValueError as exc:
            # the transform refuses integers whose exact result it cannot guarantee
            if method == "fft" and base.kind in "biu" and "exact" in str(exc):
                return None
            raise

    def check(got, ref):
        if got is None:
            return
        r, lags, ns = ref
        ax = norm_axes(axes, x.ndim)
        nterms = int(np.prod(ns))
        if how is None:
            if base.kind in "biu":
                # an integer dtype that holds the exact sums
                if got.dtype.kind not in "iu":
                    raise Mismatch("dtype %s for integer input: not an integer type that "
                                   "holds the exact result" % got.dtype)
                if got.shape != np.shape(r):
                    raise Mismatch("shape %s, expected %s" % (got.shape, np.shape(r)))
                # exact, or past 64 bits (the widest integer dtype) exact
                # modulo 2**64, as documented
                period = 1 << (8 * got.dtype.itemsize)
                exact = np.array(got.astype(object).tolist() if got.size else [], dtype=object)
                if got.size and not all((int(a) - int(b)) % period == 0 for a, b in
                                        zip(exact.ravel(), np.asarray(r).ravel())):
                    raise Mismatch("values differ from the exact sums (wrapped)")
                return
            tol = tolerance(base, norm(to_ref(x, base)) ** 2 / max(1, int(np.prod(
                [x.shape[a] for a in range(x.ndim) if a not in ax]))) ** 0, nterms, r)
            _fail(compare(got, r, base, tol))
            return
        fdt = np.dtype(np.float64) if base.kind in "biu" else base
        rr = np.asarray(r.astype(np.complex128 if fdt.kind == "c" else np.float64)
                        if r.dtype == object else r)
        nb_axes = [a for a in range(x.ndim) if a not in ax]
        scale = norm(to_ref(x, base)) ** 2
        tol = tolerance(fdt, scale, nterms)
        den = np.ones(rr.shape)
        if how == "biased":
            den = den * nterms
        elif how == "unbiased":
            for a, lg, n in zip(ax, lags, ns):
                cnt = np.array([n if mode == "circular" else n - abs(l) for l in lg], float)
                shp = [1] * x.ndim
                shp[a] = len(lg)
                den = den * cnt.reshape(shp)
        else:  # coeff
            zero = [lg.index(0) for lg in lags]
            sel = [slice(None)] * x.ndim
            for a, z in zip(ax, zero):
                sel[a] = slice(z, z + 1)
            r0 = np.real(rr[tuple(sel)])
            den = np.broadcast_to(np.where(r0 == 0, np.inf, r0), rr.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = rr / den
        tol = tol / np.abs(den) + 2 * float(np.finfo(np.dtype(fdt.char.lower())
                                                     if fdt.kind == "c" else fdt).eps) * np.abs(expected)
        _fail(compare(got, expected, fdt, tol))

    expect(checked_call, reference, check)


FLAT = 1e-6
#: normalized_correlate's documented flat-template rule
FLAT_TEMPLATE = 1e-9


def check_ncc(case, x, t):
    mode, axes = case["mode"], case.get("axes")

    def score_dtype(d):
        d = native(d)
        return np.dtype(np.float32) if d.kind == "f" and d.itemsize <= 4 else np.dtype(np.float64)

    def call():
        return sigconv.normalized_correlate(x, t, mode, axes=axes)

    def reference():
        if x.dtype.kind == "c" or t.dtype.kind == "c":
            raise Invalid("complex")
        if mode not in ("valid", "same", "full"):
            raise Invalid("mode")
        if x.ndim == 0 or x.ndim != t.ndim or x.size == 0 or t.size == 0:
            raise Invalid("shapes")
        ax = norm_axes(axes, x.ndim)
        if mode == "valid" and any(t.shape[a] > x.shape[a] for a in ax):
            raise Invalid("template larger than x in valid mode")
        fdt = np.result_type(score_dtype(x.dtype), score_dtype(t.dtype))
        # the inputs as the scores see them (cast to the score dtype), then exact/float64
        exact = x.dtype.kind in "biu" and t.dtype.kind in "biu"
        xs = np.asarray(x).astype(fdt) if not exact else x
        ts = np.asarray(t).astype(fdt) if not exact else t
        if exact:  # Python integers (no int64 cast: uint64 values do not fit)
            xr = np.array(np.asarray(xs).astype(object).tolist(), dtype=object).reshape(x.shape)
            tr = np.array(np.asarray(ts).astype(object).tolist(), dtype=object).reshape(t.shape)
            xr = xr + 0  # bool -> int
            tr = tr + 0
        else:
            xr, tr = to_ref(xs, np.float64), to_ref(ts, np.float64)
        center = float(np.mean(np.asarray(xr, dtype=np.float64)))

        def item(xi, ti):
            kshape = ti.shape
            n = int(np.prod(kshape))
            pads = [(k - 1, k - 1) if mode == "full" else (k // 2, (k - 1) // 2)
                    if mode == "same" else (0, 0) for k in kshape]
            xp = np.zeros(tuple(a + b + m for (a, b), m in zip(pads, xi.shape)), xi.dtype)
            if xi.dtype == object:
                xp[...] = 0
            xp[tuple(slice(a, a + m) for (a, _), m in zip(pads, xi.shape))] = xi
            oshape = tuple(p - k + 1 for p, k in zip(xp.shape, kshape))
            st_ = sum(ti.ravel())
            vt = n * sum(v * v for v in ti.ravel()) - st_ * st_
            # a template is flat (scores 0) when its variance is at most
            # FLAT_TEMPLATE times its mean square (the documented rule); near
            # that threshold either verdict is right
            ratio = float(vt) / (n * float(sum(v * v for v in ti.ravel()) or 1))
            flat_t = ratio <= FLAT_TEMPLATE
            out = np.zeros(oshape)
            mask = np.full(oshape, not (FLAT_TEMPLATE / 10 < ratio < FLAT_TEMPLATE * 10))
            cond = np.zeros(oshape)  # (mean square about the signal mean) / variance
            spread = float(np.mean((np.asarray(xp, np.float64) - center) ** 2)) if xp.size else 0
            for o in np.ndindex(*oshape):
                w = xp[tuple(slice(i, i + k) for i, k in zip(o, kshape))].ravel()
                if flat_t or all(v == w[0] for v in w):
                    out[o] = 0.0  # flat template or flat window: 0 by definition
                    continue
                sw = sum(w)
                vw = n * sum(v * v for v in w) - sw * sw
                num = n * sum(a * b for a, b in zip(w, ti.ravel())) - sw * st_
                msq = float(np.mean((np.asarray(w, np.float64) - center) ** 2))
                if float(vw) / (n * n) <= FLAT * (msq + spread):
                    mask[o] = False  # nearly flat: either 0 or the computed score
                    continue
                out[o] = float(num) / math.sqrt(float(vw) * float(vt))
                cond[o] = (msq + spread) / (float(vw) / (n * n))
            return np.stack([out, mask.astype(float), cond])
        # batch loop (the mask travels in a trailing axis)
        nb = x.ndim - len(ax)
        last = tuple(range(nb, x.ndim))
        xm, tm = np.moveaxis(xr, ax, last), np.moveaxis(tr, ax, last)
        for n1, n2 in zip(xm.shape[:nb], tm.shape[:nb]):
            if n1 != n2 and 1 not in (n1, n2):
                raise Invalid("incompatible batch lengths")
        bshape = np.broadcast_shapes(xm.shape[:nb], tm.shape[:nb])
        xb = np.broadcast_to(xm, bshape + xm.shape[nb:])
        tb = np.broadcast_to(tm, bshape + tm.shape[nb:])
        items = [item(xb[i], tb[i]) for i in np.ndindex(*bshape)]
        both = np.stack(items).reshape(bshape + items[0].shape)
        vals = np.moveaxis(both.take(0, axis=nb), last, ax)
        mask = np.moveaxis(both.take(1, axis=nb), last, ax) > 0
        cond = np.moveaxis(both.take(2, axis=nb), last, ax)
        return vals, mask, cond, fdt, t.size + max(x.shape)

    def check(got, ref):
        vals, mask, cond, fdt, n = ref
        if native(got.dtype) != fdt:
            raise Mismatch("dtype %s, expected %s" % (got.dtype, fdt))
        if got.shape != vals.shape:
            raise Mismatch("shape %s, expected %s" % (got.shape, vals.shape))
        # window sums run along whole rows: the error grows with the row and the
        # template, and with how small the window's variance is against the
        # signal's spread (the conditioning of the score)
        tol = 256 * compute_eps(fdt) * n * (1 + cond)
        err = np.where(mask, np.abs(got.astype(np.float64) - vals), 0.0)
        if not (err <= tol).all():
            i = tuple(np.argwhere(~(err <= tol))[0])
            i = tuple(int(v) for v in i)
            raise Mismatch("score at %s: %r, expected %r (tolerance %.3g)"
                           % (i, got[i], vals[i], tol[i]))
        if (np.abs(got[~mask]) > 1 + tol[~mask]).any():
            raise Mismatch("a score beyond [-1, 1]")

    expect(call, reference, check)


def _matrix_ref(h, shape, mode, boundary):
    """Columns: the reference convolution of each unit input."""
    cols = []
    for i in range(int(np.prod(shape))):
        e = np.zeros(int(np.prod(shape)), dtype=h.dtype)
        if h.dtype == object:
            e[...] = 0
        e[i] = 1
        cols.append(conv_ref("convolve", e.reshape(shape), h, mode, boundary, 0).ravel())
    return np.stack(cols, axis=1)


def _matrix_prelude(h, shape, mode, boundary):
    if h.ndim == 0 or h.size == 0:
        raise Invalid("0-d or empty kernel")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if len(shape) != h.ndim or min(shape) < 1:
        raise Invalid("shape %r" % (shape,))
    if mode == "valid" and any(k > n for k, n in zip(h.shape, shape)):
        raise Invalid("valid with a larger kernel")
    if mode == "circular" and boundary not in ("fill", "constant", "wrap"):
        raise Invalid("circular with %r" % boundary)
    if mode not in ("full", "same", "valid", "circular") or boundary not in PAD:
        raise Invalid("mode/boundary")
    return shape


def matrix_dtype(kd):
    """The matrix's dtype: the kernel's, int64 for bool (native order)."""
    kd = native(kd)
    return np.dtype(np.int64) if kd.kind == "b" else kd


def check_matrix(case, h):
    fn, shape = case["fn"], case["shape"]
    mode, boundary = case.get("mode", "full"), case.get("boundary", "fill")
    sparse = case.get("sparse", False)
    if fn == "circulant_matrix":
        mode = "circular"
    kd = matrix_dtype(h.dtype)
    if sparse and kd.kind == "f" and kd.itemsize == 2:
        kd = np.dtype(np.float32)  # scipy.sparse has no float16

    def call():
        if fn == "circulant_matrix":
            return sigconv.circulant_matrix(h, shape)
        A = sigconv.convolution_matrix(h, shape, mode, boundary=boundary, sparse=sparse)
        return A.toarray() if sparse else A

    def reference():
        sh = _matrix_prelude(h, shape, mode, boundary)
        return _matrix_ref(to_ref(h, kd), sh, mode, boundary)

    def check(got, ref):
        if kd.kind in "iu":
            if got.dtype.kind not in "iu":
                raise Mismatch("dtype %s for an integer kernel" % got.dtype)
            exact = np.array([int(v) for v in got.ravel()], dtype=object).reshape(got.shape)
            if got.shape != ref.shape:
                raise Mismatch("shape %s, expected %s" % (got.shape, ref.shape))
            # exact, or, past 64 bits (the widest integer dtype), exact modulo 2**64
            period = 1 << (8 * got.dtype.itemsize)
            if not all((int(a) - int(b)) % period == 0
                       for a, b in zip(exact.ravel(), ref.ravel())):
                raise Mismatch("values differ from the exact sums of taps (wrapped)")
            if native(got.dtype) != kd:
                # a wider type holding the exact values is the intended fix
                pass
            return
        taps = h.size
        tol = tolerance(kd, np.abs(to_ref(h, kd)).sum(), taps, ref)
        _fail(compare(got, ref, kd, tol))
    expect(call, reference, check)


def check_eigen(case, h):
    n = case["shape"]

    def call():
        return sigconv.circulant_eigenvalues(h, n)

    def reference():
        sh = _matrix_prelude(h, n, "circular", "wrap")
        kd = native(h.dtype)
        if kd.kind in "biu":
            c = np.asarray(h, np.float64)
        else:
            c = to_ref(h, kd)
        # fold onto the period, axis by axis
        for a, p in enumerate(sh):
            folded = np.zeros(c.shape[:a] + (p,) + c.shape[a + 1:], dtype=c.dtype)
            for i in range(c.shape[a]):
                idx = [slice(None)] * c.ndim
                idx[a] = i % p
                src = [slice(None)] * c.ndim
                src[a] = i
                folded[tuple(idx)] = folded[tuple(idx)] + c[tuple(src)]
            c = folded
        lam = c.astype(np.clongdouble if c.dtype.char in "gG" else np.complex128)
        for a, p in enumerate(sh):  # an explicit DFT along each axis
            j = np.arange(p)
            F = np.exp(-2j * np.pi * np.outer(j, j) / p)
            lam = np.moveaxis(np.tensordot(F, np.moveaxis(lam, a, 0), axes=(1, 0)), 0, a)
        if kd.char in "efF":
            dt = np.dtype(np.complex64)
        elif kd.char in "gG":
            dt = np.dtype(np.clongdouble)
        else:
            dt = np.dtype(np.complex128)
        return lam, dt

    def check(got, ref):
        lam, dt = ref
        eps_dt = dt if dt.char != "G" else np.dtype(np.complex128)  # the DFT above is double
        tol = tolerance(eps_dt, np.abs(lam).max() + np.abs(np.asarray(h, np.complex128)).sum(),
                        h.size + lam.size, lam)
        _fail(compare(got, lam, dt, tol))
    expect(call, reference, check)


def check_operator(case, h, v):
    shape, mode = case["shape"], case.get("mode", "full")
    boundary, method = case.get("boundary", "fill"), case.get("method", "auto")
    adjoint = case.get("adjoint", False)

    def call():
        A = sigconv.ConvolutionOperator(h, shape, mode, boundary=boundary, method=method)
        try:
            return A.rmatvec(v) if adjoint else A.matvec(v)
        except ValueError as exc:
            # as convolve: the transforms refuse integers they cannot make exact
            if method in ("fft", "oa") and "exact" in str(exc) and \
                    np.result_type(h.dtype, v.dtype).kind in "biu":
                return None
            raise

    def reference():
        sh = _matrix_prelude(h, shape, mode, boundary)
        # the documented rule: products in result_type(A.dtype, x.dtype), where
        # A.dtype is the kernel's own for floating kernels (float16: float32)
        # and float64 for integer kernels (a solver's dtype; never wraps)
        try:
            op_dtype = native(sigconv.ConvolutionOperator(h, shape, mode, boundary=boundary,
                                                          method=method).dtype)
        except (ValueError, TypeError) as exc:
            raise Invalid("the operator refuses these arguments: %s" % exc) from None
        hk = native(h.dtype)
        if hk.kind in "fc" and op_dtype != (np.dtype(np.float32) if hk.itemsize == 2
                                            and hk.kind == "f" else hk):
            raise Mismatch("operator dtype %s for a %s kernel" % (op_dtype, hk))
        if hk.kind in "biu" and op_dtype != np.float64:
            raise Mismatch("operator dtype %s for a %s kernel" % (op_dtype, hk))
        out_dtype = native(np.result_type(op_dtype, v.dtype))
        Ar = _matrix_ref(to_ref(h, out_dtype), sh, mode, boundary)
        vr = to_ref(v, out_dtype)
        if adjoint:
            if v.size != Ar.shape[0]:
                raise Invalid("vector length")
            r = np.conj(Ar.T) @ vr if Ar.dtype != object else Ar.T.dot(vr)
        else:
            if v.size != Ar.shape[1]:
                raise Invalid("vector length")
            r = Ar @ vr if Ar.dtype != object else Ar.dot(vr)
        return r, out_dtype

    def check(got, ref):
        r, out_dtype = ref
        if got is None:
            return
        if out_dtype.kind in "biu":
            if got.dtype.kind not in "iu" or got.shape != r.shape or not all(
                    int(a) == int(b) for a, b in zip(got.ravel(), r.ravel())):
                raise Mismatch("values differ from the exact integer product (%s result)"
                               % (got.dtype,))
            return
        tol = tolerance(out_dtype, norm(to_ref(h, out_dtype)) * norm(to_ref(v, out_dtype))
                        * math.sqrt(h.size), h.size + v.size, r)
        _fail(compare(got, r, out_dtype, tol))
    expect(call, reference, check)


# ---- pooling

def sum_dtype_ref(dt, taps):
    """Smallest integer dtype of the same signedness holding ``taps`` extremes (bool: unsigned)."""
    dt = native(dt)
    if dt.kind == "b":
        lo, hi, fam = 0, 1, "u"
    else:
        info = np.iinfo(dt)
        lo, hi, fam = int(info.min), int(info.max), dt.kind
    for bits in (8, 16, 32, 64):
        cand = np.dtype("%s%d" % (fam, bits // 8))
        ci = np.iinfo(cand)
        if cand.itemsize >= dt.itemsize and taps * hi <= ci.max and taps * lo >= ci.min:
            return cand
    return np.dtype("%s8" % fam)


def _per_axis(v, n, name):
    v = (v,) * n if isinstance(v, int) else tuple(v)
    if len(v) != n:
        raise Invalid("%s has %d entries for %d axes" % (name, len(v), n))
    return v


def pool_windows(n, k, s, p, d, ceil_mode):
    """Per window: (input positions inside, taps in the padding) along one axis."""
    if k < 1 or s < 1 or d < 1 or p < 0 or p > k // 2:
        raise Invalid("size/stride/dilation/padding")
    # PyTorch's count: with ceil_mode a partial last window counts, unless it
    # would start beyond the input and its left padding
    span = n + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        m = -(-span // s) + 1
        if (m - 1) * s >= n + p:
            m -= 1
    else:
        m = span // s + 1
    if m < 1:
        raise Invalid("window larger than the padded input")
    wins = []
    for o in range(m):
        pos = [o * s - p + t * d for t in range(k)]
        inside = [q for q in pos if 0 <= q < n]
        padded = sum(1 for q in pos if -p <= q < 0 or n <= q < n + p)
        wins.append((inside, padded))
    return wins


def check_pool(case, x):
    fn, op = case["fn"], case.get("op", "max")
    size, stride, padding = case["size"], case.get("stride"), case.get("padding", 0)
    dilation, ceil_mode, axes = case.get("dilation", 1), case.get("ceil_mode", False), case.get("axes")
    p, cip, ri = case.get("p", 2), case.get("count_include_pad", True), case.get("return_indices", False)
    if fn != "pool":
        op = {"max_pool": "max", "min_pool": "min", "avg_pool": "avg", "lp_pool": "lp"}[fn]
    kw = dict(stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode, axes=axes)
    if op in ("max", "min"):
        kw["return_indices"] = ri
    if op == "avg":
        kw["count_include_pad"] = cip
    if op == "lp":
        kw["p"] = p

    def call():
        if fn == "pool":
            return sigconv.pool(x, size, op, **kw)
        return getattr(sigconv, fn)(x, size, **kw)

    def reference():
        dt = native(x.dtype)
        if op in ("max", "min") and dt.kind == "c":
            raise Invalid("complex max/min")
        if op == "lp" and not p >= 1:
            raise Invalid("p < 1")
        if x.ndim == 0:
            raise Invalid("0-d")
        if axes is None:
            ax = tuple(range(x.ndim)) if isinstance(size, int) else \
                tuple(range(x.ndim - len(size), x.ndim))
            if not isinstance(size, int) and len(size) > x.ndim:
                raise Invalid("more sizes than axes")
        else:
            ax = tuple(a % x.ndim if -x.ndim <= a < x.ndim else None
                       for a in ((axes,) if isinstance(axes, int) else axes))
            if None in ax or len(set(ax)) != len(ax):
                raise Invalid("axes")
        naxes = len(ax)
        ks = _per_axis(size, naxes, "size")
        ss = _per_axis(ks if stride is None else stride, naxes, "stride")
        ps = _per_axis(padding, naxes, "padding")
        ds = _per_axis(dilation, naxes, "dilation")
        wins = [pool_windows(x.shape[a], k, s, pp, d, ceil_mode)
                for a, k, s, pp, d in zip(ax, ks, ss, ps, ds)]
        taps = int(np.prod(ks))
        if op in ("max", "min"):
            out_dt = dt
        elif op == "sum":
            out_dt = sum_dtype_ref(dt, taps) if dt.kind in "biu" else dt
        elif op == "avg":
            out_dt = np.dtype(np.float64) if dt.kind in "biu" else dt
        else:
            out_dt = np.dtype(np.float64) if dt.kind in "biu" else \
                (np.dtype(dt.char.lower()) if dt.kind == "c" else dt)
        # pooled axes last, in increasing order of the given axes' positions
        order = sorted(range(naxes), key=lambda i: ax[i])
        axs = [ax[i] for i in order]
        wins = [wins[i] for i in order]
        nb = x.ndim - naxes
        xm = np.moveaxis(np.asarray(x), axs, range(nb, x.ndim))
        if dt.kind in "biu":
            xr = np.array(xm.astype(np.int64 if dt.kind == "b" else dt).tolist(),
                          dtype=object).reshape(xm.shape)
        else:
            xr = xm.astype(ref_dtype(dt))
        bshape = xm.shape[:nb]
        pshape = xm.shape[nb:]
        oshape = tuple(len(w) for w in wins)
        vals = np.zeros(bshape + oshape, dtype=object if dt.kind in "biu" else xr.dtype)
        idx = np.full(bshape + oshape, -1, dtype=np.int64)
        undefined = np.zeros(bshape + oshape, bool)
        for o in np.ndindex(*oshape):
            sel = [wins[i][o[i]] for i in range(naxes)]
            inside = [s_[0] for s_ in sel]
            padded_any = any(s_[1] for s_ in sel)
            # window taps inside the input (row-major over the window)
            positions = list(itertools.product(*inside))
            total = int(np.prod([len(s_[0]) + s_[1] for s_ in sel]))
            for b in np.ndindex(*bshape):
                w = [xr[b + q] for q in positions]
                if op in ("max", "min"):
                    if not w:
                        if dt.kind == "f":
                            vals[b + o] = -np.inf if op == "max" else np.inf
                        else:
                            info = np.iinfo(dt) if dt.kind != "b" else None
                            vals[b + o] = (False if op == "max" else True) if info is None \
                                else (int(info.min) if op == "max" else int(info.max))
                        idx[b + o] = -1
                        continue
                    best = max(w) if op == "max" else min(w)
                    j = w.index(best)
                    vals[b + o] = best
                    idx[b + o] = int(np.ravel_multi_index(positions[j], pshape))
                elif op in ("sum", "avg"):
                    ssum = sum(w) if w else 0
                    if op == "sum":
                        vals[b + o] = ssum
                    else:
                        div = total if cip else len(w)
                        if div == 0:
                            undefined[b + o] = True
                            continue
                        vals[b + o] = (float(ssum) if dt.kind in "biu" else ssum) / div
                else:
                    a_ = np.abs(np.array([float(v) if dt.kind in "biu" else v for v in w],
                                         dtype=np.float64 if dt.kind in "biu" else xr.dtype))
                    if p == math.inf:
                        vals[b + o] = a_.max() if a_.size else 0.0
                    else:
                        one = a_.dtype.type(1) if a_.size else 1.0
                        vals[b + o] = (np.sum(a_ ** p) ** (one / p)) if a_.size else 0.0
        back = range(nb, x.ndim)
        return (np.moveaxis(vals, back, axs), np.moveaxis(idx, back, axs),
                np.moveaxis(undefined, back, axs), out_dt, taps, xr, axs, pshape)

    def check(got, ref):
        vals, idx, undefined, out_dt, taps, xr, axs, pshape = ref
        values = got[0] if (ri and op in ("max", "min")) else got
        if native(values.dtype) != out_dt:
            raise Mismatch("dtype %s, expected %s" % (values.dtype, out_dt))
        if values.shape != vals.shape:
            raise Mismatch("shape %s, expected %s" % (values.shape, vals.shape))
        if out_dt.kind in "biu":
            _fail(compare(values, vals, out_dt, 0))
        elif op in ("max", "min"):
            refv = vals.astype(np.float64) if vals.dtype == object else vals
            if not np.array_equal(values.astype(refv.dtype), refv):
                i = tuple(np.argwhere(values.astype(refv.dtype) != refv)[0])
                raise Mismatch("at %s: %r, expected %r" % (i, values[i], refv[i]))
        else:
            refv = np.where(undefined, 0, vals).astype(np.float64 if out_dt.kind == "f" and
                                                     out_dt.char != "g" else vals.dtype
                                                     if vals.dtype != object else np.float64)
            scale = float(np.max(np.abs(xr.astype(np.complex128)))) if xr.size else 0.0
            tol = tolerance(out_dt, scale * taps, taps, refv)
            if op == "lp":
                tol = tol * max(1.0, float(p if p != math.inf else 1))
            got_v = np.where(undefined, 0, values)
            _fail(compare(got_v, refv, out_dt, tol))
        if ri and op in ("max", "min"):
            gi = got[1]
            if gi.shape != idx.shape or gi.dtype != np.int64:
                raise Mismatch("indices %s %s, expected %s int64" % (gi.shape, gi.dtype, idx.shape))
            if not np.array_equal(gi, idx):
                i = tuple(np.argwhere(gi != idx)[0])
                raise Mismatch("index at %s: %d, expected %d" % (i, gi[i], idx[i]))
            if case.get("unpool"):
                _check_unpool(values, gi, x, axs, pshape)

    expect(call, reference, check)


def _check_unpool(values, indices, x, axs, pshape):
    got = sigconv.max_unpool(values, indices, pshape, axes=tuple(axs))
    nb = x.ndim - len(axs)
    vm = np.moveaxis(values, axs, range(nb, x.ndim))
    im = np.moveaxis(indices, axs, range(nb, x.ndim))
    out = np.zeros(vm.shape[:nb] + (int(np.prod(pshape)),), native(values.dtype))
    for b in np.ndindex(*vm.shape[:nb]):
        for o in np.ndindex(*vm.shape[nb:]):
            if im[b + o] >= 0:
                out[b + (im[b + o],)] = vm[b + o]
    out = np.moveaxis(out.reshape(vm.shape[:nb] + tuple(pshape)), range(nb, x.ndim), axs)
    if got.shape != out.shape or native(got.dtype) != native(values.dtype) or \
            not np.array_equal(got, out):
        raise Mismatch("max_unpool: got %s %s, expected %s" % (got.shape, got.dtype, out.shape))


def check_errors(case, x):
    """A call with one bad argument: ValueError or TypeError, nothing else."""
    bad = case["bad"]
    fn = case["target"]
    name, value = bad
    args = {"convolve": lambda: sigconv.convolve(x, x[..., :2], **{name: value}),
            "correlate2d": lambda: sigconv.correlate2d(x, x[:2, :2], **{name: value}),
            "fftconvolve": lambda: sigconv.fftconvolve(x, x[..., :2], **{name: value}),
            "autocorrelate": lambda: sigconv.autocorrelate(x, **{name: value}),
            "pool": lambda: sigconv.pool(x, 2, "lp" if name == "p" else "max", **{name: value}),
            "convolution_matrix": lambda: sigconv.convolution_matrix(
                x[(0,) * (x.ndim - 1)][:3], 5, **{name: value}),
            "normalized_correlate": lambda: sigconv.normalized_correlate(x, x[..., :2],
                                                                         **{name: value})}
    try:
        got = args[fn]()
    except ACCEPTED_ERRORS:
        return
    raise Mismatch("%s(%s=%r) returned a %s instead of raising ValueError/TypeError"
                   % (fn, name, value, type(got).__name__))


CHECKS = {
    "convolve": check_conv, "correlate": check_conv, "convolve2d": check_conv,
    "correlate2d": check_conv, "fftconvolve": check_conv, "oaconvolve": check_conv,
    "Convolver": check_conv, "choose_conv_method": check_choose,
    "correlation_lags": check_lags, "autocorrelation_lags": check_autolags,
    "autocorrelate": check_autocorrelate, "normalized_correlate": check_ncc,
    "convolution_matrix": check_matrix, "circulant_matrix": check_matrix,
    "circulant_eigenvalues": check_eigen, "ConvolutionOperator": check_operator,
    "pool": check_pool, "max_pool": check_pool, "min_pool": check_pool,
    "avg_pool": check_pool, "lp_pool": check_pool, "max_unpool": check_pool,
    "errors": check_errors,
}
FUNCTIONS = tuple(CHECKS)


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _ints(lo, hi):
    return st.integers(lo, hi)


def _pick(options):
    options = tuple(options)
    try:
        return _pick_cached(options)
    except TypeError:  # unhashable options (lists in the table of bad arguments)
        return st.sampled_from(options)


@functools.lru_cache(maxsize=None)
def _pick_cached(options):
    return st.sampled_from(options)


@functools.lru_cache(maxsize=None)
def _perm(n):
    return st.permutations(range(n))


_BOOL = st.booleans()


@functools.lru_cache(maxsize=None)
def _stride(nconv):
    return st.one_of(_ints(1, 3), st.lists(_ints(1, 3), min_size=nconv, max_size=nconv))


@st.composite
def array_spec(draw, shape, dtypes=DTYPES, values=VALUES):
    return {"shape": list(shape), "dtype": draw(_pick(dtypes)),
            "layout": draw(_pick(LAYOUTS)), "values": draw(_pick(values)),
            "seed": draw(_ints(0, 2**32 - 1))}


@functools.lru_cache(maxsize=None)
def _length(max_len):
    # 0 and 1 often, small lengths mostly, occasionally long (aspect ratios)
    return st.one_of(_pick([0, 1, 1, 2]), _ints(1, max_len),
                     _ints(1, max_len), _ints(max_len, 4 * max_len))


@st.composite
def shapes(draw, ndim, max_len=8, min_len=0, budget=400):
    shape = []
    for _ in range(ndim):
        shape.append(max(min_len, draw(_length(max_len))))
    while int(np.prod(shape)) > budget:
        i = int(np.argmax(shape))
        shape[i] = max(min_len, shape[i] // 2)
    return shape


@st.composite
def conv_case(draw, fn):
    ndim = 2 if fn.endswith("2d") else draw(_pick([1, 1, 2, 2, 3]))
    if fn in ("convolve", "correlate") and draw(_ints(0, 30)) == 0:
        ndim = 0
    xs = draw(shapes(ndim))
    ks = list(draw(shapes(ndim, max_len=5, budget=60)))
    nd_kernel_fits = draw(_BOOL)
    for i in range(ndim):
        if nd_kernel_fits and ks[i] > xs[i] > 0:
            ks[i] = max(1, xs[i])
    axes = None
    if ndim >= 2 and fn not in ("convolve2d", "correlate2d") and draw(_BOOL):
        naxes = draw(_ints(1, ndim - 1))
        axes = sorted(draw(_perm(ndim))[:naxes])
        for a in range(ndim):  # broadcastable batch axes, sometimes 1 on one side
            if a not in axes:
                c = draw(_ints(0, 3))
                ks[a] = 1 if c == 0 else xs[a]
                if c == 1:
                    xs[a] = 1 if xs[a] else 0
                    ks[a] = draw(_ints(1, 3))
        if draw(_ints(0, 3)) == 0:
            axes = [a - ndim for a in axes]
        if len(axes) == 1 and draw(_BOOL):
            axes = axes[0]
    if draw(_ints(0, 20)) == 0 and ndim:
        xs, ks = ks, xs  # the kernel larger than the signal on every axis
    if ndim and draw(_ints(0, 25)) == 0:
        ks = ks[:-1] if len(ks) > 1 else ks + [1]  # ndim mismatch: invalid
    sym = draw(_ints(0, 3)) == 0
    da = draw(_pick(DTYPES))
    db = da if sym else draw(_pick(DTYPES))
    case = {"fn": fn, "a": draw(array_spec(xs, dtypes=[da])), "b": draw(array_spec(ks, dtypes=[db]))}
    modes = ["full", "same", "valid"]
    if fn in ("convolve", "correlate", "Convolver", "convolve2d", "correlate2d"):
        modes = modes + ["circular"]
    case["mode"] = draw(_pick(modes))
    if fn in ("convolve", "correlate", "Convolver"):
        case["method"] = draw(_pick(["auto", "direct", "fft", "oa", "toeplitz"]))
    if fn in ("convolve", "correlate", "Convolver", "convolve2d", "correlate2d"):
        case["boundary"] = draw(_pick(["fill", "fill", "wrap", "symm", "constant",
                                                 "symmetric", "reflect", "edge"]))
        case["fillvalue"] = draw(_pick([0, 0, 0, 1, -2, 2.5]))
        nconv = ndim if axes is None else (1 if isinstance(axes, int) else len(axes))
        if draw(_ints(0, 2)) == 0 and nconv:
            case["stride"] = draw(_stride(nconv))
    if axes is not None and fn not in ("convolve2d", "correlate2d"):
        case["axes"] = axes
    return case


@st.composite
def choose_case(draw):
    c = draw(conv_case("convolve"))
    c["fn"] = "choose_conv_method"
    if c["mode"] == "circular":
        c["mode"] = "full"
    for k in ("method", "boundary", "fillvalue", "stride", "axes"):
        c.pop(k, None)
    return c


@st.composite
def lags_case(draw, fn):
    c = {"fn": fn, "n1": draw(_ints(-1 if fn == "autocorrelation_lags" else 0, 60)),
         "mode": draw(_pick(["full", "same", "valid", "circular"]
                                      if fn == "autocorrelation_lags" else
                                      ["full", "same", "valid", "full", "bogus"]))}
    if fn == "correlation_lags":
        c["n2"] = draw(_ints(0, 60))
    elif draw(_BOOL):
        c["maxlag"] = draw(_ints(0, 65))
    return c


@st.composite
def auto_case(draw):
    ndim = draw(_pick([1, 1, 2, 3]))
    xs = draw(shapes(ndim, max_len=10, min_len=0, budget=120))
    c = {"fn": "autocorrelate", "a": draw(array_spec(xs)),
         "mode": draw(_pick(["full", "same", "valid", "circular"])),
         "method": draw(_pick(["auto", "direct", "fft"])),
         "normalize": draw(_pick([None, None, "biased", "unbiased", "coeff"]))}
    if ndim > 1 and draw(_BOOL):
        c["axes"] = sorted(draw(_perm(ndim))[:draw(_ints(1, ndim - 1))])
    if draw(_ints(0, 2)) == 0:
        c["mode"] = "full"
        c["maxlag"] = draw(_ints(0, 8))
    return c


@st.composite
def ncc_case(draw):
    ndim = draw(_pick([1, 1, 2, 2, 3]))
    xs = draw(shapes(ndim, max_len=9, min_len=1, budget=150))
    ts = [max(1, min(draw(_ints(1, 4)), n + draw(_ints(0, 1)))) for n in xs]
    axes = None
    if ndim > 1 and draw(_ints(0, 2)) == 0:
        axes = sorted(draw(_perm(ndim))[:draw(_ints(1, ndim - 1))])
        for a in range(ndim):
            if a not in axes:
                ts[a] = draw(_pick([1, xs[a]]))
    c = {"fn": "normalized_correlate", "a": draw(array_spec(xs, dtypes=REAL + ("D",))),
         "b": draw(array_spec(ts, dtypes=REAL)), "mode": draw(_pick(["valid", "same",
                                                                              "full"]))}
    if axes is not None:
        c["axes"] = axes
    return c


@st.composite
def matrix_case(draw, fn):
    ndim = draw(_pick([1, 1, 2, 3]))
    ks = draw(shapes(ndim, max_len=4, min_len=1, budget=16))
    sh = draw(shapes(ndim, max_len=6, min_len=1, budget=36))
    if draw(_ints(0, 30)) == 0:
        sh[0] = 0  # invalid
    c = {"fn": fn, "a": draw(array_spec(ks)), "shape": sh[0] if ndim == 1 and draw(
        _BOOL) else sh}
    if fn in ("convolution_matrix", "ConvolutionOperator"):
        c["mode"] = draw(_pick(["full", "same", "valid", "circular"]))
        c["boundary"] = draw(_pick(["fill", "wrap", "symm", "reflect", "edge",
                                              "constant", "symmetric"]))
    if fn == "convolution_matrix":
        c["sparse"] = draw(_BOOL)
    if fn == "ConvolutionOperator":
        c["a"]["dtype"] = draw(_pick([d for d in DTYPES]))
        c["method"] = draw(_pick(["auto", "direct", "fft", "oa", "toeplitz"]))
        c["adjoint"] = draw(_BOOL)
        n_in = int(np.prod(sh))
        # the output length, from the definitions (the vector may also be wrong on purpose)
        outs = []
        for n, k in zip(sh, ks):
            outs.append({"full": n + k - 1, "same": n, "valid": max(n - k + 1, 0),
                         "circular": n}[c["mode"]])
        n_out = int(np.prod(outs))
        length = n_out if c["adjoint"] else n_in
        if draw(_ints(0, 30)) == 0:
            length += 1
        c["b"] = draw(array_spec([length], dtypes=("f", "d", "F", "D", "i4", "e", "g", "?")))
    return c


@st.composite
def pool_case(draw, fn):
    ndim = draw(_pick([1, 2, 2, 3, 4]))
    xs = draw(shapes(ndim, max_len=9, min_len=1, budget=300))
    naxes = draw(_ints(1, min(ndim, 3)))
    c = {"fn": fn}
    if fn == "max_unpool":
        c["fn"], c["op"], c["unpool"], c["return_indices"] = "pool", "max", True, True
        c["op"] = draw(_pick(["max", "min"]))
    elif fn == "pool":
        c["op"] = draw(_pick(["max", "min", "sum", "avg", "lp"]))
    op = c.get("op", {"max_pool": "max", "min_pool": "min", "avg_pool": "avg",
                      "lp_pool": "lp"}.get(fn))
    dtypes = DTYPES if op in ("sum", "avg", "lp") else REAL
    if draw(_ints(0, 40)) == 0:
        dtypes = DTYPES
    c["a"] = draw(array_spec(xs, dtypes=dtypes))
    axes = None
    if draw(_BOOL):
        axes = list(draw(_perm(ndim))[:naxes])
        if draw(_ints(0, 3)) == 0:
            axes = [a - ndim for a in axes]
    pooled = [xs[a] for a in (axes if axes is not None else range(ndim - naxes, ndim))]
    size = [draw(_ints(1, max(1, min(n, 4)) + (draw(_ints(0, 12)) == 0)))
            for n in pooled]
    c["size"] = size[0] if (naxes == 1 and draw(_BOOL) and axes is not None) else size
    if axes is None and isinstance(c["size"], list) and len(c["size"]) == ndim and \
            draw(_BOOL) and len(set(size)) == 1:
        c["size"] = size[0]
    if axes is not None:
        c["axes"] = axes if len(axes) > 1 or draw(_BOOL) else axes[0]
    if draw(_BOOL):
        c["stride"] = draw(_ints(1, 3))
    if c.get("fn") != "pool" or not c.get("unpool"):
        if draw(_BOOL):
            c["padding"] = draw(_ints(0, max(1, min(size) // 2)))
        if draw(_ints(0, 3)) == 0:
            c["dilation"] = draw(_ints(1, 3))
        c["ceil_mode"] = draw(_BOOL)
    c["count_include_pad"] = draw(_BOOL)
    c["p"] = draw(_pick([1, 2, 3, 1.5, math.inf, 0.5]))
    if op in ("max", "min") and not c.get("unpool"):
        c["return_indices"] = draw(_BOOL)
    return c


_BAD = {
    "convolve": [("mode", "bogus"), ("mode", None), ("method", "bogus"), ("boundary", "bogus"),
                 ("axes", 7), ("axes", (0, 0)), ("axes", 1.5), ("stride", 0), ("stride", -1),
                 ("stride", 1.5), ("stride", (1, 2, 3, 4)), ("fillvalue", [1, 2]),
                 ("fillvalue", "x")],
    "correlate2d": [("mode", "circle"), ("boundary", "bogus"), ("fillvalue", [1, 2]),
                    ("stride", 0)],
    "fftconvolve": [("mode", "bogus"), ("axes", 5), ("axes", (0, 0))],
    "autocorrelate": [("mode", "bogus"), ("normalize", "bogus"), ("method", "oa"),
                      ("maxlag", -1), ("maxlag", 10**6), ("maxlag", 1.5), ("axes", 9)],
    "pool": [("op", "median"), ("stride", 0), ("padding", -1), ("padding", 7),
             ("dilation", 0), ("axes", 9), ("p", 0.5), ("size", 0)],
    "convolution_matrix": [("mode", "bogus"), ("boundary", "bogus"), ("sparse", "yes"),
                           ("shape", (0,)), ("shape", (2, 2)), ("shape", 1.5)],
    "normalized_correlate": [("mode", "circular"), ("axes", 9), ("template", None)],
}


@st.composite
def errors_case(draw):
    target = draw(_pick(sorted(_BAD)))
    bad = list(draw(_pick(_BAD[target])))
    if target == "convolution_matrix" and bad[0] == "shape":
        bad = ["mode", "bogus"]
    if target == "normalized_correlate" and bad[0] == "template":
        bad = ["mode", "bogus"]
    ndim = 2
    xs = draw(shapes(ndim, max_len=8, min_len=3, budget=64))
    dt = draw(_pick([d for d in DTYPES if np.dtype(d).kind != "c"]))
    return {"fn": "errors", "target": target, "bad": bad,
            "a": draw(array_spec(xs, dtypes=[dt]))}


def cases(fn):
    """The hypothesis strategy of the cases of public function ``fn``."""
    if fn in ("convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve",
              "oaconvolve", "Convolver"):
        return conv_case(fn)
    if fn == "choose_conv_method":
        return choose_case()
    if fn in ("correlation_lags", "autocorrelation_lags"):
        return lags_case(fn)
    if fn == "autocorrelate":
        return auto_case()
    if fn == "normalized_correlate":
        return ncc_case()
    if fn in ("convolution_matrix", "circulant_matrix", "circulant_eigenvalues",
              "ConvolutionOperator"):
        return matrix_case(fn)
    if fn in ("pool", "max_pool", "min_pool", "avg_pool", "lp_pool", "max_unpool"):
        return pool_case(fn)
    if fn == "errors":
        return errors_case()
    raise KeyError(fn)


#: relative share of the cases per function in a run
WEIGHTS = {"convolve": 6, "correlate": 5, "convolve2d": 3, "correlate2d": 3,
           "fftconvolve": 3, "oaconvolve": 3, "Convolver": 3, "choose_conv_method": 2,
           "correlation_lags": 1, "autocorrelation_lags": 1, "autocorrelate": 3,
           "normalized_correlate": 3, "convolution_matrix": 2, "circulant_matrix": 1,
           "circulant_eigenvalues": 1, "ConvolutionOperator": 2, "pool": 4, "max_pool": 1,
           "min_pool": 1, "avg_pool": 1, "lp_pool": 1, "max_unpool": 1, "errors": 2}


def share(total):
    """Cases per function for a run of ``total`` cases (each at least 1)."""
    w = sum(WEIGHTS.values())
    return {fn: max(1, round(total * WEIGHTS[fn] / w)) for fn in WEIGHTS}
