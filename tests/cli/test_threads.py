"""``--threads`` on forecast, backtest and detect, and a bad ``GLUTS_THREADS``."""

from __future__ import annotations

import os

import pytest

from gluts import make_synthetic
from gluts._cli import registry
from gluts.cli import app

from .conftest import QuickForecaster

SEEN: list[tuple[object, str | None]] = []


class ThreadedForecaster(QuickForecaster):
    """A stand-in with ``n_threads`` that records it, and GLUTS_THREADS, when fitted."""

    _parameter_constraints = dict(QuickForecaster._parameter_constraints)
    _parameter_constraints["n_threads"] = [int, None]

    def __init__(self, *, horizon=None, season_length=None, alias=None, n_threads=None):
        super().__init__(horizon=horizon, season_length=season_length, alias=alias)
        self.n_threads = n_threads

    def _fit_one(self, y, season_length):
        SEEN.append((self.n_threads, os.environ.get("GLUTS_THREADS")))
        return super()._fit_one(y, season_length)


@pytest.fixture
def threaded(monkeypatch):
    SEEN.clear()
    entry = registry.Entry(__name__, "ThreadedForecaster", "test stand-in")
    monkeypatch.setitem(registry.MODELS, "threaded", entry)


@pytest.mark.parametrize(
    "args",
    [
        ["forecast", "--horizon", "3", "--model", "threaded"],
        ["backtest", "--horizon", "3", "--windows", "1", "--models", "threaded"],
    ],
    ids=["forecast", "backtest"],
)
def test_threads_reach_the_model_and_the_environment(runner, threaded, long_csv, args):
    command, *options = args
    result = runner.invoke(app, [command, str(long_csv), *options, "--threads", "3", "-q"])
    assert result.exit_code == 0, result.output
    assert SEEN and set(SEEN) == {(3, "3")}


def test_without_threads_the_model_keeps_its_default(runner, threaded, long_csv, monkeypatch):
    monkeypatch.setenv("GLUTS_THREADS", "2")
    args = ["forecast", str(long_csv), "--horizon", "3", "--model", "threaded", "-q"]
    assert runner.invoke(app, args).exit_code == 0
    assert set(SEEN) == {(None, "2")}


def test_detect_exports_threads(runner, tmp_path):
    path = tmp_path / "metrics.csv"
    make_synthetic(n_series=1, length=600, random_state=0)[["ds", "y"]].to_csv(path, index=False)
    args = ["detect", str(path), "--model", "mad", "--train-fraction", "0.3", "-q"]
    result = runner.invoke(app, [*args, "--threads", "2"])
    assert result.exit_code == 0, result.output
    assert os.environ["GLUTS_THREADS"] == "2"


@pytest.mark.parametrize("command", ["forecast", "backtest", "detect"])
def test_zero_threads_is_a_usage_error(runner, long_csv, command):
    result = runner.invoke(app, [command, str(long_csv), "--threads", "0"])
    assert result.exit_code == 2
    assert "--threads" in result.stderr


@pytest.mark.parametrize("command", ["forecast", "backtest", "detect"])
def test_bad_environment_variable_is_a_usage_error_naming_it(
    runner, long_csv, monkeypatch, command
):
    monkeypatch.setenv("GLUTS_THREADS", "many")
    options = {"forecast": ["--horizon", "3"], "backtest": [], "detect": []}[command]
    result = runner.invoke(app, [command, str(long_csv), *options])
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.replace("│", " ").split())
    assert "Invalid value for GLUTS_THREADS: must be a positive integer" in text
    assert "'many'" in text
