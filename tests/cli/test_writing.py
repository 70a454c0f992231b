"""Atomic output files by format (a failure half-way: tests/test_atomic.py, for both writers)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gluts._cli.writing import write_json, write_table
from gluts.exceptions import DataError


def test_success_replaces_the_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    write_table(pd.DataFrame({"a": [1, 2]}), target)
    assert target.read_text() == "a\n1\n2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_json_by_extension(tmp_path):
    target = tmp_path / "out.json"
    frame = pd.DataFrame({"ds": pd.to_datetime(["2024-01-01"]), "y": [1.5]})
    write_table(frame, target)
    assert json.loads(target.read_text()) == [{"ds": "2024-01-01T00:00:00.000", "y": 1.5}]


def test_missing_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="folder .*nowhere.* does not exist"):
        write_json({}, tmp_path / "nowhere" / "out.json")
