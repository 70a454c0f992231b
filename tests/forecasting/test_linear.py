"""LinearForecaster: exact recovery of linear processes, the variants, short and unequal series,
quantiles from held-out residuals, errors, determinism."""

import numpy as np
import pandas as pd
import pytest

import gluts
from gluts import LinearForecaster
from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting import _linear_design as linear_design

VARIANTS = ("last", "none", "decomposition")


def seasonal(n: int, period: int = 12, level: float = 5.0) -> np.ndarray:
    return (
        level
        + np.sin(2 * np.pi * np.arange(n) / period)
        + 0.5 * np.cos(4 * np.pi * np.arange(n) / period)
    )


@pytest.fixture
def long_frame(frame_of):
    """Series (id -> values) as a long frame, ending together (``h`` steps)."""
    return lambda series: frame_of(series, freq="h", end="2024-06-01")


@pytest.mark.parametrize("normalization", VARIANTS)
def test_a_pure_seasonal_series_is_forecast_exactly(normalization):
    y = seasonal(156)
    model = LinearForecaster(6, normalization=normalization, season_length=12, quantiles=None)
    forecast = model.fit(y[:144]).predict(6)
    np.testing.assert_allclose(forecast, y[144:150], atol=1e-3)
    assert model.residuals_.shape[1] == 6 and np.abs(model.residuals_).max() < 1e-3


def test_the_weights_of_a_known_ar_process_are_recovered():
    # A sinusoid is the AR(2) process x_t = 2 cos(w) x_{t-1} - x_{t-2}, without noise.
    w = 2 * np.pi / 12
    x = 3.0 * np.sin(w * np.arange(300) + 0.3)
    model = LinearForecaster(1, context_length=2, normalization="none", alpha=1e-8).fit(x)
    np.testing.assert_allclose(model.coef_[:, 0], [-1.0, 2 * np.cos(w)], atol=1e-6)


def test_the_weights_of_a_noisy_ar_process_are_estimated():
    rng = np.random.default_rng(0)
    x = np.zeros(20000)
    for t in range(2, len(x)):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
    model = LinearForecaster(1, context_length=2, normalization="none", alpha=1e-8).fit(x)
    np.testing.assert_allclose(model.coef_[:, 0], [-0.3, 0.6], atol=0.03)  # oldest value first


def test_last_value_normalization_recovers_an_integrated_process():
    rng = np.random.default_rng(1)
    steps = np.zeros(4000)
    for t in range(1, len(steps)):
        steps[t] = 0.5 * steps[t - 1] + rng.normal()
    y = 1000.0 + np.cumsum(steps)  # y_t - y_{t-1} = 0.5 (y_{t-1} - y_{t-2}) + noise
    model = LinearForecaster(1, context_length=2, alpha=1e-8).fit(y)
    # Features are x - x_last, so the weight on the older value is -0.5, on the last one 0.
    np.testing.assert_allclose(model.coef_[:, 0], [-0.5, 0.0], atol=0.04)


def test_variants_differ_in_features_and_trend_window():
    y = seasonal(200) + np.random.default_rng(2).normal(scale=0.1, size=200)
    fitted = {
        n: LinearForecaster(4, context_length=24, normalization=n, season_length=12).fit(y)
        for n in VARIANTS
    }
    assert fitted["last"].coef_.shape == fitted["none"].coef_.shape == (24, 4)
    assert fitted["decomposition"].coef_.shape == (48, 4)
    assert fitted["decomposition"].trend_window_ == 13  # the smallest odd window over a season
    assert fitted["last"].trend_window_ is None
    points = [fitted[n].predict(4) for n in VARIANTS]
    assert not np.allclose(points[0], points[1])


def test_point_forecasts_follow_the_series_level_and_scale():
    rng = np.random.default_rng(3)
    y = seasonal(300, period=24) + rng.normal(scale=0.2, size=300)
    model = LinearForecaster(12, quantiles=None).fit(y)
    base = model.predict(12, y=y)
    moved = model.predict(12, y=3.0 * y + 100.0)
    np.testing.assert_allclose(moved, 3.0 * base + 100.0, rtol=1e-9)


def test_context_and_strength_are_chosen_on_held_out_windows():
    rng = np.random.default_rng(4)
    y = seasonal(400, period=24) + rng.normal(scale=0.2, size=400)
    model = LinearForecaster(12, season_length=24).fit(y)
    scores = model.validation_scores_
    assert list(scores.index) == [24, 48, 96, 192, 384]  # seasons up to the length - horizon
    assert len(scores.columns) == 8
    assert scores.loc[model.context_length_, model.alpha_] == scores.to_numpy().min()
    fixed = LinearForecaster(12, context_length=30, alpha=0.5, season_length=24).fit(y)
    assert fixed.validation_scores_.shape == (1, 1)
    assert (fixed.context_length_, fixed.alpha_) == (30, 0.5)
    # One series, so the last origins are held out: about 200 windows of 12 steps.
    assert model.residuals_.shape == (min(200, (400 - 12) // 4), 12)


def test_unequal_lengths_and_series_shorter_than_the_context_all_get_forecasts(long_frame):
    rng = np.random.default_rng(5)
    series = {
        f"n{n}": seasonal(n, period=24) + rng.normal(scale=0.1, size=n) for n in (300, 200, 40, 5)
    }
    series["one"] = np.array([7.0])
    model = LinearForecaster(6, context_length=48)
    out = model.fit(long_frame(series)).predict()
    assert out.groupby("unique_id").size().to_dict() == {uid: 6 for uid in series}
    assert np.isfinite(out.drop(columns=["unique_id", "ds"]).to_numpy()).all()
    single = out[out["unique_id"] == "one"]
    # A padded context of one value has no shape: the forecast and its quantiles stay there.
    np.testing.assert_allclose(single["Linear"], 7.0)
    assert single["ds"].iloc[0] == pd.Timestamp("2024-06-01 01:00")


def test_a_context_of_zeros_is_forecast_as_zeros():
    rng = np.random.default_rng(6)
    y = seasonal(200, period=24) + rng.normal(scale=0.1, size=200)
    model = LinearForecaster(6, context_length=24).fit(y)
    out = model.predict(6, y=np.r_[y, np.zeros(30)])
    assert (out == 0).all()


def test_quantiles_are_ordered_and_cover_held_out_noise():
    rng = np.random.default_rng(7)
    y = seasonal(2000, period=24) + rng.normal(scale=0.3, size=2000)
    y = pd.Series(y, index=pd.date_range("2024-01-01", periods=2000, freq="h"))
    model = LinearForecaster(24, season_length=24, quantiles=(0.05, 0.1, 0.5, 0.9, 0.95))
    out = model.fit(y[:1976]).predict()
    q = out[["Linear-q0.05", "Linear-q0.1", "Linear-q0.5", "Linear-q0.9", "Linear-q0.95"]]
    assert (np.diff(q.to_numpy(), axis=1) > 0).all()
    actual = y.iloc[1976:]
    inside = (actual >= out["Linear-q0.1"]) & (actual <= out["Linear-q0.9"])
    assert 0.5 <= inside.mean() <= 1.0
    assert list(out.columns) == ["Linear", *q.columns]


def test_h_beyond_the_horizon_is_refused():
    model = LinearForecaster(3, season_length=12).fit(seasonal(100))
    with pytest.raises(ValueError, match="h=4 exceeds horizon=3"):
        model.predict(4)
    assert len(model.predict(2)) == 2


def test_too_short_data_is_a_one_line_error_naming_the_series(long_frame):
    frame = long_frame({"a": np.arange(1.0, 9.0), "b": np.arange(1.0, 11.0)})
    with pytest.raises(InsufficientHistoryError) as info:
        LinearForecaster(5).fit(frame)
    message = str(info.value)
    assert (
        "2 * horizon + 1 = 11 observations" in message and "longest series ('b') has 10" in message
    )
    assert "\n" not in message


@pytest.mark.parametrize("normalization", ["last", "decomposition", "none"])
def test_series_of_zeros_repeat_their_last_value(normalization):
    # No window reads a nonzero value: the map is zero (a product with no sales yet).
    model = LinearForecaster(3, normalization=normalization).fit(np.zeros(50))
    np.testing.assert_array_equal(model.predict(), 0.0)  # the point and its quantiles
    launched = np.r_[np.zeros(49), 4.0]  # its only sale is in the last value
    np.testing.assert_array_equal(LinearForecaster(3).fit(launched).predict(), 4.0)


def test_bad_parameters_are_reported_at_fit():
    with pytest.raises(ValueError, match="'normalization' parameter of LinearForecaster"):
        LinearForecaster(2, normalization="mean").fit(seasonal(60))


def test_fits_are_deterministic_and_independent_of_the_block_size(monkeypatch, long_frame):
    rng = np.random.default_rng(8)
    frame = long_frame({f"s{k}": seasonal(300, period=24) + rng.normal(size=300) for k in range(3)})
    first = LinearForecaster(12).fit(frame)
    pd.testing.assert_frame_equal(first.predict(), LinearForecaster(12).fit(frame).predict())
    monkeypatch.setattr(linear_design, "BLOCK_VALUES", 500)  # many small blocks
    blocked = LinearForecaster(12).fit(frame)
    np.testing.assert_allclose(blocked.coef_, first.coef_, rtol=1e-8, atol=1e-10)


def test_exported_with_its_tags():
    assert "LinearForecaster" in gluts.__all__
    tags = LinearForecaster.get_tags()
    assert tags["global_model"] and tags["requires_horizon_in_fit"] and tags["probabilistic"]
    assert LinearForecaster().alias_ == "Linear"
