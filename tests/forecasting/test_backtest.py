"""Rolling-origin backtests: window positions, no look-ahead, metrics and the leaderboard."""

import numpy as np
import pandas as pd
import pytest

from gluts import SeasonalNaiveForecaster, backtest
from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting.local import LocalForecaster


class LastValueSpy(LocalForecaster):
    """Naive forecaster that records the last value it was shown at every fit."""

    seen: list = []

    def __init__(self, *, season_length=None, quantiles=None, alias=None, n_jobs=None):
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y, season_length):
        LastValueSpy.seen.append(y[-1])
        return y[-1]

    def _forecast_one(self, state, h, quantiles):
        return np.full(h, state), None


@pytest.fixture
def ramp():
    """Two series whose values equal their time step, so a forecast reveals what it saw."""
    ds = pd.date_range("2022-01-01", periods=60, freq="D")
    return pd.concat(
        [pd.DataFrame({"unique_id": sid, "ds": ds, "y": np.arange(60.0)}) for sid in ("a", "b")],
        ignore_index=True,
    )


@pytest.mark.parametrize("refit", [True, False])
def test_windows_sit_at_the_end_and_never_see_the_future(ramp, refit):
    LastValueSpy.seen = []
    result = backtest(LastValueSpy(), ramp, horizon=5, n_windows=3, step=4, refit=refit)
    fc = result.forecasts[result.forecasts["model"] == "LastValueSpy"]
    cutoffs = sorted(set(fc["cutoff"]))
    assert cutoffs == list(pd.to_datetime(["2022-02-16", "2022-02-20", "2022-02-24"]))
    for _, row in fc.iterrows():
        assert row["ds"] > row["cutoff"]
        # The forecast is the last value seen, which is the cutoff's own time step.
        assert row["forecast"] == (row["cutoff"] - pd.Timestamp("2022-01-01")).days
    assert max(LastValueSpy.seen) <= 54
    assert fc.groupby("window")["ds"].max().iloc[-1] == pd.Timestamp("2022-03-01")


def test_metrics_per_model_series_window_and_summary(ramp):
    result = backtest([LastValueSpy()], ramp, horizon=5, n_windows=2, season_length=7)
    assert set(result.metrics["model"]) == {"LastValueSpy", "SeasonalNaive"}
    assert len(result.metrics) == 2 * 2 * 2
    spy = result.metrics[result.metrics["model"] == "LastValueSpy"]
    # Errors 1..5 against a ramp: MAE 3, in-sample seasonal scale (lag 7) is 7.
    np.testing.assert_allclose(spy["mae"], 3.0)
    np.testing.assert_allclose(spy["mase"], 3.0 / 7.0)
    board = result.summary()
    assert list(board.index) == ["LastValueSpy", "SeasonalNaive"]
    np.testing.assert_allclose(board.loc["SeasonalNaive", "mase_rel"], 1.0)
    assert (board["seconds"] >= 0).all()


class NearlyLastValue(LastValueSpy):
    """The last value, off by a rounding error (as a smoothing model's level can be)."""

    def _forecast_one(self, state, h, quantiles):
        return np.full(h, state * (1 + 1e-15)), None


def test_a_constant_series_has_no_scaled_error_for_any_model(ramp):
    flat = ramp.assign(y=np.where(ramp["unique_id"] == "b", 5.0, ramp["y"]))
    result = backtest([NearlyLastValue()], flat, horizon=5, n_windows=2, season_length=7)
    scaled = result.metrics.set_index(["model", "unique_id"])[["mase", "rmsse"]]
    assert scaled.xs("b", level="unique_id").isna().all().all()  # 0/0 and x/0 alike
    assert scaled.xs("a", level="unique_id").notna().all().all()
    board = result.summary()
    np.testing.assert_allclose(board.loc["NearlyLastValue", "mase"], 3.0 / 7.0)


def test_probabilistic_models_get_quantile_metrics(ramp):
    result = backtest(SeasonalNaiveForecaster(season_length=7), ramp, horizon=7, n_windows=2)
    assert {"q0.1", "q0.5", "q0.9"} <= set(result.forecasts.columns)
    assert {"mql", "scaled_crps", "coverage"} <= set(result.metrics.columns)
    assert result.metrics["coverage"].between(0, 1).all()


def test_too_short_series_is_named(ramp):
    short = ramp[(ramp["unique_id"] == "a") | (ramp["ds"] < "2022-01-20")]
    with pytest.raises(InsufficientHistoryError, match=r"Series 'b' has 19 observations"):
        backtest(LastValueSpy(), short, horizon=5, n_windows=3, season_length=7)


def test_duplicate_names_and_bad_arguments_are_rejected(ramp):
    with pytest.raises(ValueError, match="share the name 'LastValueSpy'"):
        backtest([LastValueSpy(), LastValueSpy()], ramp, horizon=3)
    with pytest.raises(ValueError, match="n_windows must be a positive int; got 0"):
        backtest(LastValueSpy(), ramp, horizon=3, n_windows=0)
