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
from gluts.data import ReadOptions


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


@pytest.fixture
def positive(panel):
    """The fixture's series as the panels of a backtest's fits (all positive, 9+ seasons)."""
    return [ReadOptions().read(panel)]


def _ensemble(**linear):
    members = [("Linear", LinearForecaster(3, **linear)), ("Naive", NaiveForecaster())]
    return EnsembleForecaster(3, forecasters=members)


def _count_fits(monkeypatch, cls) -> list:
    """Record the number of series of every fit of ``cls``."""
    count = []
    fit = cls._fit_panel

    def counted(self, panel, X):
        count.append(len(panel))
        return fit(self, panel, X)

    monkeypatch.setattr(cls, "_fit_panel", counted)
    return count


def _rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of one model in a backtest's forecasts or metrics."""
    return frame[frame["model"] == name].reset_index(drop=True)


@pytest.fixture
def linear_fits(monkeypatch):
    """Count the fits of LinearForecaster."""
    return _count_fits(monkeypatch, LinearForecaster)


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
        pd.testing.assert_frame_equal(_rows(both.forecasts, name), _rows(alone.forecasts, name))
        pd.testing.assert_frame_equal(_rows(both.metrics, name), _rows(alone.metrics, name))
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


def test_which_rows_the_default_ensemble_supplies(positive):
    rows = {
        "GLU": GLUForecaster(6),  # the member does not adjust seasonality: another model
        "GLU, unadjusted": GLUForecaster(6, deseasonalize=None),
        "ETS": ETSForecaster(n_jobs=2, alias="ETS"),  # how and the column name, not what
        "Theta": ThetaForecaster(season_length=12),  # the member's season_length is None
        "Ensemble": EnsembleForecaster(6),
        "Other": EnsembleForecaster(6, alias="Other"),
    }
    assert member_rows(rows, with_covariates=False, panels=positive) == {
        "GLU, unadjusted": ("Ensemble", 0),
        "ETS": ("Ensemble", 1),
    }
    # With covariates the GLU row reads them, and the members are fitted without.
    assert member_rows(rows, with_covariates=True, panels=positive) == {"ETS": ("Ensemble", 1)}


def test_the_cli_default_leaderboard_fits_each_member_once(positive):
    options = {"horizon": 12, "season_length": 6, "random_state": 0}
    rows = {name: build(name, MODELS, n_jobs=None, **options) for name in DEFAULT_BACKTEST_MODELS}
    supplied = member_rows(rows, with_covariates=False, panels=positive)
    assert supplied == {  # the GLU row adjusts the seasonality of these positive series
        "ets": ("ensemble", 1),
        "theta": ("ensemble", 2),
        "linear": ("ensemble", 3),
    }
    rows["glu"].set_params(deseasonalize=None)
    assert member_rows(rows, with_covariates=False, panels=positive)["glu"] == ("ensemble", 0)
    rows["glu"].set_params(quantiles=[0.1, 0.5, 0.9])  # a list is the same levels as a tuple
    assert member_rows(rows, with_covariates=False, panels=positive)["glu"] == ("ensemble", 0)
    rows["glu"].set_params(quantiles=[0.05, 0.5, 0.95])
    assert "glu" not in member_rows(rows, with_covariates=False, panels=positive)


@pytest.mark.parametrize(
    "change, supplied",
    [
        (None, False),  # positive, seasons enough: the GLU row adjusts, its member does not
        ("zero", True),  # a value <= 0 switches the adjustment off: the same fit
        ("short", True),  # so does a series of fewer than three seasons
    ],
)
def test_the_default_glu_is_its_member_where_the_data_switch_its_adjustment_off(
    panel, change, supplied
):
    frame = panel.copy()
    if change == "zero":
        frame.loc[frame["unique_id"].eq("b").idxmax(), "y"] = 0.0
    elif change == "short":
        frame = frame[frame.groupby("unique_id").cumcount() < 17]  # under 3 seasons of 6
    rows = {
        "GLU": GLUForecaster(6, season_length=6),
        "Ensemble": EnsembleForecaster(6, season_length=6),
    }
    found = member_rows(rows, with_covariates=False, panels=[ReadOptions().read(frame)])
    assert found == ({"GLU": ("Ensemble", 0)} if supplied else {})


def test_a_parameter_switched_off_counts_only_if_every_fit_switches_it_off(panel):
    rows = {
        "GLU": GLUForecaster(6, season_length=6),
        "Ensemble": EnsembleForecaster(6, season_length=6),
    }
    short = panel[panel.groupby("unique_id").cumcount() < 17]
    panels = [ReadOptions().read(short), ReadOptions().read(panel)]  # off, then on
    assert member_rows(rows, with_covariates=False, panels=panels) == {}
    assert member_rows(rows, with_covariates=False, panels=panels[:1]) == {"GLU": ("Ensemble", 0)}


@pytest.mark.parametrize("refit", [True, False])
def test_a_glu_row_whose_adjustment_the_data_switch_off_is_fitted_once(panel, refit, monkeypatch):
    fits = _count_fits(monkeypatch, GLUForecaster)
    frame = panel.copy()
    frame.loc[0, "y"] = -1.0  # a value <= 0: no seasonal adjustment
    small = {"n_steps": 5, "random_state": 0}
    member = GLUForecaster(3, deseasonalize=None, **small)
    ensemble = EnsembleForecaster(3, forecasters=[("GLU", member), ("Naive", NaiveForecaster())])
    row = GLUForecaster(3, alias="GLU", **small)  # the default adjustment, switched off here
    alone = backtest([row], frame, 3, n_windows=2, refit=refit)
    fits_alone = len(fits)
    fits.clear()
    both = backtest([row, ensemble], frame, 3, n_windows=2, refit=refit)
    # the ensemble fits its GLU twice per fit (held-out windows, then all the data); the
    # GLU row adds none of its own
    assert len(fits) == 2 * fits_alone
    for result in (alone, both):
        assert "GLU" in set(result.forecasts["model"])
    pd.testing.assert_frame_equal(_rows(both.forecasts, "GLU"), _rows(alone.forecasts, "GLU"))
