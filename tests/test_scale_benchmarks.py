"""benchmarks/scale.py and benchmarks/predict_new.py on tiny panels: rows, JSON, equality."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )


def test_predict_new_times_both_job_counts_with_equal_forecasts(tmp_path):
    out = tmp_path / "predict_new.json"
    _run("predict_new.py", "--series", "4", "--length", "120", "--json", str(out))
    rows = json.loads(out.read_text())
    assert [row["n_jobs"] for row in rows] == [1, 2]
    assert all(row["equal_to_n_jobs_1"] and row["seconds"] > 0 for row in rows)


def test_scale_reports_each_mode_and_equality_to_serial(tmp_path):
    out = tmp_path / "scale.json"
    args = ["--series", "6", "--length", "120", "--models", "snaive", "--detectors", "zscore"]
    _run("scale.py", *args, "--modes", "serial,loky", "--overhead-tasks", "4", "--json", str(out))
    doc = json.loads(out.read_text())
    rows = {(row["work"], row["mode"]): row for row in doc["rows"]}
    assert set(rows) == {
        (work, mode) for work in ("backtest snaive", "detect zscore") for mode in ("serial", "loky")
    }
    assert all(rows[work, "loky"]["equal_to_serial"] is True for work, _ in rows)
    assert doc["task_overhead_ms"]["loky"] > 0
