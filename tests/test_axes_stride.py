"""``axes=`` (broadcast batches, as scipy.signal.fftconvolve) and ``stride=``."""
import numpy as np
import pytest
import scipy.signal

import sigconv
from conftest import OPS, assert_close, random_array, shape_mode_params
from reference import batched, boundary_reference, circular_reference

# (in1 shape, in2 shape, axes): non-convolved axes equal or 1
AXES_CASES = [
    ((4, 7), (1, 3), 1),
    ((4, 7), (4, 3), 1),
    ((1, 7), (4, 3), -1),
    ((7, 4), (3, 4), 0),
    ((5, 3, 6), (5, 1, 2), (0, 2)),
    ((5, 3, 6), (2, 3, 4), [2, 0]),
    ((2, 8, 3), (2, 3, 1), 1),
    ((3, 6, 2, 5), (1, 3, 2, 2), (1, 3)),
    ((3, 6, 1, 5), (1, 2, 4, 7), (-3, -1)),
    ((2, 3, 4, 5), (1, 1, 3, 2), (2, 3)),
    ((6, 5, 4), (3, 2, 2), (0, 1, 2)),
]


def _case_id(case):
    s1, s2, axes = case
    return "%s-%s-ax%s" % ("x".join(map(str, s1)), "x".join(map(str, s2)),
                           "".join(str(a) for a in np.atleast_1d(axes)))


def _conv_axes(ndim, axes):
    return sorted(int(a) % ndim for a in np.atleast_1d(axes))


def _valid_ok(s1, s2, axes):
    ax = _conv_axes(len(s1), axes)
    a = [s1[i] for i in ax]
    b = [s2[i] for i in ax]
    return all(p >= q for p, q in zip(a, b)) or all(q >= p for p, q in zip(a, b))


AXES_PARAMS = [pytest.param(*c, m, id="%s-%s" % (_case_id(c), m))
               for c in AXES_CASES for m in ("full", "same", "valid", "circular")
               if m != "valid" or _valid_ok(c[0], c[1], c[2])]


@pytest.mark.parametrize("s1, s2, axes, mode", AXES_PARAMS)
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_axes_match_looped_scipy(rng, s1, s2, axes, mode, op, dtype):
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    if mode == "circular":
        ref = lambda a, b: circular_reference(op, a, b)
    else:
        ref = lambda a, b: getattr(scipy.signal, op)(a, b, mode=mode, method="direct")
    got = getattr(sigconv, op)(x, h, mode, axes=axes)
    ax = _conv_axes(x.ndim, axes)
    taps = int(np.prod([s2[i] for i in ax]))
    assert_close(got, batched(ref, x, h, axes), inputs=(x, h), taps=taps)


def _fftconvolve_comparable(s1, s2, axes, mode):
    # scipy.signal.fftconvolve's 'same' crops every axis to in1's length,
    # batch axes included: where in1 broadcasts (length 1 against in2's n)
    # it returns only the middle batch item. The decided semantics are the
    # batch loop (test_axes_match_looped_scipy); those cases are left out here.
    if mode == "circular":
        return False
    if mode == "same":
        ax = _conv_axes(len(s1), axes)
        return all(s1[i] >= s2[i] for i in range(len(s1)) if i not in ax)
    return True


@pytest.mark.parametrize("s1, s2, axes, mode", [p for p in AXES_PARAMS
                                                if _fftconvolve_comparable(*p.values)])
def test_axes_match_fftconvolve(rng, s1, s2, axes, mode):
    # the broadcasting rules are scipy.signal.fftconvolve's
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    got = sigconv.convolve(x, h, mode, axes=axes)
    expected = scipy.signal.fftconvolve(x, h, mode, axes=axes)
    assert got.shape == expected.shape
    assert_close(got, expected, inputs=(x, h), factor=64)


@pytest.mark.parametrize("s1, s2, axes", [pytest.param(*c, id=_case_id(c)) for c in AXES_CASES])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "reflect", "edge"])
@pytest.mark.parametrize("op", OPS)
def test_axes_with_boundaries(rng, s1, s2, axes, boundary, op):
    x = random_array(rng, s1, np.int64)
    h = random_array(rng, s2, np.int64)
    for mode in ("full", "same"):
        got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=3, axes=axes)
        expected = batched(lambda a, b: boundary_reference(op, a, b, mode, boundary, 3),
                           x, h, axes)
        assert_close(got, expected, inputs=(x, h))


def test_axes_none_is_all_axes(rng):
    x = random_array(rng, (4, 5, 3))
    h = random_array(rng, (2, 3, 2))
    for axes in ((0, 1, 2), [2, 1, 0], (-1, 0, 1)):
        assert np.array_equal(sigconv.convolve(x, h, axes=axes), sigconv.convolve(x, h))


def test_axes_batch_of_signals_one_kernel(rng):
    # the README's case: a batch of signals along the last axis, one kernel for all
    x = random_array(rng, (6, 40))
    h = random_array(rng, (1, 9))
    got = sigconv.convolve(x, h, "same", axes=1)
    for i in range(6):
        assert_close(got[i], np.convolve(x[i], h[0], "same"), inputs=(x[i], h[0]))


def test_axes_filter_bank(rng):
    # one signal, several kernels: the batch comes from in2
    x = random_array(rng, (1, 30))
    h = random_array(rng, (4, 5))
    got = sigconv.correlate(x, h, "valid", axes=-1)
    assert got.shape == (4, 26)
    for i in range(4):
        assert_close(got[i], np.correlate(x[0], h[i], "valid"), inputs=(x[0], h[i]))


def test_axes_non_convolved_lengths_need_not_match_in_convolved(rng):
    # valid-mode swap is decided on the convolved axes only
    x = random_array(rng, (9, 2))   # axis 0 convolved: 2 < 6 -> swap
    h = random_array(rng, (1, 6)).T.copy()  # (6, 1)
    got = sigconv.convolve(h, x, "valid", axes=0)
    expected = batched(lambda a, b: scipy.signal.convolve(a, b, "valid"), h, x, 0)
    assert_close(got, expected, inputs=(x, h), taps=6)


# -------------------------------------------------------------------- stride

STRIDES = [1, 2, 3]


def _strided(a, steps):
    return a[tuple(slice(None, None, s) for s in steps)]


@pytest.mark.parametrize("s1, s2, mode", shape_mode_params((1, 2, 3), ("full", "same", "valid",
                                                                       "circular")))
@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("op", OPS)
def test_stride_is_sliced_unstrided(rng, s1, s2, mode, stride, op):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    full = getattr(sigconv, op)(x, h, mode)
    got = getattr(sigconv, op)(x, h, mode, stride=stride)
    expected = _strided(full, (stride,) * x.ndim)
    assert got.shape == tuple(-(-n // stride) for n in full.shape)
    assert_close(got, expected, inputs=(x, h))
    if mode != "circular":
        sref = getattr(scipy.signal, op)(x, h, mode, method="direct")
        assert_close(got, _strided(sref, (stride,) * x.ndim), inputs=(x, h))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("stride", [(1, 2), (3, 1), (2, 3), (4, 5)])
@pytest.mark.parametrize("mode", ["full", "same", "valid", "circular"])
def test_per_axis_stride(rng, op, stride, mode):
    x = random_array(rng, (11, 13), np.complex128)
    h = random_array(rng, (4, 3), np.complex128)
    got = getattr(sigconv, op)(x, h, mode, stride=stride)
    if mode == "circular":
        expected = circular_reference(op, x, h)
    else:
        expected = getattr(scipy.signal, op)(x, h, mode, method="direct")
    assert_close(got, _strided(expected, stride), inputs=(x, h))


@pytest.mark.parametrize("s1, s2", [((3,), (10,)), ((4,), (9,)), ((2, 3), (7, 8)),
                                    ((1, 2, 2), (4, 5, 3)), ((5,), (5,))],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("stride", STRIDES + [4])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_stride_valid_swap_correlate(rng, s1, s2, stride, dtype):
    # in2 larger: scipy reverses (and conjugates) the swapped result; the
    # strided one is that result sliced, not a slice taken before reversing
    x = random_array(rng, s1, dtype)
    h = random_array(rng, s2, dtype)
    steps = (stride,) * x.ndim
    got = sigconv.correlate(x, h, "valid", stride=stride)
    expected = scipy.signal.correlate(x, h, "valid", method="direct")
    assert_close(got, _strided(expected, steps), inputs=(x, h))
    got = sigconv.convolve(x, h, "valid", stride=stride)
    expected = scipy.signal.convolve(x, h, "valid", method="direct")
    assert_close(got, _strided(expected, steps), inputs=(x, h))


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("s1, s2", [((9, 8), (3, 4)), ((3, 4), (7, 9)), ((6, 6), (2, 2))],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("stride", [2, 3, (2, 3)])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
def test_stride_2d_twins(rng, name, s1, s2, stride, boundary):
    x = random_array(rng, s1, np.complex128)
    h = random_array(rng, s2, np.complex128)
    steps = (stride, stride) if np.ndim(stride) == 0 else stride
    for mode in ("full", "same", "valid"):
        got = getattr(sigconv, name)(x, h, mode, boundary, 1.5, stride=stride)
        expected = getattr(scipy.signal, name)(x, h, mode, boundary, 1.5)
        assert_close(got, _strided(expected, steps), inputs=(x, h), fillvalue=1.5)


@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "reflect", "edge"])
@pytest.mark.parametrize("stride", [2, 3, (3, 2, 1)])
@pytest.mark.parametrize("op", OPS)
def test_stride_with_boundaries(rng, boundary, stride, op):
    x = random_array(rng, (7, 8, 5), np.int32)
    h = random_array(rng, (3, 4, 2), np.int32)
    steps = (stride,) * 3 if np.ndim(stride) == 0 else stride
    for mode in ("full", "same"):
        got = getattr(sigconv, op)(x, h, mode, boundary=boundary, fillvalue=-2, stride=stride)
        expected = boundary_reference(op, x, h, mode, boundary, -2)
        assert_close(got, _strided(expected, steps), inputs=(x, h))


@pytest.mark.parametrize("s1, s2, axes, mode", AXES_PARAMS[::3])
@pytest.mark.parametrize("stride", [2, 3])
def test_stride_with_axes(rng, s1, s2, axes, mode, stride):
    x = random_array(rng, s1)
    h = random_array(rng, s2)
    full = sigconv.correlate(x, h, mode, axes=axes)
    got = sigconv.correlate(x, h, mode, axes=axes, stride=stride)
    ax = _conv_axes(x.ndim, axes)
    index = tuple(slice(None, None, stride) if i in ax else slice(None) for i in range(x.ndim))
    taps = int(np.prod([s2[i] for i in ax]))
    assert_close(got, full[index], inputs=(x, h), taps=taps)
    # per-axis tuple: one entry per convolved axis
    steps = tuple(range(2, 2 + len(ax)))
    got = sigconv.correlate(x, h, mode, axes=axes, stride=steps)
    index = [slice(None)] * x.ndim
    for a, s in zip(ax, steps):
        index[a] = slice(None, None, s)
    assert_close(got, full[tuple(index)], inputs=(x, h), taps=taps)


def test_stride_larger_than_output(rng):
    x = random_array(rng, (5,))
    h = random_array(rng, (3,))
    for mode in ("full", "same", "valid", "circular"):
        got = sigconv.convolve(x, h, mode, stride=100)
        assert got.shape == (1,)
        assert_close(got, sigconv.convolve(x, h, mode)[:1], inputs=(x, h))


@pytest.mark.parametrize("stride", [np.int64(2), np.uint8(3), (np.int32(2), 1)])
def test_stride_numpy_integers(rng, stride):
    x = random_array(rng, (9, 7))
    h = random_array(rng, (2, 3))
    steps = (stride, stride) if np.ndim(stride) == 0 else stride
    assert_close(sigconv.convolve(x, h, stride=stride),
                 _strided(sigconv.convolve(x, h), tuple(int(s) for s in steps)), inputs=(x, h))
