"""Forecasters: the naive family, Naive2, and statsmodels' ETS, Theta and ARIMA.

The classical models import statsmodels only when they are fitted, so importing this package
stays light.
"""

from gluts.forecasting.arima import ARIMAForecaster
from gluts.forecasting.baselines import (
    DriftForecaster,
    MeanForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)
from gluts.forecasting.ets import ETSForecaster
from gluts.forecasting.linear import LinearForecaster
from gluts.forecasting.theta import ThetaForecaster

__all__ = [
    "ARIMAForecaster",
    "ETSForecaster",
    "ThetaForecaster",
    "LinearForecaster",
    "DriftForecaster",
    "MeanForecaster",
    "Naive2Forecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
]
