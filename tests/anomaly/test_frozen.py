"""Frozen readings scored as they happen: a value repeated row after row in a series whose
fit rows hardly repeat a value is a sensor that stopped updating (issue 15: stuck values were
found half of the time, on the slow drift of the season away from the frozen value)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gluts.anomaly import GLUAnomalyDetector
from gluts.anomaly.frozen import FROZEN_RUN, frozen_surprisal, repeat_surprisal

from .test_incidents import LENGTH, N_FIT, ONSET, _clean, _frozen


def test_a_frozen_reading_is_surprising_from_its_frozen_run_on_and_more_with_each_repeat():
    values = np.array([1.0, 2, 2, 2, 2, 2, 3, 3, 3, 4])
    out = frozen_surprisal(values, 2.5)
    # repeats in a row: 0 1 2 3 4 0 1 2 0 after the first row
    np.testing.assert_array_equal(out, [0, 0, 0, 0, 2.5 * FROZEN_RUN, 10.0, 0, 0, 0, 0])
    np.testing.assert_array_equal(frozen_surprisal(values, 0.0), np.zeros(10))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=60), st.integers(0, 60))
def test_the_frozen_surprisal_is_causal(values, cut):
    values = np.array(values, dtype=float)
    out = frozen_surprisal(values, 1.0)
    np.testing.assert_array_equal(frozen_surprisal(values[:cut], 1.0), out[:cut])


def test_a_repeat_is_rare_only_where_the_fit_rows_hardly_repeat_a_value():
    clean = _clean(600)
    assert repeat_surprisal(clean) == -np.log10(1 / 600)  # never: one row's share
    # a frozen stretch in the fit rows is not how the values repeat
    assert repeat_surprisal(_frozen(clean, 300, 20)) == -np.log10(1 / 600)
    assert repeat_surprisal(np.round(clean / 5)) == 0.0  # a quantised reading repeats
    assert repeat_surprisal(_frozen(clean, 100, 400)) == 0.0  # a flat line
    assert repeat_surprisal(np.zeros(0)) == 0.0


def _alerts(y: np.ndarray) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(y), freq="h")
    series = pd.Series(y, index=index)
    detector = GLUAnomalyDetector().fit(series.iloc[:N_FIT])
    events = detector.alerts(series.iloc[N_FIT:])
    return events.assign(row=[index.get_loc(t) for t in events["start"]])


def test_a_reading_that_stops_updating_alerts_once_at_its_onset():
    """Frozen at the value before the onset for a day, in a fit that held a frozen stretch
    too: one alert, within the frozen run's rows of the onset (the value itself is normal)."""
    y = _frozen(_frozen(_clean(LENGTH), 200, 20), ONSET, 24)
    events = _alerts(y)
    assert len(events) == 1
    assert 0 <= events["row"].iloc[0] - ONSET <= FROZEN_RUN


def test_a_quantised_reading_repeats_without_alerts():
    y = np.round(_clean(LENGTH, seed=2) / 4) * 4  # repeats all the time, by a few rows
    assert repeat_surprisal(y[:N_FIT]) == 0.0
    assert _alerts(y).empty
