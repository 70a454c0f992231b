"""The NAB scorer on constructed cases, and point- / event-wise precision, recall and F1."""

import numpy as np
import pytest

from gluts.anomaly import NABFile, event_scores, nab_score, point_scores
from gluts.anomaly.evaluation import NAB_PROFILES, probation_length

N = 1000
WINDOWS = [(300, 349), (700, 749)]


def _file(alarm_rows=(), windows=WINDOWS, n=N, name="f"):
    scores = np.zeros(n)
    scores[list(alarm_rows)] = 1.0
    return NABFile(scores, windows, name)


def test_probation_length_follows_nab():
    assert probation_length(1000) == 150
    assert probation_length(10_000) == 750


@pytest.mark.parametrize("profile", list(NAB_PROFILES))
def test_never_alarming_scores_zero(profile):
    files = [_file(), _file(windows=[(500, 599)])]
    result = nab_score(files, profile)
    assert result.score == pytest.approx(0.0)
    assert result.false_negatives == 3


@pytest.mark.parametrize("profile", list(NAB_PROFILES))
def test_one_alarm_at_each_window_start_scores_100(profile):
    files = [_file([300, 700]), _file([500], windows=[(500, 599)]), _file([], windows=[])]
    result = nab_score(files, profile)
    assert result.score == pytest.approx(100.0)
    assert (result.true_positives, result.false_positives) == (3, 0)


def test_alarms_in_the_probationary_period_are_ignored():
    alarms = [10, 50, 149]  # probation is the first 150 rows of 1000
    with_probation = nab_score([_file([300, 700, *alarms])], threshold=0.5)
    assert with_probation.score == pytest.approx(100.0)
    assert with_probation.false_positives == 0
    after = nab_score([_file([300, 700, 150])], threshold=0.5)
    assert after.false_positives == 1
    assert after.raw == pytest.approx(2 - 0.11)  # no window precedes it: full cost


def test_a_late_alarm_earns_less_and_only_the_first_counts():
    early = nab_score([_file([300])], threshold=0.5).raw
    middle = nab_score([_file([325])], threshold=0.5).raw
    late = nab_score([_file([349])], threshold=0.5).raw
    # the second window is missed (-1) in each case
    assert early > middle > late > -2.0
    assert early + 1.0 == pytest.approx(1.0)
    assert middle + 1.0 == pytest.approx(np.tanh(2.5 * 0.5) / np.tanh(2.5))
    both = nab_score([_file([300, 340])], threshold=0.5).raw
    assert both == pytest.approx(early)


def test_false_alarm_cost_grows_with_distance_from_the_previous_window():
    base = nab_score([_file([300, 700])], threshold=0.5).raw
    just_after = nab_score([_file([300, 700, 351])], threshold=0.5).raw
    far_after = nab_score([_file([300, 700, 500])], threshold=0.5).raw
    assert base - just_after == pytest.approx(0.11 * np.tanh(2.5 * 2 / 50))
    assert base - far_after == pytest.approx(0.11)


def test_profiles_weigh_false_positives_and_negatives():
    files = [_file([300, 200, 500])]  # window 2 missed, two false alarms
    low_fp = nab_score(files, "reward_low_FP_rate", threshold=0.5)
    standard = nab_score(files, "standard", threshold=0.5)
    low_fn = nab_score(files, "reward_low_FN_rate", threshold=0.5)
    assert standard.raw - low_fp.raw == pytest.approx(0.11 + 0.11 * np.tanh(2.5 * 151 / 50))
    assert low_fn.raw == pytest.approx(standard.raw - 1.0)


def test_threshold_is_optimised_once_over_all_files():
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 0.3, N)
    a[300] = 0.9  # a clear detection at a window start
    b = rng.uniform(0, 0.3, N)
    b[400] = 0.8  # a false alarm in a file without windows
    files = [NABFile(a, WINDOWS, "a"), NABFile(b, [], "b")]
    result = nab_score(files)
    assert 0.3 < result.threshold <= 0.8 or 0.8 < result.threshold <= 0.9
    grid = [nab_score(files, threshold=t).raw for t in np.linspace(0, 1, 101)]
    assert result.raw >= max(grid) - 1e-12


def test_binary_scores_cannot_opt_out_of_their_alarms():
    scores = np.ones(N)
    result = nab_score([NABFile(scores, WINDOWS, "all")])
    assert result.threshold <= 1.0
    assert result.false_positives > 0


def test_window_outside_file_is_rejected():
    with pytest.raises(ValueError, match="outside"):
        nab_score([_file(windows=[(990, 1005)])])


def test_point_and_event_scores():
    y_true = np.array([0, 1, 1, 1, 0, 0, 1, 0, 0, 0])
    y_pred = np.array([0, 0, 1, 0, 0, 0, 0, 0, 1, 1])
    assert point_scores(y_true, y_pred) == pytest.approx(
        {"precision": 1 / 3, "recall": 1 / 4, "f1": 2 / 7}
    )
    # true events: [1-3], [6]; predicted: [2], [8-9] -> one hit each way
    assert event_scores(y_true, y_pred) == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    )


def test_label_checks():
    with pytest.raises(ValueError, match="0/1"):
        point_scores([0, 1], [0, -1])
    with pytest.raises(ValueError, match="differ in length"):
        event_scores([0, 1], [0, 1, 1])
