"""The one progress bar of the library, drawn on a fake terminal (a rich Console on a StringIO).

Bars are drawn when asked for (``verbose=True``) or inside ``show_progress``, which the
command line turns on; each shows its label, percentage, steps done and time left.
"""

import io
import re

import pytest
import rich
import rich.progress
from rich.console import Console

import gluts
from gluts import GLUForecaster, MADDetector, NaiveForecaster, backtest
from gluts._progress import progress_bar, show_progress

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_ETA = re.compile(r"eta (\d+:\d\d:\d\d|-:--:--)")


def terminal() -> Console:
    """A console that believes it is a terminal and writes to a string."""
    return Console(file=io.StringIO(), force_terminal=True, width=120)


def shown(console: Console) -> str:
    """What ``console`` drew, without the terminal's colour and cursor codes."""
    return _ESCAPES.sub("", console.file.getvalue())


def tiny_glu(**params) -> GLUForecaster:
    return GLUForecaster(2, n_channels=4, n_blocks=2, n_steps=3, random_state=0, **params)


def panel(n_series: int = 3):
    return gluts.make_synthetic(n_series=n_series, length=200, random_state=0).drop(
        columns="is_anomaly"
    )


def test_outside_show_progress_and_without_verbose_nothing_is_drawn(capsys, monkeypatch):
    monkeypatch.setattr(rich.progress, "Progress", None)  # would fail if used
    with progress_bar(False, 3, "work") as advance:
        advance()
        advance("step 2")
    assert capsys.readouterr() == ("", "")


def test_a_bar_shows_its_label_percentage_steps_and_time_left():
    console = terminal()
    with show_progress(console):
        with progress_bar(False, 4, "work") as advance:
            advance()
            advance("half done")
    text = shown(console)
    assert "work" in text and "0/4" in text
    last = text.split("half done")[-1]  # the bar as its loop ended, stopped half way
    assert "50%" in last and "2/4" in last
    assert _ETA.search(last)


def test_a_console_that_is_not_a_terminal_gets_nothing():
    console = Console(file=io.StringIO(), width=120)  # e.g. stderr piped to a file
    with show_progress(console):
        with progress_bar(False, 2, "work") as advance:
            advance()
            advance()
    assert console.file.getvalue() == ""


def test_verbose_draws_on_richs_console_without_show_progress(monkeypatch):
    console = terminal()
    monkeypatch.setattr(rich, "_console", console)
    with progress_bar(True, 2, "work") as advance:
        advance()
        advance()
    assert "100%" in shown(console) and "2/2" in shown(console)


def test_nested_bars_share_one_display_and_the_next_bar_starts_afresh():
    console = terminal()
    with show_progress(console):
        with progress_bar(False, 2, "outer") as outer:
            with progress_bar(False, 3, "inner") as inner:
                for _ in range(3):
                    inner()
            outer()
        with pytest.raises(RuntimeError), progress_bar(False, 5, "failing") as advance:
            advance()
            raise RuntimeError
        with progress_bar(False, 1, "after") as advance:
            advance()
    text = shown(console)
    # one display, the inner bar as a second line under the outer one, then gone
    assert re.search(r"outer [^\r]* 0/2 [^\r]*\ninner [^\r]* 100% 3/3", text)
    assert re.search(r"\router [^\r\n]* 1/2 [^\r\n]*\r", text)
    assert "1/5" in text and "1/1" in text.split("after")[-1]


def test_glu_training_shows_its_steps_and_loss():
    console = terminal()
    with show_progress(console):
        tiny_glu().fit([float(v % 7) + 1.0 for v in range(120)])
    text = shown(console)
    assert re.search(r"GLU training loss \d+\.\d{4} .*100% 3/3 eta", text)


def test_verbose_glu_training_draws_without_show_progress(monkeypatch):
    console = terminal()
    monkeypatch.setattr(rich, "_console", console)
    tiny_glu(verbose=True).fit([float(v % 7) + 1.0 for v in range(120)])
    assert re.search(r"GLU training loss \d+\.\d{4} .*100% 3/3 eta", shown(console))


def test_backtest_counts_models_times_windows_with_each_fit_below():
    console = terminal()
    with show_progress(console):
        backtest([tiny_glu(), NaiveForecaster()], panel(), horizon=2, n_windows=2)
    text = shown(console)
    # GLU, Naive and the SeasonalNaive reference, two windows each
    assert "backtest" in text and "6/6" in text and "100%" in text
    assert "GLU training loss" in text and "Naive fitting series" in text


def test_backtest_verbose_draws_without_show_progress(monkeypatch):
    console = terminal()
    monkeypatch.setattr(rich, "_console", console)
    backtest(NaiveForecaster(), panel(), horizon=2, n_windows=2, verbose=True)
    assert "4/4" in shown(console)


def test_detection_goes_series_by_series():
    console = terminal()
    with show_progress(console):
        MADDetector().fit(panel()).alerts()
    text = shown(console)
    assert re.search(r"MADDetector fitting series .*100% 3/3", text)
    assert re.search(r"MADDetector scoring series .*100% 3/3", text)
