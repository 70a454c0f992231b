"""ARIMA on the seasonally adjusted series: a thin wrapper around statsmodels' ARIMA.

statsmodels is imported inside the fitting functions, so importing this module stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import StrOptions

from gluts.forecasting._adjustment import Adjusted, SeasonalAdjustment
from gluts.forecasting._naive import normal_quantiles
from gluts.forecasting.local import LocalForecaster

__all__ = ["ARIMAForecaster"]


def _fit_arima(y: np.ndarray, order: tuple[int, int, int]):
    from statsmodels.tsa.arima.model import ARIMA

    # A constant when d = 0, a drift when d = 1, neither when d = 2 (R's auto.arima rule).
    trend = ("c", "t", "n")[min(order[1], 2)]
    return ARIMA(y, order=order, trend=trend).fit(method="innovations_mle")


def _n_diffs(y: np.ndarray, max_d: int = 2) -> int:
    """Number of differences until the KPSS test (5%) no longer rejects level stationarity."""
    from statsmodels.tsa.stattools import kpss

    d, x = 0, y
    while d < max_d and len(x) > 10 and np.ptp(x) > 0:
        # R's ndiffs uses the "short" bandwidth trunc(4 * (n / 100) ** 0.25).
        if kpss(x, nlags=int(4 * (len(x) / 100) ** 0.25))[1] >= 0.05:
            break
        x, d = np.diff(x), d + 1
    return d


def _stepwise_arima(y: np.ndarray, max_order: int = 2):
    """Hyndman-Khandakar stepwise search over ``(p, q)`` by AICc, after choosing ``d``."""
    d = _n_diffs(y)
    fits: dict[tuple[int, int], object] = {}

    def aicc(p: int, q: int) -> float:
        if (p, q) not in fits:
            try:
                fits[p, q] = _fit_arima(y, (p, d, q))
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                fits[p, q] = None
        res = fits[p, q]
        return res.aicc if res is not None and np.isfinite(res.aicc) else np.inf

    best = min([(2, 2), (0, 0), (1, 0), (0, 1)], key=lambda pq: aicc(*pq))
    improved = True
    while improved:
        improved = False
        p, q = best
        for dp, dq in [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1)]:
            cand = (p + dp, q + dq)
            if 0 <= min(cand) and max(cand) <= max_order and aicc(*cand) < aicc(*best):
                best, improved = cand, True
    if fits[best] is None:
        raise ValueError("no ARIMA model could be fitted")
    return fits[best]


class ARIMAForecaster(LocalForecaster):
    """ARIMA models (statsmodels' state-space ARIMA) on the seasonally adjusted series.

    Parameters
    ----------
    order : "auto" or tuple of (int, int, int), default="auto"
        The ``(p, d, q)`` order, or ``"auto"`` for a stepwise AICc search (see Notes).
    deseasonalize : {"additive", "multiplicative"}, default="additive"
        How seasonal series are adjusted before the ARIMA fit: with classical additive
        indices subtracted, or divided by classical multiplicative indices (the M4 recipe,
        which leaves a series with a value ``<= 0`` unadjusted; see Notes).
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (24 for hourly data).
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"ARIMA"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state (statsmodels ``ARIMAResults`` as ``result`` and the seasonal
        adjustment as ``seasonality``), in the order of ``series_ids_``.
    season_length_ : int
        The season length used.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.
    history_ : gluts.data.Panel
        The fitted series.

    See Also
    --------
    ETSForecaster, ThetaForecaster

    Notes
    -----
    Seasonality is removed first, after the M4 seasonality test (the one of
    :class:`Naive2Forecaster`), because seasonal ARIMA with long seasons is slow to fit.
    Unlike :class:`ThetaForecaster`, there is no ``"auto"`` adjustment: choosing it on a
    holdout would triple the cost of the stepwise search. Additive is the default: it
    adjusts series of any sign, and on M4 Hourly it scores OWA 0.621 against 0.675 for
    multiplicative indices (sMAPE 12.66 against 12.13, MASE 1.33 against 1.66).

    ``order="auto"`` chooses ``d`` by repeated KPSS tests at 5% (at most 2), then searches
    ``p, q <= 2`` stepwise (Hyndman & Khandakar, 2008) from the best of ``(2, 2)``,
    ``(0, 0)``, ``(1, 0)`` and ``(0, 1)``, moving to a neighbour while AICc improves. A
    constant (a drift when ``d = 1``) is included unless ``d = 2``. Parameters are estimated
    by exact maximum likelihood started from the innovations algorithm (statsmodels'
    ``innovations_mle``, much faster than the default state-space optimiser). Quantiles are
    normal, from the state-space forecast variance, then reseasonalised.
    """

    _parameter_constraints: dict = {
        **LocalForecaster._parameter_constraints,
        "order": [StrOptions({"auto"}), tuple],
        "deseasonalize": [StrOptions({"multiplicative", "additive"})],
    }

    _seconds_per_value = 8e-3  # measured on hourly series (sizes parallel tasks)

    def __init__(
        self,
        *,
        order="auto",
        deseasonalize="additive",
        season_length=None,
        quantiles=(0.1, 0.5, 0.9),
        alias=None,
        n_jobs=None,
    ):
        self.order = order
        self.deseasonalize = deseasonalize
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"order": (1, 1, 0)}, {"order": (2, 0, 1), "deseasonalize": "multiplicative"}]

    def _fit_panel(self, panel, X) -> None:
        if self.order != "auto" and not (
            len(self.order) == 3 and all(isinstance(k, Integral) and k >= 0 for k in self.order)
        ):
            raise ValueError(
                "The 'order' parameter of ARIMAForecaster must be 'auto' or a tuple of three "
                f"non-negative ints (p, d, q). Got {self.order!r} instead."
            )
        super()._fit_panel(panel, X)

    def _fit_one(self, y: np.ndarray, season_length: int) -> Adjusted:
        additive = self.deseasonalize == "additive"
        seasonality = SeasonalAdjustment.estimate(y, season_length, additive)
        x = seasonality.adjust(y)
        if self.order == "auto":
            return Adjusted(_stepwise_arima(x), seasonality)
        return Adjusted(_fit_arima(x, tuple(int(k) for k in self.order)), seasonality)

    def _forecast_one(self, state: Adjusted, h: int, quantiles: Sequence[float]):
        pred = state.result.get_forecast(h)
        point = np.asarray(pred.predicted_mean, dtype=float)
        qarr = normal_quantiles(point, np.sqrt(np.asarray(pred.var_pred_mean)), quantiles)
        return state.seasonality.restore(point), state.seasonality.restore(qarr)
