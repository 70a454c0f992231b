"""Rolling forecasts for detectors: every row's causal forecast and band, and the default GLU."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gluts.anomaly.surprise import largest_rolling_z
from gluts.base import quantile_column

__all__ = ["band_surprise", "default_forecaster", "rolling_forecasts"]

_BATCH = 64  # forecast batches are padded to a multiple of this many histories


def rolling_forecasts(
    forecaster,
    values: np.ndarray,
    *,
    context: int,
    stride: int = 1,
    start: int = 0,
    chunk: int = 2048,
) -> np.ndarray:
    """Causal forecasts, and their band, of every row from the ``context`` rows before it.

    Forecast origins are the rows at positions ``start + t`` that are multiples of
    ``stride``, from the first with ``context`` rows before it on (``start`` is the position
    of ``values[0]`` in the series, so origins stay on the same rows however the series is
    cut); origin ``t`` becomes one history ``values[t - context:t]`` and the fitted
    ``forecaster`` forecasts its next ``stride`` rows. Rows before the first origin get no
    forecast: one from a shorter history is poorer than those of the rows after it, and a
    detector would misread its errors as surprises. The origins of a chunk go into a single
    ``predict(h, y=...)`` call (one batch for a global model), padded to a multiple of 64
    histories: torch picks its kernels by batch size, and a fixed batch shape keeps each
    forecast the same bit for bit however the rows were chunked. Row ``t``'s forecast
    therefore uses rows before ``t`` only.

    Parameters
    ----------
    forecaster : BaseForecaster
        A fitted forecaster that accepts new histories through ``predict(h, y=...)`` as a
        long frame with integer time steps.
    values : ndarray of shape (n,)
        The series.
    context : int
        Rows of history per origin.
    stride : int, default=1
        Rows forecast per origin, and rows between origins.
    start : int, default=0
        Position of ``values[0]`` in the series.
    chunk : int, default=2048
        Origins per ``predict`` call.

    Returns
    -------
    ndarray of shape (n, 3)
        Per row the point forecast and the lowest and highest forecast quantile (NaN when the
        forecaster predicts fewer than two quantiles); NaN before the first origin.
    """
    n = len(values)
    alias, levels = forecaster.alias_, sorted(forecaster.quantiles_)
    bounds = [quantile_column(alias, q) for q in (levels[0], levels[-1])] if len(levels) > 1 else []
    columns = [alias, *bounds]
    out = np.full((n, 3), np.nan)
    origins = np.arange((-start) % stride + stride, n, stride)
    origins = origins[origins >= context]
    for first in range(0, len(origins), chunk):
        batch = origins[first : first + chunk]
        padded = np.concatenate([batch, np.repeat(batch[-1:], -len(batch) % _BATCH)])
        # positions t - context, ..., t - 1 of each origin's history, concatenated
        rows = (padded[:, None] + np.arange(-context, 0)).ravel()
        history = pd.DataFrame(
            {"unique_id": np.repeat(np.arange(len(padded)), context), "ds": rows, "y": values[rows]}
        )
        pred = forecaster.predict(stride, y=history)[columns].to_numpy()
        pred = pred.reshape(len(padded), stride, len(columns))[: len(batch)]
        targets = batch[:, None] + np.arange(stride)
        keep = targets < n
        out[targets[keep], : len(columns)] = pred[keep]
    return out


def band_surprise(
    forecasts: np.ndarray, values: np.ndarray, past: np.ndarray, windows: tuple, floor: float
) -> tuple[np.ndarray, ...]:
    """Each row's surprise at its forecast: the distance from the point forecast in units of
    half the forecast band (no less than ``floor``), and the expected value and band.

    ``forecasts`` are :func:`rolling_forecasts` of ``past`` (``values`` with some rows
    replaced, or the same). Without quantiles, the residual is read against its own rolling
    spread over ``windows`` in ``past`` (the largest z-score counts), with a band of three
    standard deviations.

    Returns
    -------
    z, expected, lower, upper : ndarray of shape (n,)
    """
    point, lower, upper = forecasts.T
    if np.isnan(lower).all():
        z, mean, std = largest_rolling_z(windows, values - point, floor, past - point)
        expected = point + mean
        return z, expected, expected - 3 * std, expected + 3 * std
    z = np.abs(values - point) / np.maximum((upper - lower) / 2, floor)
    return z, point, lower, upper


def default_forecaster(horizon: int):
    """A small, quickly trained, non-seasonal GLUForecaster forecasting ``horizon`` steps.

    Non-seasonal because scoring forecasts from every few rows: a seasonal GLU reads about
    eight seasons of history per forecast (2,300 rows at 5-minute data with a daily season),
    too slow to score a long series in seconds; the seasonal reference covers the cycle.
    """
    from gluts.forecasting.glu import GLUForecaster

    return GLUForecaster(
        horizon=horizon,
        season_length=1,
        context_length=96,
        n_channels=16,
        head_hidden=0,
        transform=None,  # new rows may hold zeros or negatives that a log could not take
        n_steps=100,
        batch_size=16,
        model_selection=None,  # sized here for speed: no candidates to try
        random_state=0,
        n_threads=1,
    )
