"""Every detector: the estimator contract, detection on synthetic data, causality, scoring
appended rows without refitting, layouts and the label convention (1 = anomaly)."""

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import gluts.anomaly
from gluts.anomaly import BaseAnomalyDetector, event_scores
from gluts.exceptions import DataError

DETECTORS = sorted(
    (
        obj
        for obj in vars(gluts.anomaly).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseAnomalyDetector)
        and obj is not BaseAnomalyDetector
    ),
    key=lambda cls: cls.__name__,
)
CASES = [
    pytest.param(cls, params, id=f"{cls.__name__}-{i}")
    for cls in DETECTORS
    for i, params in enumerate(cls._test_params())
]
SKLEARN_CHECKS = [
    check_estimator_cloneable,
    check_no_attributes_set_in_init,
    check_estimator_repr,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_do_not_raise_errors_in_init_or_set_params,
]
FIT_ROWS = 300


def _make(cls, params):
    est = cls(**params)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    return est


def _series(frame, sid="series_0"):
    return frame[frame.unique_id == sid].set_index("ds")["y"]


def test_all_detectors_are_collected():
    names = {cls.__name__ for cls in DETECTORS}
    assert names >= {
        "GLUAnomalyDetector",
        "IsolationForestDetector",
        "MADDetector",
        "STLDetector",
        "ZScoreDetector",
    }


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("cls", "params"), CASES)
def test_sklearn_data_free_checks(cls, params, check):
    est = cls(**params)
    check(type(est).__name__, est)


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_fit_contract_and_pickle(cls, params, panels):
    _, clean = panels
    est = _make(cls, params)
    with pytest.raises(NotFittedError):
        est.score(clean)
    before = est.get_params()
    assert est.fit(clean) is est
    assert est.get_params().keys() == before.keys()
    with pytest.raises(NotFittedError):
        clone(est).predict(clean)
    scores = est.score(clean)
    assert list(scores.columns) == ["unique_id", "ds", "score"]
    values = scores["score"].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()
    again = pickle.loads(pickle.dumps(est)).score(clean)
    pd.testing.assert_frame_equal(again, scores)


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_injected_anomalies_are_found_and_normal_stretches_are_quiet(cls, params, panels):
    dirty, clean = panels
    est = _make(cls, params).fit(clean.groupby("unique_id").head(FIT_ROWS))
    labels = est.predict(dirty.drop(columns="is_anomaly"))
    assert set(np.unique(labels["anomaly"])) <= {0, 1}
    truth = dirty["is_anomaly"].to_numpy()
    flagged = labels["anomaly"].to_numpy()
    assert event_scores(truth, flagged)["recall"] >= 0.5
    # rows more than two seasons away from any anomaly stay quiet
    near = (
        pd.Series(truth)
        .groupby(dirty["unique_id"].to_numpy())
        .transform(lambda s: s.rolling(97, center=True, min_periods=1).max())
    ).to_numpy()
    assert flagged[near == 0].mean() < 0.02


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_scores_are_causal(cls, params, panels):
    _, clean = panels
    y = _series(clean)
    est = _make(cls, params).fit(y.iloc[:FIT_ROWS])
    changed = y.copy()
    changed.iloc[500:] = changed.iloc[500:] * 3 + 50
    a, b = est.score(y), est.score(changed)
    np.testing.assert_array_equal(a.iloc[:500].to_numpy(), b.iloc[:500].to_numpy())
    assert not np.array_equal(a.iloc[500:].to_numpy(), b.iloc[500:].to_numpy())


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_appended_rows_are_scored_with_the_fitted_context(cls, params, panels):
    _, clean = panels
    y = _series(clean)
    est = _make(cls, params).fit(y.iloc[:FIT_ROWS])
    appended = est.score(y.iloc[FIT_ROWS:])
    whole = est.score(y)
    pd.testing.assert_series_equal(appended, whole.iloc[FIT_ROWS:])


@pytest.mark.parametrize(
    "layout", ["series", "wide", "long", "array_1d", "array_2d"], ids=lambda s: s
)
def test_outputs_follow_the_input_layout(layout, panels):
    from gluts.anomaly import MADDetector

    _, clean = panels
    wide = clean.pivot(index="ds", columns="unique_id", values="y")
    data = {
        "series": wide["series_0"],
        "wide": wide,
        "long": clean,
        "array_1d": wide["series_0"].to_numpy(),
        "array_2d": wide.to_numpy(),
    }[layout]
    det = MADDetector(window=20).fit(data)
    score, label = det.score(data), det.predict(data)
    if layout == "series":
        assert isinstance(score, pd.Series) and score.index.equals(data.index)
    elif layout == "wide":
        assert list(score.columns) == list(wide.columns) and score.index.equals(wide.index)
    elif layout == "long":
        assert list(label.columns) == ["unique_id", "ds", "anomaly"]
        assert len(score) == len(clean)
    else:
        assert isinstance(score, np.ndarray) and score.shape == data.shape
    labels = label["anomaly"] if layout == "long" else label
    assert np.asarray(labels).dtype.kind == "i"


def test_labels_are_one_where_scores_reach_the_threshold(panels):
    from gluts.anomaly import ZScoreDetector

    dirty, clean = panels
    det = ZScoreDetector(threshold=0.2).fit(_series(clean).iloc[:FIT_ROWS])
    y = _series(dirty)
    score, label = det.score(y), det.predict(y)
    np.testing.assert_array_equal(label.to_numpy(), (score >= 0.2).astype(int).to_numpy())
    assert label.sum() > 0


def test_alerts_are_one_row_per_event(panels):
    from gluts.anomaly import MADDetector

    dirty, clean = panels
    det = MADDetector(merge_gap=3).fit(clean.groupby("unique_id").head(FIT_ROWS))
    y = dirty.drop(columns="is_anomaly")
    events = det.alerts(y)
    assert list(events.columns[:4]) == ["unique_id", "start", "end", "peak_time"]
    assert len(events) >= 3
    assert (events["start"] <= events["peak_time"]).all()
    assert (events["peak_time"] <= events["end"]).all()
    assert (events["lower"] <= events["expected"]).all()
    assert (events["expected"] <= events["upper"]).all()
    merged_less = MADDetector(merge_gap=0).fit(clean.groupby("unique_id").head(FIT_ROWS))
    assert len(merged_less.alerts(y)) >= len(events)


def test_unknown_series_and_short_history_are_named(panels):
    from gluts.anomaly import STLDetector, ZScoreDetector

    _, clean = panels
    det = ZScoreDetector(window=20).fit(clean[clean.unique_id == "series_0"])
    with pytest.raises(DataError, match="'series_1' was not seen in fit"):
        det.score(clean)
    with pytest.raises(ValueError, match=r"2 \* season_length \+ 1 = 49 .* series 'y' has 30"):
        STLDetector().fit(_series(clean).iloc[:30])


@pytest.mark.parametrize("rows", [2, 20])
def test_a_fit_too_short_to_score_any_row_is_named(panels, rows):
    """The GLU detector's warm-up can take every fit row: no scored row to calibrate on is
    the one-line error naming the series, not a failed reshape of nothing."""
    from gluts.anomaly import GLUAnomalyDetector
    from gluts.exceptions import InsufficientHistoryError

    _, clean = panels
    with pytest.raises(InsufficientHistoryError, match=r"scored points .* series 'y' has fewer"):
        GLUAnomalyDetector().fit(_series(clean).iloc[:rows])


def test_threshold_objects_are_fitted_on_calibration_scores(panels):
    from gluts.anomaly import QuantileThreshold, ZScoreDetector

    _, clean = panels
    det = ZScoreDetector(threshold=QuantileThreshold(0.99)).fit(_series(clean))
    assert 0 < det.threshold_.threshold_ < 1
    assert det.predict(_series(clean)).mean() == pytest.approx(0.01, abs=0.01)


def test_stl_calibrates_on_a_fit_shorter_than_twice_its_scale_window():
    """NAB's realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv: 186 fit rows, where the
    rolling MAD of 500 rows (100 needed) left no residual to calibrate on."""
    from gluts.anomaly import STLDetector

    y = pd.Series(np.random.default_rng(0).lognormal(14, 0.3, 1200))
    detector = STLDetector(season_length=1).fit(y.iloc[:186])
    scores = detector.score(y)
    assert np.isfinite(scores).all() and (scores.iloc[200:] > 0).any()
    assert detector.states_[0].window == 230  # 5 * (186 // 4): rows from 92 on calibrate
    assert STLDetector(season_length=1).fit(y.iloc[:480]).states_[0].window == 500
