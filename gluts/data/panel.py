"""The :class:`Panel`: many regular series on one time grid, and outputs laid out like the input."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from gluts.data._time import TimeGrid

__all__ = ["Layout", "Panel", "concat_index"]


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
            frame with one column per entry (wide: a ``(series, column)`` MultiIndex); for
            arrays, an array of shape ``(h,)``, ``(h, n_series)`` or
            ``(h, n_series, n_columns)``.
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
        union = _union_index(index).rename(lay.index_name)
        frames = {}
        for i, sid in enumerate(self.ids):
            for c in names:
                frames[(sid, c)] = pd.Series(columns[c][i], index=index[i])
        wide = pd.DataFrame(frames).reindex(union)
        if len(names) == 1:
            wide.columns = wide.columns.get_level_values(0)
        return wide


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
