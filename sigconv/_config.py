"""How this copy of sigconv was built."""
import sys

import numpy as np
import scipy

from ._ext._buildinfo import build_info
from ._threads import cpu_count, resolve_workers


def show_config(file=None):
    """Print how sigconv was built and what it will use, and return it as a dict.

    The compiler flags say which vector ISA the kernels target
    (``-march=native`` unless built with ``SIGCONV_PORTABLE=1``), whether
    OpenMP is on and whether bounds checks are on (``SIGCONV_DEBUG=1``).

    Parameters
    ----------
    file : file-like, optional
        Where to print (default: standard output).

    Returns
    -------
    dict
        ``openmp``, ``compiler``, ``flags``, ``cores``, ``default_threads``
        and the versions of sigconv, numpy and scipy.

    Examples
    --------
    >>> import io
    >>> import sigconv
    >>> info = sigconv.show_config(file=io.StringIO())
    >>> sorted(info)  # doctest: +NORMALIZE_WHITESPACE
    ['compiler', 'cores', 'default_threads', 'flags', 'numpy', 'openmp',
     'python', 'scipy', 'sigconv']
    """
    from . import __version__
    info = dict(build_info())
    info.update(cores=cpu_count(), default_threads=resolve_workers(None),
                sigconv=__version__, numpy=np.__version__, scipy=scipy.__version__,
                python=sys.version.split()[0])
    out = file if file is not None else sys.stdout
    for key in ("sigconv", "python", "numpy", "scipy", "compiler", "flags", "openmp",
                "cores", "default_threads"):
        print("%-16s %s" % (key + ":", info[key]), file=out)
    return info
