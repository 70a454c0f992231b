"""The installed ``gluts`` executable, run as a user would, on a real CSV."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from .conftest import long_frame

GLUTS = Path(sys.executable).with_name("gluts")

pytestmark = pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")


def run(*args, cwd=None):
    return subprocess.run(
        [str(GLUTS), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_forecast_and_backtest_on_a_semicolon_csv(tmp_path):
    data = tmp_path / "sales.csv"
    long_frame(n_series=3, length=150).rename(columns={"unique_id": "store"}).to_csv(
        data, index=False, sep=";"
    )
    fc = run("forecast", data, "--horizon", "12", "--model", "snaive", "--level", "80")
    assert fc.returncode == 0, fc.stderr
    assert (
        fc.stdout.splitlines()[0]
        == "store,ds,SeasonalNaive,SeasonalNaive-lo-80,SeasonalNaive-q0.5,SeasonalNaive-hi-80"
    )
    assert len(fc.stdout.splitlines()) == 1 + 3 * 12
    assert "\x1b[" not in fc.stderr  # no progress bars or colours when not a terminal

    bt = run("backtest", data, "--models", "snaive,naive2", "--horizon", "12", "--json")
    assert bt.returncode == 0, bt.stderr
    board = pd.DataFrame(json.loads(bt.stdout)["leaderboard"])
    assert set(board["model"]) == {"SeasonalNaive", "Naive2"}


def test_exit_codes(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    bad = run("forecast", empty, "--horizon", "3", "--model", "naive")
    assert (bad.returncode, bad.stdout) == (1, "")
    assert bad.stderr == "Error: empty.csv: the file is empty.\n"
    usage = run("forecast", empty, "--horizon", "zero")
    assert usage.returncode == 2
    assert run("--version").stdout.startswith("gluts ")
