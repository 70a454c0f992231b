"""``gluts detect --labels``: known anomaly windows from CSV or NAB-style JSON, recall counts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gluts.cli import app

from .helpers import assert_png

FAST = ["--model", "mad", "--train-fraction", "0.3"]
SPIKE_AT, SPIKE_LEN = 400, 6


@pytest.fixture
def spiked_csv(tmp_path):
    """One 5-minute series (timestamp, value) with a single injected drop at rows 400-405."""
    rng = np.random.default_rng(0)
    t = np.arange(600)
    value = 50 + 5 * np.sin(2 * np.pi * t / 96) + rng.normal(scale=0.3, size=len(t))
    value[SPIKE_AT : SPIKE_AT + SPIKE_LEN] -= 30
    stamps = pd.date_range("2024-03-01", periods=len(t), freq="5min")
    path = tmp_path / "machine.csv"
    pd.DataFrame({"timestamp": stamps, "value": value}).to_csv(path, index=False)
    return path


def _stamp(row: int) -> str:
    return str(pd.Timestamp("2024-03-01") + row * pd.Timedelta("5min"))


def _windows_csv(tmp_path, rows, name="labels.csv"):
    path = tmp_path / name
    frame = pd.DataFrame([(_stamp(a), _stamp(b)) for a, b in rows], columns=["start", "end"])
    frame.to_csv(path, index=False)
    return path


def _nab_json(tmp_path, rows, key="realKnownCause/machine.csv"):
    path = tmp_path / "combined_windows.json"
    doc = {"other/file.csv": [], key: [[_stamp(a), _stamp(b)] for a, b in rows]}
    path.write_text(json.dumps(doc))
    return path


def test_csv_labels_count_recall_and_false_alerts(runner, spiked_csv, tmp_path):
    # the injected drop lies in the first window; the second holds nothing unusual
    windows = [(SPIKE_AT - 10, SPIKE_AT + 20), (540, 560)]
    labels = _windows_csv(tmp_path, windows)
    alerts = tmp_path / "alerts.csv"
    args = ["detect", str(spiked_csv), *FAST, "--labels", str(labels), "--alerts", str(alerts)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    events = pd.read_csv(alerts, parse_dates=["start", "end"])
    overlaps = pd.DataFrame(
        {
            k: (events["start"] <= pd.Timestamp(_stamp(b)))
            & (events["end"] >= pd.Timestamp(_stamp(a)))
            for k, (a, b) in enumerate(windows)
        }
    )
    assert overlaps.any().tolist() == [True, False]
    assert events["in_window"].tolist() == overlaps.any(axis=1).tolist()
    outside = int((~overlaps.any(axis=1)).sum())
    assert "Labelled windows (labels.csv): 1 of 2 carry an alert, event recall 0.50." in (
        result.stdout
    )
    assert f"Alert events outside every window: {outside} of {len(events)}." in result.stdout


def test_nab_json_picks_the_entry_of_the_data_file(runner, spiked_csv, tmp_path):
    labels = _nab_json(tmp_path, [(SPIKE_AT - 10, SPIKE_AT + 20)])
    result = runner.invoke(app, ["detect", str(spiked_csv), *FAST, "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    assert "1 of 1 carry an alert, event recall 1.00." in result.stdout


def test_windows_in_the_training_rows_are_counted(runner, spiked_csv, tmp_path):
    labels = _nab_json(tmp_path, [(10, 20), (SPIKE_AT - 10, SPIKE_AT + 20)])
    result = runner.invoke(app, ["detect", str(spiked_csv), *FAST, "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    assert "of 2 carry an alert" in result.stdout
    assert "(1 starts in the training rows)" in result.stdout


def test_labels_per_series_by_id(runner, tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 600),
            "ds": np.tile(np.arange(600), 2),
            "y": np.sin(np.arange(1200) / 5.0) + rng.normal(scale=0.1, size=1200),
        }
    )
    frame.loc[450, "y"] += 20.0  # series a, step 450
    data = tmp_path / "panel.csv"
    frame.to_csv(data, index=False)
    labels = tmp_path / "labels.csv"
    pd.DataFrame({"unique_id": ["a", "b"], "start": [445, 445], "end": [455, 455]}).to_csv(
        labels, index=False
    )
    args = ["detect", str(data), "--model", "mad", "--time-col", "ds", "--target", "y"]
    result = runner.invoke(app, [*args, "--labels", str(labels), "--train-fraction", "0.5"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 carry an alert" in result.stdout


def test_missing_nab_entry_is_one_line(runner, spiked_csv, tmp_path):
    labels = _nab_json(tmp_path, [(1, 2)], key="realKnownCause/other.csv")
    result = runner.invoke(app, ["detect", str(spiked_csv), *FAST, "--labels", str(labels)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: combined_windows.json: no entry for 'machine.csv'; its keys are 'other/file.csv'"
    )
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("begin,finish\n2024-03-01,2024-03-02\n", "labels need the columns 'start' and 'end'"),
        ("start,end\nsoon,later\n", "column 'start' holds a value that is not a time: 'soon'"),
        ("start,end\n2024-03-02,2024-03-01\n", "a window ends before it starts"),
        ("unique_id,start,end\nzz,2024-03-01,2024-03-02\n", "series 'zz' is not in machine.csv"),
        ("start,end\n", "the file has a header ('start', 'end') but no rows"),
    ],
)
def test_bad_labels_exit_1(runner, spiked_csv, tmp_path, content, match):
    labels = tmp_path / "bad.csv"
    labels.write_text(content)
    result = runner.invoke(app, ["detect", str(spiked_csv), *FAST, "--labels", str(labels)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad.csv: ")
    assert match in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_labels_file_is_a_usage_error(runner, spiked_csv, tmp_path):
    args = ["detect", str(spiked_csv), *FAST, "--labels", str(tmp_path / "absent.csv")]
    assert runner.invoke(app, args).exit_code == 2


def test_plot_with_labels(runner, spiked_csv, tmp_path, monkeypatch):
    import gluts.plotting

    seen = {}
    real = gluts.plotting.draw_alerts

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(gluts.plotting, "draw_alerts", spy)
    labels = _nab_json(tmp_path, [(SPIKE_AT - 10, SPIKE_AT + 20), (540, 560)])
    png = tmp_path / "plot.png"
    args = ["detect", str(spiked_csv), *FAST, "--labels", str(labels), "--plot", str(png)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert_png(png)
    assert len(seen["windows"]) == 2
    assert seen["train_end"]["value"] == pd.Timestamp(_stamp(179))  # 30% of 600 rows


def test_json_records_and_an_empty_nab_entry(tmp_path):
    from gluts._cli.labels import match_alerts, read_labels

    times = pd.Series(pd.date_range("2024-01-01", periods=10, freq="h", tz="UTC"))
    records = tmp_path / "records.json"
    records.write_text(json.dumps([{"start": "2024-01-01 02:00", "end": "2024-01-01 03:00"}]))
    windows = read_labels(records, "data.csv", times, ["s"])
    assert windows["start"].tolist() == [pd.Timestamp("2024-01-01 02:00", tz="UTC")]
    events = pd.DataFrame(
        {"unique_id": ["s", "s"], "start": times[[3, 7]].tolist(), "end": times[[3, 8]].tolist()}
    )
    in_window, match = match_alerts(events, windows, {"s": times[1]})
    assert in_window.tolist() == [True, False]
    assert (match.windows, match.detected, match.in_training, match.outside) == (1, 1, 0, 1)
    assert match.recall == 1.0
    empty = tmp_path / "nab.json"
    empty.write_text(json.dumps({"artificialNoAnomaly/data.csv": []}))
    assert read_labels(empty, "data.csv", times, ["s"]).empty


def test_no_alerts_against_labels(runner, spiked_csv, tmp_path):
    labels = _windows_csv(tmp_path, [(SPIKE_AT - 10, SPIKE_AT + 20)])
    png = tmp_path / "quiet.png"
    args = ["detect", str(spiked_csv), *FAST, "--threshold", "0.9999", "--labels", str(labels)]
    result = runner.invoke(app, [*args, "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "0 of 1 carry an alert, event recall 0.00." in result.stdout
    assert "Alert events outside every window: 0 of 0." in result.stdout
    assert_png(png)
