"""Forecast accuracy metrics for one series (numpy only).

Every function takes the actuals of one series as a 1-D array and returns a float. The
scaled metrics (MASE, RMSSE) also take the in-sample (training) values. Dataset-level scores
are the mean of the per-series values, as in the M4 competition; :func:`owa` combines the
dataset-level sMAPE and MASE relative to Naive2.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "coverage",
    "mae",
    "mape",
    "mase",
    "owa",
    "pinball_loss",
    "rmse",
    "rmsse",
    "scaled_crps",
    "seasonal_scale",
    "smape",
]


def _pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=np.float64)
    f = np.asarray(y_pred, dtype=np.float64)
    if y.ndim != 1 or y.shape != f.shape or len(y) == 0:
        raise ValueError(
            "y_true and y_pred must be non-empty 1-D arrays of the same shape; "
            f"got {y.shape} and {f.shape}."
        )
    return y, f


def _quantile_inputs(y_true, y_quantiles, quantiles) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=np.float64)
    qv = np.asarray(y_quantiles, dtype=np.float64)
    q = np.asarray(quantiles, dtype=np.float64)
    if y.ndim != 1 or qv.shape != (len(y), len(q)) or len(y) == 0:
        raise ValueError(
            "y_quantiles must have shape (len(y_true), len(quantiles)); got "
            f"{qv.shape} for y_true of shape {y.shape} and {len(q)} quantiles."
        )
    if np.any((q <= 0) | (q >= 1)):
        raise ValueError(f"quantiles must lie in (0, 1); got {q.tolist()}.")
    return y, qv, q


def _pinball_terms(y_true, y_quantiles, quantiles) -> np.ndarray:
    """Pinball loss of every step and level, shaped (h, n_quantiles)."""
    y, qv, q = _quantile_inputs(y_true, y_quantiles, quantiles)
    diff = y[:, None] - qv
    return np.maximum(q * diff, (q - 1.0) * diff)


def seasonal_scale(y_train: ArrayLike, season_length: int = 1, power: int = 1) -> float:
    """Mean of the in-sample seasonal naive errors raised to ``power``: MASE's scale (1) or
    the square of RMSSE's (2).

    Parameters
    ----------
    y_train : array-like of shape (n,)
        The training series, longer than ``season_length``.
    season_length : int, default=1
        The lag of the naive errors.
    power : int, default=1
        1 for absolute errors, 2 for squared ones.

    Returns
    -------
    float
    """
    x = np.asarray(y_train, dtype=np.float64)
    if season_length < 1:
        raise ValueError(f"season_length must be a positive int; got {season_length}.")
    if x.ndim != 1 or len(x) <= season_length:
        raise ValueError(
            f"The training series must have more than season_length={season_length} values "
            f"to scale the errors; got {len(x)}."
        )
    return float(np.mean(np.abs(x[season_length:] - x[:-season_length]) ** power))


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error, ``mean(|y - f|)``.

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_pred : array-like of shape (h,)
        Forecasts.

    Returns
    -------
    float
        The mean absolute error.
    """
    y, f = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y - f)))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error, ``sqrt(mean((y - f)**2))``.

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_pred : array-like of shape (h,)
        Forecasts.

    Returns
    -------
    float
        The root mean squared error.
    """
    y, f = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y - f) ** 2)))


def mape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute percentage error in percent, ``100 * mean(|y - f| / |y|)``.

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values; a zero actual makes the result infinite.
    y_pred : array-like of shape (h,)
        Forecasts.

    Returns
    -------
    float
        The MAPE in percent (``inf`` when an actual is zero and its error is not).
    """
    y, f = _pair(y_true, y_pred)
    err = np.abs(y - f)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / np.abs(y))
    return float(100.0 * np.mean(ratio))


def smape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric MAPE in percent, as defined by the M4 competition.

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_pred : array-like of shape (h,)
        Forecasts.

    Returns
    -------
    float
        ``(100 / h) * sum(2 * |y - f| / (|y| + |f|))``, in [0, 200]; a step where both the
        actual and the forecast are 0 contributes 0.
    """
    y, f = _pair(y_true, y_pred)
    denom = np.abs(y) + np.abs(f)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(denom == 0, 0.0, 2.0 * np.abs(y - f) / denom)
    return float(100.0 * np.mean(terms))


def mase(y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, season_length: int = 1) -> float:
    """Mean absolute scaled error (M4 definition).

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_pred : array-like of shape (h,)
        Forecasts.
    y_train : array-like of shape (n,)
        In-sample values, ``n > season_length``.
    season_length : int, default=1
        Lag ``m`` of the in-sample seasonal naive errors that scale the forecast errors.

    Returns
    -------
    float
        ``mean(|y - f|) / mean(|x_i - x_{i-m}|, i = m+1..n)``; ``inf`` (or ``nan`` for a
        perfect forecast) when the in-sample scale is 0.

    Raises
    ------
    ValueError
        When ``y_train`` has no more than ``season_length`` values.
    """
    scale = seasonal_scale(y_train, season_length, power=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(mae(y_true, y_pred)) / scale)


def rmsse(
    y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, season_length: int = 1
) -> float:
    """Root mean squared scaled error (M5 definition, with a seasonal lag).

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_pred : array-like of shape (h,)
        Forecasts.
    y_train : array-like of shape (n,)
        In-sample values, ``n > season_length``.
    season_length : int, default=1
        Lag ``m`` of the in-sample differences that scale the squared errors.

    Returns
    -------
    float
        ``sqrt(mean((y - f)**2) / mean((x_i - x_{i-m})**2, i = m+1..n))``; ``inf`` (or
        ``nan`` for a perfect forecast) when the in-sample scale is 0.

    Raises
    ------
    ValueError
        When ``y_train`` has no more than ``season_length`` values.
    """
    scale = seasonal_scale(y_train, season_length, power=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sqrt(np.float64(rmse(y_true, y_pred)) ** 2 / scale))


def owa(smape: float, mase: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average of sMAPE and MASE relative to Naive2 (M4).

    Parameters
    ----------
    smape : float
        Dataset-level mean sMAPE of the method.
    mase : float
        Dataset-level mean MASE of the method.
    smape_naive2 : float
        Dataset-level mean sMAPE of Naive2 on the same data.
    mase_naive2 : float
        Dataset-level mean MASE of Naive2 on the same data.

    Returns
    -------
    float
        ``0.5 * (smape / smape_naive2 + mase / mase_naive2)``; 1 equals Naive2.
    """
    return 0.5 * (smape / smape_naive2 + mase / mase_naive2)


def pinball_loss(y_true: ArrayLike, y_quantiles: ArrayLike, quantiles: Sequence[float]) -> float:
    """Mean quantile (pinball) loss over steps and quantile levels.

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_quantiles : array-like of shape (h, n_quantiles)
        Predicted quantiles, one column per level.
    quantiles : sequence of float
        The levels ``q`` in (0, 1), in the column order of ``y_quantiles``.

    Returns
    -------
    float
        ``mean(max(q * (y - f_q), (q - 1) * (y - f_q)))``; at ``q = 0.5`` this is half the
        MAE of the median.
    """
    return float(np.mean(_pinball_terms(y_true, y_quantiles, quantiles)))


def scaled_crps(y_true: ArrayLike, y_quantiles: ArrayLike, quantiles: Sequence[float]) -> float:
    """CRPS approximated on a quantile grid and scaled by the actuals' absolute sum.

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    y_quantiles : array-like of shape (h, n_quantiles)
        Predicted quantiles, one column per level.
    quantiles : sequence of float
        The levels ``q`` in (0, 1), in the column order of ``y_quantiles``.

    Returns
    -------
    float
        ``mean_q(2 * sum_t pinball_q(y_t, f_{t,q})) / sum_t |y_t|``, the weighted quantile
        loss averaged over levels (GluonTS's ``mean_wQuantileLoss``); ``inf`` when every
        actual is 0 and the loss is not.
    """
    per_level = 2.0 * np.sum(_pinball_terms(y_true, y_quantiles, quantiles), axis=0)
    y = np.asarray(y_true, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(per_level) / np.sum(np.abs(y)))


def coverage(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Fraction of actuals inside the interval ``[lower, upper]`` (bounds included).

    Parameters
    ----------
    y_true : array-like of shape (h,)
        Actual values.
    lower : array-like of shape (h,)
        Lower interval bounds.
    upper : array-like of shape (h,)
        Upper interval bounds.

    Returns
    -------
    float
        The empirical coverage, in [0, 1]; NaN where an actual or a bound is missing (as
        the error metrics are), rather than counting it as outside.
    """
    y, lo = _pair(y_true, lower)
    _, hi = _pair(y_true, upper)
    if np.isnan(y).any() or np.isnan(lo).any() or np.isnan(hi).any():
        return float("nan")
    return float(np.mean((y >= lo) & (y <= hi)))
