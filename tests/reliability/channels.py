"""Run one input through one channel (a command or a Python call) and report what came out.

Each runner returns the number of series in the result, or raises :class:`OneLineError`
carrying the single error line. Anything else (a traceback, a second line, an exception of an
unexpected type, a result with missing or non-finite values) fails the calling test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

import gluts
from gluts.cli import app
from gluts.exceptions import DataError

__all__ = ["HORIZON", "OneLineError", "run_api", "run_command", "series_count"]

HORIZON = 3


class OneLineError(Exception):
    """A channel failed cleanly with this one-line message."""


def series_count(frame: pd.DataFrame, id_col: str = "unique_id") -> int:
    """Number of series in a long result (1 when it has no id column)."""
    if len(frame) == 0:
        return 0
    return frame[id_col].nunique() if id_col in frame else 1


def run_command(
    command: str, data: Path, out: Path, extra: tuple[str, ...] = (), exists_ok: bool = False
) -> pd.DataFrame:
    """Run ``gluts <command>`` on ``data`` with a fast model; return the table it wrote.

    ``extra`` are further options; ``exists_ok`` allows ``out`` to exist after a failure
    (it existed before: the input itself).

    Raises
    ------
    OneLineError
        When the command exits with code 1 and exactly one ``Error:`` line on stderr.
    """
    args = {
        "forecast": ["forecast", str(data), "--horizon", str(HORIZON), "--model", "snaive"],
        "backtest": ["backtest", str(data), "--horizon", str(HORIZON), "--windows", "1"],
        "detect": ["detect", str(data), "--model", "zscore", "--scores"],
    }[command]
    if command == "backtest":
        args += ["--models", "snaive", "--json", "--output"]
    elif command == "forecast":
        args += ["--output"]
    result = CliRunner().invoke(app, [*args, str(out), "--quiet", *extra])
    assert "Traceback" not in result.stderr, result.stderr
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert exists_ok or not out.exists(), "a failed command left an output file"
        raise OneLineError(lines[0])
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return pd.read_csv(out, dtype={"unique_id": str})


def run_api(channel: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Run the Python call of ``channel`` on a long frame; return its long result.

    Raises
    ------
    OneLineError
        When gluts raises a :class:`ValueError` (or DataError) with a one-line message.
    """
    from gluts import NaiveForecaster, SeasonalNaiveForecaster, ZScoreDetector

    try:
        if channel == "api_forecast":
            return SeasonalNaiveForecaster().fit(frame).predict(HORIZON)
        if channel == "api_backtest":
            result = gluts.backtest([NaiveForecaster()], frame, HORIZON, n_windows=1)
            return result.metrics
        return ZScoreDetector().fit(frame).score(frame)
    except ValueError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        assert isinstance(exc, DataError) or type(exc) is ValueError, type(exc)
        raise OneLineError(message) from exc


def value_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric result columns (forecasts, metrics or scores) that must be finite."""
    skip = {"unique_id", "ds", "step", "window", "cutoff", "model", "n_windows", "y"}
    return [c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])]


def assert_finite(frame: pd.DataFrame, single: frozenset = frozenset()) -> None:
    """Every forecast, score or point metric of a result is a finite number.

    Quantiles of the series in ``single`` (one observation, hence no residual to estimate
    a spread from) may be NaN, as the baselines document; never infinite.
    """
    cols = [c for c in value_columns(frame) if c not in ("mase", "rmsse", "coverage")]
    values = frame[cols].to_numpy(dtype=np.float64)
    ok = np.isfinite(values)
    if single and "unique_id" in frame:
        spread = np.array(["-q" in c for c in cols])
        exempt = frame["unique_id"].isin(single).to_numpy()[:, None] & spread[None, :]
        ok |= exempt & np.isnan(values)
    assert ok.all(), frame[~ok.all(axis=1)].head()
