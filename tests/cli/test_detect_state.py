"""``gluts detect --state``, the cron-job use, run as a cron job would run it: the installed
executable on a CSV that grows between runs (issue 15, item 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gluts import make_synthetic

GLUTS = Path(sys.executable).with_name("gluts")

pytestmark = pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")
FIT = ["--model", "mad", "--train-until", "2024-01-09 23:00"]


def run(*args, cwd):
    return subprocess.run(
        [str(GLUTS), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def frame():
    frame = make_synthetic(n_series=2, length=900, n_anomalies=6, random_state=3)
    return frame.drop(columns="is_anomaly")


def _grow(frame, path, n_rows):
    frame.groupby("unique_id").head(n_rows).to_csv(path, index=False)


def test_cron_runs_append_only_new_alerts_and_an_unchanged_file_adds_nothing(frame, tmp_path):
    data, alerts = tmp_path / "metrics.csv", tmp_path / "alerts.csv"
    _grow(frame, data, 500)
    first = run("detect", data, *FIT, "--state", "det.gluts", "--alerts", alerts, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Wrote the detector state to det.gluts." in first.stderr
    before = pd.read_csv(alerts)
    _grow(frame, data, 900)  # the file grows
    second = run("detect", data, "--state", "det.gluts", "--alerts", alerts, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Scoring 800 new rows of metrics.csv" in second.stderr
    after = pd.read_csv(alerts)
    pd.testing.assert_frame_equal(after.iloc[: len(before)], before)  # old alerts kept
    new = after.iloc[len(before) :]
    assert len(new) > 0 and (pd.to_datetime(new["start"]) > pd.Timestamp("2024-01-21 19:00")).all()
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    third = run("detect", data, "--state", "det.gluts", "--alerts", alerts, cwd=tmp_path)
    assert (third.returncode, third.stdout) == (
        0,
        "No new rows in metrics.csv since the last run.\n",
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # idempotent
    # the runs report the alerts of one run over the whole file, each once
    whole = run("detect", data, *FIT, "--alerts", "whole.csv", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    once = pd.read_csv(tmp_path / "whole.csv")
    assert sorted(zip(after["unique_id"], after["start"])) == sorted(
        zip(once["unique_id"], once["start"])
    )


def test_new_alerts_exit_3_with_fail_on_alert_and_scores_hold_the_new_rows(frame, tmp_path):
    data = tmp_path / "metrics.csv"
    _grow(frame, data, 500)
    args = ["--state", "det.gluts", "--alerts", "alerts.json", "--fail-on-alert", "-q"]
    assert run("detect", data, *FIT, *args, cwd=tmp_path).returncode == 3
    _grow(frame, data, 900)
    again = run("detect", data, *args, "--scores", "new.csv", cwd=tmp_path)
    assert again.returncode == 3, again.stderr
    scored = pd.read_csv(tmp_path / "new.csv", parse_dates=["ds"])
    assert len(scored) == 2 * 400 and scored["ds"].min() == pd.Timestamp("2024-01-21 20:00")
    assert {"score", "surprisal", "anomaly"} <= set(scored.columns)
    assert pd.read_json(tmp_path / "alerts.json")["start"].is_unique


def test_fit_options_are_refused_once_the_state_exists(frame, tmp_path):
    data = tmp_path / "metrics.csv"
    _grow(frame, data, 500)
    assert run("detect", data, *FIT, "--state", "det.gluts", cwd=tmp_path).returncode == 0
    refused = run("detect", data, "--model", "stl", "--state", "det.gluts", cwd=tmp_path)
    assert refused.returncode == 2
    message = " ".join(refused.stderr.replace("│", " ").split())
    assert "det.gluts holds a fitted detector (delete it to fit anew)" in message


def test_by_row_state_continues_with_the_original_timestamps(frame, tmp_path):
    data = tmp_path / "irregular.csv"
    jittered = frame.assign(ds=frame["ds"] + pd.to_timedelta(frame.index % 3, unit="min"))
    args = ["--model", "mad", "--by-row", "--train-fraction", "0.5", "--state", "det.gluts"]
    _grow(jittered, data, 500)
    assert run("detect", data, *args, "--alerts", "a.csv", cwd=tmp_path).returncode == 0
    _grow(jittered, data, 700)
    again = run(
        "detect", data, "--by-row", "--state", "det.gluts", "--scores", "s.csv", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    scored = pd.read_csv(tmp_path / "s.csv", parse_dates=["ds"])
    expected = jittered.groupby("unique_id").nth(list(range(500, 700)))["ds"]
    assert sorted(scored["ds"]) == sorted(expected)
