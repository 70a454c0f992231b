"""``gluts backtest``: the leaderboard, its JSON and CSV forms, the plot, and failures."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gluts.cli import app

from .helpers import assert_png, flat

MODELS = ["--models", "glu,quick,naive"]


def test_leaderboard_sorted_by_mase_with_verdict(runner, quick_models, long_csv):
    result = runner.invoke(app, ["backtest", str(long_csv), *MODELS, "--horizon", "6"])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("│")]
    ranked = [ln.split("│")[2].strip() for ln in lines]
    assert set(ranked) == {"GLU", "Quick", "Naive", "SeasonalNaive"}
    mase = [float(ln.split("│")[4]) for ln in lines]
    assert mase == sorted(mase)
    assert "Skill vs SNaive" in result.stdout and "Coverage" in result.stdout
    assert "GLU did not beat every baseline" in result.stdout
    assert "Backtesting glu, quick, naive on long.csv: 2 series, horizon 6" in flat(result.stderr)


def test_json_leaderboard(runner, quick_models, long_csv):
    args = ["backtest", str(long_csv), *MODELS, "--horizon", "6", "--windows", "2", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    board = pd.DataFrame(doc["leaderboard"])
    assert board["mase"].is_monotonic_increasing
    assert board.set_index("model").loc["SeasonalNaive", "mase_rel"] == pytest.approx(1.0)
    assert doc["glu_beat_every_baseline"] is False
    assert (doc["horizon"], doc["n_windows"], doc["season_length"]) == (6, 2, 24)


def test_default_horizon_is_one_season(runner, quick_models, long_csv):
    result = runner.invoke(app, ["backtest", str(long_csv), "--models", "naive", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["horizon"] == 24


def test_per_series_metrics_and_plot(runner, quick_models, wide_csv, tmp_path):
    out, png = tmp_path / "metrics.csv", tmp_path / "bt.png"
    args = ["backtest", str(wide_csv), *MODELS, "--horizon", "6", "-q"]
    result = runner.invoke(app, [*args, "--output", str(out), "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    metrics = pd.read_csv(out)
    assert len(metrics) == 4 * 2
    assert {"model", "unique_id", "n_windows", "smape", "mase"} <= set(metrics.columns)
    assert set(metrics["unique_id"]) == {"s0", "s1"}
    assert (metrics["n_windows"] == 3).all()
    assert_png(png)


def test_too_short_series_is_one_line(runner, quick_models, long_csv):
    args = ["backtest", str(long_csv), *MODELS, "--horizon", "40", "--quiet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: long.csv: Series 's0' has 120 observations")
    assert result.stderr.count("\n") == 1


def test_unknown_model_is_a_usage_error(runner, long_csv):
    result = runner.invoke(app, ["backtest", str(long_csv), "--models", "ets,prophet"])
    assert result.exit_code == 2
    assert "unknown name 'prophet'" in flat(result.stderr)


def test_verbose_shows_the_traceback(runner, quick_models, long_csv):
    args = ["backtest", str(long_csv), *MODELS, "--horizon", "40", "--verbose"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: long.csv: Series 's0'")


@pytest.mark.parametrize(("flag", "expected"), [([], True), (["--no-refit"], False)])
def test_refit_reaches_the_backtest(runner, quick_models, long_csv, monkeypatch, flag, expected):
    import gluts.backtesting

    seen = {}
    real = gluts.backtesting.backtest

    def spy(*args, **kwargs):
        seen["refit"] = kwargs["refit"]
        return real(*args, **kwargs)

    monkeypatch.setattr(gluts.backtesting, "backtest", spy)
    args = ["backtest", str(long_csv), "--models", "quick", "--horizon", "6", *flag]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen["refit"] is expected
