"""Ctrl-C during training or scoring: exit code 130, one line, and no output file at all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import typer

from gluts._cli.console import guarded

from .corpus import seasonal

LAUNCH = "from gluts.cli import main; main()"
STARTED = "Fitting"  # the line each command prints just before it trains


def _hourly_with_spike(length: int) -> pd.DataFrame:
    frame = seasonal(1, length).drop(columns="unique_id")
    frame.loc[length - 200, "y"] += 25.0
    return frame


COMMANDS = {
    "forecast": (
        lambda: seasonal(4, 2000),
        ["forecast", "{data}", "--horizon", "24", "--model", "glu", "--output", "{out}"],
    ),
    "detect": (
        # The default GLU detector scores in milliseconds; STL on a long series takes seconds.
        lambda: _hourly_with_spike(40000),
        ["detect", "{data}", "--model", "stl", "--scores", "{out}"],
    ),
}


def _interrupt_once_started(
    args: list[str],
    timeout: float = 120.0,
    started: str = STARTED,
    sig: int = signal.SIGINT,
    delay: float = 0.5,
) -> tuple[int, str]:
    """Start ``gluts ARGS``, send ``sig`` once a stderr line starts with ``started``."""
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A shell may start background jobs with SIGINT ignored; restore the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines = []
    deadline = time.monotonic() + timeout
    try:
        for line in process.stderr:
            lines.append(line)
            if line.startswith(started):
                break
            assert time.monotonic() < deadline, "the command never started fitting"
        else:
            pytest.fail(f"the command ended before fitting: {''.join(lines)}")
        time.sleep(delay)
        assert process.poll() is None, "the command finished before it could be interrupted"
        process.send_signal(sig)
        _, rest = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, "".join(lines) + rest


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("command", COMMANDS)
def test_ctrl_c_exits_130_without_partial_output(command, tmp_path):
    make, template = COMMANDS[command]
    data, out = tmp_path / "data.csv", tmp_path / "out.csv"
    make().to_csv(data, index=False)
    args = [a.format(data=data, out=out) for a in template]
    code, stderr = _interrupt_once_started(args)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "Interrupted; no output file was written or changed."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


SEVERAL_OUTPUTS = {
    # The alerts file is written before the scores are computed and the plot is drawn: about
    # a second in all (the scores alone take 0.2 s, which a busy CI machine's test missed).
    "detect": (
        lambda: _hourly_with_spike(40000),
        ["detect", "{data}", "--model", "stl", "--alerts", "{a}", "--scores", "{s}"]
        + ["--plot", "{b}"],
    ),
    # The forecast is written before the plot is drawn.
    "forecast": (
        lambda: seasonal(4, 2000),
        ["forecast", "{data}", "--horizon", "24", "--model", "snaive", "--output", "{a}"]
        + ["--plot", "{b}"],
    ),
}


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("command", SEVERAL_OUTPUTS)
@pytest.mark.parametrize(
    ("sig", "code", "word"),
    [(signal.SIGINT, 130, "Interrupted"), (signal.SIGTERM, 143, "Terminated")],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_after_the_first_output_writes_none(command, sig, code, word, tmp_path):
    """All outputs of a command are committed together: a signal in between leaves none."""
    make, template = SEVERAL_OUTPUTS[command]
    data = tmp_path / "data.csv"
    make().to_csv(data, index=False)
    paths = {"a": tmp_path / "a.csv", "s": tmp_path / "s.csv", "b": tmp_path / "b.png"}
    args = [x.format(data=data, **paths) for x in template]
    code_, stderr = _interrupt_once_started(args, started="Wrote", sig=sig, delay=0.0)
    assert code_ == code, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == f"{word}; no output file was written or changed."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_interrupt_while_writing_leaves_the_old_file(tmp_path, monkeypatch):
    """An interruption inside the atomic write keeps the previous file and no temporary."""
    from gluts._cli.writing import write_table

    out = tmp_path / "out.csv"
    out.write_text("previous\n")

    def interrupted(self, path, **kwargs):
        open(path, "w").write("half a ro")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_table(pd.DataFrame({"y": np.arange(3.0)}), out)
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_ctrl_c_wrapped_by_python_still_exits_130(capsys):
    # Python wraps a KeyboardInterrupt raised in __set_name__ during a lazy import.
    def command(quiet: bool, verbose: bool):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__") from exc

    with pytest.raises(typer.Exit) as info:
        guarded(command)(quiet=False, verbose=False)
    assert info.value.exit_code == 130
    assert capsys.readouterr().err == "Interrupted; no output file was written or changed.\n"
