"""``gluts detect``: alert table, alert and score files, plot, thresholds, exit code 3."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from gluts import make_synthetic
from gluts.cli import app

from .helpers import assert_png

FAST = ["--model", "mad", "--target", "y", "--train-fraction", "0.3"]


@pytest.fixture
def anomalous_csv(tmp_path):
    """Two hourly series with three labelled anomalies each (column is_anomaly)."""
    path = tmp_path / "metrics.csv"
    make_synthetic(n_series=2, length=600, n_anomalies=3, random_state=0).to_csv(path, index=False)
    return path


def test_alert_table_and_files(runner, anomalous_csv, tmp_path):
    alerts, scores, png = tmp_path / "alerts.json", tmp_path / "scores.csv", tmp_path / "a.png"
    args = ["detect", str(anomalous_csv), *FAST]
    args += ["--alerts", str(alerts), "--scores", str(scores), "--plot", str(png)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    events = pd.DataFrame(json.loads(alerts.read_text()))
    assert len(events) > 0
    assert {"unique_id", "start", "end", "peak_time", "peak_score", "severity"} <= set(events)
    noun = "alert event" if len(events) == 1 else "alert events"
    assert f"{len(events)} {noun} in" in result.stdout
    rows = pd.read_csv(scores)
    truth = pd.read_csv(anomalous_csv)
    assert len(rows) == len(truth)
    assert {"score", "anomaly"} <= set(rows.columns)
    flagged = rows.loc[truth["is_anomaly"].to_numpy() == 1, "anomaly"]
    assert flagged.mean() > 0.5  # the injected anomalies carry alerts
    assert_png(png)


@pytest.mark.parametrize("fraction", [[], ["--train-fraction", "0.3"]])
def test_the_fit_rows_are_the_earliest_whatever_the_file_order(runner, tmp_path, fraction):
    frame = make_synthetic(n_series=2, length=1000, n_anomalies=4, random_state=0)
    ordered, shuffled = tmp_path / "ordered.csv", tmp_path / "shuffled.csv"
    frame.to_csv(ordered, index=False)
    frame.sample(frac=1.0, random_state=1).to_csv(shuffled, index=False)
    events = []
    for path in (ordered, shuffled):
        alerts = tmp_path / f"alerts_{path.stem}.csv"
        args = ["detect", str(path), "--model", "stl", "--target", "y", *fraction]
        result = runner.invoke(app, [*args, "--alerts", str(alerts), "-q"])
        assert result.exit_code == 0, result.output
        events.append(pd.read_csv(alerts))
    assert len(events[0]) > 0
    pd.testing.assert_frame_equal(events[0], events[1])


def test_fail_on_alert_exits_3(runner, anomalous_csv):
    result = runner.invoke(app, ["detect", str(anomalous_csv), *FAST, "--fail-on-alert", "-q"])
    assert result.exit_code == 3
    assert re.search(r"\d+ alert events? in", result.stdout)


def test_a_high_threshold_fires_on_an_extreme_row(runner, tmp_path):
    frame = make_synthetic(n_series=1, length=600, n_anomalies=0, random_state=0)
    frame.loc[450, "y"] += 1e6  # a reading a million units off
    path = tmp_path / "spike.csv"
    frame[["ds", "y"]].to_csv(path, index=False)
    args = ["detect", str(path), *FAST, "--threshold", "0.98", "--alerts", str(tmp_path / "a.csv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    events = pd.read_csv(tmp_path / "a.csv")
    assert events["start"].tolist() == [str(frame.loc[450, "ds"])]
    assert events["peak_score"].iloc[0] >= 0.98 and events["surprisal"].iloc[0] > 300


def test_risk_gives_a_pot_threshold(runner, anomalous_csv, monkeypatch):
    from gluts.anomaly import MADDetector, SPOTThreshold

    seen = {}
    real_fit = MADDetector.fit

    def spy(self, y, **kwargs):
        seen["threshold"], seen["rows"] = self.threshold, len(y)
        return real_fit(self, y, **kwargs)

    monkeypatch.setattr(MADDetector, "fit", spy)
    args = ["detect", str(anomalous_csv), "--model", "mad", "--target", "y", "--risk", "1e-3"]
    result = runner.invoke(app, [*args, "--train-until", "2024-01-11 23:00"])
    assert result.exit_code == 0, result.output
    assert isinstance(seen["threshold"], SPOTThreshold) and seen["threshold"].risk == 1e-3
    assert seen["rows"] == 2 * 11 * 24  # Jan 1 to Jan 11, hourly, both series


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--risk", "1e-3", "--threshold", "0.5"], "not both"),
        (["--risk", "2"], "must lie in (0, 1)"),
        (["--threshold", "1"], "must lie in (0, 1)"),
        (["--threshold", "0"], "must lie in (0, 1)"),
        (["--train-fraction", "0"], "must lie in (0, 1)"),
        (["--train-until", "2024-01-02", "--train-fraction", "0.5"], "not both"),
        (["--train-until", "someday"], "not a timestamp"),
        (["--model", "prophet"], "unknown name 'prophet'"),
    ],
)
def test_bad_options_exit_2(runner, anomalous_csv, extra, match):
    result = runner.invoke(app, ["detect", str(anomalous_csv), "--target", "y", *extra])
    assert result.exit_code == 2
    assert match in " ".join(result.stderr.replace("│", " ").split())


def test_train_until_before_the_data_is_one_line(runner, anomalous_csv):
    args = ["detect", str(anomalous_csv), "--target", "y", "--train-until", "2000-01-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: metrics.csv: No rows at or before --train-until")
    assert result.stderr.count("\n") == 1


def test_by_row_handles_irregular_timestamps(runner, tmp_path):
    frame = make_synthetic(n_series=1, length=600, n_anomalies=3, random_state=1)
    times = frame["ds"].copy()
    times.iloc[100] = times.iloc[99]  # a duplicate
    times.iloc[200:] += pd.Timedelta("7min")  # then off the hourly grid
    path = tmp_path / "irregular.csv"
    frame.assign(ds=times)[["ds", "y"]].to_csv(path, index=False)
    plain = runner.invoke(app, ["detect", str(path), "--model", "mad"])
    assert plain.exit_code == 1  # the repeated stamp is merged, the 7-minute shift is not
    assert "merged 2 rows at 1 repeated timestamp(s) into 1 (kept the last" in plain.stderr
    assert "off its 'h' grid" in plain.stderr and "Pass --by-row" in plain.stderr
    scores, alerts = tmp_path / "scores.csv", tmp_path / "alerts.csv"
    args = ["detect", str(path), "--model", "mad", "--by-row", "--train-fraction", "0.3"]
    result = runner.invoke(app, [*args, "--scores", str(scores), "--alerts", str(alerts)])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(scores, parse_dates=["ds"])
    assert rows["ds"].tolist() == times.tolist()
    events = pd.read_csv(alerts, parse_dates=["start", "end"])
    assert len(events) and events["start"].isin(times).all() and events["end"].isin(times).all()


def test_gaps_are_counted_once(runner, tmp_path):
    # Two missing hours among the fit rows and one after: one notice that counts 3, with row
    # scores and a state too; a later run on the grown file counts the new rows' gap once.
    frame = make_synthetic(n_series=1, length=700, n_anomalies=0, random_state=2)[["ds", "y"]]
    path, state = tmp_path / "gaps.csv", ["--state", str(tmp_path / "det.gluts")]
    args = ["detect", str(path), "--scores", str(tmp_path / "scores.csv"), *state]

    def notices(*fitting):
        result = runner.invoke(app, [*args, *fitting])
        assert result.exit_code == 0, result.output
        return [line for line in result.stderr.splitlines() if "Interpolated missing" in line]

    frame.iloc[:600].drop(index=[40, 41, 500]).to_csv(path, index=False)
    assert notices(*FAST) == ["Warning: Interpolated missing values per series: 'y': 3 of 600."]
    frame.drop(index=[40, 41, 500, 650]).to_csv(path, index=False)
    assert notices() == ["Warning: Interpolated missing values per series: 'y': 1 of 100."]


def test_a_mostly_interpolated_series_suggests_by_row(runner, tmp_path):
    # A random third of the hours: two thirds of the hourly grid would be made up.
    frame = make_synthetic(n_series=1, length=3000, n_anomalies=0, random_state=2)[["ds", "y"]]
    kept = frame.iloc[np.sort(np.random.default_rng(0).choice(3000, 1000, replace=False))]
    path = tmp_path / "sparse.csv"
    kept.to_csv(path, index=False)

    def hints(*extra):
        args = ["detect", str(path), "--model", "mad", "--target", "y", "--train-fraction"]
        result = runner.invoke(app, [*args, "0.5", *extra])
        assert result.exit_code == 0, result.output
        return [line for line in result.stderr.splitlines() if "--by-row" in line]

    steps = (kept["ds"].iloc[-1] - kept["ds"].iloc[0]) // pd.Timedelta(hours=1) + 1
    assert hints() == [
        f"Warning: Series 'y' is mostly interpolated ({steps - 1000} of its {steps} steps have "
        "no row): its timestamps look irregular; pass --by-row to score its rows as equally "
        "spaced."
    ]
    assert hints("--by-row") == []
    frame.drop(index=range(1000, 2400)).to_csv(path, index=False)  # one gap: 1,400 of 3,000
    assert hints() == []


@pytest.mark.parametrize(
    ("lengths", "extra", "said"),
    [
        # a 3-row series beside long ones: no share of the rows can fit it
        (
            (600, 600, 3),
            ["--model", "zscore"],
            "Series 'c' has 3 rows in all: leave it out of DATA",
        ),
        # STL with a season of 1,000 needs 2,001 rows; the series have 600 each
        ((600, 600), ["--model", "stl", "--season-length", "1000"], "'a' has 600 rows in all"),
        ((600,), ["--model", "stl", "--season-length", "1000"], "give a longer series or"),
    ],
)
def test_a_series_too_short_for_any_fit_rows_is_named(runner, tmp_path, lengths, extra, said):
    times = pd.date_range("2024-01-01", periods=max(lengths), freq="h")
    parts = [
        pd.DataFrame({"unique_id": sid, "ds": times[:n], "y": np.sin(np.arange(n) / 3)})
        for sid, n in zip("abc", lengths)
    ]
    path = tmp_path / "mix.csv"
    pd.concat(parts).to_csv(path, index=False)
    result = runner.invoke(app, ["detect", str(path), *extra, "-q"])
    assert result.exit_code == 1
    assert said in result.stderr and "Fit on more than" not in result.stderr


def test_too_short_training_part_names_the_options(runner, tmp_path):
    path = tmp_path / "short.csv"
    make_synthetic(n_series=1, length=300, random_state=0)[["ds", "y"]].to_csv(path, index=False)
    args = ["detect", str(path), "--model", "mad", "--train-fraction", "0.2", "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "Fit on more than 60 of the 300 rows (--train-fraction, --train-until)" in result.stderr
    assert result.stderr.count("\n") == 1
