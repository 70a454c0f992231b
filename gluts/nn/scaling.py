"""Causal per-position scaling statistics, computed once from cumulative sums (numpy).

Every statistic at position ``t`` reads values at ``t`` and before only, so that a forecast
made at any position (forking sequences) never sees its own targets.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SCALERS", "causal_scale", "rolling_mean"]

SCALERS = ("seasonal", "mean_abs", "standard")


def rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at every position (fewer at the start).

    Parameters
    ----------
    x : ndarray of shape (n_series, time)
        Values.
    window : int
        Number of values averaged.

    Returns
    -------
    ndarray of shape (n_series, time)
        ``mean(x[:, max(0, t - window + 1) : t + 1])`` at each ``t``.
    """
    c = np.cumsum(x, axis=-1, dtype=np.float64)
    shifted = np.zeros_like(c)
    shifted[:, window:] = c[:, :-window]
    count = np.minimum(np.arange(1, x.shape[-1] + 1), window)
    return (c - shifted) / count


def causal_scale(
    x: np.ndarray, scaler: str, season_length: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Location and scale at every position, from that position's past only.

    Parameters
    ----------
    x : ndarray of shape (n_series, time)
        Values.
    scaler : {"seasonal", "mean_abs", "standard"}
        ``"seasonal"``: location = mean of the last season (of the last two values when
        ``season_length`` is 1: the last value alone would leave the scaled values all zero,
        so the network could not see the series), scale = mean absolute seasonal difference
        over the last ``window`` steps (MASE's scale, made causal).
        ``"mean_abs"``: location 0, scale = mean absolute value over ``window`` steps.
        ``"standard"``: mean and standard deviation over ``window`` steps.
    season_length : int
        Steps per season.
    window : int
        Steps the scale is averaged over.

    Returns
    -------
    loc, scale : ndarray of shape (n_series, time)
        The scale is floored at ``1e-3 * (|loc| + mean |x|) + 1e-8`` so that constant and
        all-zero stretches stay finite.
    """
    x = np.asarray(x, dtype=np.float64)
    m = season_length
    if scaler == "seasonal":
        loc = rolling_mean(x, max(m, 2))
        diffs = np.zeros_like(x)
        diffs[:, m:] = np.abs(x[:, m:] - x[:, :-m])
        diffs[:, :m] = np.abs(x[:, :m] - x[:, :1])
        scale = rolling_mean(diffs, window)
    elif scaler == "mean_abs":
        loc = np.zeros_like(x)
        scale = rolling_mean(np.abs(x), window)
    elif scaler == "standard":
        loc = rolling_mean(x, window)
        scale = np.sqrt(np.maximum(rolling_mean(x**2, window) - loc**2, 0.0))
    else:
        raise ValueError(f"scaler must be one of {SCALERS}, got {scaler!r}")
    floor = 1e-3 * (np.abs(loc) + np.mean(np.abs(x), axis=-1, keepdims=True)) + 1e-8
    return loc, np.maximum(scale, floor)
