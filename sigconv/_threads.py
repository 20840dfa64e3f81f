"""The one place where a thread count is resolved."""
import os

from ._ext._buildinfo import build_info, omp_max_threads, serial_for
from ._validate import as_int

#: below this many multiply-adds a call runs on one thread
PARALLEL_THRESHOLD = 1 << 17

# An OpenMP runtime that has started its thread pool does not survive
# fork(): a child process that enters a parallel region again can hang
# (GNU libgomp does). sigconv therefore runs serially in a child forked
# after the parent used threads; spawn/forkserver children are unaffected.
_state = {"parallel_used": False, "serial_only": False}
_OPENMP = build_info()["openmp"]


def _after_fork_in_child():
    if _state["parallel_used"]:
        _state["serial_only"] = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def cpu_count():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def resolve_workers(workers, work=None):
    """Number of threads for a call.

    Parameters
    ----------
    workers : int or None
        ``None``: the library default -- one thread for small problems
        (``work`` below :data:`PARALLEL_THRESHOLD`), otherwise OpenMP's limit
        (``OMP_NUM_THREADS``, ``threadpoolctl``), capped at the cores
        available; and one thread for a while after a kernel's thread team
        had a late thread (another process holding a core: the call would
        wait for that thread; see ``sigconv/_ext/_buildinfo.pyx``). A positive int is used as given; a negative one counts back
        from the number of cores as in ``scipy.fft`` (-1 means all).
    work : int, optional
        Multiply-adds the call will do.

    In a process forked after sigconv ran on several threads, the answer is
    always 1 (OpenMP's thread pool does not survive ``fork``).
    """
    n = _resolve(workers, work)
    if n > 1:
        if _state["serial_only"]:
            return 1
        _state["parallel_used"] = True
    return n


def thread_state(workers):
    """What :func:`resolve_workers` answers from besides ``work``, as a hashable value.

    ``resolve_workers(workers, work)`` is a function of ``work`` and of this
    value (the thread count of a large call now: OpenMP's limit, the cores,
    the back-off after a late thread, a fork after threads ran). Caches of
    answers that depend on thread counts key on it. No side effect.
    """
    n = _resolve(workers, None)
    if n > 1 and _state["serial_only"]:
        n = 1
    return workers is None, n


def _resolve(workers, work):
    if workers is None:
        if work is not None and work < PARALLEL_THRESHOLD:
            return 1
        if not _OPENMP:
            return 1
        n = max(1, min(omp_max_threads(), cpu_count()))
        if n > 1 and serial_for() > 0.0:
            return 1
        return n
    workers = as_int(workers, "workers must be an int or None")
    if workers == 0:
        raise ValueError("workers must not be 0")
    if workers < 0:
        workers = cpu_count() + 1 + workers
        if workers < 1:
            raise ValueError("workers value out of range; got %d, must not be less than %d"
                             % (workers - cpu_count() - 1, -cpu_count()))
    return workers
