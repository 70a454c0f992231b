"""The arithmetic of forecast combination: validation errors, weights, calibration.

Plain numpy functions over stacked member forecasts, used by
:class:`gluts.forecasting.ensemble.EnsembleForecaster`. Shapes: ``M`` members, ``n`` series,
``h`` steps, ``Q`` quantile levels.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "calibration_factors",
    "combine",
    "panel_weights",
    "scaled_errors",
    "series_weights",
    "widen",
]


def scaled_errors(points: np.ndarray, actual: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Return each member's mean absolute error per series, in units of the series' scale.

    Parameters
    ----------
    points : ndarray of shape (M, n, h)
        The members' point forecasts of the held-out window.
    actual : ndarray of shape (n, h)
        The held-out values.
    scale : ndarray of shape (n,)
        A positive scale per series (the in-sample seasonal naive error, as in MASE).

    Returns
    -------
    ndarray of shape (M, n)
    """
    return np.abs(points - actual[None]).mean(axis=2) / scale[None]


def panel_weights(
    points: np.ndarray, actual: np.ndarray, scale: np.ndarray, max_picks: int = 100
) -> np.ndarray:
    """Return one weight per member, on the simplex, by ensemble selection on held-out windows.

    Caruana et al.'s ensemble selection (2004): starting from nothing, repeatedly add (with
    replacement) the member whose addition gives the equal-weight average of the picks the
    least mean scaled error, and stop as soon as no addition lowers it; each member's weight
    is its share of the picks. Deterministic, and never worse on the held-out windows than
    the best single member. It stops after a few picks, so the weights stay coarse (thirds,
    fifths): the forecast combination puzzle is that weights optimised on a validation
    window rarely beat simple ones on new data, and so it was here (see
    :class:`~gluts.forecasting.ensemble.EnsembleForecaster`).

    Parameters
    ----------
    points : ndarray of shape (M, n, h)
    actual : ndarray of shape (n, h)
    scale : ndarray of shape (n,)
    max_picks : int, default=100
        Most picks (the finest weight is ``1 / max_picks``).

    Returns
    -------
    ndarray of shape (M,)
        Equal weights when there is no held-out window (``n == 0``).
    """
    n_members = points.shape[0]
    if points.shape[1] == 0:
        return np.full(n_members, 1.0 / n_members)
    scaled = (points - actual[None]) / scale[None, :, None]  # (M, n, h)
    picks = np.zeros(n_members)
    total = np.zeros(scaled.shape[1:])
    best = np.inf
    for k in range(1, max_picks + 1):
        losses = [float(np.abs((total + scaled[j]) / k).mean()) for j in range(n_members)]
        pick = int(np.argmin(losses))  # the first of equal losses: deterministic
        if not losses[pick] < best:
            break
        best = losses[pick]
        picks[pick] += 1
        total += scaled[pick]
    return picks / picks.sum()


def series_weights(errors: np.ndarray, prior: np.ndarray, shrinkage: float) -> np.ndarray:
    """Return per-series weights: inverse squared held-out errors, shrunk toward ``prior``.

    A series' own weights are proportional to the inverse of each member's squared error, as
    Bates and Granger (1969) weigh forecasts by their inverse mean squared errors.

    Parameters
    ----------
    errors : ndarray of shape (M, n)
        Each member's scaled error per series (:func:`scaled_errors`).
    prior : ndarray of shape (M,)
        The panel-wide weights the per-series ones are shrunk toward.
    shrinkage : float in [0, 1]
        The weight of ``prior``; 1 ignores the per-series errors.

    Returns
    -------
    ndarray of shape (M, n)
        Columns on the simplex.
    """
    inverse = 1.0 / np.maximum(errors, 1e-12) ** 2
    own = inverse / inverse.sum(axis=0, keepdims=True)
    return shrinkage * prior[:, None] + (1.0 - shrinkage) * own


def combine(members: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Combine member forecasts (points or quantiles) with per-series weights, or by median.

    A member that has no value somewhere (NaN: e.g. no quantiles for a series of one value)
    is left out there, and the other members' weights are rescaled to sum to one; the
    result is NaN only where no member has a value.

    Parameters
    ----------
    members : ndarray of shape (M, n, h, ...)
    weights : ndarray of shape (M, n) or None
        Per-series weights; None takes the member-wise median.

    Returns
    -------
    ndarray of shape (n, h, ...)
        A weighted average of quantiles keeps their order, and so does a median, so
        combined quantiles never cross (where the same members have all the levels).
    """
    known = np.isfinite(members)
    complete = known.all(axis=0)
    if weights is None:
        if complete.all():
            return np.median(members, axis=0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices stay NaN
            return np.nanmedian(members, axis=0)
    extra = (1,) * (members.ndim - 2)
    weights = weights.reshape(weights.shape + extra)
    combined = (weights * members).sum(axis=0)
    if complete.all():
        return combined
    present = np.where(known, weights, 0.0)
    total = present.sum(axis=0)
    with np.errstate(all="ignore"):
        rescaled = (present * np.where(known, members, 0.0)).sum(axis=0) / total
    return np.where(complete, combined, np.where(total > 0, rescaled, np.nan))


def calibration_factors(
    point: np.ndarray,
    quantiles: np.ndarray,
    actual: np.ndarray,
    levels: tuple[float, ...],
    prior_series: float = 10.0,
) -> np.ndarray:
    """Return, per quantile level, the factor that makes held-out coverage match the level.

    Split-conformal scaling of each quantile's distance from the point forecast: the factor
    ``c`` for level ``q`` is the empirical quantile of the held-out values' position
    ``(y - point) / (quantile - point)`` that puts a share ``q`` of them below
    ``point + c * (quantile - point)``. The steps of one series are not independent
    evidence, so a factor fitted on ``n`` series is pulled toward 1 (the members' own
    width) in log scale, with weight ``n / (n + prior_series)``.

    Parameters
    ----------
    point : ndarray of shape (n, h)
    quantiles : ndarray of shape (n, h, Q)
    actual : ndarray of shape (n, h)
    levels : tuple of float
        The ``Q`` quantile levels, sorted.
    prior_series : float, default=10.0
        How many series' worth of evidence the members' own width counts for.

    Returns
    -------
    ndarray of shape (Q,)
        Positive factors, fitted on the forecasts whose quantile lies on the level's side
        of the point forecast; 1 for the median and for a level with no such forecast.
    """
    factors = np.ones(len(levels))
    for j, q in enumerate(levels):
        if q == 0.5:
            continue
        distance = quantiles[..., j] - point
        side = distance > 0 if q > 0.5 else distance < 0
        side &= np.abs(distance) > 1e-12 * (1.0 + np.abs(point))
        if not side.any():
            continue
        position = (actual - point)[side] / distance[side]
        # Above the point, y <= point + c*d iff position <= c; below it, iff position >= c.
        fitted = max(float(np.quantile(position, q if q > 0.5 else 1.0 - q)), 1e-3)
        n_series = int(side.any(axis=1).sum())
        factors[j] = fitted ** (n_series / (n_series + prior_series))
    return factors


def widen(point: np.ndarray, quantiles: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Return ``point + factors * (quantiles - point)``, quantiles kept in order."""
    calibrated = point[..., None] + factors * (quantiles - point[..., None])
    return np.sort(calibrated, axis=-1)
