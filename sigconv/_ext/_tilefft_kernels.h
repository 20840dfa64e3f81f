/* The butterfly stages and strip copies of sigconv._ext._tilefft.
 *
 * Every kernel works on a strip of SIGCONV_TF_CHUNK columns of a block of
 * rows (row stride ld, in elements), the data split in a plane of real
 * parts and a plane of imaginary parts. The loops over the strip's columns
 * are the inner loops, contiguous, and every row a kernel writes is passed
 * as a restrict pointer of its own, so the compiler vectorises them with no
 * check for overlap (the rows of one butterfly never overlap).
 *
 * The kernels are written once, in _tilefft_kernels_t.h, and made here for
 * double (suffix _d) and float (suffix _f). */
#ifndef SIGCONV_TILEFFT_KERNELS_H
#define SIGCONV_TILEFFT_KERNELS_H
#include <stddef.h>

#if defined(_MSC_VER)
#define SC_RESTRICT __restrict
#else
#define SC_RESTRICT restrict
#endif

/* columns in a strip: the width of every butterfly loop */
#define SIGCONV_TF_CHUNK 16

#define SC_CAT(a, b) a##b
#define SC_NAME(a, b) SC_CAT(a, b)

#define SC_T double
#define SC_(name) SC_NAME(sc_tf_##name, _d)
#include "_tilefft_kernels_t.h"
#undef SC_T
#undef SC_

#define SC_T float
#define SC_(name) SC_NAME(sc_tf_##name, _f)
#include "_tilefft_kernels_t.h"
#undef SC_T
#undef SC_

#endif
