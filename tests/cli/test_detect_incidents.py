"""``gluts detect`` with its defaults, as a user runs it: a 24-hour drop to zero is one alert
at its onset, and the return to normal raises none (issue 15, item 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GLUTS = Path(sys.executable).with_name("gluts")

pytestmark = pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")


def test_a_drop_to_zero_is_one_alert_at_its_onset(tmp_path):
    t = np.arange(1100)
    y = 50 + 10 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 1, len(t))
    y[800:824] = 0.0  # a 24-hour outage
    ds = pd.date_range("2024-01-01", periods=len(t), freq="h")
    pd.DataFrame({"ds": ds, "y": y}).to_csv(tmp_path / "metric.csv", index=False)
    result = subprocess.run(
        [str(GLUTS), "detect", "metric.csv", "--train-until", str(ds[599]), "--alerts", "a.csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    alerts = pd.read_csv(tmp_path / "a.csv", parse_dates=["start"])
    assert len(alerts) == 1, alerts
    assert alerts["start"].iloc[0] == ds[800]
    assert alerts["observed"].iloc[0] == 0.0 and not alerts["new_normal"].iloc[0]
