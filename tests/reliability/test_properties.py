"""Hypothesis-generated frames: any long frame gives a result per series or one clean line."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .channels import OneLineError, assert_finite, run_api, run_command, series_count

# Most injected values are ordinary; some are missing, a few are unusable.
VALUES = st.sampled_from([0.0, -1e6, 1e6, 123.25, np.nan, np.nan, 1e300, np.inf])
LENGTHS = st.one_of(st.integers(1, 5), st.integers(60, 150))
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def long_frames(draw) -> pd.DataFrame:
    """Long frames of 1-3 series of 1-150 rows, with NaNs, extremes, shuffles and duplicates."""
    freq = draw(st.sampled_from(["h", "D", "15min"]))
    parts = []
    for k in range(draw(st.integers(1, 3))):
        n = draw(LENGTHS)
        base = draw(st.floats(-100, 100))
        y = base + np.sin(np.arange(n))
        for pos, value in draw(st.lists(st.tuples(st.integers(0, n - 1), VALUES), max_size=2)):
            y[pos] = value
        ds = pd.date_range("2024-01-01", periods=n, freq=freq)
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    frame = pd.concat(parts, ignore_index=True)
    if draw(st.booleans()):
        frame = frame.sample(frac=1.0, random_state=draw(st.integers(0, 99)))
    if draw(st.integers(0, 9)) == 0:
        frame = pd.concat([frame, frame.iloc[[0]]])
    return frame.reset_index(drop=True)


def _check(frame: pd.DataFrame, run) -> None:
    try:
        result = run()
    except OneLineError as exc:
        event("error: " + re.sub(r"'[^']*'|\S*\d\S*", "_", str(exc))[:50])
        return  # the channel asserted that the error is one clean line
    event("result")
    counts = frame.drop_duplicates(["unique_id", "ds"])["unique_id"].value_counts()
    assert series_count(result) == len(counts)
    assert_finite(result, frozenset(counts.index[counts < 2]))


@SETTINGS
@given(frame=long_frames())
@pytest.mark.parametrize("channel", ["api_forecast", "api_detect"])
def test_api_on_generated_frames(channel, frame):
    _check(frame, lambda: run_api(channel, frame))


@SETTINGS
@given(frame=long_frames())
@pytest.mark.parametrize("command", ["forecast", "detect"])
def test_commands_on_generated_files(command, frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen")
    data = folder / "input.csv"
    frame.to_csv(data, index=False)
    _check(frame, lambda: run_command(command, data, folder / "out.csv"))
