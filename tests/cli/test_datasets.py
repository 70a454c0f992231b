"""``gluts datasets`` and bundled dataset names in place of a file; ``gluts --version``."""

from __future__ import annotations

import json

import pandas as pd

import gluts
from gluts.cli import app


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"gluts {gluts.__version__}\n"


def test_list_as_table_and_json(runner):
    table = runner.invoke(app, ["datasets", "list"])
    assert table.exit_code == 0, table.output
    assert "monthly_seasonal" in table.stdout
    doc = json.loads(runner.invoke(app, ["datasets", "list", "--json"]).stdout)
    names = {row["name"]: row for row in doc}
    assert names["monthly_seasonal"]["n_series"] == 3


def test_export_writes_the_long_frame(runner, tmp_path):
    out = tmp_path / "nile.csv"
    result = runner.invoke(app, ["datasets", "export", "nile", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["unique_id", "ds", "y"] and len(frame) == 100
    assert "Wrote nile: 1 series, 100 rows" in result.stderr


def test_export_unknown_name_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(app, ["datasets", "export", "nil", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "Unknown dataset 'nil'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_dataset_name_in_place_of_a_file(runner, quick_models):
    result = runner.invoke(app, ["forecast", "nile", "--horizon", "2", "--model", "quick"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("nile,1971-01-01,")


def test_neither_file_nor_dataset_is_a_usage_error(runner):
    result = runner.invoke(
        app, ["forecast", "no_such_thing.csv", "--horizon", "2", "--model", "naive"]
    )
    assert result.exit_code == 2
    assert "there is no file 'no_such_thing.csv'" in " ".join(result.stderr.split())
