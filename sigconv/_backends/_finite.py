"""Finiteness of the inputs, for the transform methods.

A NaN or Inf in either input spreads through a transform to every output
of its block; ``auto`` takes a transform only for finite inputs. A backend
asked to check the signal itself (``check_finite``) raises
:class:`NonFiniteInput` when it meets one, and the caller takes an exact
method instead.
"""
import numpy as np


class NonFiniteInput(Exception):
    """A backend told to check its signal met a NaN or Inf (its result is unfinished)."""


def all_finite(a):
    """Whether ``a`` holds no NaN or Inf: one summing pass, no temporary.

    A NaN or Inf makes the sum non-finite; so may an overflow of finite
    values, which the element-wise test then tells apart.
    """
    if a.dtype.kind not in "fc":
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(a, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())
