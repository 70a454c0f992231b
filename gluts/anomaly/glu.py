"""GLUAnomalyDetector: anomalies are observations that the learnt normal behaviour did not expect.

Every row is compared with a *reference*, an expectation computed causally from the rows
before it. Three references are available, and each series keeps the one that explains its
fit data best:

* ``"level"``: no forecast; the rolling z-score of the values themselves over several windows
  (the largest counts);
* ``"seasonal"``: the median of the ``smooth``-row means at the same phase of the last
  ``n_seasons`` seasons; the rolling z-score of the ``smooth``-row mean now minus it;
* ``"forecast"``: quantile forecasts of the forecaster (by default a small
  :class:`~gluts.GLUForecaster` trained on all fit series at once), issued every
  ``forecast_stride`` rows for the next ``forecast_stride`` rows from the
  ``forecast_context`` rows before (all origins of a series in one batched ``predict``). A
  row's surprise is its distance from the forecast median in units of the predicted spread
  (half the width between the lowest and highest forecast quantile), scored jointly with the
  level z-score as two separately calibrated streams whose ``-log10`` tail probabilities are
  averaged: a forecast follows a slow incident after a while, and the level stream still
  sees it, while a row that only one stream finds surprising needs twice the surprise.

A reference other than ``"level"`` is kept only when its robust residual spread on the fit
data is below ``selection_ratio`` times that of the level reference: a forecast must clearly
explain the series to be trusted, otherwise level changes are scored directly. The surprise is
then calibrated per series with a GPD tail and shaped so that an incident raises one sharp
alarm (see :mod:`gluts.anomaly.calibration`).

What the GLU forecast reference is worth on the NAB development subset (fit on the
probationary 15% of each file only; ``benchmarks/nab.py``): with the default stride of 24 it
is chosen on machine_temperature (on the other files a 24-row-ahead forecast does not halve
the level spread) and the detector scores 56.9 / 47.4 / 63.2 (standard / low-FP / low-FN;
the same with forecaster seeds 0, 1 and 2) against 56.0 / 48.3 / 62.6 without it. The gain is
within the noise of this small set: other strides score 51.1 (6), 54.6 (12), 58.0 (16), 52.7
(20) and 53.6 (32) standard, and at 48 the forecast is chosen nowhere. Short strides choose it
also on ambient_temperature and nyc_taxi, whose incidents are slow level changes that a
forecast a few rows ahead follows.
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
from gluts.anomaly.surprise import Surprise, rolling_mean_std, value_floor
from gluts.base import quantile_column
from gluts.data import Panel
from gluts.exceptions import InsufficientHistoryError

__all__ = ["GLUAnomalyDetector", "rolling_forecasts"]

REFERENCES = ("level", "seasonal", "forecast")
_BATCH = 64  # forecast batches are padded to a multiple of this many histories


def rolling_forecasts(
    forecaster,
    values: np.ndarray,
    *,
    context: int,
    stride: int = 1,
    start: int = 0,
    chunk: int = 2048,
) -> np.ndarray:
    """Causal forecasts, and their band, of every row from (up to) the ``context`` rows before it.

    Forecast origins are the rows at positions ``start + t`` that are multiples of
    ``stride``, from row ``t = stride`` on (``start`` is the position of ``values[0]`` in
    the series, so origins stay on the same rows however the series is cut); origin ``t``
    becomes one history ``values[max(0, t - context):t]`` and the fitted ``forecaster``
    forecasts its next ``stride`` rows. The origins of a chunk go into a single
    ``predict(h, y=...)`` call (one batch for a global model), padded to a multiple of 64
    histories: torch picks its kernels by batch size, and a fixed batch shape keeps each
    forecast the same bit for bit however the rows were chunked. Row ``t``'s forecast
    therefore uses rows before ``t`` only.

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
    start : int, default=0
        Position of ``values[0]`` in the series.
    chunk : int, default=2048
        Origins per ``predict`` call.

    Returns
    -------
    ndarray of shape (n, 3)
        Per row the point forecast and the lowest and highest forecast quantile (NaN when the
        forecaster predicts fewer than two quantiles); NaN before the first origin.
    """
    n = len(values)
    alias, levels = forecaster.alias_, sorted(forecaster.quantiles_)
    bounds = [quantile_column(alias, q) for q in (levels[0], levels[-1])] if len(levels) > 1 else []
    columns = [alias, *bounds]
    out = np.full((n, 3), np.nan)
    origins = np.arange((-start) % stride + stride, n, stride)
    for first in range(0, len(origins), chunk):
        batch = origins[first : first + chunk]
        padded = np.concatenate([batch, np.repeat(batch[-1:], -len(batch) % _BATCH)])
        lengths = np.minimum(padded, context)
        ends = np.cumsum(lengths)
        # positions t - L, ..., t - 1 of each origin's history, concatenated
        rows = np.arange(ends[-1]) - np.repeat(ends - padded, lengths)
        history = pd.DataFrame(
            {"unique_id": np.repeat(np.arange(len(padded)), lengths), "ds": rows, "y": values[rows]}
        )
        pred = forecaster.predict(stride, y=history)[columns].to_numpy()
        pred = pred.reshape(len(padded), stride, len(columns))[: len(batch)]
        targets = batch[:, None] + np.arange(stride)
        keep = targets < n
        out[targets[keep], : len(columns)] = pred[keep]
    return out


@dataclass(frozen=True)
class _State:
    reference: str
    period: int
    floor: float

    def __post_init__(self):
        if self.reference not in REFERENCES or self.period < 1 or not self.floor > 0:
            raise ValueError(f"Not a GLUAnomalyDetector series state: {self!r}.")


class GLUAnomalyDetector(BaseAnomalyDetector):
    __doc__ = f"""Anomaly detection from the surprise of a learnt reference, calibrated per series.

    Parameters
    ----------
    forecaster : forecaster or None, default=None
        The forecaster behind the ``"forecast"`` reference (cloned and fitted in ``fit`` on
        the series with integer time steps); None uses a small, non-seasonal
        ``GLUForecaster`` (96 rows of context, 16 channels, a linear head, no log transform,
        100 training steps, one torch thread, horizon ``forecast_stride``, seeded). When the
        fit data is too short to train it, no series uses the forecast reference.
    references : tuple of str, default=("level", "seasonal", "forecast")
        The references each series may use; ``"level"`` is always available (see the module
        docstring for when the forecast is chosen and what it scored on NAB).
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
    forecast_context : int, default=128
        Most rows of history the forecaster gets for each forecast.
    forecast_stride : int, default=24
        Rows forecast from each origin (origins are this many rows apart); a supplied direct
        forecaster needs a ``horizon`` of at least this. Scoring costs one forecast per
        origin (with the default GLU and stride a 22,700-row series scores in 0.35 s on 2
        cores; with a stride of 6 in 1.5 s), and a longer stride lets slow incidents drift
        further from the forecast before the next origin catches up.
{common_doc()}

    Attributes
    ----------
    forecaster_ : forecaster or None
        The fitted forecaster (None when ``"forecast"`` is not among the references).
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
        "forecast_context": [Interval(Integral, 1, None, closed="left")],
        "forecast_stride": [Interval(Integral, 1, None, closed="left")],
    }
    _STATE = (*BaseAnomalyDetector._STATE, "forecaster_")

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
        forecast_context: int = 128,
        forecast_stride: int = 24,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = None,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
        n_jobs: int | None = None,
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
        self.n_jobs = n_jobs

    _seconds_per_value = (2e-5, 2e-5)

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
        self.forecaster_ = None
        if "forecast" in self.references:
            forecaster = self.forecaster
            if forecaster is None:
                forecaster = _default_forecaster(self.forecast_stride)
            frames = [
                pd.DataFrame({"unique_id": sid, "ds": np.arange(len(v)), "y": v})
                for sid, v in zip(panel.ids, panel.values)
            ]
            try:
                self.forecaster_ = clone(forecaster).fit(pd.concat(frames, ignore_index=True))
            except InsufficientHistoryError:  # too little fit data to train: no forecasts
                self.forecaster_ = None

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
        return _State(chosen, period, floor)

    @property
    def references_(self) -> dict:
        """The reference each fitted series uses, by series id."""
        return {sid: state.reference for sid, state in zip(self.series_ids_, self.states_)}

    def _global_state(self) -> dict:
        """The fitted forecaster, without its training series, for the parallel tasks."""
        forecaster = self.forecaster_
        return {"forecaster_": None if forecaster is None else forecaster._for_new_histories()}

    def _available(self, name: str, period: int, n: int) -> bool:
        if name == "forecast":
            return self.forecaster_ is not None and n > self.forecast_stride + 10
        return period > 1 and n > period + self.smooth + 10

    def _expectation(self, name: str, period: int, values: np.ndarray) -> np.ndarray:
        """The reference's causal expectation of each row (NaN where it has none)."""
        if name == "forecast":
            return self._forecasts(values)[:, 0]
        return self._seasonal(values, period)[1]

    def _forecasts(self, values: np.ndarray, start: int = 0) -> np.ndarray:
        """Point forecast and band of each row, see :func:`rolling_forecasts`."""
        return rolling_forecasts(
            self.forecaster_,
            values,
            context=self.forecast_context,
            stride=self.forecast_stride,
            start=start,
        )

    def _seasonal(self, values: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``smooth``-row means, and their median at the same phase of past seasons."""
        smoothed = pd.Series(values).rolling(self.smooth).mean()
        past = np.stack(
            [smoothed.shift(k * period).to_numpy() for k in range(1, self.n_seasons + 1)]
        )
        with warnings.catch_warnings():  # rows without any past season stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            return smoothed.to_numpy(), np.nanmedian(past, axis=0)

    def _context(self, state: _State) -> int:
        level = max(self.windows)
        if state.reference == "seasonal":
            return self.n_seasons * state.period + self.smooth + level
        if state.reference == "forecast":
            return self.forecast_context + self.forecast_stride + level
        return level

    def _surprise(self, state: _State, values: np.ndarray, start: int = 0) -> Surprise:
        if state.reference == "seasonal":
            smoothed, reference = self._seasonal(values, state.period)
            z, mean, std = self._rolling_z(smoothed - reference, state.floor)
            expected = values - (smoothed - reference - mean)
            return Surprise(z, expected, expected - 3 * std, expected + 3 * std)
        level_z, mean, std = self._rolling_z(values, state.floor)
        if state.reference == "level":
            return Surprise(level_z, mean, mean - 3 * std, mean + 3 * std)
        point, lower, upper = self._forecasts(values, start).T
        if np.isnan(lower).all():  # no quantiles: the residual's own rolling spread
            z, mean, std = self._rolling_z(values - point, state.floor)
            expected = point + mean
            lower, upper = expected - 3 * std, expected + 3 * std
        else:  # distance from the median in units of the predicted spread
            expected = point
            z = np.abs(values - point) / np.maximum((upper - lower) / 2, state.floor)
        return Surprise(np.column_stack([z, level_z]), expected, lower, upper)

    def _rolling_z(self, x: np.ndarray, floor: float) -> tuple[np.ndarray, ...]:
        """Return the largest rolling z-score of ``x`` over ``windows``, with the rolling mean
        and standard deviation of the first window."""
        zs, first = [], None
        for window in self.windows:
            mean, std = rolling_mean_std(x, window, floor)
            zs.append(np.abs(x - mean) / std)
            first = first or (mean, std)
        return np.fmax.reduce(zs), *first


def _mad(residual: np.ndarray) -> float:
    r = residual[np.isfinite(residual)]
    return float(np.median(np.abs(r - np.median(r)))) if len(r) else np.inf


def _default_forecaster(horizon: int):
    """A small, quickly trained, non-seasonal GLUForecaster forecasting ``horizon`` steps.

    Non-seasonal because scoring forecasts from every few rows: a seasonal GLU reads about
    eight seasons of history per forecast (2,300 rows at 5-minute data with a daily season),
    too slow to score a long series in seconds; the seasonal reference covers the cycle.
    """
    from gluts.forecasting.glu import GLUForecaster

    return GLUForecaster(
        horizon=horizon,
        season_length=1,
        context_length=96,
        n_channels=16,
        head_hidden=0,
        transform=None,  # new rows may hold zeros or negatives that a log could not take
        n_steps=100,
        batch_size=16,
        random_state=0,
        n_threads=1,
    )
