"""benchmarks/m3.py on a tiny M3-layout CSV: the table, the JSON and the protocol's numbers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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


def test_unequal_lengths_keep_between_the_minimum_and_the_whole_series(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import _common

    lengths = pd.Series([10, 50, 3, 200], index=["a", "b", "c", "d"])
    kept = _common.unequal_lengths(lengths, seed=1, min_length=8)
    assert list(kept.index) == list(lengths.index)
    assert kept["c"] == 3  # shorter than the minimum: kept whole
    assert ((kept >= np.minimum(lengths, 8)) & (kept <= lengths)).all()
    pd.testing.assert_series_equal(kept, _common.unequal_lengths(lengths, seed=1, min_length=8))
    many = _common.unequal_lengths(pd.Series([1000] * 200), seed=0, min_length=8)
    assert many.nunique() > 100  # very unequal


def test_the_unequal_lengths_option_fits_on_each_series_last_values(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import _common
    import m3

    args = _write_m3(tmp_path, n_series=6, n_train=40)
    full = _common.load(args[1])
    short = _common.load(args[1], shorten=(3, 8))
    sizes = short.groupby("unique_id").size()
    assert (sizes >= 8).all() and (sizes <= full.groupby("unique_id").size()).all()
    assert sizes.nunique() > 1
    for sid, rows in short.groupby("unique_id"):  # the last values, unchanged
        pd.testing.assert_frame_equal(
            rows.reset_index(drop=True),
            full[full.unique_id == sid].tail(len(rows)).reset_index(drop=True),
        )
    report = m3.main(
        [*args, "--frequency", "quarterly", "--models", "snaive", "--unequal-lengths", "3"]
    )
    assert report["unequal_lengths"] == 3 and set(report["results"]) == {"naive2", "snaive"}
    plain = m3.main([*args, "--frequency", "quarterly", "--models", "snaive"])
    assert plain["unequal_lengths"] is None
    # the seasonal naive forecast repeats the last season either way; MASE's scale changes
    assert report["results"]["snaive"]["smape"] == pytest.approx(
        plain["results"]["snaive"]["smape"]
    )
    assert report["results"]["snaive"]["mase"] != plain["results"]["snaive"]["mase"]
