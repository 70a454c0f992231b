"""Time grids: frequency inference, regular spans, future timestamps, season lengths."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from gluts.exceptions import DataError

__all__ = ["TimeGrid", "infer_grid", "parse_datetimes", "parse_time_column", "season_length_for"]

# How text timestamps are read, in order: one format inferred from the first value
# (month-first when ambiguous), ISO 8601 of varying precision, one day-first format, and
# finally each value on its own.
_READINGS = ({}, {"format": "ISO8601"}, {"dayfirst": True}, {"format": "mixed"})

# Season length for a pandas offset name prefix (the number of steps in one natural cycle).
_SEASONS = {
    "min": 60 * 24,  # minutes in a day; scaled by the multiple below
    "T": 60 * 24,
    "s": 60 * 60 * 24,
    "S": 60 * 60 * 24,
    "h": 24,
    "H": 24,
    "D": 7,
    "B": 5,
    "W": 52,
    "M": 12,
    "ME": 12,
    "MS": 12,
    "Q": 4,
    "QE": 4,
    "QS": 4,
    "Y": 1,
    "YE": 1,
    "YS": 1,
    "A": 1,
}


@dataclass(frozen=True)
class TimeGrid:
    """A regular time grid: a pandas offset for timestamps and periods, an int step otherwise.

    Attributes
    ----------
    kind : {"datetime", "period", "integer"}
        What the timestamps are.
    freq : pandas.DateOffset or int
        The spacing between consecutive timestamps.
    """

    kind: str
    freq: object

    def after(self, last, h: int) -> pd.Index:
        """Return the ``h`` timestamps that follow ``last``."""
        if self.kind == "integer":
            return pd.Index(last + self.freq * np.arange(1, h + 1, dtype=np.int64))
        if self.kind == "period":
            return pd.period_range(start=last + 1, periods=h, freq=last.freq)
        return pd.date_range(start=last, periods=h + 1, freq=self.freq)[1:]

    def span(self, first, last) -> pd.Index:
        """Return every grid timestamp from ``first`` to ``last`` inclusive."""
        if self.kind == "integer":
            return pd.Index(np.arange(first, last + 1, self.freq, dtype=np.int64))
        if self.kind == "period":
            return pd.period_range(start=first, end=last, freq=first.freq)
        return pd.date_range(start=first, end=last, freq=self.freq)

    def describe(self) -> str:
        """Return a short human-readable name of the grid, e.g. ``'h'`` or ``'step 1'``."""
        if self.kind == "integer":
            return f"'step {self.freq}'"
        return repr(self.freq.freqstr)

    def season_length(self) -> int:
        """Return the length of the natural cycle on this grid (1 when there is none)."""
        if self.kind == "integer":
            return 1
        return season_length_for(self.freq)


def season_length_for(freq) -> int:
    """Return the natural season length for a pandas offset (24 for hourly, 7 for daily...).

    Parameters
    ----------
    freq : str or pandas.DateOffset
        The frequency.

    Returns
    -------
    int
        Steps per cycle: a day for sub-daily data, a week for daily, a year for weekly,
        monthly and quarterly data; 1 when no cycle applies.
    """
    offset = to_offset(freq)
    name = offset.rule_code.split("-")[0]
    base = _SEASONS.get(name)
    if base is None:
        return 1
    if name in ("min", "T", "s", "S", "h", "H"):
        return max(1, base // max(1, offset.n))
    return base if offset.n == 1 else 1


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Parse text timestamps, preferring one format for the whole column.

    A column is read with the first of these that parses every value: the format inferred
    from its first value, ISO 8601, the day-first form of the inferred format (so that
    ``13/01/2024`` makes ``01/02/2024`` the 1st of February), and finally each value on its
    own. Values with different UTC offsets (as around daylight saving changes) are
    converted to UTC.

    Parameters
    ----------
    values : pandas.Series
        Text (or already parsed) timestamps.

    Returns
    -------
    pandas.Series
        datetime64 values.

    Raises
    ------
    ValueError
        When some value is not a timestamp in any of the readings.
    """
    error: Exception | None = None
    for kwargs in _READINGS:
        try:
            return _to_datetime(values, kwargs)
        except (ValueError, TypeError, OverflowError) as exc:
            error = exc
    raise ValueError(str(error)) from error


def parse_time_column(values: pd.Series, name: Hashable, *, source: str | None = None) -> pd.Series:
    """Parse a column of text timestamps, naming the first value that is not a time.

    The column is read by :func:`parse_datetimes`.

    Parameters
    ----------
    values : pandas.Series
        Text (or already parsed) timestamps.
    name : hashable
        The column's name, for the message.
    source : str or None, default=None
        The file the column comes from, for the message; None when there is no file.

    Returns
    -------
    pandas.Series
        datetime64 values.

    Raises
    ------
    DataError
        When some value is not a timestamp, or pandas cannot put the values in one datetime64
        column (mixed UTC offsets under pandas 2): ``"Column 'ds' holds a value that is not
        a time: 'later'."``, or ``"<source>: column 'ds' ..."`` when ``source`` is given.
    """
    try:
        parsed = parse_datetimes(values)
    except ValueError:
        parsed = None
    if parsed is None or not pd.api.types.is_datetime64_any_dtype(parsed):
        bad = next((v for v in values if _unparseable(v)), values.iloc[0])
        where = f"{source}: column" if source is not None else "Column"
        raise DataError(f"{where} {name!r} holds a value that is not a time: {bad!r}.")
    return parsed


def _unparseable(value) -> bool:
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError):
        return True
    return False


def _to_datetime(values: pd.Series, kwargs: dict) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' notes on format inference
        try:
            return pd.to_datetime(values, **kwargs)
        except ValueError as exc:
            if "timezone" not in str(exc).lower():
                raise
            return pd.to_datetime(values, utc=True, **kwargs)


def infer_grid(
    indexes: Sequence[pd.Index], ids: Sequence[Hashable], freq: str | None = None
) -> TimeGrid:
    """Infer one regular grid shared by every series.

    Parameters
    ----------
    indexes : sequence of pandas.Index
        The timestamps of each series (any order).
    ids : sequence of hashable
        The series ids, for error messages.
    freq : str or None, default=None
        A pandas offset alias that overrides inference (timestamps only).

    Returns
    -------
    TimeGrid
        The shared grid.

    Raises
    ------
    DataError
        When the series mix kinds of time or frequencies, or no regular spacing exists.
    """
    kinds = {_kind(idx) for idx in indexes}
    if len(kinds) > 1:
        raise DataError(f"The series mix kinds of time index: {sorted(kinds)}.")
    kind = kinds.pop()
    if kind == "integer":
        steps = {sid: _integer_step(idx) for sid, idx in zip(ids, indexes)}
        return TimeGrid("integer", _common(steps, lambda s: f"step {s}"))
    if kind == "period":
        steps = {sid: idx.freq for sid, idx in zip(ids, indexes)}
        return TimeGrid("period", _common(steps, lambda f: f.freqstr))
    if freq is not None:
        return TimeGrid("datetime", to_offset(freq))
    steps = {sid: _datetime_freq(sid, idx) for sid, idx in zip(ids, indexes)}
    steps = {sid: f for sid, f in steps.items() if f is not None}
    if not steps:
        raise DataError(
            "Cannot infer a frequency: every series has fewer than 2 timestamps; pass freq."
        )
    return TimeGrid("datetime", _common(steps, lambda f: f.freqstr))


def _kind(idx: pd.Index) -> str:
    if isinstance(idx, pd.PeriodIndex):
        return "period"
    if isinstance(idx, pd.DatetimeIndex):
        return "datetime"
    if pd.api.types.is_integer_dtype(idx):
        return "integer"
    raise DataError(
        f"The time index must hold datetimes, periods or integers; got dtype {idx.dtype}."
    )


def _integer_step(idx: pd.Index) -> int:
    diffs = np.diff(np.sort(idx.to_numpy()))
    diffs = diffs[diffs > 0]
    return int(np.gcd.reduce(diffs)) if len(diffs) else 1


def _datetime_freq(sid: Hashable, idx: pd.DatetimeIndex):
    """Infer the frequency of one series; None when it has a single timestamp."""
    idx = idx.sort_values().unique()
    if len(idx) < 2:
        return None
    if len(idx) >= 3:
        inferred = pd.DatetimeIndex(idx, freq="infer").freq
        if inferred is not None:
            return inferred
    # Gaps: take the most common spacing and check it against the calendar frequencies.
    # Daily rows on weekdays only, over two weekends or more, are business days with a
    # holiday missing, not days with gaps (checked last: a weekly series lies on that grid).
    step = pd.Series(idx[1:] - idx[:-1]).mode().iloc[0]
    aliases = ["MS", "ME", "QS", "QE", "YS", "YE", "W-" + idx[0].day_name()[:3].upper()]
    if step == pd.Timedelta(days=1):
        days = pd.date_range(idx[0], idx[-1], freq="D")
        if (days.day_of_week >= 5).sum() >= 4:
            aliases.append("B")
    for alias in aliases:
        span = pd.date_range(idx[0], idx[-1], freq=alias)
        if len(span) and span[0] == idx[0] and idx.isin(span).all():
            return to_offset(alias)
    if step.days < 28:
        whole_days = step % pd.Timedelta(days=1) == pd.Timedelta(0)
        return to_offset(f"{step.days}D" if whole_days else step)
    raise DataError(
        f"Series {sid!r} has irregular timestamps (most common spacing {step}); pass freq."
    )


def _common(steps: dict, label) -> object:
    """Return the one frequency shared by all series, or name two series that differ."""
    first_id, first = next(iter(steps.items()))
    for sid, step in steps.items():
        if step != first:
            raise DataError(
                f"The series mix frequencies: series {first_id!r} is {label(first)!r} but "
                f"series {sid!r} is {label(step)!r}."
            )
    return first
