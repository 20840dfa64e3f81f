"""One rule for integers everywhere: numpy integers are accepted, True and False are not."""
import numpy as np
import pytest

import sigconv

X = np.arange(8.0)
K = np.ones(3)

CALLS = {
    "stride": lambda v: sigconv.convolve(X, K, stride=v),
    "axes": lambda v: sigconv.convolve(np.ones((3, 3, 3)), np.ones((1, 1, 1)), axes=v),
    "workers": lambda v: sigconv.convolve(X, K, workers=v),
    "correlation_lags": lambda v: sigconv.correlation_lags(v, 3),
    "autocorrelation_lags": lambda v: sigconv.autocorrelation_lags(v),
    "maxlag": lambda v: sigconv.autocorrelate(X, maxlag=v),
    "pool size": lambda v: sigconv.pool(X, v),
    "pool stride": lambda v: sigconv.pool(X, 2, stride=v),
    "convolution_matrix shape": lambda v: sigconv.convolution_matrix(K, v),
    "Convolver shape": lambda v: sigconv.Convolver(K, (v,)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("flag", [True, False, np.True_])
def test_bools_are_not_integers(name, flag):
    with pytest.raises(TypeError, match="got"):
        CALLS[name](flag)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("value", [np.int8(1), np.uint16(2), np.int64(1)])
def test_numpy_integers_are_integers(name, value):
    CALLS[name](value)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_floats_are_not_integers(name):
    with pytest.raises(TypeError, match="got 2.0"):
        CALLS[name](2.0)
