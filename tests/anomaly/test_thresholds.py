"""Fixed, quantile and SPOT thresholds."""

import numpy as np
import pytest

from gluts.anomaly import FixedThreshold, QuantileThreshold, SPOTThreshold


def test_fixed_and_quantile_thresholds():
    scores = np.linspace(0, 1, 1001)
    assert FixedThreshold(0.7).fit(scores).threshold_ == 0.7
    q = QuantileThreshold(0.9).fit(scores)
    assert q.threshold_ == pytest.approx(0.9)
    assert q.flag([0.5, 0.9, 0.95]).tolist() == [0, 1, 1]


def test_spot_threshold_sets_the_risk_level():
    rng = np.random.default_rng(3)
    spot = SPOTThreshold(risk=1e-3, init_quantile=0.95).fit(rng.exponential(size=20_000))
    assert spot.threshold_ == pytest.approx(-np.log(1e-3), rel=0.1)
    fresh = rng.exponential(size=200_000)
    assert spot.flag(fresh).mean() == pytest.approx(1e-3, rel=0.3)


def test_streaming_spot_adapts_to_a_heavier_stream():
    rng = np.random.default_rng(4)
    static = SPOTThreshold(risk=1e-3, init_quantile=0.9).fit(rng.exponential(size=2000))
    streaming = SPOTThreshold(risk=1e-3, init_quantile=0.9, update=True).fit(
        rng.exponential(size=2000)
    )
    heavier = rng.exponential(scale=2.0, size=20_000)
    assert streaming.flag(heavier).mean() < static.flag(heavier).mean() / 2


def test_threshold_rejects_empty_calibration():
    with pytest.raises(ValueError, match="no finite calibration score"):
        FixedThreshold().fit([np.nan])
