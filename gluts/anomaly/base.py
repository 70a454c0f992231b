"""The detector contract shared by every gluts anomaly detector.

Label convention (used everywhere in gluts): **1 = anomaly, 0 = normal**. gluts does not
use scikit-learn's ``OutlierMixin`` (-1/1 labels).

A detector subclass implements two hooks: :meth:`BaseAnomalyDetector._fit_series` learns a
per-series state from the fit data, and :meth:`BaseAnomalyDetector._surprise` returns, for a
whole series, a causal surprise statistic plus the expected value and band behind it. The base
class calibrates surprises into [0, 1] scores (see :mod:`gluts.anomaly.calibration`), applies the
threshold, groups alarms into events and lays every output out like the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from gluts._estimator import PanelEstimator
from gluts._parallel import map_series
from gluts.anomaly.calibration import TailCalibrator, rise, to_unit
from gluts.anomaly.events import group_events
from gluts.anomaly.surprise import Surprise
from gluts.anomaly.thresholds import FixedThreshold, _BaseThreshold
from gluts.data import Panel
from gluts.exceptions import DataError, InsufficientHistoryError

__all__ = ["BaseAnomalyDetector", "Surprise"]

_MIN_CALIBRATION = 10


@dataclass
class _Scored:
    """Scores and details of one series, restricted to the rows that were asked for."""

    score: np.ndarray
    surprise: Surprise
    values: np.ndarray
    index: pd.Index


class BaseAnomalyDetector(PanelEstimator):
    """Fit / score / predict / alerts plumbing shared by every detector.

    Subclasses declare their own ``_parameter_constraints`` (merged with
    :attr:`_common_constraints`) and implement :meth:`_fit_series` and :meth:`_surprise`.
    """

    _common_constraints: dict = {
        "threshold": [Real, _BaseThreshold, None],
        "tail_quantile": [Interval(Real, 0, 1, closed="neither")],
        "score_scale": [Interval(Real, 0, None, closed="neither")],
        "shaping_window": [Interval(Integral, 1, None, closed="left"), None],
        "merge_gap": [Interval(Integral, 0, None, closed="left")],
        "min_duration": [Interval(Integral, 1, None, closed="left")],
        "cooldown": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }
    _parameter_constraints: dict = {}
    _default_threshold = 0.3
    # Estimated seconds per observation of fitting and of scoring (sizes parallel tasks).
    _seconds_per_value: tuple[float, float] = (5e-6, 5e-6)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("_parameter_constraints", {})
        cls._parameter_constraints = {**BaseAnomalyDetector._common_constraints, **own}

    # -- public API -------------------------------------------------------------------------

    def fit(
        self,
        y,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        missing: str = "interpolate",
        freq: str | None = None,
    ):
        """Learn normal behaviour and calibrate the scores of each series.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            Normal (or mostly normal) history: a Series, a wide frame, a long frame
            (``unique_id, ds, y``) or an array of shape ``(n_timesteps,)`` or
            ``(n_timesteps, n_series)``.
        id_col, time_col, target_col : str, default="unique_id", "ds", "y"
            Column names of a long frame.
        missing : {"interpolate", "error"}, default="interpolate"
            How missing values and gaps are handled.
        freq : str or None, default=None
            Frequency of the data (a pandas offset alias); inferred when None.

        Returns
        -------
        self : object
            The fitted detector.
        """
        self.read_options_ = self._start_fit(id_col, time_col, target_col, missing, freq)
        panel = self._to_panel(y)
        self.season_length_ = panel.grid.season_length()
        self._prepare(panel)
        fitted = map_series(
            _fit_chunk,
            self,
            list(zip(panel.ids, panel.values)),
            n_jobs=self.n_jobs,
            seconds=panel.lengths * self._seconds_per_value[0],
            shared=(self.season_length_, self._global_state()),
        )
        self.states_ = [state for state, _, _ in fitted]
        self.calibrators_ = [calibrator for _, calibrator, _ in fitted]
        calibration = [scores for _, _, scores in fitted]
        self.history_ = panel
        self.series_ids_ = list(panel.ids)
        self.threshold_ = self._make_threshold().fit(np.concatenate(calibration))
        return self

    def score(self, y=None):
        """Return the anomaly score of each timestamp, in [0, 1], laid out like ``y``.

        Scoring is causal: the score at ``t`` uses data up to ``t`` only. Rows that continue
        a fitted series (starting after its fitted history) are scored with that history as
        context, so appended data need no refit.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to score (same layout conventions as ``fit``, same series); None scores
            the fitted history.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            One score per timestamp (column ``score`` of a long frame).
        """
        panel, scored = self._score_all(y)
        return panel.format_values({"score": [s.score for s in scored]})

    def predict(self, y=None):
        """Return 0/1 labels per timestamp (1 = anomaly), laid out like ``y``.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to label; None labels the fitted history.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            Labels (column ``anomaly`` of a long frame).
        """
        panel, scored = self._score_all(y)
        return panel.format_values({"anomaly": [self.threshold_.flag(s.score) for s in scored]})

    def fit_predict(self, y, **fit_params):
        """Fit on ``y`` and return its 0/1 labels (1 = anomaly).

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            The series.
        **fit_params : dict
            Keyword arguments of :meth:`fit` (column names, ``missing``, ``freq``).

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            Labels laid out like ``y``.
        """
        return self.fit(y, **fit_params).predict(y)

    def alerts(self, y=None) -> pd.DataFrame:
        """Group flagged points into alert events, one row per event.

        Flags closer than ``merge_gap`` rows join one event, events shorter than
        ``min_duration`` rows are dropped, and an event starting within ``cooldown`` rows of
        the previous event's end is suppressed.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to check; None checks the fitted history.

        Returns
        -------
        pandas.DataFrame
            Columns ``unique_id, start, end, peak_time, peak_score, severity, observed,
            expected, lower, upper`` (the last four at the peak); severity is ``peak_score``
            relative to the threshold: ``"warning"`` below 1.5 times it, else ``"critical"``.
        """
        panel, scored = self._score_all(y)
        frames = []
        for sid, s in zip(panel.ids, scored):
            flags = self.threshold_.flag(s.score)
            frames.append(
                group_events(
                    sid,
                    s.index,
                    flags,
                    s.score,
                    s.values,
                    s.surprise,
                    threshold=self.threshold_.threshold_,
                    merge_gap=self.merge_gap,
                    min_duration=self.min_duration,
                    cooldown=self.cooldown,
                )
            )
        return pd.concat(frames, ignore_index=True)

    # -- hooks ------------------------------------------------------------------------------

    def _prepare(self, panel: Panel) -> None:
        """Fit anything shared by all series (e.g. a global forecaster); default: nothing."""

    def _global_state(self) -> dict[str, Any]:
        """The attributes set by :meth:`_prepare` that every series needs, by name.

        They are all that a parallel task gets of the fitted detector besides its own series
        (see :mod:`gluts._parallel`), so keep them small: a global model without its
        training data, a seed. Default: none.
        """
        return {}

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> Any:
        """Learn the state of one series from its fit data."""
        raise NotImplementedError

    def _surprise(self, state: Any, values: np.ndarray) -> Surprise:
        """Return the causal surprise of every row of ``values`` (context rows first)."""
        raise NotImplementedError

    # -- internals --------------------------------------------------------------------------

    def _make_threshold(self) -> _BaseThreshold:
        if isinstance(self.threshold, _BaseThreshold):
            return clone(self.threshold)
        if self.threshold is None:
            return FixedThreshold(self._default_threshold)
        return FixedThreshold(float(self.threshold))

    def _finish(self, calibrator: TailCalibrator, z: np.ndarray) -> np.ndarray:
        """Calibrate a surprise series into [0, 1] scores and shape them.

        Several surprise streams are combined by the mean of their ``-log10`` tail
        probabilities (the geometric mean of the probabilities): one stream alone must be
        twice as surprising as both together to raise the same score. A stream too short to
        calibrate does not count.
        """
        calibrated = [tail is not None for tail in calibrator.tails]
        log_surprise = calibrator.log_surprise(z)[:, calibrated].mean(axis=1)
        score = to_unit(log_surprise, self.score_scale)
        if self.shaping_window is not None:
            score = rise(score, self.shaping_window)
        return score

    def _fit_one(self, sid, values: np.ndarray, season_length: int) -> tuple:
        """The state, calibrator and calibrated fit scores of one series."""
        state = self._fit_series(sid, values, season_length)
        z = self._surprise(state, values).z
        calibrator = TailCalibrator.fit(z, self.tail_quantile, _MIN_CALIBRATION)
        if not calibrator.usable:
            raise InsufficientHistoryError(
                f"{type(self).__name__} needs at least {_MIN_CALIBRATION} scored points "
                f"after its warm-up to calibrate; series {sid!r} has fewer. "
                "Fit on a longer history or shorten the detector's windows."
            )
        return state, calibrator, self._finish(calibrator, z)

    def _score_all(self, y) -> tuple[Panel, list[_Scored]]:
        check_is_fitted(self, "threshold_")
        panel = self.history_ if y is None else self._to_panel(y)
        items = []
        for sid, values, index in zip(panel.ids, panel.values, panel.index):
            k = self._position(sid)
            past = (self.history_.values[k], self.history_.index[k])
            items.append((values, index, *past, self.states_[k], self.calibrators_[k]))
        scored = map_series(
            _score_chunk,
            self,
            items,
            n_jobs=self.n_jobs,
            seconds=panel.lengths * self._seconds_per_value[1],
            shared=self._global_state(),
        )
        return panel, scored

    def _position(self, sid) -> int:
        """Where series ``sid`` is among the fitted series."""
        try:
            return self.series_ids_.index(sid)
        except ValueError:
            raise DataError(
                f"Series {sid!r} was not seen in fit; {type(self).__name__} calibrates each "
                f"series on its own history. Known series: {self.series_ids_[:5]}."
            ) from None

    def _score_one(self, values, index, past_values, past_index, state, calibrator) -> _Scored:
        offset = 0
        if len(index) and index[0] > past_index[-1]:
            offset = len(past_values)
            values = np.concatenate([past_values, values])
        surprise = self._surprise(state, values)
        score = self._finish(calibrator, surprise.z)
        return _Scored(score[offset:], surprise.tail(offset), values[offset:], index)


def _fit_chunk(detector: BaseAnomalyDetector, items: list, shared: tuple) -> list:
    """Fit each ``(id, values)`` of a chunk (see :meth:`BaseAnomalyDetector._fit_one`)."""
    season_length, global_state = shared
    vars(detector).update(global_state)
    return [detector._fit_one(sid, values, season_length) for sid, values in items]


def _score_chunk(detector: BaseAnomalyDetector, items: list, global_state: dict) -> list:
    """Score each series of a chunk from its fitted state and calibrator."""
    vars(detector).update(global_state)
    return [detector._score_one(*item) for item in items]
