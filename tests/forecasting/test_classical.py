"""ETS, Theta and ARIMA: sanity on short clean series, model selection, fallbacks."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("statsmodels")

from gluts import (  # noqa: E402
    ARIMAForecaster,
    ETSForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from gluts.exceptions import GlutsWarning  # noqa: E402
from gluts.forecasting._adjustment import SeasonalAdjustment  # noqa: E402
from gluts.forecasting._seasonality import seasonal_indices  # noqa: E402
from gluts.forecasting.ets import ETS_MODELS, _ets_candidates, _fit_ets  # noqa: E402
from gluts.metrics import mase  # noqa: E402

M = 12
H = 2 * M


def seasonal(length=8 * M + H, noise=0.2, seed=0, trend=0.02):
    """A clean positive seasonal series and its noise-free continuation."""
    t = np.arange(length)
    clean = 20 + trend * t + 4 * np.sin(2 * np.pi * t / M)
    y = clean + np.random.default_rng(seed).normal(scale=noise, size=length)
    index = pd.date_range("2024-01-01", periods=length, freq="D")
    return pd.Series(y[:-H], index=index[:-H]), clean[-H:]


CLASSICAL = [
    ETSForecaster(season_length=M),
    ThetaForecaster(season_length=M),
    ARIMAForecaster(season_length=M),
]


@pytest.mark.parametrize("est", CLASSICAL, ids=lambda e: type(e).__name__)
def test_clean_seasonal_series_is_forecast_well(est):
    y, truth = seasonal()
    out = est.fit(y).predict(H)
    mae = np.mean(np.abs(out[est.alias_].to_numpy() - truth))
    snaive = SeasonalNaiveForecaster(season_length=M).fit(y).predict(H)["SeasonalNaive"]
    assert mae < 0.5
    assert mae < np.mean(np.abs(snaive.to_numpy() - truth))


@pytest.mark.parametrize("est", CLASSICAL, ids=lambda e: type(e).__name__)
def test_quantiles_are_ordered_and_bracket_the_point(est):
    y, _ = seasonal(noise=1.0, seed=3)
    out = est.fit(y).predict(H)
    q = out[[f"{est.alias_}-q{q:g}" for q in (0.1, 0.5, 0.9)]].to_numpy()
    assert (np.diff(q, axis=1) > 0).all()
    point = out[est.alias_].to_numpy()
    assert (q[:, 0] < point).all() and (point < q[:, 2]).all()


@pytest.mark.parametrize("est", CLASSICAL, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("value", [5.0, 0.0])
def test_a_constant_series_is_forecast_as_its_value(est, value):
    # statsmodels' Theta read a series of 5s as a drift of 1.25 a step.
    y = pd.Series(np.full(60, value), index=pd.date_range("2024-01-01", periods=60, freq="D"))
    out = est.fit(y).predict(H)
    np.testing.assert_allclose(out.to_numpy(), value, atol=1e-3)


def test_ets_auto_picks_a_seasonal_model_for_seasonal_data():
    y, _ = seasonal()
    est = ETSForecaster(season_length=M).fit(y)
    name = est.models_[0].model.short_name
    assert name in ETS_MODELS and name[-1] in "AM"


def test_ets_auto_avoids_multiplicative_components_on_non_positive_data():
    y, _ = seasonal()
    est = ETSForecaster(season_length=M).fit(y - 25.0)
    assert "M" not in est.models_[0].model.short_name


def test_ets_auto_keeps_the_heuristic_fit_with_the_smallest_aicc():
    y, _ = seasonal()
    est = ETSForecaster(season_length=M).fit(y)
    chosen = est.models_[0]
    fits = [_fit_ets(y.to_numpy(), name, M) for name in _ets_candidates(y.to_numpy(), M)]
    assert chosen.model.initialization_method == "heuristic"
    assert chosen.aicc == pytest.approx(min(fit.aicc for fit in fits))
    assert len(fits) == 6 and all(fit.model.short_name[-1] in "AM" for fit in fits)


def test_ets_auto_compares_no_undamped_trend():
    y, _ = seasonal()
    seasonal_positive = _ets_candidates(y.to_numpy(), M)
    assert sorted(seasonal_positive) == sorted(["ANA", "AAdA", "MNA", "MNM", "MAdA", "MAdM"])
    flat = np.random.default_rng(0).normal(size=60)
    assert sorted(_ets_candidates(flat, M)) == ["AAdN", "ANN"]


def test_ets_auto_damps_a_trend_that_a_fixed_undamped_model_extrapolates():
    # A trend that flattens out: the undamped model carries the early slope on.
    t = np.arange(60)
    y = pd.Series(100 + 40 * (1 - np.exp(-t / 15)) + np.random.default_rng(1).normal(size=60))
    auto = ETSForecaster(season_length=1, quantiles=None).fit(y)
    assert auto.models_[0].model.short_name[1:-1] in ("N", "Ad")
    undamped = ETSForecaster(model="AAN", season_length=1, quantiles=None).fit(y)
    assert abs(auto.predict(24).iloc[-1] - 140) < abs(undamped.predict(24).iloc[-1] - 140)


def test_ets_auto_forecast_of_a_daily_peak_stays_in_range():
    # Hourly-like: quiet nights, one peak a day, multiplicative noise. Estimating the initial
    # states by maximum likelihood sent this forecast below 0 and to twice the peak.
    m, n, h = 24, 240, 48
    t = np.arange(n + h)
    shape = 20 + 400 * np.exp(-0.5 * ((t % m - 12) / 3.0) ** 2)
    y = shape * np.exp(np.random.default_rng(2).normal(scale=0.3, size=n + h))
    forecast = ETSForecaster(season_length=m, quantiles=None).fit(pd.Series(y[:n])).predict(h)
    f = forecast.to_numpy()
    assert 0 < f.min() and f.max() < y[:n].max()
    assert mase(shape[n:], f, y[:n], m) < 0.5


def test_ets_fixed_model_is_used():
    y, _ = seasonal()
    est = ETSForecaster(model="AAdN", season_length=M).fit(y)
    assert est.models_[0].model.short_name == "AAdN"


def test_ets_rejects_an_unknown_model():
    y, _ = seasonal()
    with pytest.raises(ValueError, match="'model' parameter of ETSForecaster"):
        ETSForecaster(model="ZZZ").fit(y)


def test_theta_adjusts_seasonal_series_only():
    y, _ = seasonal()
    est = ThetaForecaster(season_length=M).fit(y)
    assert est.models_[0].seasonality.seasonal
    flat = pd.Series(np.random.default_rng(1).normal(size=60) + 30)
    assert not ThetaForecaster(season_length=M).fit(flat).models_[0].seasonality.seasonal


def test_theta_follows_a_linear_trend():
    t = np.arange(80.0)
    y = pd.Series(5 + 0.5 * t + np.random.default_rng(2).normal(scale=0.1, size=80))
    out = ThetaForecaster(season_length=1, quantiles=None).fit(y).predict(5)
    assert np.all(np.diff(out.to_numpy()) > 0.15)
    assert out.iloc[0] == pytest.approx(y.iloc[-1] + 0.25, abs=1.0)


@pytest.mark.parametrize("ma, sd", [(-0.3, 1.0), (-0.7, 4.0)])
def test_theta_quantiles_use_the_innovation_sd_of_the_ima_it_fits(ma, sd):
    # An ARIMA(0, 1, 1) with drift is the Theta model: the one-step band is +-z * sd.
    e = np.random.default_rng(3).normal(scale=sd, size=2001)
    y = pd.Series(100 + np.cumsum(0.2 + e[1:] + ma * e[:-1]))
    est = ThetaForecaster(season_length=1, quantiles=(0.1, 0.9)).fit(y)
    fit = est.models_[0].result
    assert np.sqrt(fit.sigma2) == pytest.approx(sd, rel=0.05)
    assert fit.sigma2 == pytest.approx(fit.model.sigma2, rel=0.02)  # statsmodels' own MLE
    band = est.predict(1).iloc[0]
    width = band["Theta-q0.9"] - band["Theta-q0.1"]
    assert width == pytest.approx(2 * 1.2816 * np.sqrt(fit.sigma2), rel=1e-3)


def level_shifted(multiplicative, m=M, seasons=12, seed=5):
    """A positive series whose level rises tenfold under a fixed (or level-scaled) season."""
    t = np.arange(seasons * m)
    level = 20 + 180 * t / len(t)
    shape = np.sin(2 * np.pi * t / m)
    y = level * (1 + 0.5 * shape) if multiplicative else level + 10 * shape
    return pd.Series(y + np.random.default_rng(seed).normal(scale=0.5, size=len(t)))


@pytest.mark.parametrize("multiplicative", [False, True])
def test_theta_auto_picks_the_adjustment_that_matches_the_season(multiplicative):
    y = level_shifted(multiplicative)
    auto = ThetaForecaster(season_length=M, quantiles=None).fit(y)
    assert auto.models_[0].seasonality.additive is not multiplicative
    fixed = "multiplicative" if multiplicative else "additive"
    expected = ThetaForecaster(deseasonalize=fixed, season_length=M, quantiles=None).fit(y)
    pd.testing.assert_series_equal(auto.predict(H), expected.predict(H))


def test_theta_auto_adjusts_non_positive_series_additively():
    y = level_shifted(False) - 100.0
    state = ThetaForecaster(season_length=M).fit(y).models_[0]
    assert state.seasonality.seasonal and state.seasonality.additive
    multiplicative = ThetaForecaster(deseasonalize="multiplicative", season_length=M).fit(y)
    assert not multiplicative.models_[0].seasonality.seasonal


@pytest.mark.parametrize("seasons", [4, 8])
def test_theta_auto_is_multiplicative_when_the_holdout_cannot_compare(seasons):
    # The season shows in the last three seasons only: four seasons are too short for the
    # holdout; of eight, the six left after it do not pass the seasonality test, so both
    # adjustments would forecast the held-out seasons alike.
    t = np.arange(4 * seasons)
    amplitude = np.where(t >= len(t) - 12, 10.0, 0.0)
    y = pd.Series(50.0 + amplitude * np.array([1.0, -1.0, 0.0, 0.0])[t % 4] + 0.1 * (t % 3))
    auto = ThetaForecaster(season_length=4, quantiles=None).fit(y)
    state = auto.models_[0]
    assert state.seasonality.seasonal and not state.seasonality.additive
    classical = ThetaForecaster(deseasonalize="multiplicative", season_length=4, quantiles=None)
    pd.testing.assert_series_equal(auto.predict(3), classical.fit(y).predict(3))


def test_theta_multiplicative_uses_the_m4_indices():
    y, _ = seasonal()
    est = ThetaForecaster(deseasonalize="multiplicative", season_length=M).fit(y)
    np.testing.assert_allclose(
        est.models_[0].seasonality.indices, seasonal_indices(y.to_numpy(), M)
    )


def test_theta_rejects_an_unknown_deseasonalize():
    y, _ = seasonal()
    with pytest.raises(ValueError, match="'deseasonalize' parameter of ThetaForecaster"):
        ThetaForecaster(deseasonalize="log").fit(y)


def test_additive_adjustment_recovers_the_season_exactly():
    # A linear trend plus a zero-mean season: the centred moving average is the trend itself.
    m, season = 4, np.array([3.0, -1.0, -4.0, 2.0])
    t = np.arange(7 * m + 2)
    y = 10 + 0.5 * t + season[t % m]
    adjust = SeasonalAdjustment.estimate(y, m, additive=True)
    np.testing.assert_allclose(adjust.indices, season)
    np.testing.assert_allclose(adjust.adjust(y), 10 + 0.5 * t)
    future = np.zeros((5, 2))
    np.testing.assert_allclose(adjust.restore(future), season[np.arange(30, 35) % m, None] + future)


def test_arima_auto_finds_an_ar1():
    rng = np.random.default_rng(4)
    e = rng.normal(size=200)
    x = np.zeros(200)
    for t in range(1, 200):
        x[t] = 0.5 * x[t - 1] + e[t]
    est = ARIMAForecaster(season_length=1).fit(pd.Series(x + 10))
    assert est.models_[0].result.model.order == (1, 0, 0)
    one_step = est.predict(1)["ARIMA"].iloc[0]
    assert one_step == pytest.approx(10 + 0.5 * x[-1], abs=0.1)


def test_arima_fixed_order_and_bad_order():
    y, _ = seasonal()
    est = ARIMAForecaster(order=(1, 1, 0), season_length=M).fit(y)
    assert est.models_[0].result.model.order == (1, 1, 0)
    with pytest.raises(ValueError, match=r"'order' parameter of ARIMAForecaster .* Got \(1, -1"):
        ARIMAForecaster(order=(1, -1, 0)).fit(y)


def test_arima_adjusts_non_positive_series_additively_by_default():
    y = level_shifted(False) - 100.0
    est = ARIMAForecaster(order=(1, 1, 0), season_length=M).fit(y)
    assert est.models_[0].seasonality.seasonal and est.models_[0].seasonality.additive
    multiplicative = ARIMAForecaster(
        order=(1, 1, 0), deseasonalize="multiplicative", season_length=M
    )
    assert not multiplicative.fit(y).models_[0].seasonality.seasonal
    with pytest.raises(ValueError, match="'deseasonalize' parameter of ARIMAForecaster"):
        ARIMAForecaster(deseasonalize="auto").fit(y)


def test_failed_series_falls_back_to_seasonal_naive_with_a_named_warning(monkeypatch):
    y, _ = seasonal()
    panel = pd.DataFrame(
        {"unique_id": np.repeat(["good", "bad"], len(y)), "ds": np.tile(y.index, 2)}
    )
    panel["y"] = np.concatenate([y.to_numpy(), y.to_numpy() + 100.0])
    original = ThetaForecaster._fit_one

    def fail_on_bad(self, values, season_length):
        if values[0] > 100:
            raise ValueError("boom")
        return original(self, values, season_length)

    monkeypatch.setattr(ThetaForecaster, "_fit_one", fail_on_bad)
    with pytest.warns(GlutsWarning, match=r"could not fit series 'bad' \(ValueError: boom\)"):
        out = ThetaForecaster(season_length=M).fit(panel).predict(H)
    snaive = SeasonalNaiveForecaster(season_length=M).fit(panel).predict(H)
    bad = out["unique_id"] == "bad"
    np.testing.assert_allclose(out.loc[bad, "Theta"], snaive.loc[bad, "SeasonalNaive"])
    assert not np.allclose(out.loc[~bad, "Theta"], snaive.loc[~bad, "SeasonalNaive"])


def test_short_series_for_seasonal_ets_falls_back():
    y, _ = seasonal(length=H + 15)
    with pytest.warns(GlutsWarning, match="could not fit series"):
        ETSForecaster(model="AAA", season_length=M).fit(y)


@pytest.mark.parametrize("model", ["auto", "ANN"])
def test_a_one_value_series_falls_back_for_ets(model):
    """statsmodels reads two values for its initial trend: one value is a named fallback,
    not an IndexError that stops the panel."""
    panel = pd.DataFrame(
        {"unique_id": ["a"] * 30 + ["one"], "ds": [*range(30), 29], "y": [*range(1, 31), 5.0]}
    )
    with pytest.warns(GlutsWarning, match=r"could not fit series 'one'"):
        out = ETSForecaster(model=model).fit(panel).predict(3)
    assert out.groupby("unique_id").size().to_dict() == {"a": 3, "one": 3}
    assert (out.loc[out["unique_id"] == "one", "ETS"] == 5.0).all()


@pytest.mark.parametrize(
    "est",
    [
        ETSForecaster(model="AAdA", season_length=M),
        ThetaForecaster(),
        ARIMAForecaster(order=(1, 1, 1)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_many_series_in_parallel_equal_serial(est, make_panel):
    y = make_panel(n_series=3, length=72)
    serial = est.set_params(n_jobs=1).fit(y).predict(5)
    parallel = est.set_params(n_jobs=2).fit(y).predict(5)
    pd.testing.assert_frame_equal(serial, parallel)
