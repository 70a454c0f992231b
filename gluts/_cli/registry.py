"""Names the command line accepts for models and detectors, and how each is built.

Each entry names the module and class to import, so adding an estimator to the CLI is one
line here, and an estimator whose module is absent fails with a clear message rather than at
start-up. Options are passed to a constructor only when it has a parameter of that name.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_BACKTEST_MODELS",
    "DETECTORS",
    "MODELS",
    "Entry",
    "build",
    "parse_names",
]


@dataclass(frozen=True)
class Entry:
    """Where an estimator lives and what it is, in a few words."""

    module: str
    cls: str
    summary: str


MODELS: dict[str, Entry] = {
    "glu": Entry("gluts.forecasting.glu", "GLUForecaster", "GLU temporal-convolution network"),
    "ets": Entry("gluts.forecasting", "ETSForecaster", "exponential smoothing (ETS)"),
    "theta": Entry("gluts.forecasting", "ThetaForecaster", "Theta method"),
    "arima": Entry("gluts.forecasting", "ARIMAForecaster", "ARIMA"),
    "linear": Entry("gluts.forecasting", "LinearForecaster", "global linear map (NLinear)"),
    "ensemble": Entry(
        "gluts.forecasting", "EnsembleForecaster", "GLU, ETS, Theta and linear, weighted"
    ),
    "snaive": Entry("gluts.forecasting", "SeasonalNaiveForecaster", "seasonal naive"),
    "naive": Entry("gluts.forecasting", "NaiveForecaster", "naive (last value)"),
    "naive2": Entry("gluts.forecasting", "Naive2Forecaster", "naive on deseasonalised data"),
    "drift": Entry("gluts.forecasting", "DriftForecaster", "random walk with drift"),
    "mean": Entry("gluts.forecasting", "MeanForecaster", "historical mean"),
}

DETECTORS: dict[str, Entry] = {
    "glu": Entry("gluts.anomaly", "GLUAnomalyDetector", "GLU forecaster surprise"),
    "zscore": Entry("gluts.anomaly", "ZScoreDetector", "rolling z-score"),
    "mad": Entry("gluts.anomaly", "MADDetector", "rolling median / MAD"),
    "stl": Entry("gluts.anomaly", "STLDetector", "STL residuals"),
    "iforest": Entry("gluts.anomaly", "IsolationForestDetector", "IsolationForest on lags"),
}

DEFAULT_BACKTEST_MODELS = ("glu", "ensemble", "ets", "theta", "arima", "linear", "snaive", "naive2")


def parse_names(text: str, registry: Mapping[str, Entry], option: str) -> list[str]:
    """Split a comma-separated list of names and check each against ``registry``.

    Parameters
    ----------
    text : str
        E.g. ``"glu,ets, theta"``.
    registry : mapping of str to Entry
        The accepted names.
    option : str
        The option's name, for the error message.

    Returns
    -------
    list of str
        The names, lower-cased, in order, without duplicates.

    Raises
    ------
    typer.BadParameter
        When the list is empty or holds an unknown name (exit code 2).
    """
    import typer

    names = list(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    if not names:
        raise typer.BadParameter("give at least one name.", param_hint=option)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise typer.BadParameter(
            f"unknown name {unknown[0]!r}; choose from {', '.join(registry)}.", param_hint=option
        )
    return names


def build(name: str, registry: Mapping[str, Entry], **options: Any):
    """Construct the estimator registered as ``name``.

    Parameters
    ----------
    name : str
        A key of ``registry``.
    registry : mapping of str to Entry
        :data:`MODELS` or :data:`DETECTORS`.
    **options
        Constructor arguments; each is passed only when the class has a parameter of that
        name and the value is not None.

    Returns
    -------
    estimator
        A new, unfitted estimator.

    Raises
    ------
    ImportError
        When the estimator is not available in this installation.
    """
    entry = registry[name]
    try:
        cls = getattr(importlib.import_module(entry.module), entry.cls)
    except (ImportError, AttributeError):
        raise ImportError(
            f"{name!r} ({entry.summary}) is not available in this installation of gluts: "
            f"{entry.module} has no {entry.cls}."
        ) from None
    accepted = _parameter_names(cls)
    kwargs = {k: v for k, v in options.items() if k in accepted and v is not None}
    return cls(**kwargs)


def _parameter_names(cls: type) -> set[str]:
    """The named parameters of ``cls``'s constructor (its ``get_params`` keys)."""
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name for p in inspect.signature(cls).parameters.values() if p.kind in named}
