"""The naive models of one series and their normal prediction intervals (numpy only).

Quantiles are the usual normal prediction intervals built on the in-sample one-step
residuals (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., section
5.5; the same formulas as statsforecast). :class:`SeasonalNaive` is also the per-series
fallback of :class:`~gluts.forecasting.local.LocalForecaster`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = ["RandomWalk", "SeasonalNaive", "normal_quantiles", "residual_sigma"]


def normal_quantiles(point: np.ndarray, sigma_h: np.ndarray, quantiles: Sequence[float]):
    """Return ``point + z_q * sigma_h`` for each quantile level, shaped ``(h, n_quantiles)``.

    The median is the point forecast even where ``sigma_h`` is NaN (a series too short for
    one residual), and only the other levels are unknown there.
    """
    z = np.array([NormalDist().inv_cdf(q) for q in quantiles])
    spread = np.asarray(sigma_h)[:, None] * z[None, :]
    return point[:, None] + np.where(z[None, :] == 0.0, 0.0, spread)


def residual_sigma(residuals: np.ndarray, n_params: int = 0) -> float:
    """Residual standard deviation with ``n_params`` degrees of freedom used (NaN if none left)."""
    dof = len(residuals) - n_params
    return float(np.sqrt(residuals @ residuals / dof)) if dof > 0 else float("nan")


@dataclass(frozen=True)
class RandomWalk:
    """A random walk fitted to one series: its last value, drift, residual sd and length."""

    last: float
    slope: float
    sigma: float
    n: int
    drift: bool

    @classmethod
    def fit(cls, y: np.ndarray, drift: bool) -> RandomWalk:
        """Fit a random walk, with a drift when ``drift``, to the series ``y``."""
        steps = np.diff(y)
        slope = float(steps.mean()) if drift and len(steps) else 0.0
        sigma = residual_sigma(steps - slope, n_params=int(drift))
        return cls(float(y[-1]), slope, sigma, len(y), drift)

    def forecast(self, h: int, quantiles: Sequence[float]):
        """Return the point forecast ``(h,)`` and quantiles ``(h, len(quantiles))``."""
        steps = np.arange(1, h + 1)
        point = self.last + self.slope * steps
        # The drift's own estimation error adds h**2 * sigma**2 / (n - 1) to the variance.
        extra = steps / (self.n - 1) if self.drift and self.n > 1 else 0.0
        sigma_h = self.sigma * np.sqrt(steps * (1.0 + extra))
        return point, normal_quantiles(point, sigma_h, quantiles)


@dataclass(frozen=True)
class SeasonalNaive:
    """The last season of one series and the residual sd of its seasonal differences."""

    season: np.ndarray
    sigma: float

    @classmethod
    def fit(cls, y: np.ndarray, season_length: int) -> SeasonalNaive:
        """Keep the last season of ``y`` (its last value when ``y`` is shorter than a season)."""
        m = season_length if len(y) >= season_length else 1
        return cls(y[-m:].copy(), residual_sigma(y[m:] - y[:-m]))

    def forecast(self, h: int, quantiles: Sequence[float]):
        """Return the point forecast ``(h,)`` and quantiles ``(h, len(quantiles))``."""
        m = len(self.season)
        point = self.season[np.arange(h) % m]
        sigma_h = self.sigma * np.sqrt(np.arange(h) // m + 1.0)
        return point, normal_quantiles(point, sigma_h, quantiles)
