"""Recurring surprises: a surprise that came back at the same phase of each of the last seasons
is how the series behaves (a nightly job), not an incident (issue 15: the daily spikes of
NAB's ec2_cpu_utilization_24ae8d were 11 of its false alarms)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from gluts.anomaly import GLUAnomalyDetector
from gluts.anomaly.calibration import rise
from gluts.anomaly.echoes import ECHO_SEASONS, discount_echoes, echo_jitter

PERIOD = 96
ALARM = 1.5  # the surprisal of an alarm


def _recurring(heights, period: int = PERIOD, phase: int = 30, jitter=()) -> np.ndarray:
    """Surprisals 0.5 with a surprise of ``heights[k]`` in season ``k`` at ``phase``
    (shifted by ``jitter[k]`` rows)."""
    out = np.full(period * len(heights), 0.5)
    for k, height in enumerate(heights):
        out[k * period + phase + (jitter[k] if len(jitter) else 0)] = height
    return out


def test_a_surprise_recurring_at_the_same_phase_is_expected_from_the_third_season_on():
    jitter = echo_jitter(PERIOD)
    surprisal = _recurring([8.0] * 6, jitter=[0, jitter, 0, jitter, 0, 0])
    out = discount_echoes(surprisal, PERIOD, ALARM)
    spikes = np.flatnonzero(surprisal > 1)
    np.testing.assert_array_equal(out[spikes[:ECHO_SEASONS]], 8.0)  # not yet recurred
    np.testing.assert_array_equal(out[spikes[ECHO_SEASONS:]], 0.0)
    # rows away from the recurring phase lose nothing (those near it: the echo is the
    # most surprising row within the jitter)
    calm = np.abs((np.arange(len(out)) % PERIOD) - 30) > 2 * jitter
    np.testing.assert_array_equal(out[calm], surprisal[calm])


def test_one_incident_is_not_echoed_and_a_larger_surprise_keeps_its_excess():
    once = discount_echoes(_recurring([0.5, 8.0, 0.5, 8.0]), PERIOD, ALARM)
    assert once.max() == 8.0  # it came back after one season without it: not a recurrence
    out = discount_echoes(_recurring([6.0, 8.0, 11.0]), PERIOD, ALARM)
    assert out[2 * PERIOD + 30] == 11.0 - 6.0  # the least of the seasons before recurred


def test_only_alarming_surprises_recur_and_a_late_one_is_not_an_echo():
    low = _recurring([ALARM - 0.1] * 4)
    np.testing.assert_array_equal(discount_echoes(low, PERIOD, ALARM), low)
    late = _recurring([8.0] * 4, jitter=[0, 0, 0, echo_jitter(PERIOD) + 1])
    assert discount_echoes(late, PERIOD, ALARM).max() == 8.0


def test_a_long_incident_does_not_echo_itself():
    """Rows surprising for more than two seasons in a row are one incident: no season before
    was calm between, so nothing recurred."""
    surprisal = np.full(5 * PERIOD, 0.5)
    surprisal[PERIOD : 4 * PERIOD] = 9.0
    np.testing.assert_array_equal(discount_echoes(surprisal, PERIOD, ALARM), surprisal)


def test_without_a_season_nothing_changes():
    surprisal = _recurring([8.0] * 5, period=40)
    np.testing.assert_array_equal(discount_echoes(surprisal, 1, ALARM), surprisal)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 60),
    st.lists(st.floats(0, 12), min_size=1, max_size=300),
    st.integers(0, 299),
)
def test_the_discount_is_causal_and_never_adds(period, values, cut):
    surprisal = np.array(values)
    out = discount_echoes(surprisal, period, ALARM)
    assert (out >= 0).all() and (out <= surprisal).all()
    np.testing.assert_array_equal(discount_echoes(surprisal[:cut], period, ALARM), out[:cut])


def test_a_lowered_score_does_not_lower_the_bar_for_the_rows_after_it():
    """``rise`` with ``bar``: the recent scores the rows must rise above are the bar's."""
    score = np.r_[np.full(40, 0.1), 0.5, 0.1, 0.1, 0.45]
    bar = score.copy()
    own = score.copy()
    own[40] = 0.1  # the first peak was a recurrence: its own score is lowered
    shaped = rise(own, 30, 24, 0.3, 0.12, bar=bar)
    assert shaped[40] == 0.0 and shaped[43] == 0.0  # the second peak is no higher than the bar
    assert rise(own, 30, 24, 0.3, 0.12)[43] > 0.3  # without the bar it would have risen


def _daily_job(n_days: int = 12, seed: int = 0) -> pd.Series:
    """5-minute readings with a job's spike at about 02:30 every night, one real spike at
    midday on day 10 and one on the eleventh night, taller than the job's."""
    rng = np.random.default_rng(seed)
    per_day = 288
    y = 10 + rng.normal(0, 1, n_days * per_day)
    for day in range(n_days):
        y[day * per_day + 30 + rng.integers(-3, 4)] += 15.0
    y[10 * per_day + 150] += 15.0
    y[11 * per_day + 28 : 11 * per_day + 34] += 40.0
    index = pd.date_range("2024-01-01", periods=len(y), freq="5min")
    return pd.Series(y, index=index)


def _alert_times(detector, y: pd.Series, fit_rows: int) -> list:
    events = detector.fit(y.iloc[:fit_rows]).alerts(y.iloc[fit_rows:])
    return sorted((start.day, start.hour) for start in events["start"])


def test_a_nightly_job_stops_alerting_once_it_has_recurred_and_incidents_still_alert(
    monkeypatch,
):
    y, fit_rows = _daily_job(), 3 * 288
    alerts = _alert_times(GLUAnomalyDetector(), y, fit_rows)
    # the midday spike and the eleventh night's, far taller than the job's; the job itself,
    # every night, raises nothing
    assert alerts == [(11, 12), (12, 2)]
    monkeypatch.setattr(GLUAnomalyDetector, "_season", lambda self, state: 1)
    without = _alert_times(GLUAnomalyDetector(), y, fit_rows)
    assert len(without) > len(alerts) + 3  # without echoes the job alerts night after night


def test_updating_in_chunks_scores_a_recurring_surprise_exactly_as_at_once():
    """The stream keeps the rows that the echoes read (two seasons), across blocks too."""
    y, fit_rows = _daily_job(n_days=20, seed=1), 3 * 288
    detector = GLUAnomalyDetector(references=("level",), windows=(20, 50))
    at_once, chunked = detector.fit(y.iloc[:fit_rows]), clone(detector).fit(y.iloc[:fit_rows])
    assert chunked.streams_[0].block < len(y) - fit_rows  # the rows cross a block boundary
    expected = at_once.update(y.iloc[fit_rows:])
    cuts = [fit_rows, fit_rows + 100, fit_rows + 700, fit_rows + 701, 4000, len(y)]
    parts = [chunked.update(y.iloc[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    np.testing.assert_array_equal(pd.concat(parts).to_numpy(), expected.to_numpy())
