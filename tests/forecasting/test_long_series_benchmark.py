"""benchmarks/long_series.py on a NAB-layout folder: every task, regular steps, the summary."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from long_series import TASKS  # noqa: E402


def _write_nab(folder: Path) -> None:
    """Every task's file: 5-minute rows with a level step early in the training rows, a
    little noise, and gaps (missing rows)."""
    rng = np.random.default_rng(0)
    for file, _, _ in TASKS:
        stamps = pd.date_range("2014-01-01", periods=3000, freq="5min").delete([700, 701, 2600])
        values = 5.0 + (np.arange(len(stamps)) >= 500) + 0.01 * rng.normal(size=len(stamps))
        path = folder / file
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"timestamp": stamps, "value": values}).to_csv(path, index=False)


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "benchmarks/long_series.py"), "--data", str(folder)]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=600)


def test_every_task_is_scored_from_its_test_origins(tmp_path):
    _write_nab(tmp_path)
    report = tmp_path / "long.json"
    result = _run(tmp_path, "--models", "Naive,SeasonalNaive,Linear", "--json", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    rows = data["results"]
    assert [(row["task"], row["model"]) for row in rows] == [
        (Path(file).stem, model)
        for file, _, _ in TASKS
        for model in ("Naive", "SeasonalNaive", "Linear")
    ]
    assert all(0 < row["mse"] < 1 and 1 < row["windows"] <= 60 for row in rows)
    mse = pd.DataFrame(rows).pivot(index="task", columns="model", values="mse")
    summary = data["mse_over_linear"]
    assert summary["Linear"] == pytest.approx(1.0)
    ratio = np.exp(np.log(mse["Naive"] / mse["Linear"]).mean())
    assert summary["Naive"] == pytest.approx(ratio)


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (
            True,
            ("--models", "Naive,Prophet"),
            "unknown model(s) Prophet; choose from GLU, Ensemble, Linear, ",
        ),
        (False, ("--models", "Naive"), "not found: --data must be the NAB data folder"),
    ],
)
def test_bad_arguments_get_a_one_line_error(tmp_path, make, args, message):
    if make:
        _write_nab(tmp_path)
    result = _run(tmp_path, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
