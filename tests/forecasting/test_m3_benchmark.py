"""benchmarks/m3.py on a tiny M3-layout CSV: the table, the JSON and the protocol's numbers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def _write_m3(folder: Path, n_series: int = 3, n_train: int = 40, h: int = 8) -> list[str]:
    """Quarterly series with a trend and a season, split into training and test CSVs."""
    rng = np.random.default_rng(0)
    train, test = [], []
    for k in range(n_series):
        n = n_train + 4 * k + h  # unequal lengths
        t = np.arange(n)
        y = 100 + 2 * t + 10 * np.sin(2 * np.pi * t / 4 + k) + rng.normal(size=n)
        ds = pd.date_range("1990-01-01", periods=n, freq="QS")
        frame = pd.DataFrame({"unique_id": f"N{k}", "ds": ds.strftime("%Y-%m-%d"), "y": y})
        train.append(frame.iloc[:-h])
        test.append(frame.iloc[-h:])
    pd.concat(train).to_csv(folder / "train.csv", index=False)
    pd.concat(test).to_csv(folder / "test.csv", index=False)
    return ["--train", str(folder / "train.csv"), "--test", str(folder / "test.csv")]


def test_m3_benchmark_reports_every_model_against_naive2(tmp_path):
    report = tmp_path / "m3.json"
    args = [*_write_m3(tmp_path), "--frequency", "quarterly", "--models", "snaive,linear"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks/m3.py"),
            *args,
            "--limit",
            "2",
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "sMAPE" in result.stdout and "linear" in result.stdout
    saved = json.loads(report.read_text())
    assert (saved["horizon"], saved["season_length"], saved["n_series"]) == (8, 4, 2)
    results = saved["results"]
    assert list(results) == ["naive2", "snaive", "linear"]  # the OWA reference always runs
    assert results["naive2"]["owa"] == 1.0
    for res in results.values():
        assert np.isfinite([res["smape"], res["mase"], res["owa"]]).all()
        assert 0.0 <= res["coverage_80"] <= 1.0  # every model here predicts quantiles
        assert res["fit_seconds"] >= 0 and res["predict_seconds"] >= 0
        assert res["per_series"]["unique_id"] == ["N0", "N1"]


def test_model_processes_leave_the_callers_thread_setting_alone(tmp_path, monkeypatch):
    monkeypatch.delenv("GLUTS_THREADS", raising=False)
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import m3

    report = m3.main([*_write_m3(tmp_path), "--frequency", "quarterly", "--models", "snaive"])
    assert set(report["results"]) == {"naive2", "snaive"}
    assert "GLUTS_THREADS" not in os.environ  # set in each model's process only
