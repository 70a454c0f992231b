"""Numbers in the command line's tables are written for people (issue 18, item 9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from gluts._cli.tables import frame_cells, frame_table, leaderboard_table, number_text
from gluts.cli import app


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (14280, "14,280"),
        (np.int64(14280), "14,280"),
        (14280.0, "14,280"),
        (np.float64(1.428e4), "14,280"),
        (14283.5, "14,284"),
        (-1234567.0, "-1,234,567"),
        (0.967741, "0.9677"),
        (28.85, "28.85"),
        (999.94, "999.9"),
        (0.00012346, "0.0001235"),
        (1.2346e-7, "1.235e-07"),
        (0.0, "0"),
        (float("nan"), "-"),
        (None, "-"),
        (pd.NaT, "-"),
        (float("inf"), "inf"),
        (True, "True"),
        ("store_1", "store_1"),
        (pd.Timestamp("2024-01-02 03:00"), "2024-01-02 03:00:00"),
    ],
)
def test_number_text(value, text):
    assert number_text(value) == text


def _render(table) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_counts_beside_floats_stay_integers():
    # All-numeric rows: pandas would turn the counts into floats row by row (1.428e+04).
    frame = pd.DataFrame({"n_rows": [14280, 3], "score": [0.96774, 1234.5]})
    text = _render(frame_table(frame, "t"))
    assert "14,280" in text and "1.428e+04" not in text and "14280.0" not in text
    assert "0.9677" in text and "1,234" in text


def test_leaderboard_separates_thousands():
    board = pd.DataFrame(
        {"smape": [12.3456], "mase": [12345.678], "scaled_crps": [0.01234], "seconds": [4321.0]},
        index=pd.Index(["Naive"]),
    )
    text = _render(leaderboard_table(board, "t"))
    assert "12,345.678" in text and "4,321.0" in text and "12.35" in text and "0.0123" in text


def test_datasets_list_shows_counts_with_separators(runner):
    result = runner.invoke(app, ["datasets", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1,433" in result.stdout and "2,030" in result.stdout


def test_timestamps_at_midnight_show_as_dates_and_others_keep_their_time():
    days = pd.to_datetime(["1983-03-01", "1998-03-01"])
    hours = pd.to_datetime(["2024-01-01 00:00", "2024-01-01 13:30"])
    frame = pd.DataFrame({"day": days, "hour": hours, "late": [pd.NaT, days[1]]})
    _, rows, _ = frame_cells(frame)
    assert rows == [
        ["1983-03-01", "2024-01-01 00:00:00", "-"],
        ["1998-03-01", "2024-01-01 13:30:00", "1998-03-01"],
    ]
