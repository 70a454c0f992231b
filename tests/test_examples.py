"""The Python examples run end to end."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.slow
def test_backtest_example_prints_a_leaderboard(capsys):
    runpy.run_path(str(EXAMPLES / "backtest_bundled.py"), run_name="__main__")
    out = capsys.readouterr().out
    for model in ("GLU", "ETS", "Theta", "Naive2", "SeasonalNaive"):
        assert model in out
