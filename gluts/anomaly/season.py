"""Seasons: the season a series' own values show, and the seasonal reference of a detector.

A detector fitted on rows without a frequency (integer positions, irregular timestamps) still
deserves its seasonal reference when the values repeat: the season is the lag at which the
fit rows' autocorrelation peaks highest, provided that peak is a clear one (see
:func:`detect_season`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from gluts.forecasting._seasonality import acf

__all__ = ["detect_season", "season_of", "seasonal_reference"]


def detect_season(
    values: np.ndarray, min_lag: int = 10, min_peak: float = 0.3, min_rise: float = 0.3
) -> int:
    """Return the season of ``values`` in rows, or 1 when they do not repeat.

    The season is the lag ``m`` (between ``min_lag`` and half the finite values, so that
    two full cycles are seen) with the highest autocorrelation among the local peaks that
    reach ``min_peak`` and rise at least ``min_rise`` above the lowest autocorrelation at
    a shorter lag: a trend's slowly decaying autocorrelation has no such peak, and neither
    has noise.

    Parameters
    ----------
    values : ndarray of shape (n,)
        The series (non-finite values are left out).
    min_lag : int, default=10
        Shortest season considered.
    min_peak : float, default=0.3
        Least autocorrelation at the season.
    min_rise : float, default=0.3
        Least rise of the autocorrelation from its lowest point before the season.

    Returns
    -------
    int
        The season in rows (1: none).
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    max_lag = len(x) // 2
    if max_lag <= min_lag:
        return 1
    r = np.r_[1.0, acf(x, max_lag + 1)]  # lags 0..max_lag + 1
    lags = np.arange(min_lag, max_lag + 1)
    peak = (r[lags] > r[lags - 1]) & (r[lags] >= r[lags + 1])
    clear = (r[lags] >= min_peak) & (r[lags] - np.minimum.accumulate(r)[lags] >= min_rise)
    candidates = lags[peak & clear]
    return int(candidates[np.argmax(r[candidates])]) if len(candidates) else 1


def season_of(values: np.ndarray, season_length: int | None, frequency_season: int) -> int:
    """Return ``season_length`` when set, else the frequency's season when it has one, else
    the season the values show (:func:`detect_season`)."""
    if season_length is not None:
        return int(season_length)
    return frequency_season if frequency_season > 1 else detect_season(values)


def seasonal_reference(
    values: np.ndarray, period: int, smooth: int, n_seasons: int, past: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``smooth``-row rolling means of ``values``, and for each row the median of
    the rolling means of ``past`` (default ``values``; NaN rows, e.g. incidents, leave their
    seasons out) at the same phase of the ``n_seasons`` seasons before (NaN without any)."""
    smoothed = pd.Series(values).rolling(smooth).mean()
    base = smoothed if past is None else pd.Series(past).rolling(smooth).mean()
    seasons = np.stack([base.shift(k * period).to_numpy() for k in range(1, n_seasons + 1)])
    with warnings.catch_warnings():  # rows without any past season stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return smoothed.to_numpy(), np.nanmedian(seasons, axis=0)
