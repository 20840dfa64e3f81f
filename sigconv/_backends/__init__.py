"""Methods of evaluating a :class:`sigconv._problem.Problem`.

Every backend is a function ``run(problem, signal, kernel, workers) -> ndarray``
returning the finished result (shape ``problem.out_shape``, dtype
``problem.out_dtype``, C-contiguous). ``BACKENDS`` maps method names to them.
"""
from . import direct, fft, oa
from . import separable, toeplitz

BACKENDS = {"direct": direct.run, "fft": fft.run, "oa": oa.run}
BACKENDS["toeplitz"] = toeplitz.run
BACKENDS["separable"] = separable.run

#: every method name sigconv knows, implemented or not yet
METHODS = ("auto", "direct", "fft", "oa", "toeplitz", "separable")
