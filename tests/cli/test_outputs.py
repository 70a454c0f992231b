"""Output files: never the input, checked before any work, right modes, honest messages."""

from __future__ import annotations

import io
import os
import stat

import pandas as pd
import pytest

from gluts.cli import app

from .conftest import long_frame

OUTPUT_OPTIONS = {
    "forecast": (
        ["forecast", "{data}", "--horizon", "2", "--model", "quick"],
        ["--output", "--plot", "--report"],
    ),
    "detect": (
        ["detect", "{data}", "--model", "mad"],
        ["--alerts", "--scores", "--plot", "--report"],
    ),
    "backtest": (
        ["backtest", "{data}", "--models", "quick", "--horizon", "2"],
        ["--output", "--plot", "--report"],
    ),
}
CASES = [(c, o) for c, (_, options) in OUTPUT_OPTIONS.items() for o in options]


def _args(command: str, data) -> list[str]:
    return [a.format(data=data) for a in OUTPUT_OPTIONS[command][0]]


def _one_error_line(result, start: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {start}"), result.stderr
    return lines[0]


@pytest.mark.parametrize(("command", "option"), CASES)
@pytest.mark.parametrize("spelling", ["same", "dot", "absolute", "symlink"])
def test_output_that_is_the_input_is_refused(
    runner, quick_models, long_csv, command, option, spelling, monkeypatch
):
    monkeypatch.chdir(long_csv.parent)
    before = long_csv.read_bytes()
    mode = stat.S_IMODE(long_csv.stat().st_mode)
    out = {"same": "long.csv", "dot": "./long.csv", "absolute": str(long_csv)}.get(spelling)
    if spelling == "symlink":
        os.symlink("long.csv", "link.csv")
        out = "link.csv"
    result = runner.invoke(app, [*_args(command, "long.csv"), option, out])
    line = _one_error_line(result, os.path.normpath(out))
    assert f"{option} is the input file DATA" in line
    assert long_csv.read_bytes() == before
    assert stat.S_IMODE(long_csv.stat().st_mode) == mode
    assert "Fitting" not in result.stderr and "Backtesting" not in result.stderr


def test_labels_file_is_not_an_output(runner, long_csv, tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("start,end\n2024-01-03,2024-01-04\n")
    args = [*_args("detect", long_csv), "--labels", str(labels), "--alerts", str(labels)]
    line = _one_error_line(runner.invoke(app, args), str(labels))
    assert "--alerts is the input file --labels" in line


def test_two_outputs_naming_one_file(runner, long_csv, tmp_path):
    out = str(tmp_path / "out.csv")
    result = runner.invoke(app, [*_args("detect", long_csv), "--alerts", out, "--scores", out])
    assert "--alerts and --scores name the same file" in _one_error_line(result, out)


def test_save_model_to_a_folder_fails_before_training(runner, long_csv, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    args = ["forecast", str(long_csv), "--horizon", "2", "--model", "glu", "--save-model"]
    result = runner.invoke(app, [*args, str(folder)])
    assert "--save-model names a folder" in _one_error_line(result, str(folder))
    assert "Fitting" not in result.stderr


def test_unwritable_folder_fails_before_work_and_names_the_output(
    runner, quick_models, long_csv, tmp_path
):
    out = tmp_path / "missing" / "out.csv"
    result = runner.invoke(app, [*_args("forecast", long_csv), "--output", str(out)])
    line = _one_error_line(result, str(out))  # not prefixed with long.csv
    assert "does not exist" in line and "--output" in line
    assert "Fitting" not in result.stderr


def test_os_error_names_the_output_not_the_temporary(
    runner, quick_models, long_csv, tmp_path, monkeypatch
):
    out = tmp_path / "out.csv"

    def full_disk(src, dst):
        raise OSError(28, "No space left on device", str(src))

    monkeypatch.setattr(os, "replace", full_disk)
    result = runner.invoke(app, [*_args("forecast", long_csv), "--output", str(out), "-q"])
    line = _one_error_line(result, str(out))
    assert ".tmp" not in line and "No space left on device" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.csv"]


def test_model_file_errors_name_the_model_file(runner, long_csv, tmp_path):
    model = tmp_path / "model.gluts"
    model.write_bytes(b"not a model")
    result = runner.invoke(
        app, ["forecast", str(long_csv), "--horizon", "2", "--model-path", str(model)]
    )
    _one_error_line(result, "model.gluts")


def test_outputs_respect_the_umask_and_keep_a_replaced_mode(
    runner, quick_models, long_csv, tmp_path
):
    previous = os.umask(0o022)
    try:
        new, old = tmp_path / "new.csv", tmp_path / "old.csv"
        old.write_text("x\n")
        old.chmod(0o640)
        for out in (new, old):
            result = runner.invoke(app, [*_args("forecast", long_csv), "--output", str(out)])
            assert result.exit_code == 0, result.output
    finally:
        os.umask(previous)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_output_symlink_is_written_through(runner, quick_models, long_csv, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result = runner.invoke(app, [*_args("forecast", long_csv), "--output", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(pd.read_csv(target)) == 4


def test_formulas_are_neutralised_in_csv_but_raw_in_json(runner, quick_models, tmp_path):
    ids = {"s0": "=cmd|' /C calc'!A0", "s1": "-2"}
    frame = long_frame().assign(unique_id=lambda f: f["unique_id"].map(ids), y=lambda f: -f["y"])
    data = tmp_path / "evil.csv"
    frame.to_csv(data, index=False)
    args = ["forecast", str(data), "--horizon", "2", "--model", "quick", "--id-col", "unique_id"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout), dtype={"unique_id": str})
    assert set(out["unique_id"]) == {"'=cmd|' /C calc'!A0", "'-2"}
    assert (out.select_dtypes("number") < 0).all().all()  # negative numbers untouched
    assert "'-" not in result.stdout.split("\n", 1)[1].replace("'-2", "")
    result = runner.invoke(app, [*args, "--output", str(tmp_path / "out.json")])
    assert set(pd.read_json(tmp_path / "out.json", dtype={"unique_id": str})["unique_id"]) == set(
        ids.values()
    )


def test_wide_series_named_y(runner, quick_models, tmp_path):
    data = tmp_path / "wide.csv"
    frame = long_frame().pivot(index="ds", columns="unique_id", values="y")
    frame.set_axis(["a", "y"], axis=1).reset_index().to_csv(data, index=False)
    result = runner.invoke(app, ["forecast", str(data), "--horizon", "2", "--model", "quick"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert {"a", "y"} <= set(out.columns)


def test_too_short_series_do_not_blame_the_horizon(runner, tmp_path):
    data = tmp_path / "two.csv"
    frame = long_frame(n_series=3).groupby("unique_id").head(2)
    frame.to_csv(data, index=False)
    for model in ("glu", "linear"):
        args = ["forecast", str(data), "--horizon", "1", "--model", model, "-q"]
        result = runner.invoke(app, args)
        line = _one_error_line(result, "two.csv")
        assert "Lower horizon" not in line and "too short" in line


def test_detect_fitting_on_every_row_suggests_no_more_rows(runner, tmp_path):
    data = tmp_path / "short.csv"
    long_frame(n_series=1).head(8).to_csv(data, index=False)
    result = runner.invoke(app, ["detect", str(data), "--model", "zscore", "-q"])
    line = _one_error_line(result, "short.csv")
    assert "Fit on more than" not in line and "All 8 rows are already used" in line


def test_zero_padded_ids_in_the_data_and_the_labels(runner, tmp_path):
    data, labels = tmp_path / "ids.csv", tmp_path / "labels.csv"
    frame = long_frame().assign(store=lambda f: f["unique_id"].map({"s0": "001", "s1": "010"}))
    frame.drop(columns="unique_id").to_csv(data, index=False)
    labels.write_text("store,start,end\n010,2024-01-03,2024-01-04\n")
    scores = tmp_path / "scores.csv"
    args = ["detect", str(data), "--model", "zscore", "--id-col", "store", "-q"]
    result = runner.invoke(app, [*args, "--labels", str(labels), "--scores", str(scores)])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(scores, dtype=str)["store"]) == {"001", "010"}
