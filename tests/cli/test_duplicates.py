"""``--duplicates``: rows that repeat a timestamp, refused or merged when the file is read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gluts import make_synthetic
from gluts.cli import app

from .conftest import long_frame
from .helpers import flat

NAB = Path("/work/shared/data/anomaly/realKnownCause/machine_temperature_system_failure.csv")


@pytest.fixture
def repeated_csv(tmp_path):
    """Two hourly series; s0's last stamp and one stamp of s1 appear twice (values 100, 200)."""
    frame = long_frame()
    s0_last = frame[frame["unique_id"] == "s0"].iloc[[-1]].assign(y=200.0)
    s1_mid = frame[frame["unique_id"] == "s1"].iloc[[50]].assign(y=200.0)
    frame.loc[s0_last.index, "y"] = 100.0
    frame = pd.concat([frame, s0_last, s1_mid]).sort_index(kind="stable")
    path = tmp_path / "repeated.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["forecast", "backtest"])
def test_error_by_default_names_the_option(runner, quick_models, repeated_csv, command):
    args = [command, str(repeated_csv), "--horizon", "3", "--model" + "s" * (command == "backtest")]
    result = runner.invoke(app, [*args, "quick"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: repeated.csv: 2 repeated timestamp(s) (2 extra row(s)")
    assert "merge them with --duplicates first, last or mean" in result.stderr


@pytest.mark.parametrize(
    ("rule", "value", "how"),
    [
        ("first", 100.0, "kept the first"),
        ("last", 200.0, "kept the last"),
        ("mean", 150.0, "averaged the values"),
    ],
)
def test_forecast_merges_as_asked(runner, quick_models, repeated_csv, rule, value, how):
    args = ["forecast", str(repeated_csv), "--horizon", "2", "--model", "quick"]
    result = runner.invoke(app, [*args, "--duplicates", rule])
    assert result.exit_code == 0, result.output
    notice = f"Warning: repeated.csv: merged 4 rows at 2 repeated timestamp(s) into 2 ({how}"
    assert notice in result.stderr
    assert sum("merged" in line for line in result.stderr.splitlines()) == 1
    out = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert out.loc[out["unique_id"] == "s0", "Quick"].tolist() == [value, value]


def test_wide_layout_merges_rows(runner, quick_models, tmp_path):
    wide = long_frame().pivot(index="ds", columns="unique_id", values="y").reset_index()
    wide = pd.concat([wide, wide.iloc[[-1]].assign(s0=1.0, s1=3.0)], ignore_index=True)
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    args = ["forecast", str(path), "--horizon", "1", "--model", "quick", "--duplicates", "mean"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(pd.io.common.StringIO(result.stdout), header=[0, 1], index_col=0)
    expected = (wide.iloc[-2][["s0", "s1"]] + pd.Series({"s0": 1.0, "s1": 3.0})) / 2
    point = out.xs("Quick", axis=1, level=1)
    assert point[["s0", "s1"]].iloc[0].tolist() == pytest.approx(expected.tolist())


def test_backtest_merges(runner, quick_models, repeated_csv):
    args = ["backtest", str(repeated_csv), "--horizon", "3", "--models", "quick", "--json"]
    result = runner.invoke(app, [*args, "--duplicates", "last"])
    assert result.exit_code == 0, result.output
    assert "merged 4 rows at 2 repeated timestamp(s) into 2 (kept the last" in result.stderr


@pytest.fixture
def monitoring_csv(tmp_path):
    """A 5-minute export whose clock repeated three stamps (a retry writes the row again)."""
    frame = make_synthetic(n_series=1, length=600, random_state=0)[["ds", "y"]]
    frame = pd.concat([frame, frame.iloc[[100, 300, 301]].assign(y=0.0)]).sort_index(kind="stable")
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return path


def test_detect_keeps_the_last_row_by_default(runner, monitoring_csv, tmp_path):
    scores = tmp_path / "scores.csv"
    args = ["detect", str(monitoring_csv), "--model", "mad", "--train-fraction", "0.3"]
    result = runner.invoke(app, [*args, "--scores", str(scores)])
    assert result.exit_code == 0, result.output
    assert "merged 6 rows at 3 repeated timestamp(s) into 3 (kept the last" in result.stderr
    rows = pd.read_csv(scores)
    assert len(rows) == 600 and rows["ds"].is_unique
    assert (rows["y"].iloc[[100, 300, 301]] == 0.0).all()


def test_detect_error_and_by_row(runner, monitoring_csv, tmp_path):
    args = ["detect", str(monitoring_csv), "--model", "mad", "--train-fraction", "0.3"]
    refused = runner.invoke(app, [*args, "--duplicates", "error"])
    assert refused.exit_code == 1 and "--duplicates first, last or mean" in refused.stderr
    scores = tmp_path / "scores.csv"
    kept = runner.invoke(app, [*args, "--by-row", "--scores", str(scores)])
    assert kept.exit_code == 0, kept.output
    assert "merged" not in kept.stderr and len(pd.read_csv(scores)) == 603


def test_bad_rule_is_a_usage_error(runner, repeated_csv):
    result = runner.invoke(
        app, ["forecast", str(repeated_csv), "--horizon", "2", "--duplicates", "sum"]
    )
    assert result.exit_code == 2
    assert "'sum' is not one of 'error', 'first', 'last', 'mean'" in flat(result.stderr)


@pytest.mark.skipif(not NAB.exists(), reason="needs the NAB data in /work/shared")
def test_nab_machine_temperature(runner):
    result = runner.invoke(app, ["detect", str(NAB), "--model", "mad"])
    assert result.exit_code == 0, result.output
    assert "merged 24 rows at 12 repeated timestamp(s) into 12 (kept the last" in result.stderr
