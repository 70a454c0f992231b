"""gluts: time-series forecasting and anomaly detection with GLU temporal-convolution stacks.

The top-level namespace re-exports the public estimators and helpers. Heavy dependencies
(torch, statsmodels) are imported lazily, when the object that needs them is first used, so
``import gluts`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "NaiveForecaster": "gluts.forecasting",
    "SeasonalNaiveForecaster": "gluts.forecasting",
    "DriftForecaster": "gluts.forecasting",
    "MeanForecaster": "gluts.forecasting",
    "Naive2Forecaster": "gluts.forecasting",
    "ETSForecaster": "gluts.forecasting",
    "ThetaForecaster": "gluts.forecasting",
    "ARIMAForecaster": "gluts.forecasting",
    "LinearForecaster": "gluts.forecasting",
    "GLUForecaster": "gluts.forecasting",
    "EnsembleForecaster": "gluts.forecasting",
    "load": "gluts.loading",
    "backtest": "gluts.backtesting",
    "BacktestResult": "gluts.backtesting",
    "list_datasets": "gluts.datasets",
    "load_dataset": "gluts.datasets",
    "make_synthetic": "gluts.datasets",
    "GLUAnomalyDetector": "gluts.anomaly",
    "ZScoreDetector": "gluts.anomaly",
    "MADDetector": "gluts.anomaly",
    "STLDetector": "gluts.anomaly",
    "IsolationForestDetector": "gluts.anomaly",
    "FixedThreshold": "gluts.anomaly",
    "QuantileThreshold": "gluts.anomaly",
    "SPOTThreshold": "gluts.anomaly",
    "nab_score": "gluts.anomaly",
    "point_scores": "gluts.anomaly",
    "event_scores": "gluts.anomaly",
    "plot_forecast": "gluts.plotting",
    "plot_backtest": "gluts.plotting",
    "plot_anomalies": "gluts.plotting",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gluts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
