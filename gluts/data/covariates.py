"""Covariates (exogenous variables) aligned with the timestamps of a :class:`Panel`.

Accepted layouts of ``X`` (and of ``X_future``)
-----------------------------------------------
* a long ``pd.DataFrame`` with the id and time columns of the series (``unique_id, ds`` by
  default) and one column per covariate: values per series;
* a ``pd.DataFrame`` indexed by time (or with a time column but no id column), or a
  ``pd.Series``: the same covariates for every series;
* an ``np.ndarray`` of shape ``(n_timesteps,)`` or ``(n_timesteps, n_covariates)``: one row per
  step of every series, by position (for array input, whose series all have one length).

Every timestamp a model reads must have a row; a missing row, a missing or non-finite value
or a non-numeric column is reported in one line naming the series, column and timestamp.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from gluts.data._time import TimeGrid
from gluts.data.frames import parse_times
from gluts.data.panel import Panel
from gluts.exceptions import DataError

__all__ = ["align_covariates"]


def align_covariates(
    X,
    panel: Panel,
    at: Sequence[pd.Index],
    *,
    names: Sequence[str] | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    label: str = "X",
) -> tuple[list[str], list[np.ndarray]]:
    """Look up the covariate values of every series of ``panel`` at the timestamps ``at``.

    Parameters
    ----------
    X : pandas.DataFrame, pandas.Series or numpy.ndarray
        The covariates, in a layout of the module docstring.
    panel : Panel
        The series (their ids and time grid).
    at : sequence of pandas.Index
        Per series, the timestamps to look up (its history, or its forecast steps).
    names : sequence of str or None, default=None
        The covariates to return, in this order; None takes every covariate column of ``X``.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names of a long frame; a target column in ``X`` is not a covariate.
    label : str, default="X"
        Name of the argument in error messages.

    Returns
    -------
    names : list of str
        The covariate names.
    values : list of ndarray of shape (len(at[i]), n_covariates)
        Per series, float64 values.

    Raises
    ------
    DataError
        On a missing row, column or value, duplicate rows, or non-numeric values.
    """
    if isinstance(X, (np.ndarray, list)):
        return _positional(np.asarray(X), at, names, label)
    if isinstance(X, pd.Series):
        X = X.to_frame(X.name if X.name is not None else "x0")
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"{label} must be a pandas DataFrame, a pandas Series or a numpy array; "
            f"got {type(X).__name__}."
        )
    keys = [c for c in (id_col, time_col, target_col) if c in X.columns]
    columns = [str(c) for c in X.columns if c not in keys]
    if len(set(columns)) != len(columns):
        raise DataError(f"{label} has duplicate column names: {columns}.")
    names = _check_names(columns, names, label)
    frame = X.rename(columns=str)
    if id_col in X.columns:
        if time_col not in X.columns:
            raise DataError(
                f"{label} has the id column {id_col!r} but no time column {time_col!r}."
            )
        groups = dict(iter(frame.groupby(id_col, sort=False)))
        tables = []
        for sid, idx in zip(panel.ids, at):
            if sid not in groups:
                raise DataError(
                    f"{label} has no rows for series {sid!r}; it needs {len(idx)}, from "
                    f"{idx[0]} to {idx[-1]}."
                )
            tables.append(_table(groups[sid], names, time_col, panel.grid, label, sid))
    else:
        shared = _table(frame, names, time_col, panel.grid, label, None)
        tables = [shared] * len(panel)
    return names, [_lookup(t, idx, sid, label) for t, idx, sid in zip(tables, at, panel.ids)]


def _check_names(columns: list[str], names: Sequence[str] | None, label: str) -> list[str]:
    if names is None:
        if not columns:
            raise DataError(f"{label} has no covariate column.")
        return columns
    absent = [n for n in names if n not in columns]
    if absent:
        raise DataError(f"{label} has no column {absent[0]!r}; it needs {list(names)}.")
    return list(names)


def _table(
    frame: pd.DataFrame, names: list[str], time_col: str, grid: TimeGrid, label: str, sid
) -> pd.DataFrame:
    """The covariate columns of ``frame``, numeric, indexed by time on ``grid``'s kind."""
    times = parse_times(frame[time_col], time_col) if time_col in frame.columns else frame.index
    times = _on_grid(pd.Index(times), grid, label)
    where = "" if sid is None else f" for series {sid!r}"
    columns = {name: _numeric(frame[name], name, label, where, times) for name in names}
    table = pd.DataFrame(columns).set_axis(times, axis=0)
    duplicated = table.index.duplicated()
    if duplicated.any():
        raise DataError(f"{label} has duplicate rows{where} at {table.index[duplicated][0]}.")
    return table


def _numeric(column: pd.Series, name: str, label: str, where: str, times) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    converted = pd.to_numeric(column, errors="coerce")
    bad = (converted.isna() & column.notna()).to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{label} has the non-numeric value {column.iloc[first]!r} in column {name!r}"
            f"{where} at {times[first]}; covariates must be numbers."
        )
    return converted.to_numpy(dtype=np.float64, na_value=np.nan)


def _on_grid(times: pd.Index, grid: TimeGrid, label: str) -> pd.Index:
    """``times`` as the same kind of index as the series' timestamps."""
    if grid.kind == "integer":
        if not pd.api.types.is_integer_dtype(times):
            raise DataError(f"{label} must be indexed by integer steps like the series.")
        return times
    if grid.kind == "period":
        if isinstance(times, pd.PeriodIndex):
            return times
        return pd.DatetimeIndex(times).to_period(grid.freq)
    if isinstance(times, pd.PeriodIndex):
        return times.to_timestamp()
    try:
        return pd.DatetimeIndex(times)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{label} must be indexed by timestamps like the series.") from exc


def _lookup(table: pd.DataFrame, at: pd.Index, sid: Hashable, label: str) -> np.ndarray:
    index = table.index
    if isinstance(at, pd.DatetimeIndex) and isinstance(index, pd.DatetimeIndex):
        if index.tz is None and at.tz is not None:
            index = index.tz_localize(at.tz)
        elif index.tz is not None:
            index = index.tz_convert(at.tz)
    rows = index.get_indexer(at)
    if (rows < 0).any():
        missing = at[rows < 0]
        shown = ", ".join(str(t) for t in missing[:3])
        more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
        raise DataError(f"{label} has no row for series {sid!r} at {shown}{more}.")
    values = table.to_numpy()[rows]
    bad = ~np.isfinite(values)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        what = "a missing value" if np.isnan(values[i, j]) else f"the value {values[i, j]}"
        raise DataError(
            f"{label} has {what} in column {table.columns[j]!r} for series {sid!r} at "
            f"{at[i]}; covariates must be finite."
        )
    return values


def _positional(
    array: np.ndarray, at: Sequence[pd.Index], names: Sequence[str] | None, label: str
) -> tuple[list[str], list[np.ndarray]]:
    if array.ndim not in (1, 2):
        raise DataError(f"{label} must have 1 or 2 dimensions; got shape {array.shape}.")
    values = array.reshape(len(array), -1).astype(np.float64)
    found = [f"x{j}" for j in range(values.shape[1])]
    if names is not None and len(names) != len(found):
        raise DataError(f"{label} has {len(found)} column(s); the model needs {len(names)}.")
    if not np.isfinite(values).all():
        i, j = np.argwhere(~np.isfinite(values))[0]
        raise DataError(f"{label} has the value {values[i, j]} at row {i}, column {j}.")
    for idx in at:
        if len(idx) != len(values):
            raise DataError(
                f"{label} has {len(values)} rows; the series need {len(idx)} (one per step)."
            )
    return list(names) if names is not None else found, [values] * len(at)
