"""``gluts forecast``: layouts, quantiles and levels, outputs, saved models."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from gluts.cli import app

from .conftest import QuickForecaster, long_frame
from .helpers import assert_png


def test_long_in_long_out_on_stdout(runner, quick_models, long_csv):
    result = runner.invoke(app, ["forecast", str(long_csv), "--horizon", "5", "--model", "quick"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert list(out.columns) == [
        "unique_id",
        "ds",
        "Quick",
        "Quick-q0.1",
        "Quick-q0.5",
        "Quick-q0.9",
    ]
    assert out.groupby("unique_id").size().tolist() == [5, 5]
    assert out["ds"].iloc[0] == "2024-01-06 00:00:00"
    assert "Fitting Quick on 2 series" in result.stderr


def test_wide_in_wide_out_with_levels(runner, quick_models, wide_csv, tmp_path):
    out_path = tmp_path / "fc.csv"
    args = ["forecast", str(wide_csv), "--horizon", "4", "--model", "quick", "--level", "80,95"]
    result = runner.invoke(app, [*args, "--output", str(out_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    out = pd.read_csv(out_path, header=[0, 1], index_col=0, parse_dates=True)
    assert out.columns.get_level_values(0).unique().tolist() == ["s0", "s1"]
    assert out["s0"].columns.tolist() == [
        "Quick",
        "Quick-lo-95",
        "Quick-lo-80",
        "Quick-q0.5",
        "Quick-hi-80",
        "Quick-hi-95",
    ]
    assert len(out) == 4 and out.index[0] == pd.Timestamp("2024-01-06")
    s0 = out["s0"]
    assert (s0["Quick-lo-95"] < s0["Quick-lo-80"]).all()
    assert (s0["Quick-hi-80"] < s0["Quick-hi-95"]).all()


def test_quantiles_reach_the_model(runner, quick_models, long_csv):
    args = ["forecast", str(long_csv), "--horizon", "2", "--model", "quick"]
    result = runner.invoke(app, [*args, "--quantiles", "0.05,0.95"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(io.StringIO(result.stdout)).columns[-2:].tolist() == [
        "Quick-q0.05",
        "Quick-q0.95",
    ]


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--quantiles", "0.1,1.5"], "must lie in"),
        (["--level", "80", "--quantiles", "0.1"], "not both"),
        (["--level", "abc"], "comma-separated numbers"),
        (["--model", "nosuch"], "unknown name 'nosuch'"),
        (["--horizon", "0"], "--horizon"),
    ],
)
def test_bad_options_exit_2(runner, quick_models, long_csv, extra, match):
    args = ["forecast", str(long_csv), "--horizon", "3", "--model", "quick", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert match in " ".join(result.stderr.replace("│", " ").split())


def test_plot_is_a_real_png(runner, quick_models, long_csv, tmp_path):
    png = tmp_path / "fc.png"
    args = ["forecast", str(long_csv), "--horizon", "6", "--model", "quick", "--plot", str(png)]
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    assert_png(png)
    assert result.stderr == ""


def test_missing_model_fails_in_one_line(runner, long_csv, monkeypatch):
    from gluts._cli import registry

    monkeypatch.setitem(registry.MODELS, "glu", registry.Entry("gluts.nowhere", "X", "GLU"))
    result = runner.invoke(app, ["forecast", str(long_csv), "--horizon", "3"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "'glu' (GLU) is not available" in result.stderr


def test_save_then_reuse_without_retraining(runner, quick_models, long_csv, tmp_path, monkeypatch):
    import pickle

    import gluts
    from gluts._cli import registry

    monkeypatch.setitem(registry.MODELS, "saveable", registry.Entry(__name__, "Saveable", "x"))
    monkeypatch.setattr(gluts, "load", lambda p: pickle.loads(Path(p).read_bytes()), raising=False)
    model_file = tmp_path / "model.bin"
    base = ["forecast", str(long_csv), "--horizon", "3"]
    first = runner.invoke(app, [*base, "--model", "saveable", "--save-model", str(model_file)])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.csv", "model.bin"]
    monkeypatch.setattr(Saveable, "fit", lambda *a, **k: pytest.fail("refitted"))
    again = runner.invoke(app, [*base, "--model-path", str(model_file)])
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout


def test_model_path_excludes_model_options(runner, long_csv, tmp_path):
    model_file = tmp_path / "model.bin"
    model_file.write_bytes(b"")
    args = ["forecast", str(long_csv), "--horizon", "3", "--model-path", str(model_file)]
    result = runner.invoke(app, [*args, "--model", "ets"])
    assert result.exit_code == 2


def test_save_needs_a_saveable_model(runner, quick_models, long_csv, tmp_path):
    args = ["forecast", str(long_csv), "--horizon", "3", "--model", "quick"]
    result = runner.invoke(app, [*args, "--save-model", str(tmp_path / "m.bin")])
    assert result.exit_code == 2
    assert "cannot be saved" in result.stderr


class Saveable(QuickForecaster):
    """A stand-in with ``save``, as GLUForecaster has."""

    def save(self, path):
        import pickle

        Path(path).write_bytes(pickle.dumps(self))


def test_gluts_warnings_are_one_line_on_stderr(runner, quick_models, tmp_path):
    path = tmp_path / "gappy.csv"
    frame = long_frame(n_series=1, length=48)
    frame.loc[5, "y"] = None
    frame.to_csv(path, index=False)
    args = ["forecast", str(path), "--horizon", "2", "--model", "quick"]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "Warning: Interpolated missing values per series: 's0': 1 of 48." in shown.stderr
    assert "Warning" not in shown.stdout
    quiet = runner.invoke(app, [*args, "--quiet"])
    assert quiet.stderr == ""
