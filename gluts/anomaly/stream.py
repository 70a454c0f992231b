"""The streaming state of a detector's series, and the fixed blocks in which rows are scored.

A detector scores a row from the rows before it. To score rows that arrive later (``update``)
without keeping the whole history, each series keeps a :class:`SeriesStream`: how many rows
it has seen, the values its next rows need as context, the last timestamp and the alert
grouping's :class:`~gluts.anomaly.events.AlertCarry`.

**Blocks make chunking exact.** Rows are scored in fixed blocks of ``block`` positions
(counted from the first fitted row): the rows of block ``b`` are always computed from the
same values, those from position ``anchor = max(origin, b * block - context)`` on, whatever
rows arrived with them. Every detector computation (rolling statistics, forecasts, shaping)
is a deterministic function of its input array, so a row gets bit-for-bit the same score
whether the rows came in one call or in many; ``context`` (the rows a row's score depends on)
only decides how closely a block's first rows match a computation over the whole history.
A stream keeps the values from the anchor of its current block on: at most
``block + context`` rows.

**Gaps restart the context.** Rows that do not follow the last seen timestamp at the series'
frequency start a new context (``origin``): nothing before them is used, the rolling windows
fill up again from them (their first rows score 0 until a window has enough rows), and the
positions skip the missing steps so that seasonal phases stay on the clock. The fitted
calibration and threshold are kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from gluts.anomaly.calibration import (
    INCIDENT_LOG10,
    INCIDENT_MEMORY,
    TailCalibrator,
    from_unit,
    rise,
    scored_only,
    to_unit,
)
from gluts.anomaly.echoes import discount_echoes
from gluts.anomaly.events import AlertCarry
from gluts.anomaly.surprise import Surprise
from gluts.data import Panel, ReadOptions, TimeGrid
from gluts.exceptions import DataError, StreamGapWarning

__all__ = [
    "Scored",
    "SeriesStream",
    "block_plan",
    "finish_blocks",
    "place",
    "read_rows",
    "steps_after",
    "surprise_blocks",
    "warn_gaps",
]

MIN_BLOCK = 256


@dataclass
class Scored:
    """Scores and details of one series' rows, and its stream after them.

    Attributes
    ----------
    score, surprisal, values : ndarray of shape (n,)
        Scores in [0, 1], surprisals (``-log10`` tail probabilities) and observed values.
    surprise : Surprise
        The detector's surprise, expected value and band.
    index : pandas.Index
        The rows' timestamps.
    spans : list of (int, int)
        New alert events among the rows (see :func:`~gluts.anomaly.events.stream_spans`).
    before : pandas.Index
        Timestamps of the carried rows that an event may have started in.
    after : SeriesStream
        The stream after the rows.
    """

    score: np.ndarray
    surprisal: np.ndarray
    surprise: Surprise
    values: np.ndarray
    index: pd.Index
    spans: list[tuple[int, int]]
    before: pd.Index
    after: SeriesStream


@dataclass
class SeriesStream:
    """Where a series' stream stands: what scoring its next rows needs.

    Attributes
    ----------
    position : int
        Position of the next row, counted from the first fitted row (skipped gap steps
        included).
    origin : int
        Position where the current context began: 0, or the first row after a gap.
    block, context : int
        The block size and the rows of context of each block (fixed at fit).
    values : ndarray
        The values from the anchor of the current block up to ``position``.
    last : object or None
        Timestamp of the last row seen; None before any row.
    carry : AlertCarry
        The alert grouping's state.
    """

    position: int
    origin: int
    block: int
    context: int
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    last: object = None
    carry: AlertCarry = field(default_factory=AlertCarry)

    @classmethod
    def empty(cls, context: int) -> SeriesStream:
        """A stream before the first fitted row, for rows needing ``context`` rows before."""
        return cls(0, 0, max(4 * context, MIN_BLOCK), context)

    @property
    def start(self) -> int:
        """Position of ``values[0]``."""
        return self.position - len(self.values)

    def anchor(self, position: int) -> int:
        """First position the block holding ``position`` is computed from."""
        return max(self.origin, (position // self.block) * self.block - self.context)

    def restart(self, skipped: int) -> SeriesStream:
        """The stream after a gap of ``skipped`` missing steps: no context, no open alert."""
        position = self.position + skipped
        return replace(
            self, position=position, origin=position, values=np.zeros(0), carry=AlertCarry()
        )

    def advance(self, values: np.ndarray, last, carry: AlertCarry) -> SeriesStream:
        """The stream after the rows ``values`` (the last at timestamp ``last``)."""
        data = np.concatenate([self.values, np.asarray(values, dtype=np.float64)])
        position = self.position + len(values)
        keep = data[self.anchor(position) - self.start :].copy()
        return replace(self, position=position, values=keep, last=last, carry=carry)


def block_plan(stream: SeriesStream, n: int) -> list[tuple[int, int, int]]:
    """The blocks that score the ``n`` rows after ``stream``'s position.

    Returns
    -------
    list of (int, int, int)
        ``(anchor, first, stop)`` positions per block: the block's rows ``first`` to
        ``stop - 1`` are computed from the values at positions ``anchor`` to ``stop - 1``.
    """
    plan, first, stop = [], stream.position, stream.position + n
    while first < stop:
        end = min(stop, (first // stream.block + 1) * stream.block)
        plan.append((stream.anchor(first), first, end))
        first = end
    return plan


def steps_after(grid: TimeGrid, last, first) -> int | None:
    """Grid steps from ``last`` to ``first`` (1: the next step); None when off the grid."""
    if grid.kind == "integer":
        steps, rest = divmod(int(first) - int(last), int(grid.freq))
        return None if rest else steps
    if grid.kind == "period":
        return int((first - last).n)
    offset = grid.freq
    delta = getattr(offset, "delta", None)
    if delta is not None:  # a fixed step (minutes, hours, days)
        steps, rest = divmod(pd.Timestamp(first) - pd.Timestamp(last), pd.Timedelta(delta))
        return None if rest else int(steps)
    span = pd.date_range(last, first, freq=offset)
    on_grid = len(span) and span[0] == last and span[-1] == first
    return len(span) - 1 if on_grid else None


def surprise_blocks(
    surprise: Callable[..., Surprise], stream: SeriesStream, values: np.ndarray
) -> list[tuple[int, Surprise]]:
    """The surprise of each block of the rows ``values`` that follow ``stream``.

    Parameters
    ----------
    surprise : callable
        ``surprise(segment, start=position)``: the detector's surprise of a stretch of the
        series whose first row is at ``position``.
    stream : SeriesStream
        Where the rows start.
    values : ndarray of shape (n,)
        The rows.

    Returns
    -------
    list of (int, Surprise)
        Per block, the surprise of its context and rows; the rows are those from the offset
        on.
    """
    data = np.concatenate([stream.values, values])
    out = []
    for anchor, first, stop in block_plan(stream, len(values)):
        segment = data[anchor - stream.start : stop - stream.start]
        out.append((first - anchor, surprise(segment, start=anchor)))
    return out


def finish_blocks(
    calibrator: TailCalibrator,
    blocks: list[tuple[int, Surprise]],
    score_scale: float,
    shaping_window: int | None,
    onset: float,
    season: int = 1,
) -> tuple[np.ndarray, np.ndarray, Surprise]:
    """Scores, surprisals and surprise of the blocks' rows.

    The surprisal of each row is the calibrator's
    (:meth:`~gluts.anomaly.calibration.TailCalibrator.surprisal`: its streams combined, or the
    density of surprising rows when that is rarer, or the surprise's ``frozen`` when that is),
    less what recurred at its phase of the last seasons of ``season`` rows
    (:func:`~gluts.anomaly.echoes.discount_echoes`, from the surprisal whose score is
    ``onset``), computed within each block from the block's fixed context (a recurring surprise
    lowers the row's own score, not the bar it sets for the rows after it). The score maps the
    surprisal into [0, 1] (``score_scale``) and, with ``shaping_window``, keeps its rise above
    the recent scores (within each block, so that it too is computed from the block's fixed
    context): above the last :data:`~gluts.anomaly.calibration.INCIDENT_MEMORY` rows (at most
    ``shaping_window``) and the ``shaping_window`` rows before, counted up to the score of an
    incident row, a climbing score measured from where it began until it has risen by ``onset``
    (see :func:`~gluts.anomaly.calibration.rise`).
    """
    scores, surprisals, parts = [], [], []
    for offset, surprise in blocks:
        z = surprise.z.reshape(len(surprise.z), -1)
        own = calibrator.surprisal(z)
        if surprise.frozen is not None:  # a frozen reading is rare whatever the tails say
            own = np.fmax(own, surprise.frozen)
        log_surprise = discount_echoes(own, season, from_unit(onset, score_scale))
        score = to_unit(log_surprise, score_scale)
        if shaping_window is not None:  # rows without any surprise (a warm-up) do not count
            cap = to_unit(INCIDENT_LOG10, score_scale)
            scored, bar = scored_only(z, score), scored_only(z, to_unit(own, score_scale))
            memory = min(INCIDENT_MEMORY, shaping_window)
            score = rise(scored, shaping_window, memory, cap, onset, bar=bar)
        scores.append(score[offset:])
        surprisals.append(log_surprise[offset:])
        parts.append(surprise.tail(offset))
    return np.concatenate(scores), np.concatenate(surprisals), Surprise.join(parts)


def place(
    stream: SeriesStream, history: Panel, k: int, index: pd.Index, *, update: str | None
) -> tuple[SeriesStream, str | None]:
    """The stream that rows at ``index`` of series ``k`` continue, and a note after a gap.

    Rows after ``stream.last`` continue it (restarted after a gap); for ``update`` (the
    detector's name, else None) any other rows are an error. Otherwise rows starting at a
    timestamp of the fitted ``history`` get the fitted rows before it as context, and other
    rows start a stream of their own.
    """
    sid, grid = history.ids[k], history.grid
    history_index = history.index[k]
    try:
        after = stream.last is not None and index[0] > stream.last
    except TypeError:
        raise DataError(
            f"Series {sid!r}: the rows' timestamps ({index[0]!r}) are not of the kind the "
            f"detector was fitted on ({stream.last!r})."
        ) from None
    if after:
        steps = steps_after(grid, stream.last, index[0])
        if steps == 1:
            return stream, None
        gap = f"{steps - 1} missing steps" if steps else "off its grid"
        note = f"{sid!r} resumes at {index[0]} after {stream.last} ({gap})"
        return stream.restart(steps - 1 if steps else 0), note
    if update is not None:
        raise DataError(
            f"{update}.update takes the rows after those it has seen: series {sid!r} was "
            f"seen up to {stream.last}, the rows start at {index[0]}. Score rows already seen "
            "with score()."
        )
    fresh = replace(stream, position=0, origin=0, values=np.zeros(0), last=None, carry=AlertCarry())
    p = int(history_index.get_indexer([index[0]])[0]) if history_index.is_unique else -1
    if p > 0:
        fresh = fresh.advance(history.values[k][:p], history_index[p - 1], AlertCarry())
    return fresh, None


def warn_gaps(owner: str, gaps: list[str]) -> None:
    """One :class:`~gluts.exceptions.StreamGapWarning` line for the series that resumed."""
    if gaps:
        more = f"; and {len(gaps) - 3} more" if len(gaps) > 3 else ""
        warnings.warn(
            f"{owner}: rows resume after a gap, so the context restarts there: series "
            f"{'; '.join(gaps[:3])}{more}.",
            StreamGapWarning,
            stacklevel=4,
        )


def read_rows(options: ReadOptions, grid: TimeGrid, y, owner: str) -> Panel:
    """Read rows to score with a detector's reading options, on its fitted frequency.

    A single new row has no frequency of its own, and rows with missing timestamps are
    filled on the fitted grid.
    """
    if options.freq is None and grid.kind == "datetime":
        options = replace(options, freq=grid.freq.freqstr)
    panel = options.read(y, owner=owner)
    if panel.grid.kind == grid.kind:
        panel.grid = grid
    return panel
