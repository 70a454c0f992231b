"""benchmarks/synthetic_anomalies.py: the evaluation counts hits, delays, false and recovery
alerts as documented, and a tiny run prints the table and writes JSON."""

import json

import pandas as pd

from ..conftest import load_benchmark


def test_evaluate_counts_hits_delays_false_and_recovery_alerts():
    bench = load_benchmark("synthetic_anomalies")
    ds = pd.date_range("2024-01-01", periods=200, freq="h")
    flags = [0] * 200
    for row in [*range(50, 55), *range(120, 130)]:
        flags[row] = 1
    truth = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 0.0, "is_anomaly": flags})
    at = [(52, 53), (60, 60), (100, 101), (131, 131)]  # a hit 2 rows late, recovery, false x2
    events = pd.DataFrame(
        {"unique_id": "a", "start": [ds[a] for a, _ in at], "end": [ds[b] for _, b in at]}
    )
    counts = bench.evaluate(events, truth, n_fit=0)
    assert counts["windows"] == 2 and counts["hits"] == 1 and counts["delays"] == [2]
    assert (counts["false"], counts["recovery"]) == (1, 2)  # 60 and 131 are within a season
    assert counts["normal_rows"] == 185


def test_a_tiny_run_prints_the_table_and_writes_json(tmp_path, capsys):
    bench = load_benchmark("synthetic_anomalies")
    out = tmp_path / "synthetic.json"
    args = ["--seeds", "0", "--detectors", "stl", "--kinds", "dropout,spike", "--series", "2"]
    args += ["--length", "600", "--anomalies", "4", "--fit-slots", "2", "--clean-fit"]
    results = bench.main([*args, "--json", str(out)])
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["detector", "kind", "recall"]
    assert [line.split()[1] for line in table[1:]] == ["dropout", "spike", "all"]
    stored = json.loads(out.read_text())
    assert stored["results"] == json.loads(json.dumps(results))
    assert stored["config"]["clean_fit"] is True
    assert results["stl"]["dropout"]["recall"] == 1.0  # 4 drops to zero after a clean fit
    assert results["stl"]["all"]["windows"] == 8


def test_the_healthy_kind_has_no_windows_and_counts_every_alert_as_false(capsys):
    bench = load_benchmark("synthetic_anomalies")
    frame = bench.panel(bench.HEALTHY, seed=0, n_series=2, length=300, n_anomalies=4)
    assert frame["is_anomaly"].sum() == 0 and frame["unique_id"].nunique() == 2
    args = ["--seeds", "0", "--detectors", "zscore", "--kinds", "spike,none", "--series", "2"]
    results = bench.main([*args, "--length", "600", "--anomalies", "4", "--fit-slots", "2"])
    healthy = results["zscore"]["none"]
    assert healthy["windows"] == 0 and healthy["recall"] is None
    n_fit = 2 * 24 + 2 * ((600 - 2 * 24) // 4)  # two seasons and two anomaly slots
    assert healthy["normal_rows"] == 2 * (600 - n_fit)
    rows = {line.split()[1]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["none"][2] == "-" and rows["all"][2] != "-"  # no windows: no recall
    assert results["zscore"]["all"]["windows"] == results["zscore"]["spike"]["windows"]
