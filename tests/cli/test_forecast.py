"""``gluts forecast``: layouts, quantiles and levels, outputs, saved models."""

from __future__ import annotations

import io

import pandas as pd

from gluts.cli import app


def test_long_in_long_out_on_stdout(runner, quick_models, long_csv):
    result = runner.invoke(app, ["forecast", str(long_csv), "--horizon", "5", "--model", "quick"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert list(out.columns) == [
        "unique_id",
        "ds",
        "Quick",
        "Quick-q0.1",
        "Quick-q0.5",
        "Quick-q0.9",
    ]
    assert out.groupby("unique_id").size().tolist() == [5, 5]
    assert out["ds"].iloc[0] == "2024-01-05 00:00:00"
    assert "Fitting Quick on 2 series" in result.stderr
