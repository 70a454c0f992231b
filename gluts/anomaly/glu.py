"""GLUAnomalyDetector: anomalies are observations that the learnt normal behaviour did not expect.

Every row is compared with a *reference*, an expectation computed causally from the rows
before it, and the residual is scored by its rolling z-score over several windows (the
largest counts). Three references are available, and each series keeps the one that explains
its fit data best:

* ``"forecast"``: the forecaster's forecasts (by default a small
  :class:`~gluts.GLUForecaster`), issued every ``forecast_stride`` rows from the
  ``forecast_context`` rows before (all origins of a series in one batched ``predict``);
* ``"seasonal"``: the median of the ``smooth``-row means at the same phase of the last
  ``n_seasons`` seasons (the residual compares it with the ``smooth``-row mean now);
* ``"level"``: no forecast; the rolling z-score of the values themselves.

A reference other than ``"level"`` is kept only when its robust residual spread on the fit
data is below ``selection_ratio`` times that of the level reference: a forecast must clearly
explain the series to be trusted, otherwise level changes are scored directly. The surprise is
then calibrated per series with a GPD tail and shaped so that an incident raises one sharp
alarm (see :mod:`gluts.anomaly.scorers`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval

from gluts.anomaly.base import BaseAnomalyDetector
from gluts.anomaly.detectors import common_doc
from gluts.anomaly.scorers import Surprise, rolling_mean_std, value_floor
from gluts.data import Panel

__all__ = ["GLUAnomalyDetector", "rolling_forecasts"]

REFERENCES = ("level", "seasonal", "forecast")
_MIN_STRIDE = 24


def rolling_forecasts(
    forecaster, values: np.ndarray, *, context: int, stride: int = 1, chunk: int = 2048
) -> np.ndarray:
    """Causal forecasts of every row from (up to) the ``context`` rows before it.

    Forecast origins are every ``stride`` rows from row ``stride`` on; origin ``t`` becomes
    one history ``values[max(0, t - context):t]`` and the fitted ``forecaster`` forecasts its
    next ``stride`` rows. All origins of a chunk go into a single ``predict(h, y=...)`` call
    (one batch for a global model). Row ``t``'s forecast therefore uses rows before ``t`` only.

    Parameters
    ----------
    forecaster : BaseForecaster
        A fitted forecaster that accepts new histories through ``predict(h, y=...)`` as a
        long frame with integer time steps.
    values : ndarray of shape (n,)
        The series.
    context : int
        Most rows of history per origin.
    stride : int, default=1
        Rows forecast per origin, and rows between origins.
    chunk : int, default=2048
        Origins per ``predict`` call.

    Returns
    -------
    ndarray of shape (n,)
        The forecasts, NaN for the first ``stride`` rows.
    """
    n = len(values)
    out = np.full(n, np.nan)
    origins = np.arange(stride, n, stride)
    for first in range(0, len(origins), chunk):
        batch = origins[first : first + chunk]
        lengths = np.minimum(batch, context)
        ends = np.cumsum(lengths)
        # positions t - L, ..., t - 1 of each origin's history, concatenated
        rows = np.arange(ends[-1]) - np.repeat(ends - batch, lengths)
        history = pd.DataFrame(
            {"unique_id": np.repeat(batch, lengths), "ds": rows, "y": values[rows]}
        )
        pred = forecaster.predict(stride, y=history)
        point = pred[forecaster.alias_].to_numpy().reshape(len(batch), stride)
        targets = batch[:, None] + np.arange(stride)
        keep = targets < n
        out[targets[keep]] = point[keep]
    return out


@dataclass(frozen=True)
class _State:
    reference: str
    period: int
    floor: float


class GLUAnomalyDetector(BaseAnomalyDetector):
    __doc__ = f"""Anomaly detection from the surprise of a learnt reference, calibrated per series.

    Parameters
    ----------
    forecaster : forecaster or None, default=None
        The forecaster behind the ``"forecast"`` reference (cloned and fitted in ``fit`` on
        the series with integer time steps); None uses a small ``GLUForecaster`` (16
        channels, a linear head, no log transform, 100 training steps, one torch thread, horizon
        ``forecast_stride``, seeded).
    references : tuple of str, default=("level", "seasonal", "forecast")
        The references each series may use; ``"level"`` is always available.
    season_length : int or None, default=None
        Season of the ``"seasonal"`` reference, in rows; None infers it from the frequency
        (1 disables it).
    smooth : int, default=5
        Rows averaged on both sides of the seasonal comparison.
    n_seasons : int, default=3
        The seasonal reference is the median of the ``smooth``-row means at the same phase in
        up to this many past seasons (so one anomalous season is not echoed a season later).
    windows : tuple of int, default=(100, 1000)
        Windows of the rolling z-scores of the residual; the largest z-score counts.
    selection_ratio : float, default=0.5
        A reference other than ``"level"`` is kept when its residual spread on the fit data
        is below this fraction of the level reference's.
    forecast_context : int or None, default=None
        Most rows of history the forecaster gets for each forecast; None gives four strides.
    forecast_stride : int or None, default=None
        Rows forecast from each origin (origins are this many rows apart); None forecasts one
        season ahead (at least 24 rows). A forecast issued before an incident does not follow
        it, so an incident shows as a lasting residual; a supplied direct forecaster needs a
        ``horizon`` of at least this.
{common_doc()}

    Attributes
    ----------
    forecaster_ : forecaster or None
        The fitted forecaster (None when ``"forecast"`` is not among the references).
    forecast_stride_, forecast_context_ : int
        The forecast stride and context in use.
    references_ : dict
        The reference each series uses.
    threshold_ : threshold object
        The fitted threshold; set by ``fit``.
    series_ids_ : list
        Fitted series ids.

    See Also
    --------
    ZScoreDetector : The level reference with a single window.
    """

    _parameter_constraints: dict = {
        "forecaster": [HasMethods(["fit", "predict"]), None],
        "references": [tuple],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "smooth": [Interval(Integral, 1, None, closed="left")],
        "n_seasons": [Interval(Integral, 1, None, closed="left")],
        "windows": [tuple],
        "selection_ratio": [Interval(Real, 0, 1, closed="right")],
        "forecast_context": [Interval(Integral, 1, None, closed="left"), None],
        "forecast_stride": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        forecaster=None,
        *,
        references: tuple = REFERENCES,
        season_length: int | None = None,
        smooth: int = 5,
        n_seasons: int = 3,
        windows: tuple = (100, 1000),
        selection_ratio: float = 0.5,
        forecast_context: int | None = None,
        forecast_stride: int | None = None,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = None,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
    ):
        self.forecaster = forecaster
        self.references = references
        self.season_length = season_length
        self.smooth = smooth
        self.n_seasons = n_seasons
        self.windows = windows
        self.selection_ratio = selection_ratio
        self.forecast_context = forecast_context
        self.forecast_stride = forecast_stride
        self.threshold = threshold
        self.tail_quantile = tail_quantile
        self.score_scale = score_scale
        self.shaping_window = shaping_window
        self.merge_gap = merge_gap
        self.min_duration = min_duration
        self.cooldown = cooldown

    @classmethod
    def _test_params(cls):
        return [{"references": ("level", "seasonal"), "windows": (20, 50), "shaping_window": 50}]

    def _prepare(self, panel: Panel) -> None:
        unknown = sorted(set(self.references) - set(REFERENCES))
        if unknown or not all(isinstance(w, Integral) and w >= 4 for w in self.windows):
            raise ValueError(
                f"GLUAnomalyDetector needs references from {REFERENCES} and windows of ints "
                f">= 4; got references={self.references!r}, windows={self.windows!r}."
            )
        self.references_ = {}
        self.forecaster_ = None
        season = int(self.season_length or panel.grid.season_length())
        self.forecast_stride_ = self.forecast_stride or max(season, _MIN_STRIDE)
        self.forecast_context_ = self.forecast_context or 4 * self.forecast_stride_
        if "forecast" in self.references:
            forecaster = self.forecaster
            if forecaster is None:
                forecaster = _default_forecaster(self.forecast_stride_, season)
            frames = [
                pd.DataFrame({"unique_id": sid, "ds": np.arange(len(v)), "y": v})
                for sid, v in zip(panel.ids, panel.values)
            ]
            self.forecaster_ = clone(forecaster).fit(pd.concat(frames, ignore_index=True))

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> _State:
        period = int(self.season_length or season_length)
        floor = value_floor(values)
        level, _ = rolling_mean_std(values, self.windows[0], floor)
        spread = {"level": _mad(values - level)}
        for name in self.references:
            if name != "level" and self._available(name, period, len(values)):
                expected = self._expectation(name, period, values)
                spread[name] = _mad(values - expected)
        best = min((s, n) for n, s in spread.items() if n != "level") if len(spread) > 1 else None
        chosen = best[1] if best and best[0] < self.selection_ratio * spread["level"] else "level"
        self.references_[sid] = chosen
        return _State(chosen, period, floor)

    def _available(self, name: str, period: int, n: int) -> bool:
        if name == "forecast":
            return n > self.forecast_stride_ + 10
        return period > 1 and n > period + self.smooth + 10

    def _expectation(self, name: str, period: int, values: np.ndarray) -> np.ndarray:
        """The reference's causal expectation of each row (NaN where it has none)."""
        if name == "forecast":
            return rolling_forecasts(
                self.forecaster_,
                values,
                context=self.forecast_context_,
                stride=self.forecast_stride_,
            )
        return self._seasonal(values, period)[1]

    def _seasonal(self, values: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``smooth``-row means, and their median at the same phase of past seasons."""
        smoothed = pd.Series(values).rolling(self.smooth).mean()
        past = np.stack(
            [smoothed.shift(k * period).to_numpy() for k in range(1, self.n_seasons + 1)]
        )
        with warnings.catch_warnings():  # rows without any past season stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            return smoothed.to_numpy(), np.nanmedian(past, axis=0)

    def _residual(self, state: _State, values: np.ndarray) -> np.ndarray:
        if state.reference == "level":
            return values
        if state.reference == "seasonal":
            smoothed, reference = self._seasonal(values, state.period)
            return smoothed - reference
        return values - self._expectation("forecast", state.period, values)

    def _surprise(self, state: _State, values: np.ndarray) -> Surprise:
        residual = self._residual(state, values)
        zs, first = [], None
        for window in self.windows:
            mean, std = rolling_mean_std(residual, window, state.floor)
            zs.append(np.abs(residual - mean) / std)
            first = first or (mean, std)
        mean, std = first
        expected = values - (residual - mean)
        return Surprise(np.fmax.reduce(zs), expected, expected - 3 * std, expected + 3 * std)


def _mad(residual: np.ndarray) -> float:
    r = residual[np.isfinite(residual)]
    return float(np.median(np.abs(r - np.median(r)))) if len(r) else np.inf


def _default_forecaster(horizon: int, season_length: int):
    """A small, quickly trained GLUForecaster forecasting ``horizon`` steps."""
    from gluts.forecasting.glu import GLUForecaster

    return GLUForecaster(
        horizon=horizon,
        season_length=season_length,
        n_channels=16,
        head_hidden=0,
        transform=None,  # new rows may hold zeros or negatives that a log could not take
        n_steps=100,
        batch_size=16,
        random_state=0,
        n_threads=1,
    )
