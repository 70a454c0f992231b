"""Surprisal density: a stretch of rows that are each a little surprising is rare together,
read with a tail of its own (issue 15: variance bursts, regime changes, denser spikes)."""

import numpy as np
import pandas as pd

from gluts.anomaly import GLUAnomalyDetector
from gluts.anomaly.calibration import DENSITY_WINDOWS, TailCalibrator

from .test_glu import _wandering


def _calibrator(k: int = 20, n: int = 600, seed: int = 0) -> TailCalibrator:
    z = np.abs(np.random.default_rng(seed).normal(size=(n, 1)))
    return TailCalibrator.fit(z, 0.9).fit_density([(0, z)], (k,), 0.9)


def test_rows_each_a_little_surprising_are_rare_together():
    calibrator = _calibrator()
    z = np.abs(np.random.default_rng(1).normal(size=(300, 1)))
    z[200:240] = 1.8  # each row about a 7% tail event: none surprising on its own
    row, both = calibrator.row_surprisal(z), calibrator.surprisal(z)
    assert row[200:240].max() < 2.0
    assert both[239] > 4.0 and both[239] > 3 * row[239]
    # on normal rows the density does not speak: a Bonferroni halving at most
    np.testing.assert_allclose(both[:200], np.maximum(row[:200] - np.log10(2), 0), atol=1.5)
    assert both[:200].max() < row[:200].max()


def test_one_spike_does_not_make_the_rows_after_it_dense():
    calibrator = _calibrator()
    z = np.abs(np.random.default_rng(2).normal(size=(300, 1)))
    z[150] = 40.0  # a surprisal of tens, counted as INCIDENT_LOG10 in the density
    both, row = calibrator.surprisal(z), calibrator.row_surprisal(z)
    assert both[150] > 20
    assert both[151:170].max() < 3.0 and both[151:170].max() < row[:150].max() + 1.0


def test_a_density_is_calibrated_on_several_windows_of_scored_rows_or_not_at_all():
    k = 20
    z = np.abs(np.random.default_rng(3).normal(size=(60 + DENSITY_WINDOWS * k, 1)))
    z[:60] = np.nan  # a warm-up: rows without a surprise do not count
    calibrator = TailCalibrator.fit(z, 0.9)
    assert calibrator.fit_density([(0, z)], (k,), 0.9).density[0][1] is not None
    short = z[:-1]  # one scored row too few
    assert calibrator.fit_density([(0, short)], (k,), 0.9).density == ((k, None),)
    # without a density tail the surprisal is the rows'
    plain = calibrator.fit_density([(0, short)], (k,), 0.9)
    np.testing.assert_array_equal(plain.surprisal(z), calibrator.row_surprisal(z))


def _denser_spikes() -> pd.Series:
    y = np.random.default_rng(5).normal(size=3000)
    y[np.arange(25, 3000, 60)] += 5.0  # a spike every 60 rows is how the series behaves
    y[np.arange(2000, 2080, 5)] += 5.0  # for 80 rows, one every 5: none taller than usual
    return pd.Series(10 + y)


def test_the_level_reference_finds_denser_spikes_by_their_density():
    series = _denser_spikes()
    found = {}
    for windows in ((20, 40), ()):
        detector = GLUAnomalyDetector(references=("level",), density_windows=windows)
        surprisal = detector.fit(series.iloc[:1000]).score_details(series.iloc[1000:])
        surprisal = surprisal["surprisal"]
        found[windows] = surprisal.loc[2000:2079].max() / surprisal.loc[:1999].max()
        assert (detector.calibrators_[0].density != ()) == bool(windows)
    assert found[(20, 40)] > 8.0 and found[()] < 4.0  # 13.8 and 2.7


def test_the_forecast_reference_gets_no_density():
    # its fit rows are in-sample: the forecaster learnt them, later rows surprise it more
    detector = GLUAnomalyDetector(
        references=("level", "forecast"), windows=(50, 200), forecast_stride=6
    )
    detector.fit(_wandering().iloc[:500])
    assert detector.references_ == {0: "forecast"}
    assert detector.calibrators_[0].density == ()
