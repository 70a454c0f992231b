"""Alert events: merge gap, minimum duration and cooldown."""

import numpy as np
import pandas as pd
import pytest

from gluts.anomaly import event_spans
from gluts.anomaly.events import EVENT_COLUMNS, group_events
from gluts.anomaly.surprise import Surprise

FLAGS = np.array([0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0])


def test_runs_become_events():
    assert event_spans(FLAGS) == [(1, 2), (4, 4), (8, 8), (14, 16)]
    assert event_spans(np.zeros(5)) == []


def test_merge_gap_joins_close_runs():
    assert event_spans(FLAGS, merge_gap=1) == [(1, 4), (8, 8), (14, 16)]
    assert event_spans(FLAGS, merge_gap=3) == [(1, 8), (14, 16)]


def test_min_duration_drops_short_events():
    assert event_spans(FLAGS, min_duration=2) == [(1, 2), (14, 16)]
    assert event_spans(FLAGS, merge_gap=1, min_duration=4) == [(1, 4)]


def test_cooldown_suppresses_events_right_after_another():
    assert event_spans(FLAGS, cooldown=2) == [(1, 2), (8, 8), (14, 16)]
    assert event_spans(FLAGS, cooldown=6) == [(1, 2), (14, 16)]


def test_group_events_reports_the_peak():
    n = len(FLAGS)
    score = np.linspace(0.1, 0.2, n)
    score[15] = 0.9
    values = np.arange(n, dtype=float)
    expected = values - 1.0
    surprise = Surprise(np.zeros(n), expected, expected - 0.5, expected + 0.5)
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    events = group_events(
        "s",
        index,
        FLAGS,
        score,
        values,
        surprise,
        threshold=0.5,
        merge_gap=0,
        min_duration=2,
        cooldown=0,
    )
    assert list(events.columns) == EVENT_COLUMNS
    assert len(events) == 2
    last = events.iloc[-1]
    assert (last.start, last.end, last.peak_time) == (index[14], index[16], index[15])
    assert last.peak_score == pytest.approx(0.9)
    assert last.severity == "critical"
    assert events.iloc[0].severity == "warning"
    assert (last.observed, last.expected, last.lower, last.upper) == (15.0, 14.0, 13.5, 14.5)
