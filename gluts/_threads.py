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

__all__ = ["ENV_VAR", "MAX_DEFAULT_THREADS", "default_threads", "parse_threads"]

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
        ``$GLUTS_THREADS`` when set; else 1 in a worker process (joblib's loky workers,
        multiprocessing pools); else the number of CPUs available to this process
        (``os.sched_getaffinity`` where the platform has it, else ``os.cpu_count()``), at
        most :data:`MAX_DEFAULT_THREADS`.

    Raises
    ------
    ValueError
        When ``$GLUTS_THREADS`` is set to anything but a positive integer.
    """
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
