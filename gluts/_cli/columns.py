"""What a column of a user's table holds: numbers, timestamps, or notes beside the values.

The checks behind the column detection of :func:`gluts._cli.reading.load_input`, and the
parser of time columns shared by every file the command line reads (data, future
covariates).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable

import numpy as np
import pandas as pd

from gluts.data import parse_time_column
from gluts.data.files import column_names
from gluts.exceptions import DataError, GlutsWarning

__all__ = [
    "check_columns_hold_values",
    "check_freq",
    "check_target_holds_numbers",
    "is_datetime_like",
    "is_numeric",
    "mostly_numeric",
    "numbered_id",
    "numeric_time_column",
    "read_times",
    "single_column",
    "text_example",
    "text_notes",
    "time_candidates",
]


# Names under which a column of whole numbers is the time axis rather than a series: the long
# format's default ``ds`` (statsforecast's) and the usual names of exported times.
_TIME_NAMES = frozenset({"ds", "time", "timestamp", "date", "datetime", "epoch", "year"})
# Whole numbers in these ranges are Unix times (1973 to 2286) in seconds or milliseconds.
_UNIX_RANGES = {"seconds": (1e8, 1e10), "milliseconds": (1e11, 1e13)}
_UNITS = {"seconds": "s", "milliseconds": "ms"}


def text_notes(frame: pd.DataFrame, time_col: str | None, text: list[Hashable]) -> list[Hashable]:
    """Text columns that cannot be series ids: several values, yet every time appears once."""
    if not text or time_col is None or not frame[time_col].is_unique:
        return []
    return [c for c in text if frame[c].nunique() > 1]


def single_column(name: str, kind: str, option: str, candidates: list[Hashable]) -> str | None:
    """The one candidate column of a role (None without any); several: an error naming them."""
    if len(candidates) > 1:
        raise DataError(
            f"{name}: several {kind} columns ({column_names(candidates)}); "
            f"choose one with {option}."
        )
    return candidates[0] if candidates else None


def numbered_id(
    name: str, frame: pd.DataFrame, time_col: str | None, numeric: list[Hashable]
) -> Hashable | None:
    """The whole-number column that splits repeated timestamps into series, or None.

    A long table whose ids are numbers (store 101, 102, ...) repeats every timestamp. A
    column of whole numbers (or of any numbers, named ``unique_id``), without gaps, with at
    most half as many values as rows, under which no timestamp repeats, names its series; a
    warning says so unless it is named ``unique_id``. Where several columns qualify
    (whole-number values, such as counts, can too), the one whose every value fills one run of
    rows is the id (the table is written series by series). None when the timestamps do not
    repeat (a wide table of counts) or there is no time column; several such columns are an
    error asking for ``--id-col``.
    """
    if time_col is None or frame[time_col].is_unique:
        return None
    candidates = [c for c in numeric if _splits_times(frame, c, time_col)]
    if len(candidates) > 1:  # whole-number values (counts) may split the times too
        in_runs = [c for c in candidates if _in_runs(frame[c])]
        candidates = in_runs if len(in_runs) == 1 else candidates
    id_col = single_column(name, "integer id", "--id-col", candidates)
    if id_col not in (None, "unique_id"):  # the documented name needs no word
        warnings.warn(
            f"{name}: reading the whole-number column {id_col!r} as the series ids "
            f"({frame[id_col].nunique()} series; each timestamp repeats across them); "
            f"pass --id-col {id_col} to say so.",
            GlutsWarning,
            stacklevel=3,
        )
    return id_col


def numeric_time_column(name: str, frame: pd.DataFrame, named: set) -> Hashable | None:
    """The column of whole numbers named like a time axis (``ds``, ``timestamp``, ...), or None.

    Only asked when no column holds datetimes or timestamp text; several such columns are an
    error asking for ``--time-col``.
    """
    candidates = [
        c
        for c in frame.columns
        if c not in named and str(c).strip().lower() in _TIME_NAMES and _whole(frame[c])
    ]
    return single_column(name, "numeric time", "--time-col", candidates)


def _whole(col: pd.Series) -> bool:
    return is_numeric(col) and col.notna().all() and bool((col % 1 == 0).all())


def _in_runs(values: pd.Series) -> bool:
    """Whether each value fills one run of rows, as ids do in a table written series by series."""
    return int((values != values.shift()).sum()) == values.nunique()


def text_example(frame: pd.DataFrame, named: set) -> str:
    """`` ('value' holds text such as '50%')``: why the first unnamed column is no target."""
    for col in frame.columns:
        values = frame[col].dropna()
        if col not in named and len(values) and not is_numeric(values):
            return f" ({col!r} holds text such as {str(values.iloc[0])!r})"
    return ""


def check_columns_hold_values(name: str, frame: pd.DataFrame, targets: tuple) -> None:
    """Refuse a wide table's empty series column, which melting would leave out unsaid."""
    empty = [c for c in targets if frame[c].isna().all()]
    if empty:
        more = f", as are {len(empty) - 1} more" if len(empty) > 1 else ""
        raise DataError(
            f"{name}: series {empty[0]!r} has no values (its column is empty{more}); leave it "
            "out of the file, or pick one series with --target."
        )


def check_target_holds_numbers(name: str, frame: pd.DataFrame, target_col: Hashable) -> None:
    """Refuse a ``--target`` column of text (ids, labels), which would read as one series."""
    values = frame[target_col].dropna()
    if not mostly_numeric(values):
        text = values[pd.to_numeric(values, errors="coerce").isna()]
        held = f"text such as {str(text.iloc[0])!r}" if len(text) else "no values"
        raise DataError(
            f"{name}: the --target column {target_col!r} holds {held}, not numbers; name the "
            "column of values."
        )


def check_freq(name: str, freq: str, times: pd.Series | None) -> None:
    """Refuse a ``--freq`` that is no offset alias, or data without dates to put on its grid."""
    import typer
    from pandas.tseries.frequencies import to_offset

    try:
        to_offset(freq)
    except ValueError:
        raise typer.BadParameter(
            f"{freq!r} is not a pandas frequency alias (such as h, D, W-SUN, MS).",
            param_hint="--freq",
        ) from None
    if times is None or not pd.api.types.is_datetime64_any_dtype(times):
        held = "no time column" if times is None else f"integer steps in {times.name!r}"
        raise typer.BadParameter(
            f"{name} has {held}; --freq sets the grid of dates.", param_hint="--freq"
        )


def _splits_times(frame: pd.DataFrame, col: Hashable, time_col: str) -> bool:
    values = frame[col]
    numbered = _whole(values) or (col == "unique_id" and values.notna().all())
    if not numbered or values.nunique() > len(frame) // 2:
        return False
    return not frame.duplicated([col, time_col]).any()


def time_candidates(frame: pd.DataFrame, named: set) -> list[Hashable]:
    """The columns not in ``named`` whose values read as timestamps."""
    return [c for c in frame.columns if c not in named and is_datetime_like(frame[c])]


def is_numeric(col: pd.Series) -> bool:
    """Numbers (booleans are not)."""
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def mostly_numeric(col: pd.Series) -> bool:
    """Numbers, or text of which most values are numbers (the adapter names the others)."""
    if is_numeric(col):
        return True
    if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
        return False
    values = col.dropna()
    return len(values) > 0 and pd.to_numeric(values, errors="coerce").notna().mean() >= 0.5


def is_datetime_like(col: pd.Series) -> bool:
    """Datetimes, or text of which most of the first 50 values parse as timestamps (the
    reader then names a value that does not, rather than taking the column for ids)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return True
    if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
        return False
    values = col.dropna()
    if values.empty:
        return False
    try:
        parsed = pd.to_datetime(values.iloc[:50], format="mixed", utc=True, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return False
    return bool(parsed.notna().mean() >= 0.5)


def read_times(name: str, col: pd.Series) -> pd.Series:
    """Parse text timestamps (see :func:`~gluts.data.parse_time_column`) and dated numbers.

    Whole numbers are Unix times when they all fall in 1973-2286 as seconds or as
    milliseconds, and dates when they all read as ``YYYYMMDD``; a warning says which. Other
    numbers are steps.

    Parameters
    ----------
    name : str
        The file's name, for messages.
    col : pandas.Series
        The time column.

    Returns
    -------
    pandas.Series
        Datetimes, or the column itself when it holds datetimes or steps.
    """
    if is_numeric(col):
        return _dated_numbers(name, col)
    if pd.api.types.is_datetime64_any_dtype(col):
        return col
    return parse_time_column(col, col.name, source=name)


def _dated_numbers(name: str, col: pd.Series) -> pd.Series:
    """Unix times or ``YYYYMMDD`` numbers as datetimes (with a warning), else ``col``."""
    if not _whole(col) or col.empty:
        return col
    low, high = float(col.min()), float(col.max())
    units = [u for u, (lo, hi) in _UNIX_RANGES.items() if lo <= low and high < hi]
    if units:
        times, what = pd.to_datetime(col, unit=_UNITS[units[0]]), f"Unix times in {units[0]}"
    elif 1e7 <= low and high < 1e8:
        times = pd.to_datetime(col.astype(np.int64).astype(str), format="%Y%m%d", errors="coerce")
        if times.isna().any():
            return col
        what = "YYYYMMDD dates"
    else:
        return col
    warnings.warn(
        f"{name}: reading the numbers in column {col.name!r} as {what} "
        f"({times.min()} to {times.max()}{', UTC' if units else ''}).",
        GlutsWarning,
        stacklevel=3,
    )
    return times
