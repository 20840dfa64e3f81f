"""Methods of evaluating a :class:`sigconv._problem.Problem`.

Every backend is a function ``run(problem, signal, kernel, workers) -> ndarray``
returning the finished result (shape ``problem.out_shape``, dtype
``problem.out_dtype``, C-contiguous). ``BACKENDS`` maps method names to them.
"""
from . import direct, fft, oa
from . import toeplitz

BACKENDS = {"direct": direct.run, "fft": fft.run, "oa": oa.run}
BACKENDS["toeplitz"] = toeplitz.run

#: every method name sigconv accepts ('auto' chooses one of the backends)
METHODS = ("auto", "direct", "fft", "oa", "toeplitz")


def check_method(method):
    """``method`` if it is one of :data:`METHODS`; ValueError naming them otherwise."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(m) for m in METHODS), method))
    return method
