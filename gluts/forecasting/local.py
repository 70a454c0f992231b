"""Forecasters that fit one independent model per series.

:class:`LocalForecaster` fits the series in parallel through joblib (with a progress bar
over the series inside :func:`gluts._progress.show_progress`) and falls back to a seasonal
naive forecast (with a warning naming the series) when a series' model fails.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils._param_validation import Interval

from gluts._progress import progress_bar
from gluts.base import BaseForecaster
from gluts.data import Panel
from gluts.exceptions import GlutsWarning
from gluts.forecasting._naive import SeasonalNaive

__all__ = ["LocalForecaster"]

Forecast = tuple[np.ndarray, "np.ndarray | None"]


class LocalForecaster(BaseForecaster):
    """A forecaster that fits one independent model per series.

    Subclasses implement :meth:`_fit_one` and :meth:`_forecast_one`. Every subclass has the
    parameters ``season_length`` (None: inferred from the frequency), ``quantiles``,
    ``alias`` and ``n_jobs``.
    """

    _parameter_constraints: dict = {
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "quantiles": ["array-like", None],
        "alias": [str, None],
        "n_jobs": [Integral, None],
    }

    def _season(self, panel: Panel) -> int:
        season = getattr(self, "season_length", None)
        return int(season) if season is not None else panel.grid.season_length()

    def _fit_panel(self, panel: Panel, X) -> None:
        self.season_length_ = self._season(panel)
        self.models_ = self._fit_all(panel, self.season_length_)

    def _forecast(self, panel: Panel, h: int, refit: bool):
        states = self._fit_all(panel, self._season(panel)) if refit else self.models_
        quantiles = self.quantiles_
        points, qs = [], []
        for state in states:
            if isinstance(state, _Fallback):
                point, qarr = state.model.forecast(h, quantiles)
            else:
                point, qarr = self._forecast_one(state, h, quantiles)
            points.append(point)
            qs.append(qarr if qarr is not None else np.empty((h, 0)))
        return points, qs

    def _fit_all(self, panel: Panel, season_length: int) -> list:
        jobs = (
            delayed(_fit_or_fallback)(self, sid, y, season_length)
            for sid, y in zip(panel.ids, panel.values)
        )
        n_jobs = self.n_jobs if len(panel) > 1 else None
        with progress_bar(False, len(panel), f"{self.alias_} fitting series") as advance:
            states = []
            for state in Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
                states.append(state)
                advance()
        failed = [(sid, s.reason) for sid, s in zip(panel.ids, states) if isinstance(s, _Fallback)]
        if failed:
            _warn_fallbacks(type(self).__name__, failed)
        return states

    def _fit_one(self, y: np.ndarray, season_length: int) -> Any:
        """Fit one series and return the state that :meth:`_forecast_one` needs."""
        raise NotImplementedError

    def _forecast_one(self, state: Any, h: int, quantiles: Sequence[float]) -> Forecast:
        """Return the point forecast ``(h,)`` and quantiles ``(h, len(quantiles))``."""
        raise NotImplementedError


class _Fallback:
    """The seasonal naive model that replaces a series' model whose fit failed."""

    def __init__(self, model: SeasonalNaive, reason: str):
        self.model = model
        self.reason = reason


def _fit_or_fallback(model: LocalForecaster, sid: Hashable, y: np.ndarray, season_length: int):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # statsmodels re-enables its warnings (simplefilter "always") when first imported.
            warnings.showwarning = _silent
            return model._fit_one(y, season_length)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return _Fallback(SeasonalNaive.fit(y, season_length), reason)


def _silent(*args, **kwargs) -> None:
    """A ``warnings.showwarning`` that shows nothing."""


def _warn_fallbacks(owner: str, failed: list[tuple[Hashable, str]]) -> None:
    shown = "; ".join(f"{sid!r} ({reason})" for sid, reason in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    warnings.warn(
        f"{owner} could not fit series {shown}{more}; they use SeasonalNaive forecasts instead.",
        GlutsWarning,
        stacklevel=3,
    )
