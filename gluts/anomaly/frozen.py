"""Frozen readings: a value repeated, row after row, in a series whose values hardly repeat.

A sensor that stops updating repeats its last reading, which a series of measured values
never does by chance. :func:`frozen_rows` finds such readings (to keep them out of what a
detector learns from, see :mod:`gluts.anomaly.robust`); :func:`repeat_surprisal` and
:func:`frozen_surprisal` score them as they happen. A series' fit rows say whether its
values repeat at all: an integer count, a quantised reading or a flat line does, and its
repeats are not frozen readings.
"""

from __future__ import annotations

import numpy as np

from gluts.anomaly.events import flag_runs

__all__ = ["FROZEN_RUN", "frozen_rows", "frozen_surprisal", "repeat_surprisal"]

FROZEN_RUN = 3  # repeats of one value in a row from which a reading is frozen
_LOOSE_REPEATS = 0.01  # shorter repeats beyond this share of rows: values that do repeat
_MAX_FROZEN_ROWS = 0.2  # frozen rows beyond this share: how the series behaves (a flat line)


def _repeated(values: np.ndarray) -> np.ndarray:
    """True at each row that repeats the value of the row before it."""
    return np.r_[False, np.diff(values) == 0]


def _repeats(values: np.ndarray) -> tuple[np.ndarray, int]:
    """The rows of runs of at least :data:`FROZEN_RUN` repeats, and how many rows repeat
    their previous value in shorter runs."""
    repeats = _repeated(values)
    frozen = np.zeros(len(values), dtype=bool)
    loose = 0
    for first, last in flag_runs(repeats.astype(np.int8), 0):
        if last - first + 1 >= FROZEN_RUN:
            frozen[first : last + 1] = True
        else:
            loose += last - first + 1
    return frozen, loose


def _values_repeat(frozen: np.ndarray, loose: int) -> bool:
    n = len(frozen)
    return loose > _LOOSE_REPEATS * n or frozen.sum() > _MAX_FROZEN_ROWS * n


def frozen_rows(values: np.ndarray) -> np.ndarray:
    """The rows of a frozen reading: a value repeated at least 3 times in a row.

    Only in a series whose values otherwise hardly repeat (shorter repeats on at most 1% of
    its rows: not a quantised or integer count) and while they hold at most 20% of the rows
    (more is how the series behaves, e.g. a flat line).

    Parameters
    ----------
    values : ndarray of shape (n,)
        The rows of one series.

    Returns
    -------
    ndarray of bool, shape (n,)
        True at each repeat of a frozen reading (from the first repeat on).
    """
    frozen, loose = _repeats(values)
    return np.zeros(len(values), dtype=bool) if _values_repeat(frozen, loose) else frozen


def repeat_surprisal(values: np.ndarray) -> float:
    """The surprisal (``-log10`` probability) of a row repeating its previous value, from a
    series' fit rows; 0 when its values do repeat (see :func:`frozen_rows`).

    The probability is the share of the fit rows that repeat their previous value in runs
    shorter than a frozen reading's, at least one row's share: a series of 500 measured
    values that never repeat gives 2.7 per repeat.
    """
    if len(values) == 0:
        return 0.0
    frozen, loose = _repeats(values)
    return 0.0 if _values_repeat(frozen, loose) else float(-np.log10(max(loose, 1) / len(values)))


def frozen_surprisal(values: np.ndarray, per_repeat: float) -> np.ndarray:
    """Each row's surprisal as a frozen reading: ``per_repeat`` times the repeats of its value
    in a row up to it, from the :data:`FROZEN_RUN`-th repeat on (0 before and without
    repeats). Causal: a row's depends on the rows up to it.

    Parameters
    ----------
    values : ndarray of shape (n,)
        The rows of one series.
    per_repeat : float
        The series' :func:`repeat_surprisal`; 0 scores nothing.

    Returns
    -------
    ndarray of shape (n,)
        The surprisals.
    """
    repeats = _repeated(values)
    rows = np.arange(len(values))
    run_start = np.maximum.accumulate(np.where(repeats, 0, rows))  # last row not a repeat
    count = rows - run_start  # repeats of the value in a row up to each row
    return np.where(count >= FROZEN_RUN, count * per_repeat, 0.0)
