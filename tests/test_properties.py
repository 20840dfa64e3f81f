"""Algebraic properties, checked on generated inputs (hypothesis)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import sigconv
from conftest import assert_close, valid_defined

FLOATS = st.floats(-8.0, 8.0, allow_nan=False, allow_infinity=False, allow_subnormal=False,
                   width=64)
COMPLEX = st.complex_numbers(max_magnitude=8.0, allow_nan=False, allow_infinity=False,
                             allow_subnormal=False)


def _shape(ndim, lo=1, hi=7):
    return st.tuples(*[st.integers(lo, hi)] * ndim)


@st.composite
def pair(draw, ndims=(1, 2, 3), hi=7, dtype=np.float64, kernel_hi=None):
    """Two arrays of the same dimension with independent shapes."""
    ndim = draw(st.sampled_from(ndims))
    kind = np.dtype(dtype).kind
    elements = COMPLEX if kind == "c" else (st.integers(-50, 50) if kind == "i" else FLOATS)
    x = draw(hnp.arrays(dtype, draw(_shape(ndim, 1, hi)), elements=elements))
    h = draw(hnp.arrays(dtype, draw(_shape(ndim, 1, kernel_hi or hi)), elements=elements))
    return x, h


@settings(max_examples=80)
@given(pair(dtype=np.complex128))
def test_convolve_full_commutes(xh):
    x, h = xh
    a = sigconv.convolve(x, h)
    b = sigconv.convolve(h, x)
    # each side rounds on its own: twice the tolerance of one
    assert_close(a, b, inputs=(x, h), taps=max(x.size, h.size), factor=8)


@settings(max_examples=80)
@given(pair(), FLOATS, FLOATS,
       st.sampled_from(["full", "same", "valid", "circular"]),
       st.sampled_from(["fill", "wrap", "symm", "reflect", "edge"]),
       st.sampled_from(["convolve", "correlate"]), st.data())
def test_linearity(xh, a, b, mode, boundary, op, data):
    # every boundary extends in1 linearly (fill with fillvalue 0)
    x, h = xh
    y = data.draw(hnp.arrays(np.float64, x.shape, elements=FLOATS))
    if mode == "valid" and not valid_defined(x.shape, h.shape):
        mode = "full"
    if mode == "circular" and boundary not in ("fill", "wrap"):
        boundary = "wrap"
    f = lambda v: getattr(sigconv, op)(v, h, mode, boundary=boundary)
    lhs = f(a * x + b * y)
    rhs = a * f(x) + b * f(y)
    magnitude = abs(a) * np.abs(x) + abs(b) * np.abs(y)
    taps = h.size if mode != "valid" else min(h.size, x.size)
    assert_close(lhs, rhs, inputs=(magnitude, h), taps=taps, factor=12)


@settings(max_examples=80)
@given(pair(dtype=np.complex128, kernel_hi=10), st.sampled_from(["convolve", "correlate"]),
       st.data())
def test_circular_shift_equivariance(xh, op, data):
    # rolling the input rolls the output; kernels may be longer than the period
    x, h = xh
    shift = tuple(data.draw(st.integers(-n, n)) for n in x.shape)
    axes = tuple(range(x.ndim))
    f = lambda v: getattr(sigconv, op)(v, h, "circular")
    assert_close(f(np.roll(x, shift, axes)), np.roll(f(x), shift, axes), inputs=(x, h),
                 factor=8)


@settings(max_examples=40)
@given(st.sampled_from([1, 2, 3]).flatmap(
    lambda d: st.tuples(*[hnp.arrays(np.float64, _shape(d, 1, 5), elements=FLOATS)
                          for _ in range(3)])))
def test_full_convolution_is_associative(xyz):
    x, y, z = xyz
    lhs = sigconv.convolve(sigconv.convolve(x, y), z)
    rhs = sigconv.convolve(x, sigconv.convolve(y, z))
    assert_close(lhs, rhs, inputs=(x, y, z), factor=8)


@settings(max_examples=80)
@given(pair(dtype=np.complex128))
def test_correlate_is_convolve_with_conjugate_flip(xh):
    x, h = xh
    flipped = np.conj(h[(slice(None, None, -1),) * h.ndim])
    assert_close(sigconv.correlate(x, h), sigconv.convolve(x, flipped), inputs=(x, h))


@st.composite
def odd_kernel_pair(draw):
    ndim = draw(st.sampled_from([1, 2, 3]))
    xs = draw(_shape(ndim, 1, 8))
    hs = tuple(draw(st.sampled_from([k for k in (1, 3, 5, 7) if k <= n] or [1])) for n in xs)
    x = draw(hnp.arrays(np.float64, xs, elements=FLOATS))
    h = draw(hnp.arrays(np.float64, hs, elements=FLOATS))
    return x, h


@settings(max_examples=80)
@given(odd_kernel_pair(), st.sampled_from(["convolve", "correlate"]))
def test_wrap_same_is_centred_circular(xh, op):
    # for odd K <= N, 'same' with a periodic extension is the cyclic result
    # centred on the kernel: circular shifted by (K - 1) // 2 (back for
    # convolve, forward for correlate)
    x, h = xh
    same = getattr(sigconv, op)(x, h, "same", boundary="wrap")
    circ = getattr(sigconv, op)(x, h, "circular")
    c = tuple((k - 1) // 2 for k in h.shape)
    shift = tuple(-v for v in c) if op == "convolve" else c
    assert_close(same, np.roll(circ, shift, tuple(range(x.ndim))), inputs=(x, h))


@settings(max_examples=60)
@given(pair(ndims=(1, 2)), st.sampled_from(["full", "same", "valid", "circular"]),
       st.integers(1, 4), st.sampled_from(["convolve", "correlate"]))
def test_stride_slices(xh, mode, s, op):
    x, h = xh
    if mode == "valid" and not valid_defined(x.shape, h.shape):
        mode = "same"
    f = getattr(sigconv, op)
    assert_close(f(x, h, mode, stride=s), f(x, h, mode)[(slice(None, None, s),) * x.ndim],
                 inputs=(x, h))


@settings(max_examples=60)
@given(pair(ndims=(1, 2, 3), dtype=np.int64))
def test_integer_results_are_exact(xh):
    # integer-valued floats: sums of products of small integers are exact in float64
    x, h = xh
    xf, hf = x.astype(np.float64), h.astype(np.float64)
    for op in ("convolve", "correlate"):
        got = getattr(sigconv, op)(x, h)
        assert np.array_equal(got, getattr(sigconv, op)(xf, hf).astype(np.int64))
