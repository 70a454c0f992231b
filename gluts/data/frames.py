"""pandas adapters: every accepted input layout in, one :class:`Panel` out, and back.

Accepted layouts
----------------
* ``pd.Series`` with a DatetimeIndex, PeriodIndex or integer index: one series.
* wide ``pd.DataFrame``: the index is time, each column is a series.
* long ``pd.DataFrame`` with an id, a time and a target column (``unique_id, ds, y`` by
  default; the names are configurable).
* ``np.ndarray`` of shape ``(n_timesteps,)`` or ``(n_timesteps, n_series)``.

Every series is put on a regular grid (pandas' inferred frequency; with gaps, the calendar
frequency its timestamps lie on, such as month starts, or business days for daily rows that
skip every weekend, else its most common spacing); missing values are interpolated (with a
warning that counts them) or rejected. Every problem is reported in one line naming the
series and the timestamp or value at fault.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Literal

import numpy as np
import pandas as pd

from gluts.data._time import TimeGrid, infer_grid, parse_time_column
from gluts.data.panel import Layout, Panel
from gluts.exceptions import DataError, GlutsWarning, InsufficientHistoryError

__all__ = ["parse_times", "to_panel"]

MissingPolicy = Literal["interpolate", "error"]

# The largest magnitude a value may have: squares of larger values (in variances and losses)
# overflow float64.
MAX_MAGNITUDE = 1e150


def to_panel(
    y,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    missing: MissingPolicy = "interpolate",
    freq: str | None = None,
    min_length: int = 1,
    owner: str = "gluts",
) -> Panel:
    """Convert any accepted input layout into a :class:`Panel`.

    Parameters
    ----------
    y : pandas.Series, pandas.DataFrame or numpy.ndarray
        The series, in any layout described in the module docstring.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names of a long frame.
    missing : {"interpolate", "error"}, default="interpolate"
        What to do with missing values and gaps in the time grid: fill them by linear
        interpolation (with a :class:`~gluts.exceptions.GlutsWarning` that counts them per
        series) or raise.
    freq : str or None, default=None
        Frequency of the time grid (a pandas offset alias). Inferred when None.
    min_length : int, default=1
        Fewest observations a series may have.
    owner : str, default="gluts"
        Name used in error messages (usually the estimator's class name).

    Returns
    -------
    Panel
        The validated, regular panel.

    Raises
    ------
    DataError
        On duplicate timestamps, mixed frequencies, non-numeric, infinite or huge values
        (beyond ``1e150`` in magnitude), missing values with ``missing="error"``, or a
        missing column.
    InsufficientHistoryError
        When a series has fewer than ``min_length`` observations.
    """
    if missing not in ("interpolate", "error"):
        raise ValueError(f"missing must be 'interpolate' or 'error'; got {missing!r}.")
    raw, layout = _split(y, id_col, time_col, target_col)
    if not raw:
        raise DataError(f"{owner} got no series: the input is empty.")
    tuples = [sid for sid, _ in raw if isinstance(sid, tuple)]
    if tuples:
        raise DataError(
            f"Series ids must be single names or numbers; got the tuple {tuples[0]!r} (a wide "
            "frame's MultiIndex columns?): join its levels into one name first."
        )
    grid = infer_grid([s.index for _, s in raw], [sid for sid, _ in raw], freq=freq)
    ids, values, index, filled = [], [], [], {}
    for sid, series in raw:
        regular = _regularise(sid, series, grid, layout.kind == "wide")
        n_missing = int(regular.isna().sum())
        if n_missing:
            if missing == "error":
                where = regular.index[regular.isna()][0]
                raise DataError(
                    f"Series {sid!r} has {n_missing} missing value(s), the first at {where}; "
                    "fill them or use missing='interpolate'."
                )
            if n_missing == len(regular):
                raise DataError(f"Series {sid!r} has no observed values (all are missing).")
            regular = regular.interpolate(method="linear", limit_direction="both")
            filled[sid] = n_missing
        if len(regular) < min_length:
            raise InsufficientHistoryError(
                f"{owner} needs at least {min_length} observations per series; "
                f"series {sid!r} has {len(regular)}.",
                series=sid,
                needed=min_length,
            )
        ids.append(sid)
        values.append(regular.to_numpy(dtype=np.float64))
        index.append(regular.index)
    if filled:
        lengths = dict(zip(ids, map(len, values)))
        detail = ", ".join(
            f"{sid!r}: {n} of {lengths[sid]}" for sid, n in list(filled.items())[:10]
        )
        more = f" (and {len(filled) - 10} more series)" if len(filled) > 10 else ""
        warnings.warn(
            f"Interpolated missing values per series: {detail}{more}.", GlutsWarning, stacklevel=2
        )
    return Panel(ids, values, index, grid, layout, filled)


def _split(y, id_col, time_col, target_col) -> tuple[list[tuple[Hashable, pd.Series]], Layout]:
    """Split the input into (id, raw series) pairs and record its layout."""
    if isinstance(y, pd.Series):
        sid = y.name if y.name is not None else 0
        layout = Layout("series", id_col, time_col, target_col, y.name, y.index.name)
        return [(sid, _numeric(y, sid))], layout
    if isinstance(y, np.ndarray) or isinstance(y, list):
        arr = np.asarray(y)
        if arr.ndim not in (1, 2):
            raise DataError(f"Arrays must have 1 or 2 dimensions; got shape {arr.shape}.")
        cols = arr.reshape(len(arr), -1)
        layout = Layout("array", id_col, time_col, target_col, "1d" if arr.ndim == 1 else "2d")
        return [(j, _numeric(pd.Series(cols[:, j]), j)) for j in range(cols.shape[1])], layout
    if not isinstance(y, pd.DataFrame):
        raise TypeError(
            "y must be a pandas Series, a pandas DataFrame or a numpy array; "
            f"got {type(y).__name__}."
        )
    repeated = y.columns[y.columns.duplicated()]
    if time_col in y.columns and target_col in y.columns:
        named = [c for c in repeated if c in (id_col, time_col, target_col)]
        if named:
            raise DataError(f"The long frame has more than one column {named[0]!r}.")
        return _split_long(y, id_col, time_col, target_col)
    if id_col in y.columns or time_col in y.columns:
        absent = [c for c in (id_col, time_col, target_col) if c not in y.columns]
        raise DataError(
            f"The long frame has no column {absent[0]!r}; columns are {list(y.columns)}. "
            "Name the columns with id_col, time_col and target_col."
        )
    if len(repeated):
        raise DataError(
            f"The wide frame has more than one column {repeated[0]!r}: each series needs its "
            "own name."
        )
    layout = Layout("wide", id_col, time_col, target_col, None, y.index.name)
    return [(col, _numeric(y[col], col)) for col in y.columns], layout


def _split_long(y: pd.DataFrame, id_col, time_col, target_col):
    has_id = id_col in y.columns
    layout = Layout("long", id_col, time_col, target_col, None, None, has_id)
    if y.empty:
        return [], layout  # no series: to_panel says the input is empty
    if y[time_col].isna().any():
        row = int(np.flatnonzero(y[time_col].isna().to_numpy())[0])
        raise DataError(f"Column {time_col!r} has a missing timestamp at row {row}.")
    times = parse_times(y[time_col], time_col)
    target = pd.Series(y[target_col].to_numpy(), index=pd.Index(times, name=time_col))
    if not has_id:
        return [(target_col, _numeric(target, target_col))], layout
    keys = y[id_col]
    if keys.isna().any():
        row = int(np.flatnonzero(keys.isna().to_numpy())[0])
        raise DataError(f"Column {id_col!r} has a missing series id at row {row}.")
    codes, uniques = pd.factorize(keys, sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    # One conversion of the whole column (grouped by series), then a view per series.
    ordered = target.iloc[order]
    row_ids = np.asarray(uniques, dtype=object)[codes[order]]
    values = _numeric(ordered, uniques[0], row_ids=row_ids)
    pieces = [(sid, values.iloc[bounds[k] : bounds[k + 1]]) for k, sid in enumerate(uniques)]
    return pieces, layout


def parse_times(col: pd.Series, name: str) -> pd.Index:
    """Parse a time column: datetimes, periods and integers pass; text goes to parse_time_column."""
    if pd.api.types.is_integer_dtype(col) or isinstance(col.dtype, pd.PeriodDtype):
        return pd.Index(col)
    if pd.api.types.is_datetime64_any_dtype(col):
        return pd.DatetimeIndex(col)
    if pd.api.types.is_float_dtype(col) and np.all(np.mod(col.to_numpy(), 1) == 0):
        return pd.Index(col.to_numpy().astype(np.int64))
    return pd.DatetimeIndex(parse_time_column(col, name))


def _numeric(series: pd.Series, sid: Hashable, row_ids: np.ndarray | None = None) -> pd.Series:
    """Return the series as float64, naming the first value that is not a finite number.

    ``row_ids`` gives the series id of each row when ``series`` holds several series; the
    messages about a value then name the series of its row.
    """
    if not (
        pd.api.types.is_numeric_dtype(series)
        or series.dtype == object
        or pd.api.types.is_string_dtype(series)
    ):
        raise DataError(f"Series {sid!r} is not numeric (dtype {series.dtype}).")
    if pd.api.types.is_bool_dtype(series):
        raise DataError(f"Series {sid!r} is boolean, not numeric.")
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        sid = sid if row_ids is None else row_ids[pos]
        raise DataError(
            f"Series {sid!r} has a non-numeric value {series.iloc[pos]!r} at {series.index[pos]}."
        )
    values = values.astype(np.float64)
    too_large = np.abs(values.to_numpy()) > MAX_MAGNITUDE  # NaN compares False
    if too_large.any():
        pos = int(np.flatnonzero(too_large)[0])
        value, at = values.iloc[pos], series.index[pos]
        sid = sid if row_ids is None else row_ids[pos]
        if np.isinf(value):
            raise DataError(f"Series {sid!r} has an infinite value {value} at {at}.")
        raise DataError(
            f"Series {sid!r} has a value {value:.3g} at {at}, beyond the {MAX_MAGNITUDE:.0e} "
            "that gluts computes with; mark it missing (empty) or rescale the series."
        )
    return values


def _regularise(sid: Hashable, series: pd.Series, grid: TimeGrid, trim: bool) -> pd.Series:
    """Sort by time, reject duplicates and put the series on its regular grid."""
    if not series.index.is_monotonic_increasing:
        series = series.sort_index(kind="stable")
    duplicated = series.index.duplicated()
    if duplicated.any():
        raise DataError(f"Series {sid!r} has a duplicate timestamp {series.index[duplicated][0]}.")
    if trim:
        observed = np.flatnonzero(series.notna().to_numpy())
        if len(observed) == 0:
            raise DataError(f"Series {sid!r} has no observed values (all are missing).")
        series = series.iloc[observed[0] : observed[-1] + 1]
    if len(series) == 0:
        return series
    full = grid.span(series.index[0], series.index[-1])
    off_grid = ~series.index.isin(full)
    if off_grid.any():
        raise DataError(
            f"Series {sid!r} has a timestamp {series.index[off_grid][0]} that is off its "
            f"{grid.describe()} grid; resample the data or pass freq."
        )
    # on the grid's own index (with its freq), whatever the input's index carried
    return series.set_axis(full) if len(full) == len(series) else series.reindex(full)
