"""Tensors for the GLU forecaster: padded series, causal statistics, features, batches.

Series of different lengths are right-aligned in one matrix and extended to the left by
repeating their first season, so that every array is rectangular and every statistic is
computed once, before training. Batches are crops of that matrix: slices, never Python loops
over windows.

The matrices are built :data:`ROWS` series at a time, straight into float32 arrays: the
float64 arithmetic of the statistics (the same, row by row, as on the whole panel) never
holds more than one chunk, so a panel of 100,000 series of 500 steps needs its float32
tensors and its float64 location and scale, not five dense float64 copies of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from gluts.data import Panel
from gluts.exceptions import DataError
from gluts.nn.scaling import causal_scale

__all__ = [
    "SequenceData",
    "calendar_features",
    "left_extend",
    "model_values",
    "prepare",
    "scale_window",
    "step_hours",
]

_CALENDAR = (  # (name, period in hours, value getter)
    ("hour", 24.0, lambda idx: idx.hour + idx.minute / 60.0),
    ("weekday", 24.0 * 7, lambda idx: idx.day_of_week + idx.hour / 24.0),
    ("yearday", 24.0 * 365.25, lambda idx: idx.day_of_year - 1.0),
)
_CALENDAR_PERIODS = {"hour": 24.0, "weekday": 7.0, "yearday": 365.25}
# Series prepared at a time (bounds the float64 intermediates).
ROWS = 2048
# float32 ends at 3.4e38; the network's sums and products over values need headroom.
MAX_FLOAT32_VALUE = 1e30


def left_extend(y: np.ndarray, length: int, season_length: int) -> np.ndarray:
    """Extend ``y`` to ``length`` values by repeating its first season backwards."""
    missing = length - len(y)
    if missing <= 0:
        return y[-length:]
    period = y[: max(1, min(season_length, len(y)))]
    reps = -(-missing // len(period))
    head = np.tile(period, reps)[len(period) * reps - missing :]
    return np.concatenate([head, y])


def model_values(panel: Panel, log_transform: bool) -> list[np.ndarray]:
    """The values the network models: logs when ``log_transform``, else as they are."""
    if not log_transform:
        return panel.values
    for uid, y, idx in zip(panel.ids, panel.values, panel.index):
        if (y <= 0).any():
            at = int(np.argmax(y <= 0))
            raise ValueError(
                f"Series {uid!r} has the non-positive value {y[at]:g} at {idx[at]}; the "
                "log transform needs positive values (use transform=None)."
            )
    return [np.log(y) for y in panel.values]


def scale_window(season_length: int, horizon: int) -> int:
    """Steps the scale of each position is averaged over."""
    m = season_length
    return max(7 * m, 2 * horizon) if m > 1 else max(28, 2 * horizon)


def step_hours(panel: Panel) -> float:
    """Hours between the first two timestamps of the longest series (0 without a clock)."""
    idx = panel.index[int(np.argmax(panel.lengths))]
    if len(idx) < 2 or not hasattr(idx, "freq"):
        return 0.0
    try:
        return (idx[1] - idx[0]).total_seconds() / 3600.0
    except AttributeError:
        return 0.0


def calendar_features(index: pd.Index, step_hours: float) -> list[str]:
    """Names of the calendar cycles that are longer than one step of ``index``."""
    if not isinstance(index, pd.DatetimeIndex):
        return []
    return [name for name, hours, _ in _CALENDAR if hours > 1.5 * step_hours]


def _calendar_matrix(index: pd.Index, names: list[str]) -> np.ndarray:
    """Sine and cosine of each named cycle at each timestamp, shaped (2 * n_names, time)."""
    rows = []
    for name, _, getter in _CALENDAR:
        if name in names:
            phase = 2 * np.pi * np.asarray(getter(index), dtype=np.float64)
            phase /= _CALENDAR_PERIODS[name]
            rows += [np.sin(phase), np.cos(phase)]
    return np.array(rows).reshape(len(rows), len(index))


@dataclass
class SequenceData:
    """Right-aligned series with everything the network reads, as float32 tensors.

    Attributes
    ----------
    features : Tensor of shape (n_series, n_features, time)
    values, loc, scale : Tensor of shape (n_series, time)
        Values and location centred by ``offset``; scale.
    offset : ndarray of shape (n_series,)
        Per-series centring constant (float64).
    loc_raw, scale_raw : ndarray of shape (n_series, time)
        Uncentred float64 statistics, for mapping predictions back.
    starts : ndarray of shape (n_series,)
        Index of each series' first real (not extended) value.
    future : Tensor of shape (n_series, n_future, time) or None
        The known-future covariates (also among ``features``), which the network reads
        ahead of each forecast origin.
    """

    features: torch.Tensor
    values: torch.Tensor
    loc: torch.Tensor
    scale: torch.Tensor
    offset: np.ndarray
    loc_raw: np.ndarray
    scale_raw: np.ndarray
    starts: np.ndarray
    future: torch.Tensor | None = None


def prepare(
    series: list[np.ndarray],
    indexes: list[pd.Index] | None,
    calendar: list[str],
    length: int,
    scaler: str,
    season_length: int,
    scale_window: int,
    covariates: list[np.ndarray] | None = None,
    future_columns: Sequence[int] = (),
) -> SequenceData:
    """Build the rectangular tensors for ``series``, keeping their last ``length`` values.

    Parameters
    ----------
    series : list of ndarray
        The values of each series.
    indexes : list of pandas.Index or None
        Their timestamps (needed when ``calendar`` is not empty).
    calendar : list of str
        Calendar cycles to add as features.
    length : int
        Columns of the matrix; longer series keep their last ``length`` values.
    scaler : str
        See :func:`gluts.nn.causal_scale`.
    season_length : int
        Steps per season.
    scale_window : int
        Steps the scale is averaged over.
    covariates : list of ndarray of shape (len(series[i]), n_covariates) or None
        Standardised covariates of each series, added as features (extended to the left
        like the series).
    future_columns : sequence of int, default=()
        Columns of ``covariates`` that are known in advance (see ``SequenceData.future``).

    Returns
    -------
    SequenceData
        The tensors.
    """
    n, n_cov = len(series), 0 if covariates is None else covariates[0].shape[1]
    future_columns = list(future_columns) if covariates is not None else []
    features = np.empty((n, 1 + 2 * len(calendar) + n_cov, length), np.float32)
    values, loc, scale = (np.empty((n, length), np.float32) for _ in range(3))
    loc_raw, scale_raw, offset = np.empty((n, length)), np.empty((n, length)), np.empty(n)
    future = np.empty((n, len(future_columns), length), np.float32) if future_columns else None
    calendars = _Calendars(calendar, length)
    for start in range(0, n, ROWS):
        rows = slice(start, min(start + ROWS, n))
        x = np.stack(
            [left_extend(np.asarray(y, np.float64), length, season_length) for y in series[rows]]
        )
        _check_float32_range(x)
        loc_raw[rows], scale_raw[rows] = causal_scale(x, scaler, season_length, scale_window)
        offset[rows] = x[:, -1]  # centring constant: exact, since the network is linear in it
        features[rows, 0] = np.clip((x - loc_raw[rows]) / scale_raw[rows], -30.0, 30.0)
        values[rows], loc[rows] = x - offset[rows, None], loc_raw[rows] - offset[rows, None]
        scale[rows] = scale_raw[rows]
        if calendar:
            features[rows, 1 : 1 + 2 * len(calendar)] = [calendars(i) for i in indexes[rows]]
        if covariates is not None:
            extended = np.stack(
                [
                    np.stack([left_extend(col, length, season_length) for col in c.T])
                    for c in covariates[rows]
                ]
            )  # (rows, n_covariates, length)
            features[rows, 1 + 2 * len(calendar) :] = extended
            if future is not None:
                future[rows] = extended[:, future_columns]
    as_tensor = torch.from_numpy
    return SequenceData(
        features=as_tensor(features),
        values=as_tensor(values),
        loc=as_tensor(loc),
        scale=as_tensor(scale),
        offset=offset,
        loc_raw=loc_raw,
        scale_raw=scale_raw,
        starts=np.array([max(0, length - len(y)) for y in series]),
        future=None if future is None else as_tensor(future),
    )


def _check_float32_range(x: np.ndarray) -> None:
    """Refuse values the network's 32-bit floats cannot hold (they would come out as NaN)."""
    largest = float(np.nanmax(np.abs(x))) if x.size else 0.0
    if largest > MAX_FLOAT32_VALUE:
        raise DataError(
            f"GLUForecaster computes in 32-bit floats, up to {MAX_FLOAT32_VALUE:.0e} in "
            f"magnitude; a series reaches {largest:.3g}. Divide the data by a power of ten."
        )


class _Calendars:
    """Calendar features of the ``length`` timestamps ending each series, computed once per
    distinct last timestamp (the series of a panel mostly end together)."""

    def __init__(self, names: list[str], length: int):
        self.names, self.length, self.cache = names, length, {}

    def __call__(self, idx: pd.Index) -> np.ndarray:
        long = len(idx) >= self.length
        # a shorter series is extended on its own step (see _extend_index), part of the key
        key = (idx[-1],) if long else (idx[-1], idx.freq, idx[1] - idx[0] if len(idx) > 1 else 0)
        if key not in self.cache:
            full = idx[-self.length :] if long else _extend_index(idx, self.length)
            self.cache[key] = _calendar_matrix(full, self.names)
        return self.cache[key]


def _extend_index(idx: pd.DatetimeIndex, length: int) -> pd.DatetimeIndex:
    """Timestamps of ``idx`` extended backwards to ``length`` entries on the same grid."""
    freq = idx.freq or (idx[1] - idx[0] if len(idx) > 1 else pd.Timedelta(hours=1))
    return pd.date_range(end=idx[-1], periods=length, freq=freq)
