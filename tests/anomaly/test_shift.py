"""Shift streams: a sustained departure from the level before, too small for any one row to
surprise, read with the normal tail and combined with the reference's streams by their
maximum (issue 15: incidents that unfold over rows, NAB's subtle level changes)."""

import numpy as np
import pandas as pd
import pytest

from gluts.anomaly import GLUAnomalyDetector
from gluts.anomaly.calibration import TailCalibrator, normal_log_tail, to_unit
from gluts.anomaly.stream import finish_blocks
from gluts.anomaly.surprise import Surprise, shift_z


def _noise(n: int = 3000, seed: int = 0) -> np.ndarray:
    return 10 + np.random.default_rng(seed).normal(size=n)


def test_normal_log_tail_is_the_two_sided_normal_tail_and_never_capped():
    out = normal_log_tail(np.array([0.0, 1.959964, np.nan, 10.0, 40.0, 41.0]))
    np.testing.assert_allclose(out[:3], [0.0, -np.log10(0.05), 0.0], atol=1e-6)
    assert 22 < out[3] < 24 and out[4] > 340 and out[5] > out[4]


def test_shift_z_is_standardised_on_noise_and_causal():
    x = _noise()
    z = shift_z(x, 20, 1000, 1e-9)
    assert np.isnan(z[:150]).all() and np.isfinite(z[200:]).all()  # 50 rows, twice, + shifts
    assert 0.8 < np.mean(z[1200:] ** 2) < 1.25  # |N(0, 1)|: mean square 1
    changed = x.copy()
    changed[2000:] += 5.0
    np.testing.assert_array_equal(shift_z(changed, 20, 1000, 1e-9)[:2000], z[:2000])


def test_a_small_sustained_shift_stands_out_once_it_has_lasted():
    x = _noise(seed=1)
    x[2000:2100] += 0.8  # 0.8 noise sd: no single row is surprising
    z = shift_z(x, 40, 1000, 1e-9)
    assert z[2039] > 4.5 and np.nanmax(z[1200:2000]) < 4.0


def test_standardised_streams_join_the_calibrated_mean_by_their_maximum():
    rng = np.random.default_rng(0)
    calibrated = np.abs(rng.normal(size=(400, 2)))
    standardised = np.abs(rng.normal(size=(400, 3)))
    calibrator = TailCalibrator.fit(calibrated, 0.9)
    nan = np.full(400, np.nan)
    z = np.column_stack([calibrated, standardised])
    score, surprisal, _ = finish_blocks(
        calibrator, [(0, Surprise(z, nan, nan, nan))], 10.0, None, 0.12
    )
    mean = calibrator.log_surprise(calibrated).mean(axis=1)
    looks = np.column_stack([mean, normal_log_tail(standardised)])
    expected = np.maximum(looks.max(axis=1) - np.log10(4), 0.0)
    np.testing.assert_allclose(surprisal, expected)
    np.testing.assert_allclose(score, to_unit(expected, 10.0))


def test_the_level_reference_finds_a_subtle_shift_that_it_alone_misses():
    y = _noise(seed=2)
    y[2000:2100] += 0.8
    series = pd.Series(y)
    rows = series.iloc[1000:]
    for scales, found in (((10, 20, 40), True), ((), False)):  # 9x and 1.6x
        detector = GLUAnomalyDetector(
            references=("level",), shift_scales=scales, density_windows=()
        )
        surprisal = detector.fit(series.iloc[:1000]).score_details(rows)["surprisal"]
        clean, shifted = surprisal.loc[:1999].max(), surprisal.loc[2000:2099].max()
        assert (shifted > 2.5 * clean) == found, (scales, clean, shifted)


def test_only_the_level_reference_gets_shift_streams():
    t = np.arange(1200)
    y = pd.Series(
        20 + 5 * np.sin(2 * np.pi * t / 300) + np.random.default_rng(3).normal(0, 0.1, 1200)
    )
    detector = GLUAnomalyDetector(season_length=1).fit(y.iloc[:600])
    state = detector.states_[0]
    assert state.reference == "forecast" and detector._standardised_streams(state) == 0
    assert detector._surprise(state, y.to_numpy()).z.ndim == 1


@pytest.mark.parametrize("scales", [(1,), (10, 1.5)])
def test_shift_scales_must_be_ints_of_at_least_two(scales):
    with pytest.raises(ValueError, match="shift_scales"):
        GLUAnomalyDetector(shift_scales=scales).fit(pd.Series(_noise(600)))
