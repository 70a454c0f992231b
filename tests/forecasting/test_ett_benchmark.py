"""benchmarks/ett.py on an ETTh1-layout CSV: any column as the target, a subset of the rows."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 14400  # the protocol's rows: train, validation and test months


def _write_ett(path: Path) -> None:
    """Two hourly columns: ``OT`` a daily wave, ``HUFL`` a level step inside the training rows."""
    t = np.arange(ROWS)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2016-07-01", periods=ROWS, freq="h"),
            "HUFL": 5.0 + (t >= 8000),
            "OT": 10 + np.sin(2 * np.pi * t / 24),
        }
    )
    frame.to_csv(path, index=False)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "benchmarks/ett.py"), "--data", str(tmp_path / "e.csv")]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def ett_csv(tmp_path):
    _write_ett(tmp_path / "e.csv")
    return tmp_path


def test_the_target_column_is_scored_on_every_test_window(ett_csv):
    report = ett_csv / "ett.json"
    result = _run(
        ett_csv,
        "--target",
        "HUFL",
        "--models",
        "Naive,SeasonalNaive",
        "--horizon",
        "4",
        "--json",
        str(report),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["target"] == "HUFL"
    assert [row["model"] for row in data["results"]] == ["Naive", "SeasonalNaive"]
    # the test rows hold the stepped level, so repeating the last value is exact
    assert all(row["mse"] == pytest.approx(0.0, abs=1e-12) for row in data["results"])
    assert data["results"][0]["windows"] == 2880 - 4 + 1


def test_the_default_target_is_ot(ett_csv):
    report = ett_csv / "ett.json"
    result = _run(ett_csv, "--models", "SeasonalNaive", "--horizon", "24", "--json", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["target"] == "OT"
    assert data["results"][0]["mse"] == pytest.approx(0.0, abs=1e-12)  # a daily wave


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--target", "XYZ"), "--target 'XYZ' is not a value column"),
        (("--target", "date"), "--target 'date' is not a value column"),
        (("--models", "Naive,Prophet"), "unknown model(s) Prophet; choose from GLU, "),
    ],
)
def test_bad_arguments_get_a_one_line_error(ett_csv, args, message):
    result = _run(ett_csv, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
