"""Metric values on hand-computed cases, edge cases and a few properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gluts import metrics

Y = np.array([2.0, 4.0, 6.0])
F = np.array([1.0, 4.0, 9.0])  # errors: 1, 0, -3


def test_mae_rmse_mape_by_hand():
    assert metrics.mae(Y, F) == pytest.approx(4 / 3)
    assert metrics.rmse(Y, F) == pytest.approx(np.sqrt(10 / 3))
    # |e|/|y| = 1/2, 0, 3/6 -> mean 1/3 -> 33.33 %
    assert metrics.mape(Y, F) == pytest.approx(100 / 3)


def test_smape_by_hand_and_zero_terms():
    # 2*1/3, 0, 2*3/15 -> (0.6667 + 0 + 0.4) / 3 * 100
    assert metrics.smape(Y, F) == pytest.approx(100 * (2 / 3 + 0.4) / 3)
    assert metrics.smape([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert metrics.smape([0.0], [5.0]) == pytest.approx(200.0)


def test_mase_and_rmsse_by_hand():
    train = np.array([1.0, 3.0, 2.0, 5.0])
    # lag-1 in-sample |diffs|: 2, 1, 3 -> scale 2; MAE 4/3 -> MASE 2/3
    assert metrics.mase(Y, F, train) == pytest.approx(2 / 3)
    # lag-2 |diffs|: 1, 2 -> scale 1.5
    assert metrics.mase(Y, F, train, season_length=2) == pytest.approx((4 / 3) / 1.5)
    # squared lag-1 diffs: 4, 1, 9 -> 14/3; MSE 10/3 -> sqrt(10/14)
    assert metrics.rmsse(Y, F, train) == pytest.approx(np.sqrt(10 / 14))


def test_scaled_metrics_with_zero_scale_are_infinite():
    assert metrics.mase([1.0], [2.0], [3.0, 3.0, 3.0]) == np.inf
    assert np.isnan(metrics.mase([1.0], [1.0], [3.0, 3.0, 3.0]))


def test_scaled_metrics_need_more_than_one_season():
    with pytest.raises(ValueError, match=r"more than season_length=3 values .* got 3"):
        metrics.mase(Y, F, [1.0, 2.0, 3.0], season_length=3)


def test_shape_mismatch_echoes_shapes():
    with pytest.raises(ValueError, match=r"got \(3,\) and \(2,\)"):
        metrics.mae(Y, [1.0, 2.0])


def test_owa_of_naive2_is_one():
    assert metrics.owa(18.383, 2.395, 18.383, 2.395) == 1.0
    assert metrics.owa(9.0, 2.0, 18.0, 2.0) == pytest.approx(0.75)


def test_pinball_by_hand_and_median_is_half_mae():
    y = np.array([10.0, 20.0])
    qv = np.array([[8.0, 12.0], [25.0, 30.0]])
    # q=0.1: e=2 -> 0.2; e=-5 -> 4.5. q=0.9: e=-2 -> 0.2; e=-10 -> 1.0
    assert metrics.pinball_loss(y, qv, [0.1, 0.9]) == pytest.approx((0.2 + 4.5 + 0.2 + 1.0) / 4)
    median = np.array([[12.0], [15.0]])
    assert metrics.pinball_loss(y, median, [0.5]) == pytest.approx(
        0.5 * metrics.mae(y, median[:, 0])
    )


def test_scaled_crps_by_hand():
    y = np.array([10.0, 20.0])
    qv = np.array([[8.0, 12.0], [25.0, 30.0]])
    # per level: 2*(0.2+4.5)=9.4, 2*(0.2+1.0)=2.4 -> mean 5.9, over sum |y| = 30
    assert metrics.scaled_crps(y, qv, [0.1, 0.9]) == pytest.approx(5.9 / 30)


def test_quantile_shape_and_level_errors():
    with pytest.raises(
        ValueError, match=r"shape \(len\(y_true\), len\(quantiles\)\); got \(2, 1\)"
    ):
        metrics.pinball_loss([1.0, 2.0], [[1.0], [2.0]], [0.1, 0.9])
    with pytest.raises(ValueError, match=r"quantiles must lie in \(0, 1\); got \[0.0\]"):
        metrics.pinball_loss([1.0], [[1.0]], [0.0])


def test_coverage_counts_bounds_as_covered():
    assert metrics.coverage([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 3.5, 0.0], [2.0, 2.0, 4.0, 3.0]) == 0.5


def test_coverage_of_a_missing_value_is_unknown_like_the_errors():
    y, lower, upper = [1.0, np.nan, 3.0], [0.0, 0.0, 0.0], [5.0, 5.0, 5.0]
    assert np.isnan(metrics.coverage(y, lower, upper)) and np.isnan(metrics.mae(y, upper))
    assert np.isnan(metrics.coverage([1.0], [np.nan], [2.0]))


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=20))
def test_smape_is_bounded(pairs):
    y, f = np.array(pairs).T
    assert 0.0 <= metrics.smape(y, f) <= 200.0 + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-100, 100), min_size=6, max_size=20),
    st.floats(0.01, 1000.0),
    st.integers(0, 2**16),
)
def test_mase_is_scale_invariant(train, factor, seed):
    train = np.array(train)
    if np.all(train[1:] == train[:-1]):
        return
    rng = np.random.default_rng(seed)
    y, f = rng.normal(size=4), rng.normal(size=4)
    a = metrics.mase(y, f, train)
    b = metrics.mase(y * factor, f * factor, train * factor)
    assert b == pytest.approx(a, rel=1e-9)
