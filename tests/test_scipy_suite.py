"""scipy's own tests of the functions sigconv shares with scipy.signal, run on sigconv.

The installed ``scipy/signal/tests/test_signaltools.py`` is imported as a
module; the names its tests call (``convolve``, ``correlate``,
``convolve2d``, ``correlate2d``, ``fftconvolve``, ``oaconvolve``,
``choose_conv_method``, ``correlation_lags``, both as module globals and as
attributes of the ``signal`` package it reaches through) are rebound to
sigconv's, and its test classes and functions for those names are
re-exported here so pytest collects them. The tests run on the NumPy
backend only (the ``xp`` fixture below is NumPy's namespace, honouring the
``skip_xp_backends``/``xfail_xp_backends`` markers that name NumPy).

scipy's tests expect some warnings (e.g. ``pytest.warns`` for a transform
that spreads NaN); they check those themselves. Warnings they do not expect
stay errors, as everywhere in this suite, except a few that scipy's test
code itself emits and scipy's own configuration ignores, listed in
``pytestmark``.
"""
import types

import numpy as np
import pytest

import sigconv

ts = pytest.importorskip("scipy.signal.tests.test_signaltools")
array_api = pytest.importorskip("scipy._lib._array_api")

#: The names scipy's tests call that sigconv defines.
SHARED = ("convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve",
          "oaconvolve", "choose_conv_method", "correlation_lags")


def _signal_namespace():
    """``scipy.signal`` with the shared names resolved to sigconv's."""
    real = ts.signal

    class _Signal(types.ModuleType):
        def __getattr__(self, name):
            return getattr(real, name)

    ns = _Signal("scipy.signal (sigconv substituted)")
    for name in SHARED:
        setattr(ns, name, getattr(sigconv, name))
    return ns


for _name in SHARED:
    setattr(ts, _name, getattr(sigconv, _name))
ts.signal = _signal_namespace()


@pytest.fixture
def xp(request):
    """NumPy's array API namespace, as scipy's own ``xp`` fixture gives it."""
    for kind in ("skip", "xfail"):
        for marker in request.node.iter_markers("%s_xp_backends" % kind):
            if marker.args and marker.args[0] == "numpy":
                getattr(pytest, kind)(reason=marker.kwargs.get("reason") or "numpy")
    return array_api.array_namespace(np.empty(0))


def _with_sigconv_params(cls):
    """``cls`` with scipy functions in its ``parametrize`` marks replaced by sigconv's.

    A parametrisation holds the function objects it was given at import
    time, which rebinding the module's names does not reach.
    """
    scipy_signal = pytest.importorskip("scipy.signal")
    originals = {id(getattr(scipy_signal, n)): getattr(sigconv, n) for n in SHARED}
    marks = []
    for mark in cls.pytestmark:
        if mark.name == "parametrize":
            argnames, values = mark.args
            values = [pytest.param(*(originals.get(id(v), v) for v in p.values),
                                   marks=p.marks, id=p.id) for p in values]
            mark = pytest.mark.parametrize(argnames, values, **mark.kwargs).mark
        marks.append(mark)
    body = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    body["pytestmark"] = marks
    return type(cls.__name__, (), body)


# scipy's test classes and functions for the shared names
TestConvolve = ts.TestConvolve
TestConvolve2d = ts.TestConvolve2d
TestFFTConvolve = ts.TestFFTConvolve
TestOAConvolve = ts.TestOAConvolve
TestAllFreqConvolves = _with_sigconv_params(ts.TestAllFreqConvolves)
test_convolve_longdtype_input = ts.test_convolve_longdtype_input
TestCorrelateReal = ts.TestCorrelateReal
TestCorrelate = ts.TestCorrelate
test_correlation_lags = ts.test_correlation_lags
test_correlation_lags_invalid_mode = ts.test_correlation_lags_invalid_mode
TestCorrelateComplex = ts.TestCorrelateComplex
TestCorrelate2d = ts.TestCorrelate2d
test_choose_conv_method = ts.test_choose_conv_method
test_choose_conv_method_2 = ts.test_choose_conv_method_2


def test_names_are_sigconvs():
    """The re-exported tests call sigconv, not scipy."""
    for name in SHARED:
        assert getattr(ts, name) is getattr(sigconv, name)
        assert getattr(ts.signal, name) is getattr(sigconv, name)
    assert ts.signal.lfilter is ts.lfilter
    params = [m for m in TestAllFreqConvolves.pytestmark if m.name == "parametrize"]
    assert [p.values[0] for p in params[0].args[1]] == [sigconv.fftconvolve,
                                                        sigconv.oaconvolve]
