"""Forecasters: the GLU network, the naive family, Naive2, and statsmodels' ETS, Theta, ARIMA.

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
    "DriftForecaster",
    "MeanForecaster",
    "Naive2Forecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
]


def __getattr__(name: str) -> Any:
    if name == "GLUForecaster":
        return importlib.import_module("gluts.forecasting.glu").GLUForecaster
    raise AttributeError(f"module 'gluts.forecasting' has no attribute {name!r}")
