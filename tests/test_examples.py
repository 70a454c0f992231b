"""The Python examples run end to end."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.slow
def test_backtest_example_prints_a_leaderboard(capsys, monkeypatch):
    import gluts

    # every model as the example builds it, from one window instead of three (CI's time: the
    # three windows are the README's main job, run by hand with each change of its numbers)
    backtest = gluts.backtest
    monkeypatch.setattr(gluts, "backtest", lambda *a, **k: backtest(*a, **{**k, "n_windows": 1}))
    runpy.run_path(str(EXAMPLES / "backtest_bundled.py"), run_name="__main__")
    out = capsys.readouterr().out
    for model in ("GLU", "Ensemble", "ETS", "Theta", "ARIMA", "Linear", "Naive2", "SeasonalNaive"):
        assert model in out


def test_sales_example_writes_history_and_future_covariates(tmp_path, capsys):
    import pandas as pd

    runpy.run_path(str(EXAMPLES / "sales_covariates.py"), run_name="sales")["main"](tmp_path)
    sales = pd.read_csv(tmp_path / "sales.csv", parse_dates=["ds"])
    plan = pd.read_csv(tmp_path / "future.csv", parse_dates=["ds"])
    assert sales.columns.tolist() == ["store", "ds", "sales", "promo", "temperature"]
    assert plan.columns.tolist() == ["store", "ds", "promo"]
    for store, rows in plan.groupby("store"):
        last = sales.loc[sales["store"] == store, "ds"].max()
        assert rows["ds"].tolist() == list(pd.date_range(last, periods=25, freq="h")[1:])
    assert 0 < sales["promo"].mean() < 0.5 and "Wrote sales.csv" in capsys.readouterr().out
