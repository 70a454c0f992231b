"""``--plot-series``: which series --plot draws, the notice when gluts chooses, bad ids."""

from __future__ import annotations

import re

import pytest

from gluts import make_synthetic
from gluts.cli import app

from .conftest import long_frame

COMMANDS = {
    "forecast": ["forecast", "{data}", "--horizon", "6", "--model", "quick"],
    "backtest": ["backtest", "{data}", "--models", "quick,naive", "--horizon", "6"],
    "detect": ["detect", "{data}", "--model", "mad", "--train-fraction", "0.5"],
}


@pytest.fixture
def eight_csv(tmp_path):
    """Eight hourly series s0 ... s7 with injected anomalies (long layout)."""
    path = tmp_path / "eight.csv"
    frame = make_synthetic(n_series=8, length=300, random_state=0)[["unique_id", "ds", "y"]]
    frame["unique_id"] = frame["unique_id"].str.replace("series_", "s")
    frame.to_csv(path, index=False)
    return path


def _args(command: str, data) -> list[str]:
    return [a.format(data=data) for a in COMMANDS[command]]


def _panel_titles(svg_path) -> list[str]:
    """The panel titles of an SVG plot (matplotlib writes each text as a comment)."""
    return re.findall(r"<!-- (series [^:]+:[^>]*?) -->", svg_path.read_text())


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("forecast", "the widest 80% intervals relative to their typical step"),
        ("backtest", "the largest MASE of the best model, "),
        ("detect", "the most alerts"),
    ],
)
def test_default_shows_six_of_eight_with_a_notice(
    runner, quick_models, eight_csv, tmp_path, command, reason
):
    svg = tmp_path / "plot.svg"
    result = runner.invoke(app, [*_args(command, eight_csv), "--plot", str(svg)])
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if line.startswith("Plotting ")]
    assert len(notices) == 1
    assert notices[0].startswith(f"Plotting 6 of 8 series, those with {reason}")
    assert notices[0].endswith("; choose others with --plot-series.")
    assert len(_panel_titles(svg)) == 6


def test_named_series_repeated_and_comma_separated(runner, quick_models, eight_csv, tmp_path):
    svg = tmp_path / "plot.svg"
    args = [*_args("forecast", eight_csv), "--plot", str(svg)]
    result = runner.invoke(app, [*args, "--plot-series", "s5,s1", "--plot-series", "s7"])
    assert result.exit_code == 0, result.output
    assert "Plotting" not in result.stderr
    titles = _panel_titles(svg)
    assert [t.split(":")[0] for t in titles] == ["series s5", "series s1", "series s7"]
    assert titles[0] == "series s5: 6-step forecast, Quick, 80% interval"


def test_detect_titles_name_the_series_and_the_detector(runner, eight_csv, tmp_path):
    svg = tmp_path / "plot.svg"
    args = [*_args("detect", eight_csv), "--plot", str(svg), "--plot-series", "s2"]
    result = runner.invoke(app, [*args, "--alerts", str(tmp_path / "alerts.csv")])
    assert result.exit_code == 0, result.output
    alerts = (tmp_path / "alerts.csv").read_text().splitlines()[1:]
    n = sum(line.startswith("s2,") for line in alerts)
    assert _panel_titles(svg) == [f"series s2: {n} alert{'s' * (n != 1)} by MADDetector"]


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_series_is_one_line_before_any_work(
    runner, quick_models, eight_csv, tmp_path, command
):
    svg = tmp_path / "plot.svg"
    args = [*_args(command, eight_csv), "--plot", str(svg), "--plot-series", "s1,store_9"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "Error: eight.csv: there is no series 'store_9' (--plot-series); the series are "
        "'s0', 's1', 's2', 's3', 's4' (and 3 more).\n"
    )
    assert not svg.exists()


def test_plot_series_needs_an_output_that_draws(runner, quick_models, long_csv):
    result = runner.invoke(app, [*_args("forecast", long_csv), "--plot-series", "s0"])
    assert result.exit_code == 2
    text = " ".join(result.stderr.replace("│", " ").split())
    assert "--plot-series" in text and "chooses the series drawn by --plot or --report" in text


def test_few_series_are_all_drawn_without_a_notice(runner, quick_models, wide_csv, tmp_path):
    svg = tmp_path / "plot.svg"
    result = runner.invoke(app, [*_args("backtest", wide_csv), "--plot", str(svg)])
    assert result.exit_code == 0, result.output
    assert "Plotting" not in result.stderr
    assert [t.split(":")[0] for t in _panel_titles(svg)] == ["series s0", "series s1"]


def test_quiet_keeps_the_notice_off_stderr(runner, quick_models, tmp_path):
    data = tmp_path / "many.csv"
    long_frame(n_series=8).to_csv(data, index=False)
    args = [*_args("forecast", data), "--plot", str(tmp_path / "p.png"), "-q", "--output"]
    result = runner.invoke(app, [*args, str(tmp_path / "f.csv")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
