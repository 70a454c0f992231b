"""Alert events: merge gap, minimum duration and cooldown."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gluts.anomaly import event_spans
from gluts.anomaly.events import (
    EVENT_COLUMNS,
    AlertCarry,
    critical_surprisal,
    group_events,
    stream_spans,
)
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
    surprisal = np.linspace(1.0, 2.0, n)
    surprisal[16] = 25.0  # the rarest row of the last event is not its highest score
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    spans = event_spans(FLAGS, min_duration=2)
    events = group_events(
        "s", index, spans, score, surprisal, values, surprise, critical=critical_surprisal(0.5, 10)
    )
    assert list(events.columns) == EVENT_COLUMNS
    assert len(events) == 2
    last = events.iloc[-1]
    assert (last.start, last.end, last.peak_time) == (index[14], index[16], index[15])
    assert last.peak_score == pytest.approx(0.9)
    assert last.surprisal == 25.0
    assert last.severity == "critical"  # 25 >= 2 * 10 * 0.5 / (1 - 0.5)
    assert events.iloc[0].severity == "warning"
    assert (last.observed, last.expected, last.lower, last.upper) == (15.0, 14.0, 13.5, 14.5)


def test_severity_is_ordered_by_surprisal():
    assert critical_surprisal(0.3, 10.0) == pytest.approx(2 * 10 * 0.3 / 0.7)
    n = 40
    flags = np.zeros(n, dtype=int)
    flags[[5, 15, 25, 35]] = 1
    surprisal = np.zeros(n)
    surprisal[[5, 15, 25, 35]] = [3.0, 40.0, 8.0, 900.0]
    score = surprisal / (surprisal + 10)
    values = np.zeros(n)
    surprise = Surprise(np.zeros(n), values, values, values)
    events = group_events(
        "s",
        pd.RangeIndex(n),
        event_spans(flags),
        score,
        surprisal,
        values,
        surprise,
        critical=critical_surprisal(0.3, 10.0),
    )
    ranked = events.sort_values("surprisal")
    assert ranked["severity"].tolist() == ["warning", "warning", "critical", "critical"]
    assert ranked["peak_score"].is_monotonic_increasing


@settings(max_examples=200, deadline=None)
@given(
    flags=st.lists(st.sampled_from([0, 0, 0, 1]), min_size=1, max_size=80),
    cuts=st.lists(st.integers(1, 79), max_size=6),
    merge_gap=st.integers(0, 3),
    min_duration=st.integers(1, 4),
    cooldown=st.integers(0, 5),
)
def test_grouping_in_chunks_reports_the_events_of_grouping_at_once(
    flags, cuts, merge_gap, min_duration, cooldown
):
    rules = dict(merge_gap=merge_gap, min_duration=min_duration, cooldown=cooldown)
    flags = np.array(flags, dtype=np.int8)
    index = pd.RangeIndex(len(flags))
    bounds = [0, *sorted({c for c in cuts if c < len(flags)}), len(flags)]
    carry, found = AlertCarry(), []
    for a, b in zip(bounds[:-1], bounds[1:]):
        before = carry.index
        spans, carry = stream_spans(carry, flags[a:b], index[a:b], **rules)
        found += [int(index[a + first] if first >= 0 else before[first]) for first, _ in spans]
        assert len(carry.flags) <= b  # only an event that may still grow is carried
    # each event is reported once, in the chunk where it is first kept, from its true start
    assert found == [first for first, _ in event_spans(flags, **rules)]
