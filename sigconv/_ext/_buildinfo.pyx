"""How the kernels were built, and the OpenMP thread limit in force."""

cdef extern from "_openmp.h":
    int SIGCONV_HAVE_OPENMP
    const char* SIGCONV_BUILD_FLAGS
    const char* SIGCONV_COMPILER
    int sigconv_omp_max_threads() noexcept nogil


def build_info():
    """Return a dict: OpenMP on/off, compiler and compile flags."""
    return {
        "openmp": bool(SIGCONV_HAVE_OPENMP),
        "compiler": SIGCONV_COMPILER.decode(),
        "flags": SIGCONV_BUILD_FLAGS.decode(),
    }


def omp_max_threads():
    """``omp_get_max_threads()`` (honours OMP_NUM_THREADS and threadpoolctl), 1 without OpenMP."""
    return sigconv_omp_max_threads()
