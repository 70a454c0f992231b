"""Alert events: flagged points grouped into incidents, one row per incident.

:func:`event_spans` groups 0/1 flags; :func:`stream_spans` does the same for rows that
continue earlier ones, with an :class:`AlertCarry` holding what grouping needs of the earlier
rows, so that grouping rows in chunks reports each event once, as grouping them all at once
would; :func:`group_events` turns spans into the alert table.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gluts.anomaly.calibration import from_unit

if TYPE_CHECKING:
    from gluts.anomaly.surprise import Surprise

__all__ = [
    "EVENT_COLUMNS",
    "AlertCarry",
    "critical_surprisal",
    "event_spans",
    "flag_runs",
    "group_events",
    "stream_spans",
]

EVENT_COLUMNS = [
    "unique_id",
    "start",
    "end",
    "peak_time",
    "peak_score",
    "surprisal",
    "severity",
    "observed",
    "expected",
    "lower",
    "upper",
    "new_normal",
]
_CRITICAL = 2.0  # a surprisal at least twice the threshold's: its probability squared


def event_spans(
    flags,
    *,
    merge_gap: int = 0,
    min_duration: int = 1,
    cooldown: int = 0,
    last_end: int | None = None,
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
    last_end : int or None, default=None
        Position (negative: before these rows) of the last row of an earlier kept event,
        for the cooldown; None when there is none.

    Returns
    -------
    list of (int, int)
        The kept events in time order.
    """
    spans, end = [], last_end
    for a, b in flag_runs(flags, merge_gap):
        if b - a + 1 < min_duration:
            continue
        if end is not None and a - end <= cooldown:
            continue
        spans.append((a, b))
        end = b
    return spans


def flag_runs(flags, merge_gap: int) -> list[tuple[int, int]]:
    """Return the flagged runs, those at most ``merge_gap`` rows apart joined.

    Parameters
    ----------
    flags : array-like of shape (n,)
        0/1 labels in time order.
    merge_gap : int
        Unflagged rows that do not separate two runs.

    Returns
    -------
    list of (int, int)
        Inclusive ``(first, last)`` positions of each run, before any filtering.
    """
    positions = np.flatnonzero(np.asarray(flags) == 1)
    if len(positions) == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) > merge_gap + 1)
    firsts = np.concatenate([[positions[0]], positions[breaks + 1]])
    lasts = np.concatenate([positions[breaks], [positions[-1]]])
    return list(zip(firsts.tolist(), lasts.tolist()))


@dataclass
class AlertCarry:
    """What grouping needs to know of the rows before a chunk of a stream.

    Attributes
    ----------
    flags : ndarray of shape (k,)
        Flags of the last ``k`` rows: those of an event that may still grow (its last flag
        within ``merge_gap`` rows of the end), else none.
    index : pandas.Index
        Their timestamps.
    last_end : int or None
        Position, relative to the first of those rows, of the last row of the last kept
        event before them (for the cooldown); None when there is none.
    """

    flags: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    index: pd.Index = field(default_factory=lambda: pd.Index([]))
    last_end: int | None = None


def stream_spans(
    carry: AlertCarry,
    flags: np.ndarray,
    index: pd.Index,
    *,
    merge_gap: int,
    min_duration: int,
    cooldown: int,
) -> tuple[list[tuple[int, int]], AlertCarry]:
    """Group the flags of rows that follow ``carry``'s, reporting only new events.

    An event is new unless grouping the carried rows alone already kept it: an event that
    was open at the end of the earlier rows and continues into these is not reported again,
    and one that only now lasts ``min_duration`` rows is reported now, from its true start.
    Grouping a stream chunk by chunk thus reports the events of grouping it at once.

    Parameters
    ----------
    carry : AlertCarry
        The state after the earlier rows.
    flags : ndarray of shape (n,)
        0/1 labels of the new rows.
    index : pandas.Index
        Their timestamps.
    merge_gap, min_duration, cooldown : int
        Grouping rules, as in :func:`event_spans`.

    Returns
    -------
    spans : list of (int, int)
        New events as positions among the new rows (a start below 0 lies in the carried
        rows: ``-1`` is the last of them).
    carry : AlertCarry
        The state after the new rows.
    """
    rules = {"merge_gap": merge_gap, "min_duration": min_duration, "cooldown": cooldown}
    k = len(carry.flags)
    combined = np.concatenate([carry.flags, np.asarray(flags, dtype=np.int8)])
    kept = event_spans(combined, **rules, last_end=carry.last_end)
    known = {a for a, _ in event_spans(carry.flags, **rules, last_end=carry.last_end)}
    new = [(a - k, b - k) for a, b in kept if a not in known]
    runs = flag_runs(combined, merge_gap)
    open_from = len(combined)
    if runs and len(combined) - 1 - runs[-1][1] <= merge_gap:
        open_from = runs[-1][0]  # the last event may still grow: keep its rows
    ends = [b for _, b in kept if b < open_from]
    last_end = ends[-1] if ends else carry.last_end
    both = carry.index.append(index) if k else index
    after = AlertCarry(
        combined[open_from:].copy(),
        both[open_from:],
        None if last_end is None else last_end - open_from,
    )
    return new, after


def group_events(
    sid: Hashable,
    index: pd.Index,
    spans: list[tuple[int, int]],
    score: np.ndarray,
    surprisal: np.ndarray,
    values: np.ndarray,
    surprise: Surprise,
    *,
    critical: float,
    before: pd.Index | None = None,
    horizon: int = 0,
) -> pd.DataFrame:
    """Return one row per event of one series (see :data:`EVENT_COLUMNS`).

    Parameters
    ----------
    sid : hashable
        Series id.
    index : pandas.Index
        Timestamps of the rows.
    spans : list of (int, int)
        The events, as from :func:`event_spans` or :func:`stream_spans`.
    score, surprisal, values : ndarray of shape (n,)
        Scores, surprisals (``-log10`` tail probabilities) and observed values.
    surprise : Surprise
        The detector's expected values and band.
    critical : float
        Surprisal from which an event is ``"critical"`` (else ``"warning"``).
    before : pandas.Index or None, default=None
        Timestamps of the carried rows, for events that started in them.
    horizon : int, default=0
        Rows after an event's last within which the incident it began may still become
        the new normal (the detector's ``new_normal_after``).

    Returns
    -------
    pandas.DataFrame
        The events, possibly none. ``peak_time`` is the row of the highest score and
        ``observed, expected, lower, upper`` are at it; ``surprisal`` is the event's largest
        (rows of the carried part are not seen again: the peak lies among the new rows).
        ``new_normal`` is True when the incident persisted until the detector took it as
        the new normal, at a row of the event or within ``horizon`` rows after it among
        these rows (an alert raised before those rows arrived cannot say it yet).
    """
    rows = []
    for a, b in spans:
        first = max(a, 0)
        peak = first + int(np.argmax(score[first : b + 1]))
        rarest = float(np.max(surprisal[first : b + 1]))
        rows.append(
            (
                sid,
                index[a] if a >= 0 else before[a],
                index[b],
                index[peak],
                float(score[peak]),
                rarest,
                "critical" if rarest >= critical else "warning",
                float(values[peak]),
                float(surprise.expected[peak]),
                float(surprise.lower[peak]),
                float(surprise.upper[peak]),
                surprise.new_normal(first, b + horizon),
            )
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def critical_surprisal(threshold: float, score_scale: float) -> float:
    """The surprisal from which an event is critical: twice the one the threshold needs.

    A score ``s`` comes from the surprisal ``L = score_scale * s / (1 - s)``; an event is
    critical when its surprisal is at least twice the threshold's, i.e. its tail
    probability is at most the square of the threshold's.

    Parameters
    ----------
    threshold : float
        The fitted score threshold.
    score_scale : float
        The detector's ``score_scale``.

    Returns
    -------
    float
        The surprisal level (inf when the threshold is 1 or more).
    """
    return _CRITICAL * max(from_unit(float(threshold), score_scale), 0.0)
