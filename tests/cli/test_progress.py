"""Progress bars of the real ``gluts`` executable: on a terminal only, never with ``-q``.

stderr is a pipe (as under cron or ``2> log``) or a pseudo-terminal; stdout is always a
pipe, as when the results are redirected to a file, which must not hide the bars.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import long_frame

GLUTS = Path(sys.executable).with_name("gluts")

pytestmark = [
    pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed"),
    pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal"),
]

# What a bar leaves on stderr: carriage returns, escape codes, a percentage or a time left.
_PROGRESS_LIKE = re.compile(r"\r|\x1b|\d%|eta|━")
# In stdout, where tables have borders and percentages, what only a bar would leave.
_BAR_CODES = re.compile(r"\r|\x1b| eta ")


@pytest.fixture
def three_series(tmp_path):
    path = tmp_path / "three.csv"
    long_frame(n_series=3, length=400).to_csv(path, index=False)
    return path


def environment() -> dict[str, str]:
    """The test's environment, with a plain terminal type and no colour overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORCE_", "NO_COLOR"))}
    env.pop("TTY_COMPATIBLE", None)
    env.pop("TTY_INTERACTIVE", None)
    return {**env, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}


def in_pipes(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(GLUTS), *map(str, args)],
        capture_output=True,
        text=True,
        env=environment(),
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def on_terminal(*args) -> tuple[int, str, str]:
    """Run gluts with stderr on a pseudo-terminal; return (exit code, stdout, stderr)."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(GLUTS), *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=environment(),
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:  # the terminal's buffer must not fill up and block gluts
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out = process.stdout.read().decode()
    code = process.wait(timeout=300)
    reader.join(timeout=60)
    os.close(master)
    return code, out, b"".join(chunks).decode(errors="replace")


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_detect_on_a_terminal_shows_the_series_with_percentage_and_time_left(three_series):
    code, out, err = on_terminal("detect", three_series, "--model", "mad")
    assert code == 0, err
    shown = plain(err)
    assert re.search(r"MADDetector fitting series .*100% 3/3 eta \d+:\d\d:\d\d", shown)
    assert re.search(r"MADDetector scoring series .*100% 3/3 eta", shown)
    assert "Fitting MADDetector on" in shown  # the messages still come
    assert not _BAR_CODES.search(out)  # the results stay clean


@pytest.mark.slow
def test_backtest_on_a_terminal_shows_windows_and_glu_training_below(three_series):
    args = ["backtest", three_series, "--models", "glu,naive", "--horizon", "6"]
    code, out, err = on_terminal(*args, "--windows", "2", "--step", "50")
    assert code == 0, err
    shown = plain(err)
    # GLU, Naive and the SeasonalNaive reference over 2 windows; GLU's steps on a second line
    assert re.search(r"backtest [^\r]* \d+/6 [^\r]*\r?\nGLU training loss", shown)
    assert re.search(r"backtest .*100% 6/6 eta", shown)
    assert "Backtest of three.csv" in out and not _BAR_CODES.search(out)


def test_quiet_on_a_terminal_draws_nothing(three_series):
    code, out, err = on_terminal("detect", three_series, "--model", "mad", "-q")
    assert code == 0
    assert err == ""
    assert "alert" in out.lower()


@pytest.mark.parametrize(
    "args",
    [
        ["detect", "--model", "mad"],
        ["forecast", "--model", "naive", "--horizon", "6"],
        ["backtest", "--models", "naive,drift", "--horizon", "6"],
    ],
    ids=["detect", "forecast", "backtest"],
)
def test_in_a_pipe_nothing_progress_like_reaches_stderr(three_series, args):
    command, *options = args
    done = in_pipes(command, three_series, *options)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(("Fitting", "Backtesting"))
    assert not _PROGRESS_LIKE.search(done.stderr), done.stderr
