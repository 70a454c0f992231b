"""Reliability tests: a hang is a failure, not a stuck CI job."""

from __future__ import annotations

import signal

import pytest

HANG_SECONDS = 120


@pytest.fixture(autouse=True)
def _no_hang():
    """Fail a test that runs longer than :data:`HANG_SECONDS` (a hang on hostile input)."""

    def expire(signum, frame):
        raise TimeoutError(f"the test ran longer than {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def _one_job(monkeypatch):
    """Fit series in-process: worker start-up would dominate on these small inputs."""
    monkeypatch.setenv("GLUTS_N_JOBS", "1")
