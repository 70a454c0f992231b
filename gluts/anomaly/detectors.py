"""Baseline anomaly detectors behind the shared detector API.

Each detector only says what it expects at every row and how surprising the observation is;
calibration, thresholds, events and layouts come from :class:`BaseAnomalyDetector`.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from gluts._parallel import series_seed
from gluts.anomaly.base import BaseAnomalyDetector
from gluts.anomaly.docs import common_doc
from gluts.anomaly.forest import IsolationTrees, forest_arrays, isolation_scores
from gluts.anomaly.surprise import (
    Surprise,
    rolling_location_scale,
    rolling_mean_std,
    surprise_from,
    value_floor,
)
from gluts.exceptions import InsufficientHistoryError

__all__ = ["IsolationForestDetector", "MADDetector", "STLDetector", "ZScoreDetector"]


class _RollingDetector(BaseAnomalyDetector):
    """Expected value and scale from a rolling window of the previous values."""

    _parameter_constraints: dict = {"window": [Interval(Integral, 2, None, closed="left")]}
    _robust = False

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> float:
        return value_floor(values)

    def _context(self, state: float) -> int:
        # the robust scale is a rolling median of deviations from a rolling median
        return 2 * self.window if self._robust else self.window

    def _surprise(self, state: float, values: np.ndarray, start: int = 0) -> Surprise:
        if self._robust:
            expected, scale = rolling_location_scale(values, self.window, self.window // 2, state)
        else:
            expected, scale = rolling_mean_std(values, self.window, state)
        return surprise_from(values, expected, scale)


class ZScoreDetector(_RollingDetector):
    __doc__ = f"""Rolling z-score: distance to the mean of the previous ``window`` values, in
    standard deviations.

    Parameters
    ----------
    window : int, default=100
        Number of previous values in the rolling mean and standard deviation.
{common_doc()}

    Attributes
    ----------
    threshold_ : threshold object
        The fitted threshold; set by ``fit``.
    series_ids_ : list
        Fitted series ids.

    See Also
    --------
    MADDetector : The robust (median / MAD) version.
    """

    def __init__(
        self,
        window: int = 100,
        *,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = None,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
        n_jobs: int | None = None,
    ):
        self.window = window
        self.threshold = threshold
        self.tail_quantile = tail_quantile
        self.score_scale = score_scale
        self.shaping_window = shaping_window
        self.merge_gap = merge_gap
        self.min_duration = min_duration
        self.cooldown = cooldown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls):
        return [{"window": 20}]


class MADDetector(_RollingDetector):
    __doc__ = f"""Rolling median / MAD: distance to the median of the previous ``window`` values,
    in robust standard deviations (1.4826 MAD).

    Parameters
    ----------
    window : int, default=100
        Number of previous values in the rolling median and MAD.
{common_doc()}

    Attributes
    ----------
    threshold_ : threshold object
        The fitted threshold; set by ``fit``.
    series_ids_ : list
        Fitted series ids.

    See Also
    --------
    ZScoreDetector : The mean / standard deviation version.
    """

    _robust = True

    def __init__(
        self,
        window: int = 100,
        *,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = None,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
        n_jobs: int | None = None,
    ):
        self.window = window
        self.threshold = threshold
        self.tail_quantile = tail_quantile
        self.score_scale = score_scale
        self.shaping_window = shaping_window
        self.merge_gap = merge_gap
        self.min_duration = min_duration
        self.cooldown = cooldown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls):
        return [{"window": 20}]


@dataclass(frozen=True)
class _STLState:
    profile: np.ndarray
    floor: float
    window: int = 0  # the rolling MAD's window for this series (0: ``scale_window``)

    def __post_init__(self):
        if len(self.profile) < 1 or not self.floor > 0:
            raise ValueError("An STLDetector series state needs a profile and a positive floor.")


class STLDetector(BaseAnomalyDetector):
    __doc__ = f"""STL residuals: a seasonal profile from an STL decomposition of the fit data, a
    rolling median level, and the residual standardised by a rolling MAD.

    The expected value at ``t`` is the seasonal profile at ``t``'s phase plus the median of
    the deseasonalised values over the previous ``season_length`` rows; phases count from the
    first fitted row.

    Parameters
    ----------
    season_length : int or None, default=None
        Season length in rows; None infers it from the frequency.
    scale_window : int, default=500
        Number of previous residuals in the rolling MAD (shortened for a short fit, so
        that the second half of its rows is scored and calibrates the tail).
{common_doc()}

    Attributes
    ----------
    threshold_ : threshold object
        The fitted threshold; set by ``fit``.
    series_ids_ : list
        Fitted series ids.
    """

    _parameter_constraints: dict = {
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "scale_window": [Interval(Integral, 10, None, closed="left")],
    }

    def __init__(
        self,
        season_length: int | None = None,
        *,
        scale_window: int = 500,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = None,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
        n_jobs: int | None = None,
    ):
        self.season_length = season_length
        self.scale_window = scale_window
        self.threshold = threshold
        self.tail_quantile = tail_quantile
        self.score_scale = score_scale
        self.shaping_window = shaping_window
        self.merge_gap = merge_gap
        self.min_duration = min_duration
        self.cooldown = cooldown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls):
        return [{"season_length": 24, "scale_window": 50}]

    _seconds_per_value = (2e-4, 5e-6)

    def _period(self, season_length: int) -> int:
        return int(self.season_length or season_length)

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> _STLState:
        from statsmodels.tsa.seasonal import STL

        period = self._period(season_length)
        window = max(10, min(self.scale_window, 5 * (len(values) // 4)))
        if period < 2:
            return _STLState(np.zeros(1), value_floor(values), window)
        if len(values) < 2 * period + 1:
            raise InsufficientHistoryError(
                f"STLDetector needs at least 2 * season_length + 1 = {2 * period + 1} "
                f"fit observations per series; series {sid!r} has {len(values)}.",
                series=sid,
                needed=2 * period + 1,
            )
        seasonal = STL(values, period=period, robust=True).fit().seasonal
        # profile[k] is the seasonal effect of phase k (rows k, k + period, ...).
        last = seasonal[-period:]
        profile = np.roll(last, len(values) % period)
        return _STLState(profile, value_floor(values), window)

    def _context(self, state: _STLState) -> int:
        return max(len(state.profile), 5) + 2 * (state.window or self.scale_window)

    def _surprise(self, state: _STLState, values: np.ndarray, start: int = 0) -> Surprise:
        period = len(state.profile)
        seasonal = state.profile[(start + np.arange(len(values))) % period]
        level = pd.Series(values - seasonal).rolling(max(period, 5), min_periods=1)
        expected = seasonal + level.median().shift(1).to_numpy()
        window = state.window or self.scale_window
        centre, scale = rolling_location_scale(values - expected, window, window // 5, state.floor)
        return surprise_from(values, expected + centre, scale)


@dataclass(frozen=True)
class _ForestState:
    trees: IsolationTrees
    sd: float

    def __post_init__(self):
        if not 0 < self.sd < np.inf:
            raise ValueError("An IsolationForestDetector series state needs a positive scale.")


class IsolationForestDetector(BaseAnomalyDetector):
    __doc__ = f"""Isolation forest on lagged windows: each row is scored by how easily the
    window of the last ``window`` values (centred on its own mean, in units of the fit data's
    step-to-step standard deviation) is isolated by a forest fitted on the fit data's windows.

    This detector has no expected value; the ``expected``, ``lower`` and ``upper`` columns of
    its alerts are NaN.

    Parameters
    ----------
    window : int, default=16
        Length of the lagged windows.
    n_estimators : int, default=100
        Number of trees.
    random_state : int, RandomState instance or None, default=None
        Seeds the forests: each series' forest gets a seed derived from one draw of it and
        the series id, whatever order or parallel task the series is fitted in.
{common_doc()}

    Attributes
    ----------
    threshold_ : threshold object
        The fitted threshold; set by ``fit``.
    series_ids_ : list
        Fitted series ids.
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        window: int = 16,
        *,
        n_estimators: int = 100,
        random_state=None,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = None,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
        n_jobs: int | None = None,
    ):
        self.window = window
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.threshold = threshold
        self.tail_quantile = tail_quantile
        self.score_scale = score_scale
        self.shaping_window = shaping_window
        self.merge_gap = merge_gap
        self.min_duration = min_duration
        self.cooldown = cooldown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls):
        return [{"window": 8, "n_estimators": 20}]

    _seconds_per_value = (2.5e-4, 2e-5)

    def _prepare(self, panel) -> None:
        # One draw here; each series' forest is seeded from it and the series id, so that
        # a series' forest does not depend on the order or the task the series runs in.
        self._seed = int(check_random_state(self.random_state).randint(2**31 - 1))

    def _fit_state(self) -> dict:
        return {"_seed": self._seed}

    def _windows(self, values: np.ndarray, sd: float) -> np.ndarray:
        """Lagged windows, each centred on its own mean (so a slow trend is not anomalous)."""
        windows = np.lib.stride_tricks.sliding_window_view(values / sd, self.window)
        return windows - windows.mean(axis=1, keepdims=True)

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> _ForestState:
        from sklearn.ensemble import IsolationForest

        if len(values) < self.window + 10:
            raise InsufficientHistoryError(
                f"IsolationForestDetector needs at least window + 10 = {self.window + 10} "
                f"fit observations per series; series {sid!r} has {len(values)}.",
                series=sid,
                needed=self.window + 10,
            )
        sd = max(float(np.std(np.diff(values))), value_floor(values))
        forest = IsolationForest(
            n_estimators=self.n_estimators, random_state=series_seed(self._seed, sid)
        )
        forest.fit(self._windows(values, sd))
        return _ForestState(forest_arrays(forest), sd)

    def _context(self, state: _ForestState) -> int:
        return self.window

    def _surprise(self, state: _ForestState, values: np.ndarray, start: int = 0) -> Surprise:
        z = np.full(len(values), np.nan)
        if len(values) >= self.window:
            windows = self._windows(values, state.sd)
            z[self.window - 1 :] = -isolation_scores(state.trees, windows)
        nan = np.full(len(values), np.nan)
        return Surprise(z, nan, nan, nan.copy())
