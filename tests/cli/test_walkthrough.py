"""CI runs the shell walkthrough in examples/ with the installed ``gluts`` executable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "cli_walkthrough.sh"
BIN = Path(sys.executable).parent


@pytest.mark.slow
@pytest.mark.skipif(not (BIN / "gluts").exists(), reason="the gluts script is not installed")
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_walkthrough_runs(tmp_path):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "monthly_seasonal" in done.stdout
    assert "Backtest of monthly.csv" in done.stdout
    assert "Backtest of us_macro: 10 series" in done.stdout
    assert "inline plots in backtest.html: 1" in done.stdout
    assert "Fitting GLU on 2 series of sales.csv with the covariates promo, temperature." in (
        done.stderr
    )
    assert "store,ds,GLU,GLU-q0.1,GLU-q0.5,GLU-q0.9" in done.stdout
    assert "go to glu; the other models ignore them." in done.stderr
    assert "Labelled windows (el_nino_events.csv): 2 of 2 carry an alert" in done.stdout
    assert "Error: header_only.csv: the file has a header" in done.stderr
    # --forecasts: every window's forecasts, one row per model, series, window and step
    assert "model,unique_id,cutoff,ds,y,point" in done.stdout
    # --state: the second run over the unchanged file adds nothing
    assert "No new rows in elnino since the last run." in done.stdout
