"""The global linear baseline through the CLI: ``--model linear`` and the backtest default set."""

from __future__ import annotations

import io
import json

import pandas as pd

from gluts._cli import registry
from gluts.cli import app


def test_forecast_with_the_linear_model(runner, long_csv):
    args = ["forecast", str(long_csv), "--horizon", "6", "--model", "linear"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert list(out.columns) == [
        "unique_id",
        "ds",
        "Linear",
        "Linear-q0.1",
        "Linear-q0.5",
        "Linear-q0.9",
    ]
    assert out.groupby("unique_id").size().tolist() == [6, 6]
    assert (out["Linear-q0.1"] <= out["Linear-q0.9"]).all()


def test_backtest_ranks_the_linear_model(runner, long_csv):
    args = ["backtest", str(long_csv), "--models", "linear,naive", "--horizon", "6", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    board = pd.DataFrame(json.loads(result.stdout)["leaderboard"]).set_index("model")
    assert {"Linear", "Naive", "SeasonalNaive"} == set(board.index)
    assert board.loc["Linear", "coverage"] > 0


def test_linear_is_a_registered_model_and_a_default_baseline():
    assert registry.MODELS["linear"].cls == "LinearForecaster"
    assert "linear" in registry.DEFAULT_BACKTEST_MODELS
    assert type(registry.build("linear", registry.MODELS, horizon=4, n_jobs=2)).__name__ == (
        "LinearForecaster"
    )
