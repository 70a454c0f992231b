"""GLUAnomalyDetector: anomalies are observations that the learnt normal behaviour did not expect.

Every row is compared with a *reference* computed causally from the rows before it; each
series keeps the one that explains its fit rows best:

* ``"level"``: the rolling z-score of the values over several windows (the largest counts);
* ``"seasonal"``: the ``smooth``-row mean now against its median at the same phase of the
  last ``n_seasons`` seasons (rolling z-score);
* ``"forecast"``: the distance from the median of quantile forecasts (by default a small
  :class:`~gluts.GLUForecaster` trained on all fit series at once, ``forecast_stride`` rows
  at a time from the ``forecast_context`` rows before), in units of half the forecast band.

The forecast is kept first when its robust residual spread on the fit rows is below
``selection_ratio`` times the level's (then the seasonal reference; else the level). A
seasonal reference that passes too is a second stream beside the forecast, on past seasons
without cleaned rows: a day of the wrong shape surprises it, not a forecast from the hours
before. Without ``season_length`` or a frequency that gives one, the season is read from
the fit rows (:func:`~gluts.anomaly.season.detect_season`). Each stream is calibrated per
series with a GPD tail and the streams' ``-log10`` tail probabilities are averaged. The level
reference also scores, per ``shift_scales``, sustained departures from the level before
(:func:`~gluts.anomaly.surprise.shift_z`, read with the normal tail and combined by their
maximum): a level change by a fraction of the noise that no single row shows. The level and
seasonal references' mean surprisal over the last ``density_windows`` rows has a tail of its
own (:meth:`~gluts.anomaly.calibration.TailCalibrator.surprisal`): rows each a little
surprising (a variance burst, a regime change, denser spikes); the forecast's has not, its
fit rows being in-sample. A surprise that came back at the same phase of each of the last
two seasons is discounted (:mod:`gluts.anomaly.echoes`): a nightly job is not an incident.
With ``shaping_window``, an incident raises one sharp alarm.

**Incidents, not symptoms** (:mod:`gluts.anomaly.robust`): ``robust_fit`` trains the
forecaster on fit rows whose clearly anomalous or frozen rows are replaced; a row whose
forecast surprise exceeds ``clean_z`` (per series) or that is frozen, and after two such rows
those above half that (:func:`~gluts.anomaly.robust.incident_rows`), are replaced by their
forecasts in later contexts, so an incident stays surprising while it lasts (as the band
widens) and its recovery ends it, until after ``new_normal_after`` rows it becomes the new
normal (the alert's ``new_normal`` column); a series whose fit rows would be more than 20%
cleaned is not cleaned. The tails leave out the fit rows' rare incidents, cleaned row by row
(:func:`~gluts.anomaly.robust.calibration_rows`). A reading that stops updating in a series
whose fit rows hardly repeat a value is found by its repeats (:mod:`~gluts.anomaly.frozen`).
NAB: 64.2 / 52.9 / 70.1, the forecast the reference of 14 of 35 files (57.3 / 38.6 / 65.5 without
it). Synthetic: 92% of incidents found; false alerts per 10k rows 0.18 between, 2.3 healthy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval

from gluts.anomaly.base import BaseAnomalyDetector
from gluts.anomaly.docs import common_doc
from gluts.anomaly.forecasts import band_surprise, default_forecaster, rolling_forecasts
from gluts.anomaly.frozen import frozen_surprisal, repeat_surprisal
from gluts.anomaly.robust import calibration_rows, clean_context, clean_fit_rows, cleaning_cut
from gluts.anomaly.season import season_of, seasonal_reference
from gluts.anomaly.surprise import (
    Surprise,
    largest_rolling_z,
    median_spread,
    rolling_mean_std,
    shift_z,
    value_floor,
)
from gluts.data import Panel
from gluts.exceptions import InsufficientHistoryError

__all__ = ["GLUAnomalyDetector", "rolling_forecasts"]

REFERENCES = ("level", "seasonal", "forecast")


@dataclass(frozen=True)
class _State:
    reference: str
    period: int
    floor: float
    cut: float = 0.0  # forecast surprise from which contexts are cleaned (0: never)
    support: str = ""  # "seasonal": its z-score is a second stream of another reference
    repeat: float = 0.0  # surprisal of a repeated value (0: the values repeat), see frozen
    sustain: bool = True  # incidents go on (robust.incident_rows); False in the fit rows

    def __post_init__(self):
        valid = self.reference in REFERENCES and self.support in ("", "seasonal")
        if not valid or self.period < 1 or not self.floor > 0 or not self.repeat >= 0:
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
        Season of the ``"seasonal"`` reference, in rows; None takes the frequency's, else
        the one each series' fit rows show (1 disables it).
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
        Rows of history the forecaster gets for each forecast (rows with fewer before them
        get no forecast surprise).
    forecast_stride : int, default=24
        Rows forecast from each origin (this many rows apart; a supplied forecaster needs a
        ``horizon`` of at least this): one forecast per origin (22,700 rows: 0.35 s on 2
        cores, 1.5 s at 6); a longer stride lets slow incidents drift from the forecast.
    clean_z : float or None, default=4.0
        Forecast surprise (in units of the predicted half-spread) from which a row is kept
        out of the forecast contexts of the rows after it; None uses the raw rows.
    new_normal_after : int, default=48
        Rows after which an incident (lulls of up to 3 rows joined) becomes the new normal.
    level_support : bool, default=False
        Score the forecast reference jointly with the level z-score.
    robust_calibration : bool, default=False
        Leave outlying calibration surprises out of the tails (costs on heavy tails, as NAB's).
    robust_fit : bool, default=True
        Train the forecaster on fit rows whose clearly anomalous rows are replaced.
    shift_scales : tuple of int, default=(10, 20, 40)
        Rows of the level reference's mean departures from its level, a stream each; () none.
    density_windows : tuple of int, default=(20, 40)
        Rows over which level and seasonal references' mean surprisal has its own tail; () for none.
{common_doc(threshold="0.13", shaping_window="100", merge_gap="24")}

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
        "clean_z": [Interval(Real, 0, None, closed="neither"), None],
        "new_normal_after": [Interval(Integral, 1, None, closed="left")],
        "level_support": ["boolean"],
        "robust_calibration": ["boolean"],
        "robust_fit": ["boolean"],
        "shift_scales": [tuple],
        "density_windows": [tuple],
    }
    _STATE = (*BaseAnomalyDetector._STATE, "forecaster_")
    _default_threshold = 0.13  # on the shaped score: a rise of 0.13 above the recent scores

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
        clean_z: float | None = 4.0,
        new_normal_after: int = 48,
        level_support: bool = False,
        robust_calibration: bool = False,
        robust_fit: bool = True,
        shift_scales: tuple = (10, 20, 40),
        density_windows: tuple = (20, 40),
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = 100,
        merge_gap: int = 24,
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
        self.clean_z = clean_z
        self.new_normal_after = new_normal_after
        self.level_support = level_support
        self.robust_calibration = robust_calibration
        self.robust_fit = robust_fit
        self.shift_scales = shift_scales
        self.density_windows = density_windows
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
        scales = (*self.shift_scales, *self.density_windows)
        sizes = [(w, 4) for w in self.windows] + [(k, 2) for k in scales]
        if unknown or not all(isinstance(v, Integral) and v >= least for v, least in sizes):
            raise ValueError(
                f"GLUAnomalyDetector needs references from {REFERENCES}, windows of ints >= 4 "
                f"and shift_scales and density_windows of ints >= 2; got references="
                f"{self.references!r}, windows={self.windows!r}, shift_scales="
                f"{self.shift_scales!r}, density_windows={self.density_windows!r}."
            )
        self.forecaster_ = None
        if "forecast" in self.references:
            given = self.forecaster
            forecaster = default_forecaster(self.forecast_stride) if given is None else given
            frames = [
                pd.DataFrame({"unique_id": sid, "ds": np.arange(len(v)), "y": self._train(v)})
                for sid, v in zip(panel.ids, panel.values)
            ]
            try:
                self.forecaster_ = clone(forecaster).fit(pd.concat(frames, ignore_index=True))
            except InsufficientHistoryError:  # too little fit data to train: no forecasts
                self.forecaster_ = None

    def _train(self, values: np.ndarray) -> np.ndarray:
        """The fit rows the forecaster learns from (see ``robust_fit``)."""
        period = season_of(values, self.season_length, self.season_length_)
        return clean_fit_rows(values, period) if self.robust_fit else values

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> _State:
        period = season_of(values, self.season_length, season_length)
        floor = value_floor(values)
        level, _ = rolling_mean_std(values, self.windows[0], floor)
        spread = {"level": median_spread(values - level)}
        cut = 0.0
        for name in self.references:
            if name == "forecast" and self._available(name, period, len(values)):
                cut, forecast = self._cut(values, period, floor)
                spread[name] = median_spread(values - forecast.expected)
            elif name == "seasonal" and self._available(name, period, len(values)):
                reference = seasonal_reference(values, period, self.smooth, self.n_seasons)[1]
                spread[name] = median_spread(values - reference)
        # the GLU forecast first: it is kept whenever it clearly explains the series, and a
        # seasonal reference that does too is its second stream
        bar = self.selection_ratio * spread["level"]
        ranked = [n for n in ("forecast", "seasonal") if spread.get(n, np.inf) < bar]
        chosen = ranked[0] if ranked else "level"
        support = "seasonal" if "seasonal" in ranked and chosen != "seasonal" else ""
        cut, repeat = (cut if chosen == "forecast" else 0.0), repeat_surprisal(values)
        return _State(chosen, period, floor, cut, support, repeat)

    def _cut(self, values: np.ndarray, period: int, floor: float) -> tuple[float, Surprise]:
        """The series' cleaning cut (:func:`~gluts.anomaly.robust.cleaning_cut`, 0 for
        ``clean_z=None``) and the fit rows' forecast surprise with it."""

        def surprise_at(cut: float) -> tuple[Surprise, np.ndarray]:
            state = _State("forecast", period, floor, cut, sustain=False)
            return self._forecast_surprise(state, values)

        if self.clean_z is None:
            return 0.0, surprise_at(0.0)[0]
        return cleaning_cut(surprise_at, self.clean_z)

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
            n_forecast = n - self.forecast_context - self.forecast_stride  # see rolling_forecasts
            return self.forecaster_ is not None and n_forecast > 10
        return period > 1 and n > period + self.smooth + 10

    def _forecasts(self, values: np.ndarray, start: int = 0) -> np.ndarray:
        """Point forecast and band of each row, see :func:`rolling_forecasts`."""
        return rolling_forecasts(
            self.forecaster_,
            values,
            context=self.forecast_context,
            stride=self.forecast_stride,
            start=start,
        )

    def _context(self, state: _State) -> int:
        level = max(self.windows)
        shifts = 2 * level + 3 * max(self.shift_scales, default=0)  # see shift_z
        seasonal = self.n_seasons * state.period + self.smooth + level
        forecast = self.forecast_context + self.forecast_stride + level
        contexts = {"level": max(level, shifts), "seasonal": seasonal, "forecast": forecast}
        return max(contexts[state.reference], contexts.get(state.support, 0))

    def _surprise(self, state: _State, values: np.ndarray, start: int = 0) -> Surprise:
        surprise = self._reference_surprise(state, values, start)
        if state.repeat > 0:
            surprise = replace(surprise, frozen=frozen_surprisal(values, state.repeat))
        if not self._standardised_streams(state):
            return surprise
        shifts = [shift_z(values, k, max(self.windows), state.floor) for k in self.shift_scales]
        return replace(surprise, z=np.column_stack([surprise.z, *shifts]))

    def _fit_surprise(self, state: _State, values: np.ndarray, start: int = 0) -> Surprise:
        return self._surprise(replace(state, sustain=False), values, start)

    def _calibration(self, state: _State, z: np.ndarray, values) -> tuple[np.ndarray, dict]:
        return z[calibration_rows(z[:, 0], state.cut, values)], {"trim": self.robust_calibration}

    def _standardised_streams(self, state: _State) -> int:
        return len(self.shift_scales) if state.reference == "level" else 0

    def _density_windows(self, state: _State) -> tuple:
        # a forecast's fit rows are in-sample (denser later), so its density is not calibrated
        return () if state.reference == "forecast" else tuple(self.density_windows)

    def _season(self, state: _State) -> int:
        return state.period

    def _reference_surprise(self, state: _State, values: np.ndarray, start: int) -> Surprise:
        if state.reference == "seasonal":
            z, mean, std, residual = self._seasonal_z(values, state)
            expected = values - (residual - mean)
            return Surprise(z, expected, expected - 3 * std, expected + 3 * std)
        if state.reference == "level":
            z, mean, std = largest_rolling_z(self.windows, values, state.floor)
            return Surprise(z, mean, mean - 3 * std, mean + 3 * std)
        return self._forecast_surprise(state, values, start)[0]

    def _seasonal_z(self, values: np.ndarray, state: _State, past: np.ndarray | None = None):
        """The seasonal residual's rolling z-score (against the seasons of ``past``, default
        ``values``), mean and standard deviation, and the residual."""
        smoothed, reference = seasonal_reference(
            values, state.period, self.smooth, self.n_seasons, past
        )
        residual = smoothed - reference
        return *largest_rolling_z(self.windows, residual, state.floor), residual

    def _forecast_surprise(
        self, state: _State, values: np.ndarray, start: int = 0
    ) -> tuple[Surprise, np.ndarray]:
        """The forecast reference's surprise, and the rows cleaned out of its contexts."""

        def expect(past):
            forecasts = self._forecasts(past, start)
            return (*band_surprise(forecasts, values, past, self.windows, state.floor), past)

        limit = self.new_normal_after  # a past without incidents (clean_z), see robust
        cleaning = clean_context(values, expect, cut=state.cut, limit=limit, sustain=state.sustain)
        (z, expected, lower, upper, past), accepted, cleaned = cleaning
        if self.level_support:
            z = np.column_stack([z, largest_rolling_z(self.windows, values, state.floor, past)[0]])
        if state.support:  # seasons with cleaned rows are left out: an incident is not echoed
            seasons = np.where(cleaned, np.nan, values)
            z = np.column_stack([z, self._seasonal_z(values, state, seasons)[0]])
        return Surprise(z, expected, lower, upper, accepted), cleaned

    def _new_normal_rows(self) -> int:
        return self.new_normal_after + 3  # the first accepted row, past short lulls
