"""Pooling kernels for 32- and 64-bit integers: max and min, and sums on int64.

The loops are in ``_pool.pxi``, shared with the other pooling modules.
"""
cimport numpy as cnp

ctypedef fused num_t:
    cnp.int32_t
    cnp.uint32_t
    cnp.int64_t
    cnp.uint64_t

include "_pool.pxi"
