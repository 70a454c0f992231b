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
from gluts.forecasting.classical import ARIMAForecaster, ETSForecaster, ThetaForecaster

__all__ = [
    "ARIMAForecaster",
    "ETSForecaster",
    "ThetaForecaster",
    "DriftForecaster",
    "MeanForecaster",
    "Naive2Forecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
]
