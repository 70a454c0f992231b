"""Fixtures of the CLI tests: CSV files on disk, a CliRunner, and fast stand-in models.

The stand-ins replace the heavy estimators (GLU, ETS, ...) in the CLI's registry so that
the tests exercise the command layer in milliseconds; the real baselines are used where the
test is about the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gluts._cli import registry
from gluts.forecasting.local import LocalForecaster


class QuickForecaster(LocalForecaster):
    """Last value plus a fixed-width normal band: a stand-in for a heavy model."""

    _parameter_constraints = dict(LocalForecaster._parameter_constraints)
    _parameter_constraints["horizon"] = [int, None]

    def __init__(
        self,
        *,
        horizon=None,
        season_length=None,
        quantiles=(0.1, 0.5, 0.9),
        alias=None,
        n_jobs=None,
    ):
        self.horizon = horizon
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias
        self.n_jobs = n_jobs

    def _fit_one(self, y, season_length):
        return float(y[-1]), float(np.std(np.diff(y))) if len(y) > 1 else 1.0

    def _forecast_one(self, state, h, quantiles):
        from scipy.stats import norm

        last, scale = state
        point = np.full(h, last)
        qarr = point[:, None] + scale * norm.ppf(np.asarray(quantiles))[None, :]
        return point, qarr


@pytest.fixture(autouse=True)
def _one_job(monkeypatch):
    """Fit series in-process: worker start-up would dominate on the tests' tiny data."""
    monkeypatch.setenv("GLUTS_N_JOBS", "1")
    monkeypatch.setenv("GLUTS_THREADS", "1")  # also restores it after --threads exports it


@pytest.fixture
def runner():
    """A CliRunner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture
def quick_models(monkeypatch):
    """Register :class:`QuickForecaster` as the model ``glu`` (alias GLU) and ``quick``."""
    entry = registry.Entry(__name__, "QuickForecaster", "test stand-in")
    monkeypatch.setitem(registry.MODELS, "quick", entry)
    monkeypatch.setitem(
        registry.MODELS, "glu", registry.Entry(__name__, "GLUForecaster", "stand-in")
    )
    return entry


class GLUForecaster(QuickForecaster):
    """The stand-in for the real GLUForecaster (same class name, hence the alias GLU)."""


def long_frame(
    n_series: int = 2, length: int = 120, freq: str = "h", seed: int = 0
) -> pd.DataFrame:
    """A long frame of seasonal series: columns unique_id, ds, y."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    parts = []
    for k in range(n_series):
        y = 10 + k + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(scale=0.2, size=length)
        ds = pd.date_range("2024-01-01", periods=length, freq=freq)
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def long_csv(tmp_path):
    """Path of a long CSV with two hourly series."""
    path = tmp_path / "long.csv"
    long_frame().to_csv(path, index=False)
    return path


@pytest.fixture
def wide_csv(tmp_path):
    """Path of a wide CSV (ds, s0, s1) with the same series."""
    path = tmp_path / "wide.csv"
    long_frame().pivot(index="ds", columns="unique_id", values="y").reset_index().to_csv(
        path, index=False
    )
    return path
