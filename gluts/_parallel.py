"""All parallel work of gluts: chunks of whole series, run on the joblib backend the caller chose.

gluts names no backend. ``n_jobs`` means what it means in joblib (None: one job unless an
enclosing ``joblib.parallel_config`` says otherwise; -1: every core or every worker of the
backend), and the engine is the active joblib backend, so the same code runs on loky
processes, a Dask cluster (``with joblib.parallel_config(backend="dask"): ...``), Ray or
Spark.

How the work is cut (:func:`split`):

* a task holds whole series, contiguous in panel order, so that results come back in panel
  order and a series never depends on which others share its task;
* tasks are sized from an estimate of their work (seconds per observation, given by each
  estimator as ``_seconds_per_value``): at least :data:`TASK_SECONDS` of work each, so that
  scheduling and pickling stay small beside the work, and at most :data:`TASKS_PER_WORKER`
  tasks per worker (:func:`joblib.effective_n_jobs`), so that workers finish together;
* with one worker, or less than two tasks' worth of work, everything runs in this process as
  one task, without any parallel machinery.

What a task gets (:func:`map_series`): an unfitted clone of the estimator (its parameters,
never the fitted parent with every series' state), its own series, and what every series
needs (a global model) as ``shared``. It runs with one BLAS/OpenMP and one torch thread
(:func:`gluts._threads.single_threaded`) and runs nested gluts work serially. Warnings
raised in a task are raised again here, and a failure raises the error of the first failing
task in panel order, as a serial run would.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

from gluts._progress import progress_bar
from gluts._threads import in_task, single_threaded

__all__ = [
    "TASKS_PER_WORKER",
    "TASK_SECONDS",
    "map_series",
    "run",
    "series_seed",
    "split",
    "workers",
]

# Least estimated work of a task, in seconds: a Dask task costs a few milliseconds to
# schedule and its arguments' pickling, so a second of work keeps that below 1%.
TASK_SECONDS = 1.0
# Most tasks per worker: enough for the workers to finish together when series differ in
# cost, few enough that a task stays large.
TASKS_PER_WORKER = 4


def workers(n_jobs: int | None) -> int:
    """Workers that ``n_jobs`` gives under the active joblib backend (1 inside a task)."""
    if in_task():
        return 1
    return max(1, int(effective_n_jobs(n_jobs)))


def split(seconds: Sequence[float], n_jobs: int | None) -> list[slice]:
    """Cut items of the given estimated costs into contiguous tasks.

    Parameters
    ----------
    seconds : sequence of float
        Estimated seconds of work of each item (a series).
    n_jobs : int or None
        joblib's ``n_jobs``.

    Returns
    -------
    list of slice
        Contiguous, non-empty chunks covering every item in order: one chunk with one
        worker or under ``2 * TASK_SECONDS`` of work, else ``min(n_items, TASKS_PER_WORKER *
        workers, total // TASK_SECONDS)`` chunks of about equal cost.
    """
    cost = np.asarray(seconds, dtype=np.float64)
    n = len(cost)
    if n == 0:
        return []
    total = float(cost.sum())
    n_tasks = min(n, TASKS_PER_WORKER * workers(n_jobs), int(total // TASK_SECONDS))
    if workers(n_jobs) == 1 or n_tasks < 2:
        return [slice(0, n)]
    targets = total * np.arange(1, n_tasks) / n_tasks
    # a chunk ends at the item whose cumulative cost reaches its share (rounding forgiven)
    cuts = np.searchsorted(np.cumsum(cost), targets * (1 - 1e-9), side="left") + 1
    edges = np.unique(np.concatenate([[0], np.clip(cuts, 1, n), [n]]))
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def run(
    calls: Sequence[tuple[Callable[..., Any], tuple]],
    n_jobs: int | None,
    progress: Callable[[], None] | None = None,
) -> list:
    """Run each ``(function, args)`` as one task and return the results in order.

    Parameters
    ----------
    calls : sequence of (callable, tuple)
        The tasks: ``function(*args)``. Functions must be importable (module level) and
        arguments picklable when the backend runs tasks in other processes.
    n_jobs : int or None
        joblib's ``n_jobs``; with one worker (or one call, or inside a task) the calls run
        here, one after the other, with the caller's thread settings.
    progress : callable or None, default=None
        Called after each result, in order.

    Returns
    -------
    list
        ``function(*args)`` of each call.
    """
    if len(calls) <= 1 or workers(n_jobs) == 1:
        results = []
        for function, args in calls:
            results.append(function(*args))
            if progress is not None:
                progress()
        return results
    tasks = (delayed(_task)(function, args) for function, args in calls)
    try:  # results as they come, in order, where the backend can stream them
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    except ValueError:  # it cannot (multiprocessing, some third-party backends)
        parallel = Parallel(n_jobs=n_jobs)
    outcomes, results = parallel(tasks), []
    for outcome in outcomes:
        for category, text in outcome.warnings:
            warnings.warn(text, category, stacklevel=2)
        if outcome.error is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # joblib's notice that it cancels the rest
                getattr(outcomes, "close", lambda: None)()
            raise outcome.error
        results.append(outcome.value)
        if progress is not None:
            progress()
    return results


def map_series(
    function: Callable[[Any, list, Any], list],
    estimator,
    items: Sequence,
    *,
    n_jobs: int | None,
    seconds: Sequence[float],
    shared: Any = None,
    description: str | None = None,
) -> list:
    """Map ``function`` over chunks of series; one result per item, in order.

    Parameters
    ----------
    function : callable
        ``function(worker, chunk, shared)`` returns one result per item of ``chunk`` (a
        list); ``worker`` is an unfitted clone of ``estimator``.
    estimator : estimator
        Gives the parameters; cloned (``sklearn.base.clone``) so that no task receives its
        fitted state.
    items : sequence
        One entry per series: its values and whatever per-series state it needs.
    n_jobs : int or None
        joblib's ``n_jobs``.
    seconds : sequence of float
        Estimated seconds of work of each item (see :func:`split`).
    shared : object, default=None
        What every task needs (e.g. a global model without its training data).
    description : str or None, default=None
        Label of a progress bar over the series (drawn inside
        :func:`gluts._progress.show_progress`); None draws none. With a bar, work that runs
        here as one task is called series by series, so that the bar moves with each.

    Returns
    -------
    list
        The results of every item, in the order of ``items``.
    """
    from sklearn.base import clone

    worker = clone(estimator)
    items = list(items)
    chunks = split(seconds, n_jobs)
    if description is not None and len(chunks) == 1:  # all here: a call per series, for the bar
        chunks, n_jobs = [slice(i, i + 1) for i in range(len(items))], 1
    calls = [(function, (worker, items[chunk], shared)) for chunk in chunks]
    if description is None:
        parts = run(calls, n_jobs)
    else:
        sizes = iter([chunk.stop - chunk.start for chunk in chunks])
        with progress_bar(False, len(items), description) as advance:

            def done() -> None:
                for _ in range(next(sizes)):
                    advance()

            parts = run(calls, n_jobs, progress=done)
    return [result for part in parts for result in part]


def series_seed(base: int, series_id: Hashable) -> int:
    """A seed in ``[0, 2**31 - 1)`` from ``base`` and a series id, the same in every process.

    Python's ``hash`` of a str is salted per process, so the id is hashed with BLAKE2 over
    its ``repr`` (numpy scalars as the Python number they hold): a series gets the same seed
    whatever task, worker or order it runs in.
    """
    if isinstance(series_id, np.generic):
        series_id = series_id.item()
    digest = hashlib.blake2b(f"{int(base)}|{series_id!r}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % (2**31 - 1)


@dataclass
class _Outcome:
    """What a task sends back: its value or its error, and the warnings it raised."""

    value: Any
    error: BaseException | None
    warnings: list[tuple[type[Warning], str]]


def _task(function: Callable[..., Any], args: tuple) -> _Outcome:
    """Run one task single-threaded, recording its warnings and catching its error."""
    with single_threaded(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = function(*args), None
        except Exception as exc:  # raised again by the caller, in task order
            value, error = None, exc
    return _Outcome(value, error, [(w.category, str(w.message)) for w in caught])
