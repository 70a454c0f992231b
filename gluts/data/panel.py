"""The :class:`Panel`: many regular series on one time grid, and outputs laid out like the input."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from gluts.data._time import TimeGrid
from gluts.exceptions import DataError

__all__ = ["Layout", "Panel", "concat_index", "to_wide"]

# Keys of the id and time columns of the long frame that _lay_out pivots to the wide layout:
# no output column can be called so.
_ID, _TIME = "\0id", "\0time"


@dataclass(frozen=True)
class Layout:
    """How the user's input was laid out, so that outputs can be laid out the same way."""

    kind: Literal["series", "wide", "long", "array"]
    id_col: str = "unique_id"
    time_col: str = "ds"
    target_col: str = "y"
    name: Hashable | None = None
    index_name: Hashable | None = None
    has_id: bool = True


@dataclass
class Panel:
    """A set of regular, gap-free univariate series sharing one time grid.

    Attributes
    ----------
    ids : list of hashable
        Series identifiers, in input order.
    values : list of ndarray
        One float64 array per series.
    index : list of pandas.Index
        The timestamps (or integer steps) of each series.
    grid : TimeGrid
        The common frequency.
    layout : Layout
        How the input was laid out.
    """

    ids: list[Hashable]
    values: list[np.ndarray]
    index: list[pd.Index]
    grid: TimeGrid
    layout: Layout
    filled: dict[Hashable, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        """Number of observations of each series."""
        return np.array([len(v) for v in self.values], dtype=np.int64)

    def future_index(self, h: int) -> list[pd.Index]:
        """Return the ``h`` timestamps after the end of each series."""
        return [self.grid.after(idx[-1], h) for idx in self.index]

    def subset(self, positions: Sequence[int]) -> Panel:
        """Return the panel restricted to the series at ``positions``."""
        return Panel(
            ids=[self.ids[i] for i in positions],
            values=[self.values[i] for i in positions],
            index=[self.index[i] for i in positions],
            grid=self.grid,
            layout=self.layout,
        )

    def truncate(self, n_last: int | Sequence[int]) -> Panel:
        """Return the panel without the last ``n_last`` observations of each series."""
        cut = np.broadcast_to(np.asarray(n_last), (len(self),))
        return Panel(
            ids=list(self.ids),
            values=[v[: len(v) - c] for v, c in zip(self.values, cut)],
            index=[i[: len(i) - c] for i, c in zip(self.index, cut)],
            grid=self.grid,
            layout=self.layout,
        )

    def to_long(self) -> pd.DataFrame:
        """Return the panel as a long frame with the input's column names."""
        lay = self.layout
        return pd.DataFrame(
            {
                lay.id_col: np.repeat(np.array(self.ids, dtype=object), self.lengths),
                lay.time_col: concat_index(self.index),
                lay.target_col: np.concatenate(self.values) if self.values else [],
            }
        )

    def format_forecast(self, columns: dict[str, list[np.ndarray]], h: int):
        """Lay out per-series forecast columns like the input.

        Parameters
        ----------
        columns : dict of str to list of ndarray
            Output column name to one array of shape ``(h,)`` per series. The first entry is
            the point forecast.
        h : int
            Number of forecast steps.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            A long frame (id, time, every column) for long input; for a Series or wide input,
            the point forecast in the same layout when ``columns`` holds a single entry, else a
            frame with one column per entry (wide: a ``(series, column)`` MultiIndex, see
            :func:`to_wide`; the command line writes the same layout); for arrays, an array of
            shape ``(h,)``, ``(h, n_series)`` or ``(h, n_series, n_columns)``.
        """
        return self._lay_out(columns, self.future_index(h))

    def format_values(self, columns: dict[str, list[np.ndarray]]):
        """Lay out per-timestamp columns (one value per observation) like the input.

        Parameters
        ----------
        columns : dict of str to list of ndarray
            Output column name to one array per series, as long as the series.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            As :meth:`format_forecast`, on the panel's own timestamps.
        """
        return self._lay_out(columns, self.index)

    def _lay_out(self, columns: dict[str, list[np.ndarray]], index: list[pd.Index]):
        lay = self.layout
        names = list(columns)
        if lay.kind == "array":
            stacked = np.stack([np.stack(columns[c], axis=-1) for c in names], axis=-1)
            stacked = stacked[..., 0] if len(names) == 1 else stacked
            return stacked[:, 0] if lay.name == "1d" else stacked
        if lay.kind == "long":
            taken = [c for c in names if c in (lay.time_col, lay.id_col if lay.has_id else None)]
            if taken:
                raise DataError(
                    f"The forecast column {taken[0]!r} would overwrite the input's column of "
                    "that name; give the model another alias."
                )
            out = {}
            if lay.has_id:
                lengths = [len(i) for i in index]
                out[lay.id_col] = np.repeat(np.array(self.ids, dtype=object), lengths)
            out[lay.time_col] = concat_index(index)
            for c in names:
                out[c] = np.concatenate(columns[c])
            return pd.DataFrame(out)
        if lay.kind == "series":
            idx = index[0].rename(lay.index_name)
            if len(names) == 1:
                return pd.Series(columns[names[0]][0], index=idx, name=lay.name)
            return pd.DataFrame({c: columns[c][0] for c in names}, index=idx)
        long = pd.DataFrame(
            {
                _ID: np.repeat(np.array(self.ids, dtype=object), [len(i) for i in index]),
                _TIME: concat_index(index),
                **{c: np.concatenate(columns[c]) for c in names},
            }
        )
        wide = to_wide(long, _ID, _TIME, ids=self.ids)
        return wide.reindex(_union_index(index).rename(lay.index_name))  # keeps a common freq


def concat_index(indexes: list[pd.Index]):
    """Concatenate indexes end to end, keeping their type (datetime, period or integer)."""
    if not indexes:
        return []
    return indexes[0].append(indexes[1:]) if len(indexes) > 1 else indexes[0]


def _union_index(indexes: list[pd.Index]) -> pd.Index:
    union = indexes[0]
    for idx in indexes[1:]:
        if not idx.equals(union):
            union = union.union(idx)
    return union


def to_wide(
    frame: pd.DataFrame,
    id_col: str,
    time_col: str,
    *,
    ids: Sequence[Hashable] | None = None,
    index_name: Hashable | None = None,
) -> pd.DataFrame:
    """Lay out a long frame of per-series columns in the wide layout of gluts' outputs.

    This is the layout of every output for wide input (``predict``, ``score``, and the
    command line's files): one row per timestamp (the union over the series), and

    * with one value column, one column per series, named by its id, like the input;
    * with several, a two-level column index ``(series, column)``: ``out["store_1"]`` is
      that series' forecast with the columns of the long layout (``GLU``, ``GLU-q0.1``, ...),
      and ``out.xs("GLU", axis=1, level=1)`` the point forecasts of every series.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame: the id and time columns and one or more value columns, with at most one
        row per series and timestamp.
    id_col, time_col : str
        Names of its id and time columns.
    ids : sequence of hashable or None, default=None
        The series in output order; None keeps their order of appearance.
    index_name : hashable or None, default=None
        Name of the output's time index.

    Returns
    -------
    pandas.DataFrame
        Indexed by time, missing cells NaN (where a series has no row at a timestamp).
    """
    values = [c for c in frame.columns if c not in (id_col, time_col)]
    ids = list(pd.unique(frame[id_col])) if ids is None else list(ids)
    wide = frame.pivot(index=time_col, columns=id_col, values=values).swaplevel(0, 1, axis=1)
    wide = wide.reindex(columns=pd.MultiIndex.from_product([ids, values]))
    if len(values) == 1:
        wide.columns = wide.columns.get_level_values(0)
    wide.columns.names = [None] * wide.columns.nlevels
    return wide.rename_axis(index=index_name)
