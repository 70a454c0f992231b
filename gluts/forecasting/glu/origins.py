"""The forecast origins that the GLU forecaster's training reads: their loss weights, and
where a batch's crops of each series may start."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting.glu.windows import ROWS, SequenceData

if TYPE_CHECKING:
    from gluts.forecasting.glu.training import TrainingPlan

__all__ = ["crop_starts", "first_origins", "origin_weights", "warm_up"]


def warm_up(lengths: np.ndarray, warm: int, horizon: int) -> np.ndarray:
    """Values of history before each series' first forecast origin.

    A series has ``warm`` values of history before its first origin. One too short for that
    (fewer than ``warm + 2 * horizon`` values) keeps its last ``horizon`` origins, or all it
    has when fewer: it is learned from with its context extended to the left, as its forecast
    is, instead of only being forecast. ``lengths`` are the series' whole lengths: a
    validation tail held out of them does not make a series short.
    """
    room = lengths - horizon  # origins whose targets lie inside the series
    return np.minimum(warm, np.maximum(room - horizon, 0))


def first_origins(data: SequenceData, plan: TrainingPlan, horizon: int) -> np.ndarray:
    """Each series' first forecast origin: after its warm-up history (:func:`warm_up`)."""
    lengths = data.values.shape[1] - data.starts
    return data.starts + warm_up(lengths, plan.warm, horizon)


def origin_weights(data: SequenceData, plan: TrainingPlan, last: int, horizon: int):
    """Weight of each forecast origin: 0 outside the usable range, else a relative weight.

    Origins need their warm-up history (:func:`warm_up`) and targets before the validation
    tail. The loss is scaled (errors over the series' scale, like MASE); where the scale is
    large relative to the level, the same error is a larger relative error (sMAPE), and the
    weight ``1 + relative_weight * min(scale / level, cap)`` counts both. On log values the
    scale is already relative to the level.
    """
    n, length = data.scale_raw.shape
    t = np.arange(length)
    first = first_origins(data, plan, horizon)
    out = np.empty((n, length), np.float32)
    for start in range(0, n, ROWS):  # float64 arithmetic one chunk of series at a time
        rows = slice(start, start + ROWS)
        usable = (t[None, :] >= first[rows, None]) & (t[None, :] < last)
        scale = data.scale_raw[rows]
        ratio = scale if plan.log_values else scale / np.maximum(np.abs(data.loc_raw[rows]), 1e-12)
        weight = 1.0 + plan.relative_weight * np.minimum(ratio, plan.relative_weight_cap)
        out[rows] = weight * usable
    return torch.from_numpy(out)


def crop_starts(
    data: SequenceData, plan: TrainingPlan, last: int, window: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """The series a batch draws from, and the lowest crop start of each series.

    A series is usable when it has a forecast origin (see :func:`origin_weights`): its
    first (:func:`first_origins`) lies before ``last``. Its crops start no earlier than where
    they still hold ``position_stride`` of its origins (or all it has), so that every phase of
    the forecast positions meets one of them; the latest start, ``last - window``, is that of
    every series. Lows are 0 for series as long as the matrix whenever ``window >= warm +
    position_stride``, so equal-length panels draw their crops as before.

    Raises
    ------
    InsufficientHistoryError
        When no series has a forecast origin (window 0 or less included).
    """
    first = first_origins(data, plan, horizon)
    usable = np.flatnonzero(first < last)
    if window < 1 or len(usable) == 0:
        length = data.values.shape[1]
        raise InsufficientHistoryError(
            f"GLUForecaster needs at least {length - last + 1} observations in some series to "
            f"train (horizon and validation {length - last}); the longest has "
            f"{length - int(data.starts.min())}. Lower horizon or context_length."
        )
    lows = np.maximum(first - window + plan.position_stride, 0)
    return usable, np.minimum(lows, last - window).astype(np.int64)
