"""Optional packages, imported when first needed (sigconv itself needs only numpy and scipy)."""
import importlib


def require(module, purpose, extra):
    """Import ``module``, or raise ImportError naming the ``purpose`` it serves
    and the extra of sigconv that installs it.

    >>> require("numpy.fft", "transforms", "test").__name__
    'numpy.fft'
    >>> require("no_such_package.sub", "widgets", "widgets")
    Traceback (most recent call last):
    ...
    ImportError: no_such_package is needed for widgets: pip install 'sigconv[widgets]'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError("%s is needed for %s: pip install 'sigconv[%s]'"
                          % (module.partition(".")[0], purpose, extra)) from None
