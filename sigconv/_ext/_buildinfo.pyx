"""How the kernels were built, the OpenMP thread limit in force, and how the
kernels' thread teams fared lately."""

cdef extern from "_openmp.h":
    int SIGCONV_HAVE_OPENMP
    const char* SIGCONV_BUILD_FLAGS
    const char* SIGCONV_COMPILER
    int sigconv_omp_max_threads() noexcept nogil
    double sigconv_wtime() noexcept nogil


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


# --------------------------------------------------------------------------
# Late threads
#
# A parallel loop ends when its last thread does. When another process
# holds a core, the thread the scheduler put there may start its share
# milliseconds late, and the whole call waits for it: a call of 1 ms on one
# thread then takes 10 ms or more on two. The kernels' loops hand out their
# tasks dynamically and count the tasks each thread took; a thread with far
# less than its share of a loop of many tasks was late. After such a loop
# the library's default thread count (sigconv._threads) is one for a while
# -- a quarter of a second, doubled up to four seconds while each new
# attempt with threads finds a late thread again -- and then threads are
# tried again. Explicit thread counts are obeyed as given.

cdef enum:
    MIN_TASKS_PER_THREAD = 4      # fewer tasks: shares say too little
    LATE_SHARE = 4                # late: fewer than 1 / LATE_SHARE of a share, or
                                  # a wait at the end over 1 / LATE_SHARE of the work
    WAIT_MIN_US = 50              # and over this many microseconds


cdef double _late_at = -1.0       # wtime of the last loop with a late thread
cdef double _backoff = 0.25       # seconds on one thread after it
cdef bint _late_seen = False


cdef void team_report(int nthreads, Py_ssize_t ntasks, const Py_ssize_t* done) noexcept nogil:
    """Record a parallel loop's tasks per thread (``done[8 * tid]``)."""
    cdef int t
    cdef double now
    cdef Py_ssize_t fewest
    global _late_at, _backoff, _late_seen
    cdef double wait, busy
    if nthreads < 2 or ntasks < MIN_TASKS_PER_THREAD * nthreads:
        return
    now = sigconv_wtime()
    fewest = done[0]
    for t in range(1, nthreads):
        if done[8 * t] < fewest:
            fewest = done[8 * t]
    # with time stamps (done[2]: the loop's start, done[1]: the first
    # thread's last task's end, microseconds): the first thread waited at
    # the loop's end for another that was held up after it started
    wait = busy = 0.0
    if done[2] > 0 and done[1] >= done[2]:
        wait = now * 1e6 - done[1]
        busy = <double>(done[1] - done[2])
    if fewest * LATE_SHARE * nthreads >= ntasks and not (wait > WAIT_MIN_US
                                                         and wait * LATE_SHARE > busy):
        return
    # late again as soon as threads were tried after the last back-off:
    # back off longer; late after a long quiet spell: start over
    if _late_seen and now - _late_at < 2.0 * _backoff + 0.1:
        _backoff = min(2.0 * _backoff, 4.0)
    else:
        _backoff = 0.25
    _late_at = now
    _late_seen = True


def serial_for():
    """Seconds the default thread count stays at one (0 when threads are welcome)."""
    if not _late_seen:
        return 0.0
    return max(0.0, _late_at + _backoff - sigconv_wtime())


def forget_late_threads():
    """Clear the record of late threads (tests, benchmarks)."""
    global _late_seen, _backoff
    _late_seen = False
    _backoff = 0.25
