"""Pooling kernels (max and min over windows) for 8- and 16-bit integers.

The loops are in ``_pool.pxi``, shared with the other pooling modules.
"""
cimport numpy as cnp

ctypedef fused num_t:
    cnp.int8_t
    cnp.uint8_t
    cnp.int16_t
    cnp.uint16_t

include "_pool.pxi"
