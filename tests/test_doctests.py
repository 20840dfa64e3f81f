"""The examples in sigconv's docstrings run and print what they say."""
import doctest
import importlib
import io
import pkgutil

import numpy as np
import pytest

import sigconv


def _module_names():
    names = ["sigconv"]
    for info in pkgutil.walk_packages(sigconv.__path__, prefix="sigconv."):
        names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def test_the_public_modules_are_found():
    assert "sigconv.convolution" in MODULES
    assert "sigconv._config" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    # a module whose examples need an optional package names it here
    for required in getattr(module, "__doctest_requires__", ()):
        pytest.importorskip(required)
    finder = doctest.DocTestFinder(exclude_empty=True)
    out = io.StringIO()
    # the flags numpy and scipy run their docstrings with (and docs/ too)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    # the printed reprs in the docstrings are numpy's default ones
    with np.printoptions(legacy=False):
        for test in finder.find(module, name):
            runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "%d of %d examples failed in %s:\n%s" % (
        result.failed, result.attempted, name, out.getvalue())


PUBLIC = [sigconv.convolve, sigconv.correlate, sigconv.convolve2d, sigconv.correlate2d,
          sigconv.fftconvolve, sigconv.oaconvolve, sigconv.choose_conv_method,
          sigconv.correlation_lags, sigconv.show_config]
PUBLIC += [sigconv.convolution_matrix, sigconv.circulant_matrix, sigconv.circulant_eigenvalues,
           sigconv.ConvolutionOperator]
PUBLIC += [sigconv.autocorrelate, sigconv.autocorrelation_lags, sigconv.normalized_correlate]
PUBLIC += [sigconv.StreamConvolver]
PUBLIC += [sigconv.pool, sigconv.max_pool, sigconv.min_pool, sigconv.avg_pool, sigconv.lp_pool,
           sigconv.max_unpool]


@pytest.mark.parametrize("func", PUBLIC, ids=lambda f: f.__name__)
def test_public_functions_have_docstrings_with_examples(func):
    # a docstring built by concatenation (``"..." + X``) is an expression, not
    # a docstring: __doc__ stays None and its examples never run
    assert func.__doc__, "%s has no docstring at run time" % func.__name__
    tests = doctest.DocTestFinder().find(func)
    assert any(t.examples for t in tests), "%s has no examples" % func.__name__
