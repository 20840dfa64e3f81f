"""sigconv: fast N-dimensional convolution, correlation and pooling.

A drop-in for scipy.signal's convolution functions (``import sigconv as
signal``) with compiled, multithreaded kernels, more boundaries, strides and
broadcasting over batch axes.
"""
from ._config import show_config
from .convolution import (convolve, convolve2d, correlate, correlate2d,
                          correlation_lags, fftconvolve, oaconvolve)
from .plan import Convolver, choose_conv_method
from .matrices import (ConvolutionOperator, circulant_eigenvalues, circulant_matrix,
                       convolution_matrix)
from .correlation import autocorrelate, autocorrelation_lags, normalized_correlate
from .pooling import avg_pool, lp_pool, max_pool, max_unpool, min_pool, pool
from .streaming import StreamConvolver
from . import kernels  # noqa: F401  (sigconv.kernels, a public module)

__version__ = "0.1.0"

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve",
           "oaconvolve", "choose_conv_method", "Convolver", "correlation_lags", "show_config",
           "__version__", "autocorrelate", "autocorrelation_lags", "normalized_correlate"]
__all__ += ["convolution_matrix", "circulant_matrix", "circulant_eigenvalues",
            "ConvolutionOperator"]
__all__ += ["pool", "max_pool", "min_pool", "avg_pool", "lp_pool", "max_unpool"]
__all__ += ["StreamConvolver"]
