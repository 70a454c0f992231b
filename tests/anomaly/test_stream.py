"""Stateful streaming (issue 15, item 3): ``update`` scores the rows after those seen, in chunks
exactly as at once; ``score`` changes nothing; gaps restart the context with one warning.

Exactness is ``np.array_equal``, not ``allclose``: rows are scored in fixed blocks computed
from fixed context (see :mod:`gluts.anomaly.stream`), so a row's score is the same function
of the same numbers however the rows were chunked, and forecast batches are padded to a
fixed shape so that torch runs the same kernels.
"""

import copy
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gluts.anomaly
from gluts import GLUAnomalyDetector, GLUForecaster, STLDetector, make_synthetic
from gluts.anomaly import BaseAnomalyDetector
from gluts.exceptions import DataError, StreamGapWarning

FIT = 300
LENGTH = 1300  # the rows after the fit cross block boundaries (blocks of 256 to 708 rows)


def _forecasting_glu():
    """A GLU detector that scores with a (tiny) GLU forecast: torch inside the stream."""
    forecaster = GLUForecaster(
        horizon=8,
        context_length=48,
        n_channels=16,
        n_steps=60,
        transform=None,
        random_state=0,
        n_threads=1,
    )
    return GLUAnomalyDetector(
        forecaster,
        references=("level", "forecast"),
        windows=(20, 50),
        forecast_context=48,
        selection_ratio=1.0,
        forecast_stride=8,
        shaping_window=30,
    )


def _cases():
    detectors = [
        obj
        for obj in vars(gluts.anomaly).values()
        if inspect.isclass(obj) and issubclass(obj, BaseAnomalyDetector)
    ]
    cases = []
    for cls in sorted(set(detectors) - {BaseAnomalyDetector}, key=lambda c: c.__name__):
        for i, params in enumerate(cls._test_params()):
            est = cls(**params)
            if "random_state" in est.get_params():
                est.set_params(random_state=0)
            cases.append(pytest.param(est, id=f"{cls.__name__}-{i}"))
    cases.append(pytest.param(_forecasting_glu(), id="GLUAnomalyDetector-forecast"))
    return cases


@pytest.fixture(scope="module")
def stream_data():
    """Two hourly series with anomalies: the fit rows and the rows after them."""
    frame = make_synthetic(n_series=2, length=LENGTH, n_anomalies=8, random_state=3)
    frame = frame.drop(columns="is_anomaly")
    position = frame.groupby("unique_id").cumcount()
    return frame[position < FIT], frame[position >= FIT].reset_index(drop=True)


_fitted = {}


def _fitted_detector(est, fit_rows):
    """A fitted copy of ``est`` (fitted once per data set, then copied)."""
    key = (repr(est), int(pd.util.hash_pandas_object(fit_rows).sum()))
    if key not in _fitted:
        _fitted[key] = copy.deepcopy(est).fit(fit_rows)
    return copy.deepcopy(_fitted[key])


def _chunks(frame, cuts):
    """Split a long frame into consecutive chunks of each series at the relative ``cuts``."""
    position = frame.groupby("unique_id").cumcount().to_numpy()
    n = position.max() + 1
    bounds = [0, *sorted({int(c * n) for c in cuts if 0 < int(c * n) < n}), n]
    return [frame[(position >= a) & (position < b)] for a, b in zip(bounds[:-1], bounds[1:])]


@pytest.mark.parametrize("est", _cases())
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cuts=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_updating_in_chunks_gives_exactly_the_scores_of_one_update(est, stream_data, cuts):
    fit_rows, new_rows = stream_data
    at_once = _fitted_detector(est, fit_rows)
    predicted = at_once.score(new_rows)  # score changes nothing and predicts update
    one_shot = at_once.alerts(new_rows)
    expected = at_once.update(new_rows)
    np.testing.assert_array_equal(predicted["score"], expected["score"])
    chunked = _fitted_detector(est, fit_rows)
    parts, starts = [], []
    for chunk in _chunks(new_rows, cuts):
        starts += chunked.alerts(chunk)["start"].tolist()
        parts.append(chunked.update(chunk))
    got = pd.concat(parts).sort_values(["unique_id", "ds"], kind="stable")
    want = expected.sort_values(["unique_id", "ds"], kind="stable")
    assert np.array_equal(got["score"].to_numpy(), want["score"].to_numpy())
    assert chunked.last_seen_ == at_once.last_seen_
    assert sorted(starts) == sorted(one_shot["start"].tolist())


@pytest.mark.parametrize("est", _cases()[:3] + _cases()[-1:])
def test_score_is_a_pure_function_of_the_state(est, stream_data):
    fit_rows, new_rows = stream_data
    det = _fitted_detector(est, fit_rows)
    first, second = _chunks(new_rows, [0.5])
    a = det.score(first)
    pd.testing.assert_frame_equal(det.score(first), a)
    with pytest.warns(StreamGapWarning):  # rows after a gap: scored, the stream stays put
        det.score(second)
    pd.testing.assert_frame_equal(det.update(first), a)
    assert det.score(None).equals(_fitted_detector(est, fit_rows).score(None))


def test_the_issue_reproduction_scores_the_same_in_two_updates_as_in_one():
    frame = make_synthetic(n_series=2, length=800, n_anomalies=3, random_state=1)
    frame = frame.drop(columns="is_anomaly")
    position = frame.groupby("unique_id").cumcount()
    fit_rows = frame[position < 400]
    first, second = frame[position.between(400, 599)], frame[position >= 600]
    det = GLUAnomalyDetector().fit(fit_rows)
    once = copy.deepcopy(det).update(frame[position >= 400])
    twice = pd.concat([det.update(first), det.update(second)])
    sort = ["unique_id", "ds"]
    np.testing.assert_array_equal(
        once.sort_values(sort)["score"].to_numpy(), twice.sort_values(sort)["score"].to_numpy()
    )


def test_rows_inside_the_fitted_history_are_scored_with_the_rows_before_them(stream_data):
    fit_rows, new_rows = stream_data
    series = pd.concat([fit_rows, new_rows]).query("unique_id == 'series_0'")
    y = series.set_index("ds")["y"]
    det = STLDetector(season_length=24, scale_window=50).fit(y.iloc[:FIT])
    whole = det.score(y)
    pd.testing.assert_series_equal(det.score(y.iloc[100:]), whole.iloc[100:])


def test_update_refuses_rows_already_seen(stream_data):
    fit_rows, new_rows = stream_data
    det = STLDetector(season_length=24, scale_window=50).fit(fit_rows)
    first, _ = _chunks(new_rows, [0.5])
    det.update(first)
    with pytest.raises(DataError, match=r"update takes the rows after those it has seen: series "):
        det.update(first)


def test_a_single_new_row_is_scored_on_the_fitted_frequency(stream_data):
    fit_rows, new_rows = stream_data
    det = STLDetector(season_length=24, scale_window=50).fit(fit_rows)
    whole = copy.deepcopy(det).update(new_rows.groupby("unique_id").head(3))
    for k in range(3):
        row = new_rows.groupby("unique_id").nth(k)
        np.testing.assert_array_equal(
            det.update(row)["score"].to_numpy(), whole.groupby("unique_id").nth(k)["score"]
        )


def test_a_gap_restarts_the_context_with_one_warning_line():
    frame = make_synthetic(n_series=1, length=1400, n_anomalies=0, random_state=2)
    y = frame.set_index("ds")["y"]
    det = STLDetector().fit(y.iloc[:700])
    det.update(y.iloc[700:900])
    with pytest.warns(StreamGapWarning) as caught:
        after_gap = det.score(y.iloc[1100:1300])  # 200 hourly steps are missing
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "\n" not in message and "'y' resumes at 2024-02-15 20:00:00" in message
    assert "after 2024-02-07 11:00:00 (200 missing steps)" in message
    # the context restarts: the rows before the gap do not matter, and the seasonal phase
    # stays on the clock, so the normal rows after it do not alarm (they did in issue 15)
    other = STLDetector().fit(y.iloc[:700])
    other.update(y.iloc[700:900] * 3 - 40)
    with pytest.warns(StreamGapWarning):
        pd.testing.assert_series_equal(other.score(y.iloc[1100:1300]), after_gap)
    assert (after_gap >= det.threshold_.threshold_).mean() < 0.02


def test_no_warning_without_a_gap(stream_data):
    fit_rows, new_rows = stream_data
    det = STLDetector(season_length=24, scale_window=50).fit(fit_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StreamGapWarning)
        det.update(new_rows)
