"""Forecasters that fit one independent model per series.

:class:`LocalForecaster` fits and forecasts the series in chunks through
:mod:`gluts._parallel` (joblib, on the backend the caller chose) and falls back to a
seasonal naive forecast (with a warning naming the series) when a series' model fails, with
a progress bar over the series inside :func:`gluts._progress.show_progress`. A
forecast from a new history fits and forecasts each series in the same task, so that only the
forecasts travel back; a forecast from the fitted states runs here (it costs little beside a
fit, and less than sending the states out).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval

from gluts._parallel import map_series
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
    ``alias`` and ``n_jobs`` (joblib's: the series are cut into tasks of whole series, see
    :mod:`gluts._parallel`; results do not depend on it).
    """

    _parameter_constraints: dict = {
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "quantiles": ["array-like", None],
        "alias": [str, None],
        "n_jobs": [Integral, None],
    }
    _per_series_state = ("models_",)
    # Estimated seconds of fitting and forecasting per observation (sizes parallel tasks).
    _seconds_per_value = 2e-6

    def _season(self, panel: Panel) -> int:
        season = getattr(self, "season_length", None)
        return int(season) if season is not None else panel.grid.season_length()

    def _fit_panel(self, panel: Panel, X) -> None:
        self.season_length_ = self._season(panel)
        self.models_ = self._fit_all(panel, self.season_length_)

    def _forecast(self, panel: Panel, h: int, refit: bool):
        quantiles = self.quantiles_
        if refit:  # fit and forecast in one task: the fitted states stay in the task
            shared = (self._season(panel), h, quantiles)
            out = self._map(_fit_forecast_chunk, panel, list(zip(panel.ids, panel.values)), shared)
            _warn_fallbacks(type(self).__name__, panel.ids, [reason for *_, reason in out])
        else:  # from the kept states, here: shipping them out would cost more than this
            out = _forecast_chunk(self, self.models_, (h, quantiles))
        points = [point for point, *_ in out]
        qs = [qarr if qarr is not None else np.empty((h, 0)) for _, qarr, *_ in out]
        return points, qs

    def _fit_all(self, panel: Panel, season_length: int) -> list:
        items = list(zip(panel.ids, panel.values))
        states = self._map(_fit_chunk, panel, items, season_length)
        reasons = [s.reason if isinstance(s, _Fallback) else None for s in states]
        _warn_fallbacks(type(self).__name__, panel.ids, reasons)
        return states

    def _map(self, function, panel: Panel, items: list, shared) -> list:
        """Run ``function`` over chunks of ``items`` (one per series of ``panel``)."""
        return map_series(
            function,
            self,
            items,
            n_jobs=self.n_jobs,
            seconds=panel.lengths * self._seconds_per_value,
            shared=shared,
            description=f"{self.alias_} fitting series",
        )

    def _fit_one(self, y: np.ndarray, season_length: int) -> Any:
        """Fit one series and return the state that :meth:`_forecast_one` needs."""
        raise NotImplementedError

    def _forecast_one(self, state: Any, h: int, quantiles: Sequence[float]) -> Forecast:
        """Return the point forecast ``(h,)`` and quantiles ``(h, len(quantiles))``."""
        raise NotImplementedError


def _fit_chunk(model: LocalForecaster, items: list, season_length: int) -> list:
    """The fitted state (or fallback) of each ``(id, values)`` of a chunk."""
    return [_fit_or_fallback(model, sid, y, season_length) for sid, y in items]


def _forecast_one(model: LocalForecaster, state, h: int, quantiles) -> Forecast:
    if isinstance(state, _Fallback):
        return state.model.forecast(h, quantiles)
    return model._forecast_one(state, h, quantiles)


def _forecast_chunk(model: LocalForecaster, states: list, shared: tuple) -> list:
    """``(point, quantiles)`` of each fitted state of a chunk."""
    h, quantiles = shared
    return [_forecast_one(model, state, h, quantiles) for state in states]


def _fit_forecast_chunk(model: LocalForecaster, items: list, shared: tuple) -> list:
    """``(point, quantiles, fallback reason or None)`` of each ``(id, values)`` of a chunk."""
    season_length, h, quantiles = shared
    out = []
    for sid, y in items:
        state = _fit_or_fallback(model, sid, y, season_length)
        reason = state.reason if isinstance(state, _Fallback) else None
        out.append((*_forecast_one(model, state, h, quantiles), reason))
    return out


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


def _warn_fallbacks(owner: str, ids: Sequence[Hashable], reasons: Sequence[str | None]) -> None:
    failed = [(sid, reason) for sid, reason in zip(ids, reasons) if reason is not None]
    if not failed:
        return
    shown = "; ".join(f"{sid!r} ({reason})" for sid, reason in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    warnings.warn(
        f"{owner} could not fit series {shown}{more}; they use SeasonalNaive forecasts instead.",
        GlutsWarning,
        stacklevel=3,
    )
