"""Forecasters: the GLU network, the naive family, Naive2, statsmodels' ETS, Theta, ARIMA, the
linear map, and their combination.

The classical models import statsmodels only when they are fitted, and
:class:`GLUForecaster` (in :mod:`gluts.forecasting.glu`) imports torch only when it is first
asked for, so importing this package stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

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
    "GLUForecaster",
    "ARIMAForecaster",
    "ETSForecaster",
    "ThetaForecaster",
    "LinearForecaster",
    "EnsembleForecaster",
    "DriftForecaster",
    "MeanForecaster",
    "Naive2Forecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
]


def __getattr__(name: str) -> Any:
    if name == "GLUForecaster":
        return importlib.import_module("gluts.forecasting.glu").GLUForecaster
    if name == "EnsembleForecaster":
        return importlib.import_module("gluts.forecasting.ensemble").EnsembleForecaster
    raise AttributeError(f"module 'gluts.forecasting' has no attribute {name!r}")
