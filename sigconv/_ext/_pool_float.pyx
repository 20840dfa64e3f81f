"""Pooling kernels (max, min, sum over windows) for float32, float64 and long double.

The loops are in ``_pool.pxi``, shared with the integer modules; each module
compiles them for its own element types, so that the modules build in
parallel.
"""

ctypedef fused num_t:
    float
    double
    long double

include "_pool.pxi"
