"""``--freq``: the time grid named on the command line, for dates no frequency fits."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from gluts.cli import app

from .helpers import flat


def irregular_csv(tmp_path, n_days: int = 60):
    """Daily values with days missing: mostly every third day, so the spacing is irregular."""
    days = pd.date_range("2024-01-01", periods=n_days, freq="D")
    kept = days[(np.arange(n_days) % 3 == 0) | (np.arange(n_days) % 7 == 1)]
    path = tmp_path / "irregular.csv"
    frame = pd.DataFrame({"ds": kept, "y": 10 + np.sin(np.arange(len(kept)) / 2)})
    frame.to_csv(path, index=False)
    return path, frame


def test_forecast_on_the_grid_of_freq(runner, tmp_path):
    path, frame = irregular_csv(tmp_path)
    args = ["forecast", str(path), "--horizon", "2", "--model", "naive"]
    inferred = runner.invoke(app, args)
    assert inferred.exit_code == 1
    assert "off its" in inferred.stderr and "pass --freq." in inferred.stderr
    daily = runner.invoke(app, [*args, "--freq", "D"])
    assert daily.exit_code == 0, daily.output
    out = pd.read_csv(io.StringIO(daily.stdout), parse_dates=["ds"])
    last = frame["ds"].iloc[-1]
    assert out["ds"].tolist() == [last + pd.Timedelta(days=1), last + pd.Timedelta(days=2)]
    n_days = (last - frame["ds"].iloc[0]).days + 1
    assert f"'y': {n_days - len(frame)} of {n_days}." in daily.stderr  # the filled days


def test_backtest_on_the_grid_of_freq(runner, tmp_path):
    path, _ = irregular_csv(tmp_path)
    args = ["backtest", str(path), "--models", "naive", "--horizon", "3", "--windows", "2"]
    result = runner.invoke(app, [*args, "--freq", "D"])
    assert result.exit_code == 0, result.output
    assert "Naive" in result.stdout


@pytest.mark.parametrize(
    ("text", "extra", "match"),
    [
        ("ds,y\n2024-01-01,1\n2024-01-02,2\n", ["--freq", "fortnight"], "not a pandas frequency"),
        ("ds,y\n1,1\n2,2\n3,3\n", ["--freq", "D"], "integer steps in 'ds'; --freq sets"),
        ("y\n1\n2\n3\n", ["--freq", "D"], "no time column; --freq sets"),
    ],
)
def test_unusable_freq_is_a_usage_error(runner, tmp_path, text, extra, match):
    path = tmp_path / "data.csv"
    path.write_text(text)
    args = ["forecast", str(path), "--model", "naive", "--horizon", "1"]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 2
    assert match in flat(result.stderr)


def test_detect_keeps_the_grid_of_freq_in_its_state(runner, tmp_path):
    path, frame = irregular_csv(tmp_path, n_days=400)
    state = tmp_path / "det.gluts"
    args = ["detect", str(path), "--state", str(state), "-q"]
    fitting = ["--model", "zscore", "--train-fraction", "0.5"]
    frame.iloc[:-20].to_csv(path, index=False)
    assert runner.invoke(app, [*args, *fitting]).exit_code == 1  # no grid fits the dates
    first = runner.invoke(app, [*args, *fitting, "--freq", "D"])
    assert first.exit_code == 0, first.output
    frame.to_csv(path, index=False)
    again = runner.invoke(app, [*args, "--freq", "D"])
    assert again.exit_code == 2
    assert "Invalid value for --freq: applies when fitting" in flat(again.stderr)
    grown = runner.invoke(app, args)  # the state's daily grid, without --freq
    assert grown.exit_code == 0, grown.output
    assert "No new rows" not in grown.stdout
    by_row = runner.invoke(app, ["detect", str(path), "--freq", "D", "--by-row"])
    assert by_row.exit_code == 2 and "give --freq or --by-row" in flat(by_row.stderr)
