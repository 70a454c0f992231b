"""Every command answers unusable input with exit code 1 and one line naming the problem."""

from __future__ import annotations

import pytest

from gluts.cli import app

COMMANDS = {
    "backtest": ["backtest", "{data}", "--models", "quick"],
    "forecast": ["forecast", "{data}", "--horizon", "3", "--model", "quick"],
    "detect": ["detect", "{data}", "--model", "mad"],
}

BAD_FILES = {
    "empty": ("", "the file is empty"),
    "header-only": ("ds,y\n", "has a header ('ds', 'y') but no rows"),
    "no-numeric": ("ds,name\n2024-01-01,a\n2024-01-02,b\n", "no numeric column"),
    "non-numeric-value": ("ds,y\n2024-01-01,1\n2024-01-02,oops\n", "non-numeric value 'oops'"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file(runner, quick_models, tmp_path, command, case):
    text, message = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    path.write_text(text)
    args = [a.format(data=path) for a in COMMANDS[command]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: bad.csv: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("option", ["--target", "--id-col", "--time-col"])
def test_named_column_that_is_not_there(runner, quick_models, long_csv, command, option):
    args = [a.format(data=long_csv) for a in COMMANDS[command]]
    result = runner.invoke(app, [*args, option, "sales"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: long.csv: there is no column 'sales' ({option}); "
        "columns are 'unique_id', 'ds', 'y'.\n"
    )
