"""Atomic output files: a failure never leaves a half-written file or a temporary behind."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gluts._cli.writing import atomic_path, write_json, write_table
from gluts.exceptions import DataError


def test_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


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
