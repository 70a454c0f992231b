"""The command line lays out forecasts of wide tables as the Python API does (issue 18, item 9).

Wide in, wide out: one row per time, columns ``(series, column)`` (two header rows in CSV,
one object per series in JSON, the column index itself in Parquet), also when ``--target``
picks one series of the table, whose name the output keeps.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gluts import NaiveForecaster
from gluts.cli import app

from .conftest import long_frame

GLUTS = Path(sys.executable).with_name("gluts")
H = 3


@pytest.fixture
def wide(tmp_path):
    """A wide table (ds, s0, s1, s2) on disk, and the same as a frame indexed by time."""
    frame = long_frame(n_series=3).pivot(index="ds", columns="unique_id", values="y")
    frame.columns.name = None
    path = tmp_path / "wide.csv"
    frame.reset_index().to_csv(path, index=False)
    return path, frame


def _python(frame: pd.DataFrame) -> pd.DataFrame:
    return NaiveForecaster().fit(frame).predict(H)


def _forecast(runner, path: Path, *extra: str):
    args = ["forecast", str(path), "--horizon", str(H), "--model", "naive", "-q", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def test_wide_output_is_the_python_frame_in_every_format(runner, wide, tmp_path):
    path, frame = wide
    expected = _python(frame)
    assert expected.columns[:2].tolist() == [("s0", "Naive"), ("s0", "Naive-q0.1")]

    parquet = tmp_path / "fc.parquet"
    _forecast(runner, path, "--output", str(parquet))
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), expected, check_freq=False)

    text = _forecast(runner, path).stdout
    assert text.splitlines()[:2] == [
        "ds," + ",".join(["s0"] * 4 + ["s1"] * 4 + ["s2"] * 4),
        "," + ",".join(["Naive", "Naive-q0.1", "Naive-q0.5", "Naive-q0.9"] * 3),
    ]
    back = pd.read_csv(io.StringIO(text), header=[0, 1], index_col=0, parse_dates=True)
    pd.testing.assert_frame_equal(
        back, expected, check_freq=False, check_names=False, check_index_type=False
    )

    records = tmp_path / "fc.json"
    _forecast(runner, path, "--output", str(records))
    rows = json.loads(records.read_text())
    assert len(rows) == H and list(rows[0]) == ["ds", "s0", "s1", "s2"]
    assert rows[0]["s1"] == pytest.approx(expected["s1"].iloc[0].to_dict())


def test_target_keeps_the_series_name(runner, wide, tmp_path):
    path, frame = wide
    out = tmp_path / "s1.parquet"
    _forecast(runner, path, "--target", "s1", "--output", str(out))
    got = pd.read_parquet(out)
    assert got.columns.get_level_values(0).unique().tolist() == ["s1"]
    pd.testing.assert_frame_equal(got, _python(frame[["s1"]]), check_freq=False)


def test_series_names_in_the_header_are_neutralised(runner, wide, tmp_path):
    path, frame = wide
    frame.rename(columns={"s0": "=cmd|' /C calc'!A0"}).reset_index().to_csv(path, index=False)
    header = _forecast(runner, path).stdout.splitlines()[0]
    assert header.startswith("ds,'=cmd|' /C calc'!A0,")


def test_long_and_single_series_layouts_are_unchanged(runner, wide, tmp_path):
    path, frame = wide
    single = tmp_path / "one.csv"
    frame[["s1"]].rename(columns={"s1": "y"}).reset_index().to_csv(single, index=False)
    out = pd.read_csv(io.StringIO(_forecast(runner, single).stdout))
    assert out.columns.tolist() == ["ds", "Naive", "Naive-q0.1", "Naive-q0.5", "Naive-q0.9"]


@pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")
def test_the_executable_writes_two_header_rows_for_a_picked_series(wide):
    path, _ = wide
    args = [str(GLUTS), "forecast", str(path), "--horizon", "2", "--model", "naive"]
    done = subprocess.run([*args, "--target", "s2"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["ds,s2,s2,s2,s2", ",Naive,Naive-q0.1,Naive-q0.5,Naive-q0.9"]
    assert len(lines) == 2 + 2 and lines[2].startswith("2024-01-06 00:00:00,")
