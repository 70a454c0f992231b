"""European CSVs: semicolons and decimal commas read through the real CLI, and --decimal."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gluts.cli import app


def _european_csv(path):
    ds = pd.date_range("2024-01-01", periods=60, freq="D").strftime("%Y-%m-%d")
    values = 100 + np.arange(60) % 7 + 0.4
    lines = ["datum;umsatz"] + [f"{d};{v:.1f}".replace(".", ",") for d, v in zip(ds, values)]
    path.write_text("\n".join(lines) + "\n")
    return values


def test_semicolon_file_with_decimal_commas_forecasts(runner, tmp_path):
    data, out = tmp_path / "umsatz.csv", tmp_path / "out.csv"
    values = _european_csv(data)
    args = ["forecast", str(data), "--horizon", "3", "--model", "naive", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(out)
    np.testing.assert_allclose(forecast["Naive"], values[-1])


def test_decimal_option_overrides_detection(runner, tmp_path):
    data = tmp_path / "umsatz.csv"
    _european_csv(data)
    args = ["forecast", str(data), "--horizon", "3", "--model", "naive", "--decimal", "."]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output  # "101,4" stays text: no numeric values column


def test_bad_decimal_is_a_usage_error(runner, tmp_path):
    data = tmp_path / "umsatz.csv"
    _european_csv(data)
    result = runner.invoke(app, ["forecast", str(data), "--horizon", "3", "--decimal", ";"])
    assert result.exit_code == 2
