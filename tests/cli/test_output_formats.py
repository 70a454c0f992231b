"""Output formats follow the file extension; one gluts does not write is refused before work."""

from __future__ import annotations

import pandas as pd
import pytest

from gluts.cli import app

from .test_outputs import CASES, _args

UNSUPPORTED = {"--plot": "chart.jpg", "--output": "out.xlsx", "--report": "report.htm"}


@pytest.mark.parametrize(("command", "option"), CASES)
def test_unsupported_extension_is_a_usage_error_before_any_work(
    runner, quick_models, long_csv, tmp_path, command, option
):
    out = tmp_path / UNSUPPORTED.get(option, "table.xlsx")
    result = runner.invoke(app, [*_args(command, long_csv), option, str(out)])
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "is not a format gluts writes" in result.stderr
    assert not out.exists()
    assert "Fitting" not in result.stderr and "Backtesting" not in result.stderr


def test_parquet_output_works_out_of_the_box(runner, quick_models, long_csv, tmp_path):
    out = tmp_path / "forecast.parquet"
    result = runner.invoke(app, [*_args("forecast", long_csv), "--output", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert len(frame) > 0 and "unique_id" in frame.columns
