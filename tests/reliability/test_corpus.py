"""Every hostile input gives a result for every series, or one line naming the problem."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from .channels import OneLineError, assert_finite, run_api, run_command, series_count
from .corpus import CASES, COMMANDS, OK

API_CHANNELS = ("api_forecast", "api_backtest", "api_detect")


def _check(case, channel, run):
    expected = case.expectation(channel)
    try:
        result = run()
    except OneLineError as exc:
        assert expected != OK, f"{case.name} via {channel} failed: {exc}"
        assert re.search(expected, str(exc)), f"{exc} does not match {expected!r}"
        return
    assert expected == OK, f"{case.name} via {channel} gave a result; expected {expected!r}"
    assert series_count(result) == case.n_series
    if case.ids is not None and channel in COMMANDS:
        assert set(result["unique_id"]) == set(case.ids)
    assert_finite(result)
    if case.first_forecast is not None and "forecast" in channel:
        assert pd.Timestamp(result["ds"].iloc[0]) == case.first_forecast


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_command(case, command, tmp_path):
    data = tmp_path / "input.csv"
    data.write_bytes(case.content)
    out = tmp_path / "out.csv"
    _check(case, command, lambda: run_command(command, data, out, case.options))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("spelling", ["input.csv", "./input.csv", "{dir}/input.csv", "link.csv"])
def test_output_that_is_the_input_is_refused(command, spelling, tmp_path, monkeypatch):
    """Writing the output over the input would destroy it: one line, exit 1, input intact."""
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "input.csv"
    content = CASES[0].content
    data.write_bytes(content)
    (tmp_path / "link.csv").symlink_to("input.csv")
    out = Path(spelling.format(dir=tmp_path))
    with pytest.raises(OneLineError, match=r"is the input file DATA"):
        run_command(command, Path("input.csv"), out, exists_ok=True)
    assert data.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv", "link.csv"]


@pytest.mark.parametrize("channel", API_CHANNELS)
@pytest.mark.parametrize("case", [c for c in CASES if c.frame is not None], ids=lambda c: c.name)
def test_api(case, channel):
    _check(case, channel, lambda: run_api(channel, case.frame.copy()))


def test_ignored_text_column_is_announced(tmp_path):
    from typer.testing import CliRunner

    from gluts.cli import app

    case = next(c for c in CASES if c.name == "text_notes_beside_values")
    data = tmp_path / "notes.csv"
    data.write_bytes(case.content)
    result = CliRunner().invoke(app, ["forecast", str(data), "--horizon", "2", "--model", "naive"])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "Warning: notes.csv: ignoring the text column(s) 'note': each time appears once"
    )
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 2
