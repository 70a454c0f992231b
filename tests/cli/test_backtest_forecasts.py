"""``gluts backtest --forecasts``: every window's forecasts in statsforecast's long layout."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gluts.cli import app

from .conftest import long_frame

COLUMNS = ["model", "unique_id", "cutoff", "ds", "y", "point", "q0.1", "q0.5", "q0.9"]


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_forecast_file_columns_and_rows(runner, quick_models, long_csv, tmp_path, suffix):
    path = tmp_path / f"cv.{suffix}"
    args = ["backtest", str(long_csv), "--models", "quick,naive", "--horizon", "6"]
    result = runner.invoke(app, [*args, "--windows", "3", "--forecasts", str(path)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(path) if suffix == "csv" else pd.DataFrame(json.loads(path.read_text()))
    assert list(frame.columns) == COLUMNS
    # models (Quick, Naive and the SeasonalNaive reference) x series x windows x horizon
    assert len(frame) == 3 * 2 * 3 * 6
    assert f"Wrote {len(frame)} forecast rows to {path}." in " ".join(result.stderr.split())
    assert set(frame["model"]) == {"Quick", "Naive", "SeasonalNaive"}
    assert (frame.groupby(["model", "unique_id"])["cutoff"].nunique() == 3).all()
    assert (pd.to_datetime(frame["ds"]) > pd.to_datetime(frame["cutoff"])).all()
    quick = frame[frame["model"] == "Quick"]
    assert quick[["q0.1", "q0.5", "q0.9"]].notna().all().all()
    assert (quick["q0.1"] <= quick["q0.9"]).all()


def test_forecast_file_matches_the_metrics(runner, quick_models, long_csv, tmp_path):
    cv, metrics = tmp_path / "cv.csv", tmp_path / "metrics.csv"
    args = ["backtest", str(long_csv), "--models", "quick", "--horizon", "4", "--windows", "2"]
    result = runner.invoke(app, [*args, "--forecasts", str(cv), "--output", str(metrics), "-q"])
    assert result.exit_code == 0, result.output
    frame, scores = pd.read_csv(cv), pd.read_csv(metrics)
    mae = (frame["y"] - frame["point"]).abs().groupby([frame["model"], frame["unique_id"]])
    expected = scores.set_index(["model", "unique_id"])["mae"]
    # the per-series metric is the mean over windows of each window's MAE, all windows
    # being equally long: the MAE over all rows
    pd.testing.assert_series_equal(
        mae.mean().sort_index(), expected.sort_index(), check_names=False
    )


def test_forecast_file_uses_the_input_id_column(runner, quick_models, tmp_path):
    path, out = tmp_path / "stores.csv", tmp_path / "cv.csv"
    long_frame().rename(columns={"unique_id": "store"}).to_csv(path, index=False)
    args = ["backtest", str(path), "--models", "quick", "--horizon", "3", "--windows", "1"]
    result = runner.invoke(app, [*args, "--forecasts", str(out), "-q"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns[:3]) == ["model", "store", "cutoff"]
    assert len(frame) == 2 * 2 * 1 * 3
    table = runner.invoke(app, args)
    assert "horizon 3, 1 window" in table.output and "1 windows" not in table.output
