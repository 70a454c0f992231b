"""Covariates through the command line (issue 18, item 5).

``--covariates`` (known in advance), ``--past-covariates`` (observed up to the forecast
origin) and ``--future FILE`` (the known ones over the forecast steps), for forecast and
backtest, long and wide: the flows run the installed ``gluts`` executable with the real GLU
model; the errors, which come before any fitting, run in-process.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gluts.cli import app

GLUTS = Path(sys.executable).with_name("gluts")
LENGTH, H = 240, 6
COVS = ["--covariates", "promo", "--past-covariates", "temp"]

needs_gluts = pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")


def _sales(length: int = LENGTH + H, seed: int = 0) -> pd.DataFrame:
    """Two hourly stores whose sales jump by 8 during a promotion; a temperature beside."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=length, freq="h")
    t = np.arange(length)
    parts = []
    for k in range(2):
        promo = (rng.random(length) < 0.2).astype(int)
        temp = 15 + 5 * np.sin(2 * np.pi * t / 24 + k) + rng.normal(0, 0.5, length)
        sales = 20 + 4 * np.sin(2 * np.pi * (t + k) / 12) + 8 * promo + rng.normal(0, 0.2, length)
        parts.append(
            pd.DataFrame({"store": f"s{k}", "ds": ds, "sales": sales, "promo": promo, "temp": temp})
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def files(tmp_path):
    """sales.csv (the history) and future.csv (store, ds, promo over the H next hours)."""
    full = _sales()
    history = full.groupby("store").head(LENGTH).reset_index(drop=True)
    future = full.groupby("store").tail(H)[["store", "ds", "promo"]].reset_index(drop=True)
    out = SimpleNamespace(dir=tmp_path, data=tmp_path / "sales.csv", future=tmp_path / "f.csv")
    history.to_csv(out.data, index=False)
    future.to_csv(out.future, index=False)
    out.history, out.future_frame = history, future
    return out


def run(*args, cwd=None):
    return subprocess.run(
        [str(GLUTS), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def _future_with(files, promo: int) -> Path:
    path = files.dir / f"promo{promo}.csv"
    files.future_frame.assign(promo=promo).to_csv(path, index=False)
    return path


@pytest.mark.slow
@needs_gluts
def test_forecast_reads_covariates_and_their_future_values(files):
    args = ["forecast", files.data, "--horizon", H, *COVS, "--threads", "1"]
    on, off = _future_with(files, 1), _future_with(files, 0)
    model = files.dir / "glu.gluts"
    fitted = run(*args, "--future", on, "--save-model", model)
    assert fitted.returncode == 0, fitted.stderr
    assert "Fitting GLU on 2 series of sales.csv with the covariates promo, temp." in fitted.stderr
    first = pd.read_csv(io.StringIO(fitted.stdout))
    assert first.columns.tolist()[:3] == ["store", "ds", "GLU"]
    assert first.groupby("store").size().tolist() == [H, H]
    assert first["ds"].iloc[0] == "2024-01-11 00:00:00"
    assert np.isfinite(first.drop(columns=["store", "ds"]).to_numpy()).all()

    # The saved model knows its covariates: the same future gives the same forecast, another
    # promotion plan another one.
    saved = ["forecast", files.data, "--horizon", H, "--model-path", model]
    again = run(*saved, "--future", on)
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(again.stdout)), first)
    other = run(*saved, "--future", off)
    assert other.returncode == 0, other.stderr
    moved = (pd.read_csv(io.StringIO(other.stdout))["GLU"] - first["GLU"]).abs()
    assert moved.max() > 0.01, moved.max()

    wrong = run(*saved, "--covariates", "temp", "--future", on)
    assert wrong.returncode == 2
    assert "glu.gluts was fitted with the covariates promo (known in advance) and temp" in (
        " ".join(wrong.stderr.replace("│", " ").split())
    )


@pytest.mark.slow
@needs_gluts
def test_backtest_gives_covariates_to_the_models_that_take_them(files):
    cv = files.dir / "cv.csv"
    args = ["backtest", files.data, "--models", "glu,snaive", "--horizon", H, "--windows", 1]
    done = run(*args, *COVS, "--json", "--forecasts", cv, "--threads", "1")
    assert done.returncode == 0, done.stderr
    assert (
        "Covariates promo (known in advance) and temp (past only) go to glu; the other "
        "models ignore them." in done.stderr
    )
    board = pd.DataFrame(json.loads(done.stdout)["leaderboard"]).set_index("model")
    assert set(board.index) == {"GLU", "SeasonalNaive"}
    assert np.isfinite(board.loc["GLU", "mase"])
    rows = pd.read_csv(cv)
    assert rows.groupby("model").size().to_dict() == {"GLU": 2 * H, "SeasonalNaive": 2 * H}


@pytest.mark.slow
@needs_gluts
def test_wide_table_shares_its_covariates(files):
    full = _sales()
    wide = full.pivot(index="ds", columns="store", values="sales")
    wide["promo"] = full[full["store"] == "s0"].set_index("ds")["promo"]
    data, future = files.dir / "wide.csv", files.dir / "wide_future.csv"
    wide.iloc[:LENGTH].reset_index().to_csv(data, index=False)
    wide.iloc[LENGTH:][["promo"]].reset_index().to_csv(future, index=False)
    done = run("forecast", data, "--horizon", H, "--covariates", "promo", "--future", future)
    assert done.returncode == 0, done.stderr
    out = pd.read_csv(io.StringIO(done.stdout), header=[0, 1], index_col=0, parse_dates=True)
    assert out.columns.get_level_values(0).unique().tolist() == ["s0", "s1"]  # not promo
    assert out["s1"].columns.tolist() == ["GLU", "GLU-q0.1", "GLU-q0.5", "GLU-q0.9"]
    assert len(out) == H and out.notna().all().all()


def _stderr(result) -> str:
    return " ".join(result.stderr.replace("│", " ").split())


@pytest.mark.parametrize(
    ("extra", "option", "message"),
    [
        (
            ["--model", "linear", *COVS],
            "--covariates",
            "model 'linear' takes no covariates; models that do: glu.",
        ),
        (["--covariates", "promo"], "--future", "promo (--covariates) are known in advance"),
        (
            ["--past-covariates", "temp", "--future", "F"],
            "--future",
            "it gives the future values of the --covariates columns; name them",
        ),
        (
            ["--covariates", "promo", "--past-covariates", "promo", "--future", "F"],
            "--past-covariates",
            "column 'promo' is named by --covariates and --past-covariates; give it one role.",
        ),
        (["--covariates", " , ", "--future", "F"], "--covariates", "give at least one column"),
    ],
)
def test_bad_covariate_options_exit_2_before_any_work(runner, files, extra, option, message):
    extra = [str(files.future) if e == "F" else e for e in extra]
    result = runner.invoke(app, ["forecast", str(files.data), "--horizon", str(H), *extra])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: {message}" in _stderr(result)
    assert "Fitting" not in result.stderr


def test_backtest_refuses_covariates_no_model_takes(runner, files):
    args = ["backtest", str(files.data), "--models", "ets,snaive", "--covariates", "promo"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "none of the models 'ets', 'snaive' takes covariates; models that do: glu." in (
        _stderr(result)
    )


def _with(frame: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    out = frame.astype({column: object})
    out.loc[row, column] = value
    return out


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: {"extra": ["--covariates", "price"]},
            "sales.csv: there is no column 'price' (--covariates); columns are 'store', 'ds', "
            "'sales', 'promo', 'temp'.",
        ),
        (
            lambda f: {"data": _with(f.history, 5, "promo", "yes")},
            "sales.csv has the non-numeric value 'yes' in column 'promo' for series 's0' at "
            "2024-01-01 05:00:00; covariates must be numbers.",
        ),
        (
            lambda f: {"data": _with(f.history, LENGTH + 10, "temp", None)},
            "sales.csv has a missing value in column 'temp' for series 's1' at "
            "2024-01-01 10:00:00; covariates must be finite.",
        ),
        (
            lambda f: {"future": f.future_frame.groupby("store").head(H - 4)},
            "f.csv has no row for series 's0' at 2024-01-11 02:00:00, 2024-01-11 03:00:00, "
            "2024-01-11 04:00:00 (and 1 more).",
        ),
        (
            lambda f: {"future": f.future_frame.drop(index=f.future_frame.index[-1])},
            "f.csv has no row for series 's1' at 2024-01-11 05:00:00.",
        ),
        (
            lambda f: {"future": f.future_frame.query("store == 's0'")},
            "f.csv has no rows for series 's1'; it needs 6, from 2024-01-11 00:00:00 to "
            "2024-01-11 05:00:00.",
        ),
        (
            lambda f: {"future": f.future_frame.drop(columns="promo")},
            "f.csv: there is no column 'promo' (--covariates); columns are 'store', 'ds'.",
        ),
        (
            lambda f: {"future": f.future_frame.rename(columns={"ds": "time"})},
            "f.csv: there is no column 'ds' (the time column of sales.csv); columns are "
            "'store', 'time', 'promo'.",
        ),
        (
            lambda f: {"future": f.future_frame.drop(columns="store")},
            "f.csv: there is no column 'store' (the id column of sales.csv) and its timestamps "
            "repeat; give each series' rows with its id, or one row per timestamp for values "
            "that every series shares.",
        ),
    ],
    ids=[
        "unknown_column",
        "text_value",
        "missing_value",
        "missing_future_rows",
        "one_missing_future_row",
        "future_without_a_series",
        "future_without_the_covariate",
        "future_without_the_time_column",
        "future_without_ids",
    ],
)
def test_covariate_problems_are_one_line_before_any_fitting(runner, files, change, message):
    parts = change(files)
    if "data" in parts:
        _write(files.data, parts["data"])
    if "future" in parts:
        _write(files.future, parts["future"])
    args = ["forecast", str(files.data), "--horizon", str(H), "--future", str(files.future)]
    result = runner.invoke(app, [*args, *parts.get("extra", COVS)])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {message}\n"
