# The process-wide record of how the kernels' thread teams fared (defined in
# _buildinfo.pyx, shared by every kernel module through this declaration).

cdef void team_report(int nthreads, Py_ssize_t ntasks, const Py_ssize_t* done) noexcept nogil
