"""GLUAnomalyDetector: anomalies are observations a forecaster did not expect.

A forecaster (by default a small :class:`~gluts.GLUForecaster`) learns normal behaviour from
the fit data. Every row is then compared with two causal expectations:

* the forecaster's one-step-ahead prediction from the rows before it, and
* a seasonal reference: the ``smooth``-row mean one season earlier, compared with the
  ``smooth``-row mean now.

Each residual is standardised by the rolling median and MAD of its previous
``scale_window`` values, and the surprise is the *smaller* of the two: a row is surprising
only when neither the forecaster nor last season's pattern explains it (a regular but sharp
daily edge is explained by the season; a smooth drift by the forecaster). The surprise is
calibrated per series with a GPD tail and shaped so that an incident raises one sharp alarm
(see :mod:`gluts.anomaly.scorers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval

from gluts.anomaly.base import BaseAnomalyDetector
from gluts.anomaly.detectors import common_doc
from gluts.anomaly.scorers import Surprise, rolling_location_scale, surprise_from, value_floor
from gluts.data import Panel

__all__ = ["GLUAnomalyDetector", "one_step_forecasts"]


def one_step_forecasts(forecaster, sid, values: np.ndarray, start: int, stride: int):
    """Causal forecasts of every row from ``start`` on, from the rows before it.

    The fitted ``forecaster`` is asked, every ``stride`` rows, for the next ``stride`` rows
    from the history so far (``predict(h, y=history)``); row ``t``'s forecast therefore uses
    rows before ``t`` only.

    Parameters
    ----------
    forecaster : BaseForecaster
        A forecaster fitted on a long frame with integer time steps.
    sid : hashable
        The series id the forecaster knows the series by.
    values : ndarray of shape (n,)
        The series.
    start : int
        First row to forecast (at least 1).
    stride : int
        Rows forecast per call.

    Returns
    -------
    ndarray of shape (n,)
        The forecasts, NaN before ``start``.
    """
    out = np.full(len(values), np.nan)
    for t in range(start, len(values), stride):
        h = min(stride, len(values) - t)
        history = pd.DataFrame({"unique_id": sid, "ds": np.arange(t), "y": values[:t]})
        pred = forecaster.predict(h, y=history)
        out[t : t + h] = pred[forecaster.alias_].to_numpy()[:h]
    return out


@dataclass(frozen=True)
class _State:
    sid: object
    period: int
    floor: float


class GLUAnomalyDetector(BaseAnomalyDetector):
    __doc__ = f"""Anomaly detection from a forecaster's surprise, calibrated across series.

    Parameters
    ----------
    forecaster : forecaster or None, default=None
        The forecaster that learns normal behaviour (cloned and fitted in ``fit``); None
        uses a small ``GLUForecaster``.
    season_length : int or None, default=None
        Season of the seasonal reference, in rows; None infers it from the frequency
        (1 disables the reference).
    smooth : int, default=5
        Rows averaged on both sides of the seasonal comparison.
    scale_window : int, default=500
        Number of previous residuals in the rolling median and MAD.
    forecast_stride : int, default=1
        Rows forecast per forecaster call when one-step forecasts are computed through
        ``predict``; larger is faster and forecasts further ahead.
{common_doc(shaping_window="600")}

    Attributes
    ----------
    forecaster_ : forecaster
        The fitted forecaster.
    threshold_ : threshold object
        The fitted threshold; set by ``fit``.
    series_ids_ : list
        Fitted series ids.

    See Also
    --------
    MADDetector, STLDetector : Forecaster-free baselines.
    """

    _parameter_constraints: dict = {
        "forecaster": [HasMethods(["fit", "predict"]), None],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "smooth": [Interval(Integral, 1, None, closed="left")],
        "scale_window": [Interval(Integral, 10, None, closed="left")],
        "forecast_stride": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        forecaster=None,
        *,
        season_length: int | None = None,
        smooth: int = 5,
        scale_window: int = 500,
        forecast_stride: int = 1,
        threshold=None,
        tail_quantile: float = 0.9,
        score_scale: float = 10.0,
        shaping_window: int | None = 600,
        merge_gap: int = 0,
        min_duration: int = 1,
        cooldown: int = 0,
    ):
        self.forecaster = forecaster
        self.season_length = season_length
        self.smooth = smooth
        self.scale_window = scale_window
        self.forecast_stride = forecast_stride
        self.threshold = threshold
        self.tail_quantile = tail_quantile
        self.score_scale = score_scale
        self.shaping_window = shaping_window
        self.merge_gap = merge_gap
        self.min_duration = min_duration
        self.cooldown = cooldown

    def _prepare(self, panel: Panel) -> None:
        forecaster = self.forecaster if self.forecaster is not None else _default_forecaster()
        frames = [
            pd.DataFrame({"unique_id": sid, "ds": np.arange(len(v)), "y": v})
            for sid, v in zip(panel.ids, panel.values)
        ]
        self.forecaster_ = clone(forecaster).fit(pd.concat(frames, ignore_index=True))

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> _State:
        period = int(self.season_length or season_length)
        return _State(sid, period, value_floor(values))

    def _surprise(self, state: _State, values: np.ndarray) -> Surprise:
        window, min_periods = self.scale_window, max(self.scale_window // 5, 10)
        forecast = one_step_forecasts(self.forecaster_, state.sid, values, 1, self.forecast_stride)
        centre, scale = rolling_location_scale(values - forecast, window, min_periods, state.floor)
        surprise = surprise_from(values, forecast + centre, scale)
        if state.period > 1 and len(values) > state.period + self.smooth:
            smoothed = pd.Series(values).rolling(self.smooth).mean()
            seasonal = (smoothed - smoothed.shift(state.period)).to_numpy()
            c2, s2 = rolling_location_scale(seasonal, window, min_periods, state.floor)
            surprise.z = np.fmin(surprise.z, np.abs(seasonal - c2) / s2)
        return surprise


def _default_forecaster():
    from gluts.forecasting.glu import GLUForecaster

    return GLUForecaster(horizon=1, quantiles=(0.1, 0.5, 0.9), random_state=0)
