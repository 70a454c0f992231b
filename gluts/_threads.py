"""How many CPU threads gluts gives torch when the user names no number.

Oversubscription is the danger: torch starts one thread per core it sees, and on a machine
whose cores are busy (other jobs, parallel workers) those threads wait on each other; one
forecast on a busy 2-core machine took 73 s with torch's own setting and 14 s with one
thread. So the default counts only the CPUs this process may run on, caps them, and drops
to one thread inside a worker process, where the parent already runs work in parallel.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "ENV_VAR",
    "MAX_DEFAULT_THREADS",
    "default_threads",
    "in_task",
    "parse_threads",
    "single_threaded",
]

ENV_VAR = "GLUTS_THREADS"
MAX_DEFAULT_THREADS = 8


def parse_threads(text: str, source: str = ENV_VAR) -> int:
    """Read a thread count: a positive int, or a ValueError that names ``source``."""
    try:
        value = int(text.strip())
    except (ValueError, AttributeError):
        value = 0
    if value < 1:
        raise ValueError(f"{source} must be a positive integer number of threads; got {text!r}.")
    return value


def default_threads() -> int:
    """The thread count used when ``n_threads`` is None.

    Returns
    -------
    int
        1 inside a parallel task (see :func:`single_threaded`); else ``$GLUTS_THREADS``
        when set; else 1 in a worker process (joblib's loky workers, multiprocessing pools,
        Dask worker processes); else the number of CPUs available to this process
        (``os.sched_getaffinity`` where the platform has it, else ``os.cpu_count()``), at
        most :data:`MAX_DEFAULT_THREADS`.

    Raises
    ------
    ValueError
        When ``$GLUTS_THREADS`` is set to anything but a positive integer.
    """
    if in_task():
        return 1
    text = os.environ.get(ENV_VAR)
    if text is not None and text.strip():
        return parse_threads(text)
    if multiprocessing.parent_process() is not None:
        return 1
    return min(available_cpus(), MAX_DEFAULT_THREADS)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


_task = threading.local()


def in_task() -> bool:
    """Whether this thread runs a parallel task of gluts (inside :func:`single_threaded`)."""
    return getattr(_task, "depth", 0) > 0


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run the block as one parallel task: one BLAS/OpenMP thread and one torch thread.

    The parallelism of a task is its worker: threads inside it would compete with the other
    workers' tasks for the same cores. While the block runs, :func:`in_task` is True, so
    :func:`default_threads` gives 1 (a GLU model imported inside the task keeps to one
    thread) and gluts' own parallel helpers run serially (no nested parallelism). Torch is
    limited only when it is already imported, so a task that needs no torch never loads it.
    """
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    _task.depth = getattr(_task, "depth", 0) + 1
    try:
        with threadpool_limits(limits=1):
            if torch is not None:
                torch.set_num_threads(1)
            yield
    finally:
        _task.depth -= 1
        if torch is not None:
            torch.set_num_threads(before)
