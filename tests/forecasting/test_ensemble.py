"""EnsembleForecaster: weights from the held-out window, the median alternative, calibrated
quantiles, short and new series, errors; and the combination arithmetic on its own."""

import numpy as np
import pytest

from gluts import (
    EnsembleForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)
from gluts.forecasting import _combination as comb


def seasonal(n: int, level: float = 10.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return level + 3 * np.sin(2 * np.pi * t / 12) + noise * rng.standard_normal(n)


MEMBERS = [("SNaive", SeasonalNaiveForecaster()), ("Mean", MeanForecaster())]


@pytest.fixture
def monthly(frame_of):
    """Series (id -> values) as a long frame, ending together (``MS`` steps)."""
    return lambda series: frame_of(series, freq="MS", end="2023-12-01")


def test_the_member_that_forecasts_the_held_out_window_gets_the_weight(monthly):
    y = monthly({"a": seasonal(96), "b": seasonal(120, level=50.0)})
    model = EnsembleForecaster(12, forecasters=MEMBERS, shrinkage=0.0).fit(y)
    assert list(model.weights_.columns) == ["SNaive", "Mean"]
    assert (model.weights_["SNaive"] > 0.99).all()
    assert model.panel_weights_[0] > 0.99
    np.testing.assert_allclose(model.weights_.sum(axis=1), 1.0)
    forecast = model.predict()
    expected = SeasonalNaiveForecaster().fit(y).predict(12)
    np.testing.assert_allclose(forecast["Ensemble"], expected["SeasonalNaive"], rtol=1e-6)


def test_shrinkage_pulls_series_weights_to_the_panel_weights(monthly):
    y = monthly({"a": seasonal(96, noise=1.0), "b": seasonal(96, noise=1.0, seed=1)})
    model = EnsembleForecaster(12, forecasters=MEMBERS, shrinkage=1.0).fit(y)
    for sid in ("a", "b"):
        np.testing.assert_allclose(model.weights_.loc[sid], model.panel_weights_)


def test_series_weights_are_inverse_squared_errors_shrunk_to_the_panel():
    errors = np.array([[1.0, 0.5], [2.0, 0.5]])
    own = comb.series_weights(errors, np.array([0.9, 0.1]), shrinkage=0.0)
    np.testing.assert_allclose(own, [[0.8, 0.5], [0.2, 0.5]])
    halfway = comb.series_weights(errors, np.array([0.9, 0.1]), shrinkage=0.5)
    np.testing.assert_allclose(halfway, [[0.85, 0.7], [0.15, 0.3]])


def test_median_combination_is_the_member_wise_median(monthly):
    y = monthly({"a": seasonal(96, noise=0.5), "b": seasonal(72, noise=0.5, seed=2)})
    members = [*MEMBERS, ("Naive", NaiveForecaster())]
    model = EnsembleForecaster(12, forecasters=members, combination="median", quantiles=None)
    forecast = model.fit(y).predict()
    alone = [m.fit(y).predict(12).iloc[:, 2].to_numpy() for _, m in members]
    np.testing.assert_allclose(forecast["Ensemble"], np.median(alone, axis=0))
    assert model.weights_.empty
    assert list(forecast.columns) == ["unique_id", "ds", "Ensemble"]


def test_quantiles_are_ordered_and_calibrated_on_the_held_out_window(monthly):
    series = {f"s{i}": seasonal(120, noise=2.0, seed=i) for i in range(40)}
    y = monthly(series)
    model = EnsembleForecaster(12, forecasters=MEMBERS).fit(y)
    forecast = model.predict()
    q = forecast[["Ensemble-q0.1", "Ensemble-q0.5", "Ensemble-q0.9"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    assert model.calibration_.shape == (3,)
    assert model.calibration_[1] == 1.0
    # The fitted factors put 10% of the held-out values below q0.1 and 10% above q0.9.
    future = monthly({k: seasonal(132, noise=2.0, seed=100 + int(k[1:]))[-12:] for k in series})
    inside = (future["y"].to_numpy() >= q[:, 0]) & (future["y"].to_numpy() <= q[:, 2])
    assert 0.65 < inside.mean() < 0.95


def test_short_series_and_new_series_use_the_panel_weights(monthly):
    y = monthly({"long": seasonal(96, noise=0.3), "short": seasonal(20, noise=0.3)})
    model = EnsembleForecaster(12, forecasters=MEMBERS, shrinkage=0.0).fit(y)
    assert list(model.validation_errors_.index) == ["long"]
    np.testing.assert_allclose(model.weights_.loc["short"], model.panel_weights_)
    new = monthly({"other": seasonal(60, noise=0.3, seed=5)})
    forecast = model.predict(y=new)
    assert forecast["unique_id"].unique().tolist() == ["other"]
    assert np.isfinite(forecast["Ensemble"]).all()


def test_a_panel_too_short_to_hold_out_gets_equal_weights(monthly):
    y = monthly({"a": seasonal(15), "b": seasonal(18)})
    model = EnsembleForecaster(6, forecasters=MEMBERS).fit(y)
    np.testing.assert_allclose(model.panel_weights_, [0.5, 0.5])
    np.testing.assert_allclose(model.calibration_, 1.0)
    assert len(model.predict()) == 12


def test_a_member_without_quantiles_for_a_series_is_left_out_of_its_quantiles(monthly):
    from gluts import LinearForecaster

    # Seasonal naive has no spread for a series of one value (NaN outer quantiles); the
    # linear map has one. The ensemble's outer quantiles for that series are the linear map's.
    y = monthly({"one": np.array([5.0]), "long": seasonal(96, noise=0.5)})
    members = [("SNaive", SeasonalNaiveForecaster()), ("Linear", LinearForecaster(3))]
    outer = ["q0.1", "q0.9"]
    for combination in ("weighted", "median"):
        model = EnsembleForecaster(12, forecasters=members, combination=combination).fit(y)
        forecast = model.predict()
        q = forecast[[f"Ensemble-{level}" for level in ("q0.1", "q0.5", "q0.9")]].to_numpy()
        assert np.isfinite(q).all() and (np.diff(q, axis=1) >= 0).all()
        one = (forecast["unique_id"] == "one").to_numpy()
        linear = model.forecasters_[1][1].predict(12)
        inner = linear.loc[one, [f"Linear-{level}" for level in outer]].to_numpy()
        point = forecast.loc[one, "Ensemble"].to_numpy()[:, None]
        expected = point + model.calibration_[[0, 2]] * (inner - point)
        np.testing.assert_allclose(q[one][:, [0, 2]], expected, rtol=1e-9)


def test_combine_rescales_the_weights_of_the_members_that_have_a_value():
    members = np.array([[[1.0, np.nan]], [[3.0, 5.0]], [[np.nan, np.nan]]])  # (M=3, n=1, h=2)
    weights = np.array([[0.5], [0.25], [0.25]])
    np.testing.assert_allclose(comb.combine(members, weights), [[(0.5 + 0.75) / 0.75, 5.0]])
    np.testing.assert_allclose(comb.combine(members, None), [[2.0, 5.0]])
    nothing = np.full((2, 1, 2), np.nan)
    assert np.isnan(comb.combine(nothing, np.array([[0.5], [0.5]]))).all()
    assert np.isnan(comb.combine(nothing, None)).all()


def test_members_take_the_ensembles_horizon_and_quantiles(monthly):
    from gluts import LinearForecaster

    y = monthly({"a": seasonal(96, noise=0.2)})
    model = EnsembleForecaster(
        12, forecasters=[("Linear", LinearForecaster(3, quantiles=None))], quantiles=(0.2, 0.8)
    ).fit(y)
    linear = model.forecasters_[0][1]
    assert linear.horizon == 12 and tuple(linear.quantiles) == (0.2, 0.8)
    assert "Ensemble-q0.2" in model.predict().columns


def test_default_members_include_the_glu_without_its_seasonal_adjustment():
    members = dict(EnsembleForecaster(6, season_length=12, random_state=3).configured_members())
    assert list(members) == ["GLU", "ETS", "Theta", "Linear"]
    glu = members["GLU"].get_params()
    assert glu["deseasonalize"] is None and glu["season_length"] == 12
    assert glu["random_state"] == 3 and glu["horizon"] == 6


@pytest.mark.parametrize(
    "forecasters, message",
    [
        ([], "at least one"),
        ([("A", MeanForecaster()), ("A", NaiveForecaster())], "distinct"),
        ([MeanForecaster()], "(name, forecaster) pairs"),
        ([("A", "mean")], "'A' is not a gluts forecaster"),
    ],
)
def test_bad_members_are_refused_with_one_line(forecasters, message, monthly):
    y = monthly({"a": seasonal(48)})
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        EnsembleForecaster(3, forecasters=forecasters).fit(y)


def test_panel_weights_find_the_exact_member_and_never_lose_to_the_best_member():
    rng = np.random.default_rng(0)
    actual = rng.standard_normal((30, 6))
    points = np.stack([actual, actual + rng.standard_normal((30, 6)), np.zeros((30, 6))])
    np.testing.assert_array_equal(comb.panel_weights(points, actual, np.ones(30)), [1, 0, 0])
    noisy = points + rng.standard_normal(points.shape)
    learned = comb.panel_weights(noisy, actual, np.ones(30))
    loss = lambda w: np.abs(np.tensordot(w, noisy, axes=1) - actual).mean()  # noqa: E731
    assert np.isclose(learned.sum(), 1.0) and (learned >= 0).all()
    assert loss(learned) <= min(loss(np.eye(3)[j]) for j in range(3))


def test_panel_weights_average_the_members_that_help_and_leave_out_the_one_that_does_not():
    rng = np.random.default_rng(3)
    actual = rng.standard_normal((200, 8))
    # Two members with independent errors: their average halves the error variance.
    good = [actual + 0.5 * rng.standard_normal(actual.shape) for _ in range(2)]
    bad = actual + 3.0 * rng.standard_normal(actual.shape)
    points = np.stack([good[0], bad, good[1]])
    np.testing.assert_allclose(comb.panel_weights(points, actual, np.ones(200)), [0.5, 0, 0.5])
    # Without a held-out window: equal weights.
    assert comb.panel_weights(points[:, :0], actual[:0], np.ones(0)).tolist() == [1 / 3] * 3


def test_panel_weights_give_the_better_member_more_weight_but_not_all():
    rng = np.random.default_rng(4)
    actual = rng.standard_normal((400, 8))
    # A member with a third of the other's error variance deserves about three quarters.
    sharp = actual + 0.5 * rng.standard_normal(actual.shape)
    rough = actual + 0.5 * np.sqrt(3.0) * rng.standard_normal(actual.shape)
    weights = comb.panel_weights(np.stack([rough, sharp]), actual, np.ones(400))
    assert 0.5 < weights[1] < 1.0 and weights[0] > 0


def test_calibration_factors_recover_the_true_width():
    rng = np.random.default_rng(1)
    point = np.zeros((4000, 1))
    actual = 2.0 * rng.standard_normal((4000, 1))
    z = 1.2815515655446004  # standard normal 0.9 quantile
    quantiles = np.stack([-z * np.ones((4000, 1)), point, z * np.ones((4000, 1))], axis=-1)
    factors = comb.calibration_factors(point, quantiles, actual, (0.1, 0.5, 0.9))
    np.testing.assert_allclose(factors, [2.0, 1.0, 2.0], rtol=0.06)  # 4000 series: no pull
    widened = comb.widen(point, quantiles, factors)
    assert abs(np.mean(actual < widened[..., 0]) - 0.1) < 0.01


def test_calibration_from_few_series_stays_near_the_members_width():
    rng = np.random.default_rng(2)
    point = np.zeros((2, 12))
    actual = 5.0 * rng.standard_normal((2, 12))
    quantiles = np.stack([-np.ones((2, 12)), point, np.ones((2, 12))], axis=-1)
    many = comb.calibration_factors(point, quantiles, actual, (0.1, 0.5, 0.9), prior_series=0)
    few = comb.calibration_factors(point, quantiles, actual, (0.1, 0.5, 0.9))
    assert (few[[0, 2]] > 1).all() and (few[[0, 2]] < many[[0, 2]]).all()
    np.testing.assert_allclose(np.log(few), np.log(many) * 2 / 12)
