"""Bad input to sigconv.pool, its wrappers and max_unpool: clear errors."""
import numpy as np
import pytest

import sigconv

X = np.arange(24.0).reshape(4, 6)


@pytest.mark.parametrize("size", [0, -1, (2, 0), (0,)])
def test_size_below_one(size):
    with pytest.raises(ValueError, match="size must be >= 1"):
        sigconv.pool(X, size)


@pytest.mark.parametrize("stride", [0, -2, (1, 0)])
def test_stride_below_one(stride):
    with pytest.raises(ValueError, match="stride must be >= 1"):
        sigconv.pool(X, (2, 2), stride=stride)


@pytest.mark.parametrize("dilation", [0, (1, -1)])
def test_dilation_below_one(dilation):
    with pytest.raises(ValueError, match="dilation must be >= 1"):
        sigconv.pool(X, (2, 2), dilation=dilation)


def test_negative_padding():
    with pytest.raises(ValueError, match="padding must be >= 0"):
        sigconv.pool(X, (2, 2), padding=-1)


@pytest.mark.parametrize("size, padding", [(2, 2), (3, 2), ((4, 2), (1, 2)), (1, 1)])
def test_padding_above_half_the_window(size, padding):
    # as torch: "pad should be at most half of kernel size"
    with pytest.raises(ValueError, match="padding should be at most half of the window size"):
        sigconv.pool(X, size, padding=padding)


@pytest.mark.parametrize("shape, size, kw", [
    ((4, 6), (5, 2), {}),
    ((4, 6), (2, 7), {}),
    ((4, 6), (3, 3), dict(dilation=3)),
    ((3,), (5,), dict(padding=0)),
    ((1,), (4,), dict(padding=1)),
    ((0,), (1,), {}),
])
def test_window_larger_than_the_padded_input(shape, size, kw):
    with pytest.raises(ValueError, match="larger than the padded input"):
        sigconv.pool(np.ones(shape), size, **kw)


def test_window_message_names_the_numbers():
    with pytest.raises(ValueError, match=r"window \(7 elements with dilation 3\) is larger than "
                                         r"the padded input \(6 = 4 \+ 2 x 1\) along axis 0"):
        sigconv.pool(X, (3, 2), dilation=(3, 1), padding=(1, 0))


@pytest.mark.parametrize("axes, match", [
    ((2,), "out of range"), ((-3,), "out of range"), ((0, 0), "unique"), ((0, -2), "unique"),
    ((), "at least one axis"),
])
def test_bad_axes(axes, match):
    with pytest.raises(ValueError, match=match):
        sigconv.pool(X, 2, axes=axes)


def test_axes_and_size_lengths_differ():
    with pytest.raises(ValueError, match="size has 2 entries for 1 pooled axes"):
        sigconv.pool(X, (2, 2), axes=1)
    with pytest.raises(ValueError, match="stride has 3 entries for 2 pooled axes"):
        sigconv.pool(X, (2, 2), stride=(1, 1, 1))


def test_size_longer_than_ndim():
    with pytest.raises(ValueError, match="size has 3 entries but the input has only 2 axes"):
        sigconv.pool(X, (2, 2, 2))


@pytest.mark.parametrize("value", [1.5, "2", None, True, np.float64(2.0)])
def test_non_integer_sizes(value):
    with pytest.raises(TypeError, match="must be an integer"):
        sigconv.pool(X, value)
    with pytest.raises(TypeError, match="must be an integer"):
        sigconv.pool(X, 2, stride=value if value is not None else 1.5)


def test_axes_must_be_integers():
    with pytest.raises(TypeError, match="axes must be integers"):
        sigconv.pool(X, 2, axes=(0.5,))


@pytest.mark.parametrize("op", ["mean", "MAX", "", None, "l2", 0])
def test_unknown_op(op):
    with pytest.raises(ValueError, match="op must be one of 'max', 'min', 'sum', 'avg', 'lp'"):
        sigconv.pool(X, 2, op)


@pytest.mark.parametrize("p", [0.5, 0, -1, np.nan])
def test_p_below_one(p):
    with pytest.raises(ValueError, match=r"p must be >= 1 \(or inf\)"):
        sigconv.lp_pool(X, 2, p=p)


def test_p_must_be_a_number():
    with pytest.raises(TypeError, match="p must be a real number"):
        sigconv.lp_pool(X, 2, p="two")


@pytest.mark.parametrize("op", ["sum", "avg", "lp"])
def test_indices_only_for_max_and_min(op):
    with pytest.raises(ValueError, match="return_indices is for op='max' and op='min'"):
        sigconv.pool(X, 2, op, return_indices=True)


@pytest.mark.parametrize("op", ["max", "min"])
def test_complex_max_min(op):
    with pytest.raises(TypeError, match="not defined for complex input"):
        sigconv.pool(X + 1j, 2, op)


@pytest.mark.parametrize("x", [np.array(["a", "b"]), np.array([None, 1.0], dtype=object),
                               np.zeros(2, dtype="datetime64[s]")])
def test_non_numeric_input(x):
    with pytest.raises(TypeError, match="pooling works on bool, integer, float and complex"):
        sigconv.pool(x, 2)


def test_zero_dimensional_input():
    with pytest.raises(ValueError, match="0-dimensional"):
        sigconv.pool(np.float64(3.0), 1)


def test_workers():
    with pytest.raises(ValueError, match="workers must not be 0"):
        sigconv.pool(X, 2, workers=0)
    with pytest.raises(TypeError, match="workers must be an int or None"):
        sigconv.pool(X, 2, workers=1.5)


# --------------------------------------------------------------------------
# max_unpool

def test_unpool_shapes_differ():
    with pytest.raises(ValueError, match="values and indices must have the same shape"):
        sigconv.max_unpool(np.ones(3), np.zeros(2, dtype=np.int64), 6)


def test_unpool_indices_must_be_integers():
    with pytest.raises(TypeError, match="indices must be integers"):
        sigconv.max_unpool(np.ones(3), np.zeros(3), 6)


@pytest.mark.parametrize("idx", [[0, 6], [-2, 0]])
def test_unpool_index_out_of_range(idx):
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 6\)"):
        sigconv.max_unpool(np.ones(2), np.array(idx), 6)


def test_unpool_shape_entries():
    with pytest.raises(ValueError, match="shape has 3 entries for values with 2 axes"):
        sigconv.max_unpool(np.ones((2, 2)), np.zeros((2, 2), dtype=int), (2, 2, 2))
    with pytest.raises(ValueError, match="shape has 2 entries for 1 axes"):
        sigconv.max_unpool(np.ones((2, 2)), np.zeros((2, 2), dtype=int), (4, 4), axes=1)
    with pytest.raises(ValueError, match="shape must not be negative"):
        sigconv.max_unpool(np.ones(2), np.zeros(2, dtype=int), -4)
    with pytest.raises(ValueError, match="out of range"):
        sigconv.max_unpool(np.ones(2), np.zeros(2, dtype=int), 4, axes=3)
