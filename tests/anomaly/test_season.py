"""The season a series' own values show, the seasonal reference without incident seasons, and
the seasonal stream beside the GLU forecast (issue 15: defaults from the user's own data)."""

import numpy as np
import pandas as pd
import pytest

from gluts import load
from gluts.anomaly import GLUAnomalyDetector
from gluts.anomaly.season import detect_season, seasonal_reference

DAY = 48


def _seasonal(n: int, period: int, seed: int = 0, noise: float = 0.2) -> np.ndarray:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return 10 + np.sin(2 * np.pi * t / period) + rng.normal(0, noise, n)


@pytest.mark.parametrize("period", [12, 24, 288])
def test_the_season_of_repeating_values_is_found_from_two_cycles(period):
    # noise can move the autocorrelation's peak by a row on a long season
    assert abs(detect_season(_seasonal(2 * period + 30, period)) - period) <= period // 100


def test_a_longer_cycle_with_a_weaker_one_inside_is_the_stronger_one():
    t = np.arange(1000)
    y = 3 * np.sin(2 * np.pi * t / 100) + 0.5 * np.sin(2 * np.pi * t / 20)
    assert detect_season(y) == 100


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).normal(size=600),  # noise
        np.cumsum(np.random.default_rng(1).normal(size=600)),  # a random walk
        np.linspace(0, 10, 600) + np.random.default_rng(2).normal(0, 0.1, 600),  # a trend
        np.full(600, 3.0),  # constant
        _seasonal(30, 24),  # too short for two cycles
    ],
    ids=["noise", "random_walk", "trend", "constant", "short"],
)
def test_values_that_do_not_repeat_have_no_season(values):
    assert detect_season(values) == 1


def test_non_finite_values_are_left_out():
    y = _seasonal(600, 24)
    y[[5, 100, 300]] = np.nan
    assert detect_season(y) == 24


def test_the_seasonal_reference_leaves_out_seasons_with_missing_past_rows():
    values = np.tile(np.arange(4.0), 4)  # period 4, smooth 1: the reference is the value
    past = values.copy()
    past[4:12] = 100.0  # an incident over two seasons is two of the last three...
    smoothed, reference = seasonal_reference(values, 4, 1, 3, past)
    assert reference[12:16].tolist() == [100.0, 100.0, 100.0, 100.0]
    past[4:12] = np.nan  # ...unless its rows are left out: the season without it
    _, reference = seasonal_reference(values, 4, 1, 3, past)
    np.testing.assert_array_equal(reference[12:16], values[12:16])
    np.testing.assert_array_equal(smoothed, values)


@pytest.fixture(scope="module")
def wrong_day():
    """A daily pattern at 48 rows a day, given as plain rows (no frequency to read the
    season from), and a copy where day 15 has its peak and trough swapped."""
    y = _seasonal(1000, DAY, seed=3, noise=0.05)
    bad = y.copy()
    day = slice(15 * DAY, 16 * DAY)
    bad[day] = 20 - bad[day]
    detector = GLUAnomalyDetector().fit(pd.Series(y[:500]))
    after = pd.RangeIndex(500, len(y))  # the rows after the fitted ones
    return detector, pd.Series(y[500:], after), pd.Series(bad[500:], after)


def test_the_season_is_read_from_the_fit_rows_and_seasons_the_forecast(wrong_day):
    detector = wrong_day[0]
    state = detector.states_[0]
    assert detector.season_length_ == 1  # no frequency
    assert (state.period, state.reference, state.support) == (DAY, "forecast", "seasonal")
    assert detector.get_params()["season_length"] is None
    no_season = GLUAnomalyDetector(season_length=1).fit(wrong_day[1].to_numpy())
    assert no_season.states_[0].support == ""


def test_a_day_of_the_wrong_shape_is_one_alert_at_its_start(wrong_day):
    detector, y, bad = wrong_day
    assert detector.alerts(y).empty
    events = detector.alerts(bad)
    assert len(events) == 1
    assert 0 <= events["start"].iloc[0] - 15 * DAY <= 2


def test_the_seasonal_stream_survives_save_and_load(wrong_day, tmp_path):
    detector, _, bad = wrong_day
    detector.save(tmp_path / "det.gluts")
    loaded = load(tmp_path / "det.gluts")
    assert loaded.states_ == detector.states_
    pd.testing.assert_series_equal(loaded.score(bad), detector.score(bad))
