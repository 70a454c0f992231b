"""The naive family of baseline forecasters (numpy only).

Point forecasts are the model means; quantiles come from the usual normal prediction
intervals built on the in-sample one-step residuals (Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice*, 3rd ed., section 5.5; the same formulas as statsforecast). The
per-series maths lives in :mod:`gluts.forecasting._naive`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gluts.forecasting._naive import RandomWalk, SeasonalNaive, normal_quantiles, residual_sigma
from gluts.forecasting._seasonality import Deseasonalizer
from gluts.forecasting.local import LocalForecaster

__all__ = [
    "DriftForecaster",
    "MeanForecaster",
    "Naive2Forecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
]


class NaiveForecaster(LocalForecaster):
    """Forecast every step with the last observed value.

    Parameters
    ----------
    season_length : int or None, default=None
        Not used by this model (kept for a uniform interface); None infers it.
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"Naive"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state, in the order of ``series_ids_``.
    season_length_ : int
        The season length used.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.
    history_ : gluts.data.Panel
        The fitted series.

    See Also
    --------
    SeasonalNaiveForecaster, DriftForecaster, Naive2Forecaster

    Notes
    -----
    With one-step residuals ``e_t = y_t - y_{t-1}`` and ``sigma**2 = mean(e_t**2)``, the
    ``h``-step forecast is normal with standard deviation ``sigma * sqrt(h)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from gluts import NaiveForecaster
    >>> y = pd.Series([1.0, 3.0, 2.0, 4.0], index=pd.date_range("2024-01-01", periods=4))
    >>> NaiveForecaster(quantiles=None).fit(y).predict(2).tolist()
    [4.0, 4.0]
    """

    def __init__(self, *, season_length=None, quantiles=(0.1, 0.5, 0.9), alias=None, n_jobs=None):
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y: np.ndarray, season_length: int) -> RandomWalk:
        return RandomWalk.fit(y, drift=False)

    def _forecast_one(self, state: RandomWalk, h: int, quantiles: Sequence[float]):
        return state.forecast(h, quantiles)


class DriftForecaster(LocalForecaster):
    """Extend the line from the first to the last observation (random walk with drift).

    Parameters
    ----------
    season_length : int or None, default=None
        Not used by this model (kept for a uniform interface); None infers it.
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"Drift"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state, in the order of ``series_ids_``.
    season_length_ : int
        The season length used.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.
    history_ : gluts.data.Panel
        The fitted series.

    See Also
    --------
    NaiveForecaster, MeanForecaster

    Notes
    -----
    The drift is ``b = (y_n - y_1) / (n - 1)``, the mean one-step change. With residuals
    ``e_t = y_t - y_{t-1} - b`` and ``sigma**2 = sum(e_t**2) / (n - 2)``, the ``h``-step
    standard deviation is ``sigma * sqrt(h * (1 + h / (n - 1)))``.
    """

    def __init__(self, *, season_length=None, quantiles=(0.1, 0.5, 0.9), alias=None, n_jobs=None):
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y: np.ndarray, season_length: int) -> RandomWalk:
        return RandomWalk.fit(y, drift=True)

    def _forecast_one(self, state: RandomWalk, h: int, quantiles: Sequence[float]):
        return state.forecast(h, quantiles)


class SeasonalNaiveForecaster(LocalForecaster):
    """Repeat the last observed season.

    Parameters
    ----------
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (24 for hourly data).
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"SeasonalNaive"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state, in the order of ``series_ids_``.
    season_length_ : int
        The season length used.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.
    history_ : gluts.data.Panel
        The fitted series.

    See Also
    --------
    NaiveForecaster, Naive2Forecaster

    Notes
    -----
    With residuals ``e_t = y_t - y_{t-m}`` and ``sigma**2 = mean(e_t**2)``, the ``h``-step
    standard deviation is ``sigma * sqrt(k + 1)``, where ``k = (h - 1) // m`` is the number of
    complete seasons before step ``h``. A series shorter than one season is forecast by its
    last value (``m`` is taken as 1).
    """

    def __init__(self, *, season_length=None, quantiles=(0.1, 0.5, 0.9), alias=None, n_jobs=None):
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y: np.ndarray, season_length: int) -> SeasonalNaive:
        return SeasonalNaive.fit(y, season_length)

    def _forecast_one(self, state: SeasonalNaive, h: int, quantiles: Sequence[float]):
        return state.forecast(h, quantiles)


class MeanForecaster(LocalForecaster):
    """Forecast every step with the mean of the series.

    Parameters
    ----------
    season_length : int or None, default=None
        Not used by this model (kept for a uniform interface); None infers it.
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"Mean"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state, in the order of ``series_ids_``.
    season_length_ : int
        The season length used.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.
    history_ : gluts.data.Panel
        The fitted series.

    See Also
    --------
    NaiveForecaster, DriftForecaster

    Notes
    -----
    With ``s`` the sample standard deviation of the ``n`` observations, every step's standard
    deviation is ``s * sqrt(1 + 1 / n)``.
    """

    def __init__(self, *, season_length=None, quantiles=(0.1, 0.5, 0.9), alias=None, n_jobs=None):
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y: np.ndarray, season_length: int):
        mean = float(y.mean())
        return mean, residual_sigma(y - mean, n_params=1), len(y)

    def _forecast_one(self, state, h: int, quantiles: Sequence[float]):
        mean, sigma, n = state
        point = np.full(h, mean)
        return point, normal_quantiles(point, np.full(h, sigma * np.sqrt(1.0 + 1.0 / n)), quantiles)


class Naive2Forecaster(LocalForecaster):
    """The M4 competition's Naive2: a naive forecast of the seasonally adjusted series.

    Parameters
    ----------
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (24 for hourly data).
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"Naive2"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state, in the order of ``series_ids_``.
    season_length_ : int
        The season length used.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.
    history_ : gluts.data.Panel
        The fitted series.

    See Also
    --------
    NaiveForecaster, SeasonalNaiveForecaster, ThetaForecaster

    Notes
    -----
    A series of length ``n >= 3m`` is seasonal when its autocorrelation at lag ``m`` passes
    the one-sided 90% test ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k**2) / n)``. A
    seasonal series is divided by the seasonal indices of a classical multiplicative
    decomposition (centred moving average of order ``m``, per-phase mean of the ratios,
    normalised to mean 1); its last adjusted value is repeated and multiplied back by the
    indices. The quantiles are the naive intervals of the adjusted series, reseasonalised.

    References
    ----------
    Makridakis, Spiliotis & Assimakopoulos, "The M4 Competition: 100,000 time series and 61
    forecasting methods", International Journal of Forecasting 36(1), 2020.
    """

    def __init__(self, *, season_length=None, quantiles=(0.1, 0.5, 0.9), alias=None, n_jobs=None):
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y: np.ndarray, season_length: int):
        seasonality = Deseasonalizer(y, season_length)
        return RandomWalk.fit(seasonality.adjust(y), drift=False), seasonality

    def _forecast_one(self, state, h: int, quantiles: Sequence[float]):
        walk, seasonality = state
        point, qarr = walk.forecast(h, quantiles)
        factors = seasonality.future_indices(h)
        return point * factors, qarr * factors[:, None]
