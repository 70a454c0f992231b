"""Classical statistical forecasters: thin wrappers around statsmodels' ETS, Theta and ARIMA.

statsmodels is imported inside the fitting functions, so importing this module stays light.
Theta and ARIMA model the seasonally adjusted series (the M4 seasonality test and classical
multiplicative decomposition, as for Naive2) and multiply the seasonal indices back; ETS
models the seasonality itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from statistics import NormalDist

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from gluts.base import LocalForecaster
from gluts.forecasting._seasonality import Deseasonalizer, is_seasonal
from gluts.forecasting.baselines import normal_quantiles

__all__ = ["ARIMAForecaster", "ETSForecaster", "ThetaForecaster"]

_ONE_SD_ALPHA = 2.0 * (1.0 - NormalDist().cdf(1.0))  # a central interval of +-1 sd
_COMPONENTS = {"N": None, "A": "add", "M": "mul"}
ETS_MODELS = tuple(
    e + t + s for e, t, s in itertools.product("AM", ("N", "A", "Ad"), "NAM") if e + s != "AM"
)


@dataclass(frozen=True)
class _Adjusted:
    """A model fitted to the seasonally adjusted series, with the adjustment."""

    result: object
    seasonality: Deseasonalizer


def _ets_spec(name: str, season_length: int) -> dict:
    trend = name[1:-1]
    return dict(
        error=_COMPONENTS[name[0]],
        trend=_COMPONENTS[trend[0]],
        damped_trend=trend == "Ad",
        seasonal=_COMPONENTS[name[-1]],
        seasonal_periods=season_length if name[-1] != "N" else None,
    )


def _heuristic_length(seasonal: bool, season_length: int) -> int:
    """The fewest observations statsmodels' heuristic initial states need."""
    # Two full seasons and 10 + 2 * (m // 2) observations for the seasonal ones.
    return max(2 * season_length, 10 + season_length) if seasonal else 10


def _ets_candidates(y: np.ndarray, season_length: int) -> list[str]:
    """The ETS models ``model="auto"`` compares on this series."""
    positive = bool(np.all(y > 0))
    seasonal = len(y) >= _heuristic_length(True, season_length) and is_seasonal(y, season_length)
    return [
        name
        for name in ETS_MODELS
        if (positive or "M" not in name) and (name.endswith("N") != seasonal)
    ]


def _fit_ets(y: np.ndarray, name: str, season_length: int):
    """Fit one ETS model from heuristic initial states, or estimated ones on short series."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    long_enough = len(y) >= _heuristic_length(name[-1] != "N", season_length)
    initialization = "heuristic" if long_enough else "estimated"
    # A pandas endog: statsmodels' ETS prediction intervals fail on a bare ndarray.
    endog = pd.Series(y)
    model = ETSModel(endog, **_ets_spec(name, season_length), initialization_method=initialization)
    return model.fit(disp=False)


class ETSForecaster(LocalForecaster):
    """Exponential smoothing (ETS) state-space models, chosen by AICc per series.

    Parameters
    ----------
    model : str, default="auto"
        The ETS model as error, trend and season letters: ``"ANN"``, ``"AAdA"``, ``"MAM"``...
        (error ``A``/``M``, trend ``N``/``A``/``Ad`` (damped), season ``N``/``A``/``M``;
        additive error with multiplicative season is excluded). ``"auto"`` picks per series
        the model with the smallest AICc among the admissible ones (see Notes).
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (24 for hourly data).
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"ETS"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted statsmodels ``ETSResults``, in the order of ``series_ids_``.
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
    ThetaForecaster, ARIMAForecaster

    Notes
    -----
    ``model="auto"`` takes the season component from the M4 seasonality test (the one
    :class:`Naive2Forecaster` uses; seasonal models need at least two seasons of data):
    seasonal series compare the seasonal models, the others the non-seasonal ones. Among
    those (multiplicative components only for positive series) it keeps the fit with the
    smallest AICc, and that fit is the one forecast. Letting AICc decide the season too
    picks smooth trend models for many hourly series, whose one-step fit is good but whose
    48-step forecasts are poor.

    Every model, fixed or compared, starts from heuristic initial states (Hyndman et al.,
    2008; FPP3 section 8.6) and maximum likelihood estimates only the smoothing and damping
    parameters, so the candidates' AICc values are comparable. Series too short for the
    heuristic (10 values; two seasons and ``10 + m`` values for seasonal models) estimate
    the initial states by maximum likelihood instead. Estimating all initial states of an
    hourly model that way (level, trend and 24 seasonal states) is slow and on M4 Hourly often stops
    at a far worse likelihood than the heuristic start, with forecasts that collapse to 0.
    Quantiles are exact for the linear models and simulated (1000 seeded paths) for those
    with multiplicative components.
    """

    _parameter_constraints: dict = {
        **LocalForecaster._parameter_constraints,
        "model": [StrOptions({"auto", *ETS_MODELS})],
    }

    def __init__(
        self,
        *,
        model="auto",
        season_length=None,
        quantiles=(0.1, 0.5, 0.9),
        alias=None,
        n_jobs=None,
    ):
        self.model = model
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"model": "MAdM"}, {}]

    def _fit_one(self, y: np.ndarray, season_length: int):
        if self.model != "auto":
            return _fit_ets(y, self.model, season_length)
        best = None
        for name in _ets_candidates(y, season_length):
            try:
                fit = _fit_ets(y, name, season_length)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                continue
            if np.isfinite(fit.aicc) and (best is None or fit.aicc < best.aicc):
                best = fit
        if best is None:
            raise ValueError("no ETS model could be fitted")
        return best

    def _forecast_one(self, state, h: int, quantiles: Sequence[float]):
        n = state.model.nobs
        pred = state.get_prediction(start=n, end=n + h - 1, rng=np.random.default_rng(0))
        point = np.asarray(pred.predicted_mean, dtype=float)
        if pred.method == "simulated":
            qarr = np.quantile(pred._results.simulation_results, quantiles, axis=1).T
            return point, qarr.reshape(h, len(quantiles))
        return point, normal_quantiles(point, np.sqrt(pred.forecast_variance), quantiles)


class ThetaForecaster(LocalForecaster):
    """The Theta method (Assimakopoulos & Nikolopoulos) on the seasonally adjusted series.

    Parameters
    ----------
    theta : float, default=2.0
        The theta coefficient; 2 gives the classical method (the M4 Theta benchmark).
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (24 for hourly data).
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"Theta"``.
    n_jobs : int or None, default=None
        Number of joblib workers fitting the series in parallel.

    Attributes
    ----------
    models_ : list
        Per-series fitted state (statsmodels ``ThetaModelResults`` and the seasonal
        adjustment), in the order of ``series_ids_``.
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
    Naive2Forecaster, ETSForecaster

    Notes
    -----
    The series is seasonally adjusted exactly as for :class:`Naive2Forecaster`; statsmodels'
    ``ThetaModel`` (simple exponential smoothing plus half the linear trend's slope, the
    Hyndman & Billah form) forecasts the adjusted series, and the forecast and its normal
    quantiles are multiplied back by the seasonal indices.

    References
    ----------
    Assimakopoulos & Nikolopoulos, "The theta model: a decomposition approach to
    forecasting", International Journal of Forecasting 16(4), 2000.
    """

    _parameter_constraints: dict = {
        **LocalForecaster._parameter_constraints,
        "theta": [Interval(Real, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        theta=2.0,
        season_length=None,
        quantiles=(0.1, 0.5, 0.9),
        alias=None,
        n_jobs=None,
    ):
        self.theta = theta
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _min_length(self) -> int:
        return 3

    def _fit_one(self, y: np.ndarray, season_length: int) -> _Adjusted:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        seasonality = Deseasonalizer(y, season_length)
        model = ThetaModel(seasonality.adjust(y), period=1, deseasonalize=False)
        return _Adjusted(model.fit(), seasonality)

    def _forecast_one(self, state: _Adjusted, h: int, quantiles: Sequence[float]):
        theta = float(self.theta)
        point = np.asarray(state.result.forecast(h, theta=theta), dtype=float)
        sd = np.zeros(h)
        if len(quantiles):
            band = state.result.prediction_intervals(h, theta=theta, alpha=_ONE_SD_ALPHA)
            sd = band["upper"].to_numpy() - point
        qarr = normal_quantiles(point, sd, quantiles)
        factors = state.seasonality.future_indices(h)
        return point * factors, qarr * factors[:, None]


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
        Per-series fitted state (statsmodels ``ARIMAResults`` and the seasonal adjustment),
        in the order of ``series_ids_``.
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
    Seasonality is removed first, as for :class:`Naive2Forecaster` (the M4 test and
    classical multiplicative decomposition), because seasonal ARIMA with long seasons is slow
    to fit. ``order="auto"`` chooses ``d`` by repeated KPSS tests at 5% (at most 2), then
    searches ``p, q <= 2`` stepwise (Hyndman & Khandakar, 2008) from the best of ``(2, 2)``,
    ``(0, 0)``, ``(1, 0)`` and ``(0, 1)``, moving to a neighbour while AICc improves. A
    constant (a drift when ``d = 1``) is included unless ``d = 2``. Parameters are estimated
    by exact maximum likelihood started from the innovations algorithm (statsmodels'
    ``innovations_mle``, much faster than the default state-space optimiser). Quantiles are
    normal, from the state-space forecast variance, then reseasonalised.
    """

    _parameter_constraints: dict = {
        **LocalForecaster._parameter_constraints,
        "order": [StrOptions({"auto"}), tuple],
    }

    def __init__(
        self,
        *,
        order="auto",
        season_length=None,
        quantiles=(0.1, 0.5, 0.9),
        alias=None,
        n_jobs=None,
    ):
        self.order = order
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"order": (1, 1, 0)}, {"order": (2, 0, 1)}]

    def _fit_panel(self, panel, X) -> None:
        if self.order != "auto" and not (
            len(self.order) == 3 and all(isinstance(k, Integral) and k >= 0 for k in self.order)
        ):
            raise ValueError(
                "The 'order' parameter of ARIMAForecaster must be 'auto' or a tuple of three "
                f"non-negative ints (p, d, q). Got {self.order!r} instead."
            )
        super()._fit_panel(panel, X)

    def _fit_one(self, y: np.ndarray, season_length: int) -> _Adjusted:
        seasonality = Deseasonalizer(y, season_length)
        x = seasonality.adjust(y)
        if self.order == "auto":
            return _Adjusted(_stepwise_arima(x), seasonality)
        return _Adjusted(_fit_arima(x, tuple(int(k) for k in self.order)), seasonality)

    def _forecast_one(self, state: _Adjusted, h: int, quantiles: Sequence[float]):
        pred = state.result.get_forecast(h)
        point = np.asarray(pred.predicted_mean, dtype=float)
        qarr = normal_quantiles(point, np.sqrt(np.asarray(pred.var_pred_mean)), quantiles)
        factors = state.seasonality.future_indices(h)
        return point * factors, qarr * factors[:, None]
