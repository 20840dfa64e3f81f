/* OpenMP guard: one source builds with or without OpenMP. */
#ifndef SIGCONV_OPENMP_H
#define SIGCONV_OPENMP_H
#ifdef _OPENMP
#include <omp.h>
#define SIGCONV_HAVE_OPENMP 1
static int sigconv_omp_max_threads(void) { return omp_get_max_threads(); }
static double sigconv_wtime(void) { return omp_get_wtime(); }
#else
#define SIGCONV_HAVE_OPENMP 0
static int sigconv_omp_max_threads(void) { return 1; }
static double sigconv_wtime(void) { return 0.0; }
#endif
#ifndef SIGCONV_BUILD_FLAGS
#define SIGCONV_BUILD_FLAGS "unknown"
#endif
#ifndef SIGCONV_COMPILER
#define SIGCONV_COMPILER "unknown"
#endif
#endif
