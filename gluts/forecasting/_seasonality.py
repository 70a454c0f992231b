"""The M4 seasonality test and classical multiplicative decomposition (numpy only).

Shared by :class:`~gluts.forecasting.Naive2Forecaster`, :class:`~gluts.forecasting.ThetaForecaster`
and :class:`~gluts.forecasting.ARIMAForecaster`, which model the seasonally adjusted series and
multiply the seasonal indices back, as the M4 benchmarks do.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Deseasonalizer", "acf", "is_seasonal", "seasonal_indices"]

_Z90 = 1.645  # one-sided 90% normal quantile used by the M4 benchmarks


def acf(y: np.ndarray, n_lags: int) -> np.ndarray:
    """Return the sample autocorrelations at lags ``1..n_lags`` (R's ``acf`` estimator),
    through the FFT: ``O(n log n)`` however many lags."""
    x = y - y.mean()
    spectrum = np.fft.rfft(x, 2 * len(x))
    products = np.fft.irfft(spectrum * np.conj(spectrum), 2 * len(x))[: n_lags + 1]
    denom = float(x @ x)
    return products[1:] / denom if denom > 0.0 else np.zeros(n_lags)


def is_seasonal(y: np.ndarray, season_length: int) -> bool:
    """Apply the M4 90% seasonality test at lag ``season_length``.

    The series is seasonal when ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k**2) / n)``,
    where ``r_k`` is the autocorrelation at lag ``k``; the test needs ``n >= 3 * m``, and
    shorter series (or ``m == 1``) count as not seasonal.
    """
    m, n = int(season_length), len(y)
    if m <= 1 or n < 3 * m:
        return False
    r = acf(y, m)
    limit = _Z90 * np.sqrt((1.0 + 2.0 * np.sum(r[:-1] ** 2)) / n)
    return bool(abs(r[-1]) > limit)


def seasonal_indices(y: np.ndarray, season_length: int) -> np.ndarray:
    """Return classical multiplicative-decomposition seasonal indices, one per phase.

    The trend is the centred moving average of order ``m`` (a ``2 x m`` average when ``m`` is
    even); index ``i`` is the mean of ``y / trend`` over the positions ``t`` with
    ``t % m == i`` (counted from the first observation), normalised so the indices average 1.
    """
    m = int(season_length)
    weights = np.full(m + 1, 1.0 / m) if m % 2 == 0 else np.full(m, 1.0 / m)
    if m % 2 == 0:
        weights[[0, -1]] = 0.5 / m
    half = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    ratios = y / trend
    phases = np.arange(len(y)) % m
    figure = np.array([np.nanmean(ratios[phases == i]) for i in range(m)])
    return figure / figure.mean()


class Deseasonalizer:
    """Seasonal adjustment by the M4 recipe: test, then divide by multiplicative indices.

    Parameters
    ----------
    y : numpy.ndarray of shape (n_timesteps,)
        The series.
    season_length : int
        The season length ``m``. The series is left as it is when the test finds no
        seasonality, or when it has a non-positive value (multiplicative indices need ``y > 0``).
    """

    def __init__(self, y: np.ndarray, season_length: int):
        self.n = len(y)
        self.season_length = int(season_length)
        seasonal = is_seasonal(y, season_length) and bool(np.all(y > 0))
        self.indices = seasonal_indices(y, season_length) if seasonal else None

    @property
    def seasonal(self) -> bool:
        """Whether the series was found seasonal (and is adjusted)."""
        return self.indices is not None

    def adjust(self, y: np.ndarray) -> np.ndarray:
        """Return the seasonally adjusted copy of the fitted series ``y``."""
        if self.indices is None:
            return y
        return y / self.indices[np.arange(self.n) % self.season_length]

    def future_indices(self, h: int) -> np.ndarray:
        """Return the seasonal indices of the ``h`` steps after the series (ones if none)."""
        if self.indices is None:
            return np.ones(h)
        return self.indices[(self.n + np.arange(h)) % self.season_length]
