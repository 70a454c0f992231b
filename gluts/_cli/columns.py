"""What a column of a user's table holds: numbers, timestamps, or notes beside the values.

The checks behind the column detection of :func:`gluts._cli.reading.load_input`, and the
parser of time columns shared by every file the command line reads (data, future
covariates).
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from gluts.data import parse_time_column

__all__ = [
    "id_candidates",
    "is_datetime_like",
    "is_numeric",
    "mostly_numeric",
    "read_times",
    "text_notes",
    "time_candidates",
]


def text_notes(frame: pd.DataFrame, time_col: str | None, text: list[Hashable]) -> list[Hashable]:
    """Text columns that cannot be series ids: several values, yet every time appears once."""
    if not text or time_col is None or not frame[time_col].is_unique:
        return []
    return [c for c in text if frame[c].nunique() > 1]


def id_candidates(frame: pd.DataFrame, time_col: str | None, numeric: list) -> list[Hashable]:
    """Integer columns that split repeated timestamps into series: numbered series ids.

    A long table whose ids are numbers (store 101, 102, ...) repeats every timestamp. A
    column of whole numbers, without gaps, with at most half as many values as rows, under
    which no timestamp repeats, names its series. None of them when the timestamps do not
    repeat (a wide table of counts) or there is no time column.
    """
    if time_col is None or frame[time_col].is_unique:
        return []
    return [c for c in numeric if _splits_times(frame, c, time_col)]


def _splits_times(frame: pd.DataFrame, col: Hashable, time_col: str) -> bool:
    values = frame[col]
    if not is_numeric(values) or values.isna().any() or values.nunique() > len(frame) // 2:
        return False
    whole = pd.api.types.is_integer_dtype(values) or bool((values % 1 == 0).all())
    return whole and not frame.duplicated([col, time_col]).any()


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
    """Datetimes, or text whose first 50 values parse as timestamps."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return True
    if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
        return False
    values = col.dropna()
    if values.empty:
        return False
    try:
        pd.to_datetime(values.iloc[:50], format="mixed", utc=True)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def read_times(name: str, col: pd.Series) -> pd.Series:
    """Parse text timestamps (see :func:`~gluts.data.parse_time_column`); numbers are steps.

    Parameters
    ----------
    name : str
        The file's name, for messages.
    col : pandas.Series
        The time column.

    Returns
    -------
    pandas.Series
        Datetimes, or the column itself when it holds datetimes or numbers.
    """
    if pd.api.types.is_datetime64_any_dtype(col) or is_numeric(col):
        return col
    return parse_time_column(col, col.name, source=name)
