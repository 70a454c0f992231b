"""Scores that rank (issue 15, item 4): an uncapped surprisal per row, severity that follows
it, impossible thresholds refused; and the isolation forest scored from plain arrays."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from gluts import FixedThreshold, IsolationForestDetector, ZScoreDetector

N = 600


@pytest.fixture(scope="module")
def noise():
    t = pd.date_range("2024-01-01", periods=N, freq="h")
    return pd.Series(np.random.default_rng(0).normal(size=N), index=t)


def _spiked(y, sizes):
    out = y.copy()
    for k, size in enumerate(sizes):
        out.iloc[400 + 40 * k] += size
    return out


def test_surprisal_is_not_capped_and_orders_the_alerts(noise):
    det = ZScoreDetector(window=50).fit(noise.iloc[:300])
    sizes = [8.0, 30.0, 1e3, 1e6]
    y = _spiked(noise, sizes).iloc[300:]
    details = det.score_details(y)
    assert list(details.columns) == ["score", "surprisal", "anomaly", "expected", "lower", "upper"]
    peaks = details["surprisal"].iloc[[100 + 40 * k for k in range(4)]].to_numpy()
    assert (np.diff(peaks) > 0).all() and peaks[-1] > 300  # no 30/31 ceiling any more
    assert details["score"].max() < 1.0
    events = det.alerts(y).sort_values("surprisal")
    assert events["peak_time"].tolist() == [y.index[100 + 40 * k] for k in range(4)]
    assert events["peak_score"].is_monotonic_increasing
    assert events["severity"].iloc[-1] == "critical"
    rank = {"warning": 0, "critical": 1}
    assert events["severity"].map(rank).is_monotonic_increasing


def test_a_high_threshold_fires_on_an_extreme_row(noise):
    det = ZScoreDetector(window=50, threshold=0.98).fit(noise.iloc[:300])
    y = _spiked(noise, [1e6]).iloc[300:]
    assert det.predict(y).sum() == 1  # -log10 p of about 1e5: the score passes 0.98


@pytest.mark.parametrize("bad", [-1.0, 0.0, 1.0, 2.0])
def test_impossible_thresholds_are_refused(noise, bad):
    with pytest.raises(InvalidParameterError, match=r"'threshold' parameter of ZScoreDetector"):
        ZScoreDetector(threshold=bad).fit(noise)
    with pytest.raises(InvalidParameterError, match=r"'value' parameter of FixedThreshold"):
        ZScoreDetector(threshold=FixedThreshold(bad)).fit(noise)


def test_the_forest_arrays_score_exactly_as_scikit_learn():
    from sklearn.ensemble import IsolationForest

    from gluts.anomaly.forest import forest_arrays, isolation_scores

    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 6))
    for max_features in (1.0, 0.5):
        forest = IsolationForest(n_estimators=30, max_features=max_features, random_state=0)
        forest.fit(X)
        new = np.vstack([rng.normal(size=(200, 6)), rng.normal(scale=5, size=(20, 6))])
        np.testing.assert_array_equal(
            isolation_scores(forest_arrays(forest), new), forest.score_samples(new)
        )


def test_the_forest_detector_keeps_no_scikit_learn_object(noise):
    det = IsolationForestDetector(window=8, n_estimators=20, random_state=0).fit(noise)
    state = det.states_[0]
    assert {type(v).__name__ for v in vars(state.trees).values()} <= {"ndarray", "float"}
