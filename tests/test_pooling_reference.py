"""Hand-computed tests of the naive pooling reference (:func:`reference.naive_pool`).

The other pooling tests compare sigconv with that reference; these check the
reference itself, so that a wrong reference cannot hide a wrong kernel.
"""
import numpy as np
import pytest
from reference import naive_pool, out_length


def test_out_length_matches_the_formula_by_hand():
    assert out_length(5, 2, 2, 0, 1, False) == 2
    assert out_length(5, 2, 2, 0, 1, True) == 3
    assert out_length(5, 2, 2, 1, 1, True) == 3      # a 4th window would start at n + p
    assert out_length(5, 3, 1, 1, 2, False) == 3      # (5 + 2 - 5) / 1 + 1
    assert out_length(2, 3, 2, 0, 1, True) == 1       # PyTorch keeps a partial window


def test_reference_max_2d_by_hand():
    x = np.array([[1, 5, 2, 0],
                  [3, 4, 8, 1]])
    v, i = naive_pool(x, (2, 2), return_indices=True)
    assert v.tolist() == [[5, 8]] and i.tolist() == [[1, 6]]


def test_reference_avg_padding_and_ceil_by_hand():
    x = np.arange(5.0)
    # windows [-1, 1), [1, 3), [3, 5): (0 + 0) / 2, (1 + 2) / 2, (3 + 4) / 2
    assert naive_pool(x, 2, "avg", padding=1).tolist() == [0.0, 1.5, 3.5]
    assert naive_pool(x, 2, "avg", padding=1, count_include_pad=False).tolist() == \
        [0.0, 1.5, 3.5]
    assert naive_pool(x, 3, "avg", stride=2, padding=1, count_include_pad=False).tolist() \
        == [0.5, 2.0, 3.5]
    # ceil mode: the last window [4, 6) is cut at the input's end: 4 / 1
    assert naive_pool(x, 2, "avg", ceil_mode=True).tolist() == [0.5, 2.5, 4.0]


def test_reference_dilation_and_lp_by_hand():
    x = np.array([1.0, -2.0, 3.0, -4.0, 5.0])
    assert naive_pool(x, 2, "max", stride=1, dilation=2).tolist() == [3.0, -2.0, 5.0]
    assert naive_pool(x, 2, "lp", p=1, stride=1, dilation=3).tolist() == [5.0, 7.0]
    assert naive_pool(np.array([3.0, -4.0]), 2, "lp").tolist() == [5.0]
    assert naive_pool(np.array([3.0, -4.0]), 2, "lp", p=np.inf).tolist() == [4.0]


def test_reference_indices_follow_torch_ties_and_nan():
    x = np.array([2.0, 7.0, 7.0, np.nan, 1.0, np.nan])
    v, i = naive_pool(x, 3, return_indices=True)
    assert v[0] == 7.0 and i[0] == 1                  # first of equal maxima
    assert np.isnan(v[1]) and i[1] == 5               # the last NaN
    v, i = naive_pool(x, 3, "min", return_indices=True)
    assert v[0] == 2.0 and i[0] == 0


def test_reference_window_wholly_in_the_padding():
    # taps at -1 and 1 of a length-1 axis
    kw = dict(stride=1, padding=1, dilation=2)
    assert naive_pool(np.array([5.0]), 2, **kw).tolist() == [-np.inf]
    assert naive_pool(np.array([5], dtype=np.int16), 2, "min", **kw).tolist() == [32767]
    assert naive_pool(np.array([5.0]), 2, "avg", **kw).tolist() == [0.0]


def test_reference_axes_and_batch():
    x = np.arange(24).reshape(2, 3, 4)
    got = naive_pool(x, (2,), axes=(2,))
    assert got.tolist() == x.reshape(2, 3, 2, 2).max(axis=3).tolist()
    got = naive_pool(x, (3, 2), axes=(1, 0), stride=1)   # size 3 along axis 1, 2 along 0
    assert got.shape == (1, 1, 4)
    assert got.tolist() == [[x.max(axis=(0, 1)).tolist()]]


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.float32])
def test_reference_keeps_integers_exact(dtype):
    x = np.array([100, 100, 100, 100], dtype=dtype)
    assert naive_pool(x, 4, "sum").tolist() == [400]
