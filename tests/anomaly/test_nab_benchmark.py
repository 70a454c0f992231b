"""benchmarks/nab.py on a tiny NAB-layout folder: per-file score CSVs, JSON and the table."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..conftest import load_benchmark


def _write_file(folder: Path, key: str, spike_at: int | None, n: int = 1200):
    rng = np.random.default_rng(len(key))
    ts = pd.date_range("2024-01-01", periods=n, freq="5min")
    values = 10 + np.sin(np.arange(n) / 20) + rng.normal(scale=0.1, size=n)
    if spike_at is not None:
        values[spike_at : spike_at + 3] += 8
    path = folder / key
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"timestamp": ts.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
        path, index=False
    )
    return ts


def test_benchmark_writes_scores_and_reports_every_profile(tmp_path, capsys):
    data = tmp_path / "nab"
    ts = _write_file(data, "cat/with_anomaly.csv", spike_at=900)
    _write_file(data, "cat/clean.csv", spike_at=None)
    window = [str(ts[880]), str(ts[960])]
    (data / "combined_windows.json").write_text(
        json.dumps({"cat/with_anomaly.csv": [window], "cat/clean.csv": []})
    )
    out, report = tmp_path / "scores", tmp_path / "nab.json"
    bench = load_benchmark("nab")
    results = bench.main(
        [
            "--data",
            str(data),
            "--detectors",
            "zscore",
            "--out",
            str(out),
            "--json",
            str(report),
            "--fixed-threshold",
            "0.5",
        ]
    )
    scores = pd.read_csv(out / "zscore/cat/with_anomaly.csv")
    assert list(scores.columns) == ["timestamp", "value", "anomaly_score"]
    assert scores["anomaly_score"].between(0, 1).all()
    assert json.loads(report.read_text()) == results
    row = results["zscore"]
    assert set(row) == {
        "seconds",
        "max_score_seconds_per_file",
        "standard",
        "reward_low_FP_rate",
        "reward_low_FN_rate",
        "categories",
    }
    # per category at the thresholds chosen on all files: both files are in "cat"
    assert set(row["categories"]) == {"cat"}
    assert row["categories"]["cat"]["standard"] == row["standard"]["score"]
    assert row["categories"]["cat"]["false_alarms"] >= 0
    assert 0 <= row["max_score_seconds_per_file"] <= row["seconds"]
    assert row["standard"]["score"] > 90  # the spike is caught at the window's label point
    assert "fixed_threshold_score" in row["standard"]
    assert "zscore" in capsys.readouterr().out


def test_forecast_stride_reaches_the_glu_detectors_only(tmp_path):
    data = tmp_path / "nab"
    ts = _write_file(data, "cat/with_anomaly.csv", spike_at=900)
    window = [str(ts[880]), str(ts[960])]
    (data / "combined_windows.json").write_text(json.dumps({"cat/with_anomaly.csv": [window]}))
    bench = load_benchmark("nab")
    files = bench.load_nab(data)
    scores = {}
    for name in ("glu_naive", "zscore"):
        for stride in (1, 12):
            scored, _, _ = bench.run_detector(name, files, None, {"forecast_stride": stride})
            scores[name, stride] = scored[0].scores
    assert not np.array_equal(scores["glu_naive", 1], scores["glu_naive", 12])
    np.testing.assert_array_equal(scores["zscore", 1], scores["zscore", 12])


def test_comparison_detectors_are_scored_again_at_their_swept_threshold(tmp_path, monkeypatch):
    """A shaped score depends on the detector's threshold (its onset): a comparison detector
    is scored a second time with the first sweep's threshold; ``default`` only once."""
    data = tmp_path / "nab"
    ts = _write_file(data, "cat/with_anomaly.csv", spike_at=900)
    window = [str(ts[880]), str(ts[960])]
    (data / "combined_windows.json").write_text(json.dumps({"cat/with_anomaly.csv": [window]}))
    bench = load_benchmark("nab")
    calls = []
    run = bench.run_detector

    def recording(name, files, out, params=None):
        calls.append((name, dict(params or {})))
        return run(name, files, out, params)

    monkeypatch.setattr(bench, "run_detector", recording)
    bench.main(["--data", str(data), "--detectors", "zscore"])
    assert [name for name, _ in calls] == ["zscore", "zscore"]
    assert "threshold" not in calls[0][1] and 0 < calls[1][1]["threshold"] < 1
