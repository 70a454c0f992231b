"""The combination through the CLI: ``--model ensemble`` with its default members."""

from __future__ import annotations

import io

import pandas as pd

from gluts.cli import app


def test_forecast_with_the_default_ensemble(runner, long_csv):
    args = ["forecast", str(long_csv), "--horizon", "6", "--model", "ensemble", "--seed", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    quantiles = ["Ensemble-q0.1", "Ensemble-q0.5", "Ensemble-q0.9"]
    assert list(out.columns) == ["unique_id", "ds", "Ensemble", *quantiles]
    assert out.groupby("unique_id").size().tolist() == [6, 6]
    assert (out[quantiles].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    # The two series are level 10 and 11 plus a daily sine of amplitude 3.
    assert out["Ensemble"].between(5, 16).all()


def test_the_ensemble_is_in_the_default_backtest():
    from gluts._cli import registry

    assert "ensemble" in registry.DEFAULT_BACKTEST_MODELS
    assert registry.MODELS["ensemble"].cls == "EnsembleForecaster"
