"""Backtest rows that an ensemble's members supply: fitted once, forecasts as their own fit."""

import numpy as np
import pandas as pd
import pytest

from gluts import (
    EnsembleForecaster,
    ETSForecaster,
    GLUForecaster,
    LinearForecaster,
    NaiveForecaster,
    ThetaForecaster,
    backtest,
)
from gluts._cli.registry import DEFAULT_BACKTEST_MODELS, MODELS, build
from gluts._member_rows import member_rows


@pytest.fixture
def panel():
    """Three noisy seasonal series of unequal lengths."""
    rng = np.random.default_rng(0)
    frames = []
    for sid, n in (("a", 70), ("b", 64), ("c", 58)):
        t = np.arange(n)
        y = 10 + np.sin(2 * np.pi * t / 6) + 0.3 * rng.standard_normal(n) + 0.05 * t
        ds = pd.date_range("2023-01-01", periods=n, freq="D")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def _ensemble(**linear):
    members = [("Linear", LinearForecaster(3, **linear)), ("Naive", NaiveForecaster())]
    return EnsembleForecaster(3, forecasters=members)


@pytest.fixture
def linear_fits(monkeypatch):
    """Count the fits of LinearForecaster."""
    count = []
    fit = LinearForecaster._fit_panel

    def counted(self, panel, X):
        count.append(len(panel))
        return fit(self, panel, X)

    monkeypatch.setattr(LinearForecaster, "_fit_panel", counted)
    return count


@pytest.mark.parametrize("refit", [True, False])
def test_members_beside_their_ensemble_are_fitted_once_with_the_same_forecasts(
    panel, linear_fits, refit
):
    alone = backtest([LinearForecaster(3), NaiveForecaster()], panel, 3, n_windows=2, refit=refit)
    fits_alone = len(linear_fits)
    linear_fits.clear()
    rows = [LinearForecaster(3), NaiveForecaster(), _ensemble()]
    both = backtest(rows, panel, 3, n_windows=2, refit=refit)
    # The ensemble fits its Linear member twice per fit (held-out windows, then all the
    # data); the Linear row adds none of its own.
    assert len(linear_fits) == 2 * fits_alone
    for name in ("Linear", "Naive"):
        ours = both.forecasts[both.forecasts["model"] == name].reset_index(drop=True)
        theirs = alone.forecasts[alone.forecasts["model"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, theirs)
        pd.testing.assert_frame_equal(
            both.metrics[both.metrics["model"] == name].reset_index(drop=True),
            alone.metrics[alone.metrics["model"] == name].reset_index(drop=True),
        )
        assert both.seconds[name] > 0
    assert list(both.summary().index.sort_values()) == sorted(
        ["Linear", "Naive", "Ensemble", "SeasonalNaive"]
    )
    # Rows keep the order of the models given.
    assert list(dict.fromkeys(both.forecasts["model"])) == [
        "Linear",
        "Naive",
        "Ensemble",
        "SeasonalNaive",
    ]


def test_a_model_with_other_parameters_is_fitted_on_its_own(panel, linear_fits):
    rows = [LinearForecaster(3, context_length=12), _ensemble()]
    backtest(rows, panel, 3, n_windows=2)
    assert len(linear_fits) == 2 * 2 + 2  # the ensemble's two per window, and the row's own


def test_which_rows_the_default_ensemble_supplies():
    rows = {
        "GLU": GLUForecaster(6),  # the member does not adjust seasonality: another model
        "GLU, unadjusted": GLUForecaster(6, deseasonalize=None),
        "ETS": ETSForecaster(n_jobs=2, alias="ETS"),  # how and the column name, not what
        "Theta": ThetaForecaster(season_length=12),  # the member's season_length is None
        "Ensemble": EnsembleForecaster(6),
        "Other": EnsembleForecaster(6, alias="Other"),
    }
    assert member_rows(rows, with_covariates=False) == {
        "GLU, unadjusted": ("Ensemble", 0),
        "ETS": ("Ensemble", 1),
    }
    # With covariates the GLU row reads them, and the members are fitted without.
    assert member_rows(rows, with_covariates=True) == {"ETS": ("Ensemble", 1)}


def test_the_cli_default_leaderboard_fits_each_member_once():
    options = {"horizon": 12, "season_length": 12, "random_state": 0}
    rows = {name: build(name, MODELS, n_jobs=None, **options) for name in DEFAULT_BACKTEST_MODELS}
    assert member_rows(rows, with_covariates=False) == {  # the GLU row adjusts seasonality
        "ets": ("ensemble", 1),
        "theta": ("ensemble", 2),
        "linear": ("ensemble", 3),
    }
    rows["glu"].set_params(deseasonalize=None)
    assert member_rows(rows, with_covariates=False)["glu"] == ("ensemble", 0)
    rows["glu"].set_params(quantiles=[0.1, 0.5, 0.9])  # a list is the same levels as a tuple
    assert member_rows(rows, with_covariates=False)["glu"] == ("ensemble", 0)
    rows["glu"].set_params(quantiles=[0.05, 0.5, 0.95])
    assert "glu" not in member_rows(rows, with_covariates=False)
