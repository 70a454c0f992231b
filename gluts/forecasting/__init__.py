"""Forecasters: the naive family, Naive2, and statsmodels' ETS, Theta and ARIMA.

The classical models import statsmodels only when they are fitted, so importing this package
stays light.
"""

from gluts.forecasting.baselines import (
    DriftForecaster,
    MeanForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)

__all__ = [
    "DriftForecaster",
    "MeanForecaster",
    "Naive2Forecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
]
