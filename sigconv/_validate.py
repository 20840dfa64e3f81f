"""The one integer check of every size, length, stride, lag, axis and thread count.

A value is an integer when it has ``__index__`` (Python and numpy
integers); ``True`` and ``False`` are refused everywhere, although Python
counts them as integers, because ``stride=True`` or ``maxlag=False`` is a
mistake, never a length.

>>> as_int(np.int16(3), "n must be an integer")
3
>>> as_int(True, "n must be an integer")
Traceback (most recent call last):
...
TypeError: n must be an integer, got True
"""
import operator

import numpy as np


def as_int(value, what):
    """``value`` as a Python int; TypeError ``"<what>, got <value>"`` otherwise (bool too)."""
    if isinstance(value, (bool, np.bool_)) or not hasattr(value, "__index__"):
        raise TypeError("%s, got %r" % (what, value))
    return operator.index(value)
