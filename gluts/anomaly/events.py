"""Alert events: flagged points grouped into incidents, one row per incident."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from gluts.anomaly.surprise import Surprise

__all__ = ["EVENT_COLUMNS", "event_spans", "group_events"]

EVENT_COLUMNS = [
    "unique_id",
    "start",
    "end",
    "peak_time",
    "peak_score",
    "severity",
    "observed",
    "expected",
    "lower",
    "upper",
]
_CRITICAL = 1.5


def event_spans(
    flags, *, merge_gap: int = 0, min_duration: int = 1, cooldown: int = 0
) -> list[tuple[int, int]]:
    """Group 0/1 flags into events given as inclusive ``(first, last)`` row positions.

    Parameters
    ----------
    flags : array-like of shape (n,)
        0/1 labels in time order (1 = anomaly).
    merge_gap : int, default=0
        Flagged runs separated by at most ``merge_gap`` unflagged rows form one event.
    min_duration : int, default=1
        Events spanning fewer rows (first to last flag) are dropped.
    cooldown : int, default=0
        An event that starts within ``cooldown`` rows after the end of the previous kept
        event is suppressed.

    Returns
    -------
    list of (int, int)
        The kept events in time order.
    """
    positions = np.flatnonzero(np.asarray(flags) == 1)
    if len(positions) == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) > merge_gap + 1)
    firsts = np.concatenate([[positions[0]], positions[breaks + 1]])
    lasts = np.concatenate([positions[breaks], [positions[-1]]])
    spans, last_end = [], None
    for a, b in zip(firsts.tolist(), lasts.tolist()):
        if b - a + 1 < min_duration:
            continue
        if last_end is not None and a - last_end <= cooldown:
            continue
        spans.append((a, b))
        last_end = b
    return spans


def group_events(
    sid: Hashable,
    index: pd.Index,
    flags: np.ndarray,
    score: np.ndarray,
    values: np.ndarray,
    surprise: Surprise,
    *,
    threshold: float,
    merge_gap: int,
    min_duration: int,
    cooldown: int,
) -> pd.DataFrame:
    """Return one row per event of one series (see :data:`EVENT_COLUMNS`).

    Parameters
    ----------
    sid : hashable
        Series id.
    index : pandas.Index
        Timestamps of the rows.
    flags, score, values : ndarray of shape (n,)
        0/1 labels, scores and observed values.
    surprise : Surprise
        The detector's expected values and band.
    threshold : float
        The alarm threshold, for the severity.
    merge_gap, min_duration, cooldown : int
        Grouping rules, as in :func:`event_spans`.

    Returns
    -------
    pandas.DataFrame
        The events, possibly none.
    """
    rows = []
    spans = event_spans(flags, merge_gap=merge_gap, min_duration=min_duration, cooldown=cooldown)
    for a, b in spans:
        peak = a + int(np.argmax(score[a : b + 1]))
        ratio = score[peak] / threshold if threshold > 0 else np.inf
        rows.append(
            (
                sid,
                index[a],
                index[b],
                index[peak],
                float(score[peak]),
                "critical" if ratio >= _CRITICAL else "warning",
                float(values[peak]),
                float(surprise.expected[peak]),
                float(surprise.lower[peak]),
                float(surprise.upper[peak]),
            )
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)
