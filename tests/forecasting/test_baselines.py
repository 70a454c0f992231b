"""The naive family and Naive2: exact points and quantiles on small hand-made series."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.stattools import acf as sm_acf

from gluts import (
    DriftForecaster,
    MeanForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)
from gluts.exceptions import GlutsWarning
from gluts.forecasting._seasonality import Deseasonalizer, acf, is_seasonal, seasonal_indices

Z90 = 1.2815515655446004  # standard normal 0.9 quantile
QS = (0.1, 0.5, 0.9)


def series(values):
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq="D"))


def forecast(est, values, h):
    """Point forecast and the (h, 3) quantile array of a one-series fit."""
    out = est.fit(series(values)).predict(h)
    alias = est.alias_
    return out[alias].to_numpy(), out[[f"{alias}-q{q:g}" for q in QS]].to_numpy()


def expected_quantiles(point, sd):
    return np.column_stack([point - Z90 * sd, point, point + Z90 * sd])


def test_naive_points_and_quantiles():
    # one-step changes 2, -1, 2: sigma**2 = 9 / 3
    point, q = forecast(NaiveForecaster(), [1.0, 3.0, 2.0, 4.0], 2)
    np.testing.assert_allclose(point, [4.0, 4.0])
    np.testing.assert_allclose(q, expected_quantiles(point, np.sqrt(3.0) * np.sqrt([1, 2])))


def test_seasonal_naive_points_and_quantiles():
    # season 2; lag-2 residuals 2, 3, 1, 1: sigma**2 = 15 / 4; k + 1 = 1, 1, 2, 2, 3
    point, q = forecast(SeasonalNaiveForecaster(season_length=2), [1.0, 2.0, 3.0, 5.0, 4.0, 6.0], 5)
    np.testing.assert_allclose(point, [4.0, 6.0, 4.0, 6.0, 4.0])
    sd = np.sqrt(15.0 / 4.0) * np.sqrt([1, 1, 2, 2, 3])
    np.testing.assert_allclose(q, expected_quantiles(point, sd))


def test_seasonal_naive_shorter_than_a_season_repeats_the_last_value():
    point, _ = forecast(SeasonalNaiveForecaster(season_length=7), [1.0, 2.0, 5.0], 3)
    np.testing.assert_allclose(point, [5.0, 5.0, 5.0])


@pytest.mark.parametrize("est", [NaiveForecaster(), SeasonalNaiveForecaster(), MeanForecaster()])
def test_a_series_too_short_for_a_residual_keeps_its_median(est):
    # a wide frame: "one" has a single value (leading NaN are not part of it)
    y = pd.DataFrame(
        {"one": [np.nan] * 9 + [5.0], "long": np.arange(10.0)}, index=series([0.0] * 10).index
    )
    with pytest.warns(GlutsWarning, match=r"quantiles for series 'one': their quantile col"):
        one = est.fit(y).predict(3)["one"]
    alias = est.alias_
    np.testing.assert_allclose(one[f"{alias}-q0.5"], one[alias])
    assert one[[f"{alias}-q0.1", f"{alias}-q0.9"]].isna().all().all()  # no residual, no spread


def test_drift_points_and_quantiles():
    # drift (7 - 1) / 3 = 2; residuals -1, 0, 1: sigma**2 = 2 / (3 - 1)
    point, q = forecast(DriftForecaster(), [1.0, 2.0, 4.0, 7.0], 2)
    np.testing.assert_allclose(point, [9.0, 11.0])
    sd = np.sqrt([1 * (1 + 1 / 3), 2 * (1 + 2 / 3)])
    np.testing.assert_allclose(q, expected_quantiles(point, sd))


def test_mean_points_and_quantiles():
    # mean 3, sample variance 14 / 3, n = 4
    point, q = forecast(MeanForecaster(), [1.0, 2.0, 3.0, 6.0], 3)
    np.testing.assert_allclose(point, [3.0, 3.0, 3.0])
    sd = np.full(3, np.sqrt(14.0 / 3.0 * 1.25))
    np.testing.assert_allclose(q, expected_quantiles(point, sd))


def test_quantiles_none_predicts_the_point_only():
    out = NaiveForecaster(quantiles=None).fit(series([1.0, 2.0])).predict(2)
    assert isinstance(out, pd.Series)
    np.testing.assert_allclose(out.to_numpy(), [2.0, 2.0])


FACTORS = np.array([0.5, 1.0, 1.5, 1.0])


def test_naive2_on_a_seasonal_series_repeats_the_adjusted_level():
    y = 10.0 * FACTORS[np.arange(26) % 4]  # n = 26 >= 3m, exactly multiplicative
    point, q = forecast(Naive2Forecaster(season_length=4), y, 6)
    np.testing.assert_allclose(point, 10.0 * FACTORS[np.arange(26, 32) % 4])
    np.testing.assert_allclose(q, point[:, None] * np.ones(3))  # no adjusted residuals


def test_naive2_without_seasonality_is_naive():
    y = np.random.default_rng(0).normal(size=40).cumsum() + 50
    p2, q2 = forecast(Naive2Forecaster(season_length=4), y, 5)
    p1, q1 = forecast(NaiveForecaster(), y, 5)
    np.testing.assert_allclose(p2, p1)
    np.testing.assert_allclose(q2, q1)


def test_seasonality_test_accepts_seasonal_and_rejects_noise_and_short_series():
    rng = np.random.default_rng(1)
    seasonal = 10 + 3 * np.sin(2 * np.pi * np.arange(96) / 12) + rng.normal(scale=0.5, size=96)
    assert is_seasonal(seasonal, 12)
    assert not is_seasonal(rng.normal(size=96), 12)
    assert not is_seasonal(seasonal[:35], 12)  # n < 3m: not tested
    assert not is_seasonal(seasonal, 1)


def test_seasonality_test_threshold_follows_the_m4_formula():
    y = np.random.default_rng(2).normal(size=60) + np.tile([0.0, 0.0, 0.0, 0.6], 15)
    r = acf(y, 4)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:3] ** 2)) / 60)
    assert is_seasonal(y, 4) == (abs(r[3]) > limit)
    np.testing.assert_allclose(r, sm_acf(y, nlags=4, fft=False)[1:])


@pytest.mark.parametrize("m", [4, 5])
def test_seasonal_indices_match_classical_decomposition(m):
    rng = np.random.default_rng(m)
    t = np.arange(10 * m + 3)
    y = (20 + 0.1 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / m)) + rng.normal(scale=0.2, size=len(t))
    reference = seasonal_decompose(y, model="multiplicative", period=m).seasonal[:m]
    np.testing.assert_allclose(seasonal_indices(y, m), reference)
    assert seasonal_indices(y, m).mean() == pytest.approx(1.0)


def test_deseasonalizer_indices_continue_the_phase_after_the_series():
    y = 10.0 * FACTORS[np.arange(23) % 4]
    adjust = Deseasonalizer(y, 4)
    assert adjust.seasonal
    np.testing.assert_allclose(adjust.adjust(y), 10.0)
    np.testing.assert_allclose(adjust.future_indices(5), FACTORS[np.arange(23, 28) % 4])
    assert not Deseasonalizer(y - 6.0, 4).seasonal  # multiplicative indices need y > 0


@pytest.mark.parametrize(
    "cls", [NaiveForecaster, SeasonalNaiveForecaster, DriftForecaster, MeanForecaster]
)
def test_many_series_in_parallel_equal_serial(cls, make_panel):
    y = make_panel(n_series=5, length=60)
    serial = cls(n_jobs=1).fit(y).predict(7)
    parallel = cls(n_jobs=2).fit(y).predict(7)
    pd.testing.assert_frame_equal(serial, parallel)


def test_naive_family_fits_each_series_on_its_own(make_panel):
    y = make_panel(n_series=3, length=50)
    out = NaiveForecaster().fit(y).predict(2)
    last = y.groupby("unique_id")["y"].last()
    np.testing.assert_allclose(out.groupby("unique_id")["Naive"].first(), last)


def test_no_warning_on_clean_input(make_panel):
    with warnings.catch_warnings():
        warnings.simplefilter("error", GlutsWarning)
        Naive2Forecaster().fit(make_panel(n_series=2, length=80)).predict(3)
