"""Anomaly detection: detectors, thresholds, alert events and NAB-style evaluation.

Label convention: **1 = anomaly, 0 = normal** (gluts does not use scikit-learn's -1/1).
"""

from gluts.anomaly.base import BaseAnomalyDetector
from gluts.anomaly.detectors import (
    IsolationForestDetector,
    MADDetector,
    STLDetector,
    ZScoreDetector,
)
from gluts.anomaly.evaluation import NABFile, NABResult, event_scores, nab_score, point_scores
from gluts.anomaly.events import event_spans
from gluts.anomaly.glu import GLUAnomalyDetector
from gluts.anomaly.thresholds import FixedThreshold, QuantileThreshold, SPOTThreshold

__all__ = [
    "BaseAnomalyDetector",
    "FixedThreshold",
    "GLUAnomalyDetector",
    "IsolationForestDetector",
    "NABFile",
    "NABResult",
    "QuantileThreshold",
    "MADDetector",
    "ZScoreDetector",
    "SPOTThreshold",
    "STLDetector",
    "event_scores",
    "event_spans",
    "nab_score",
    "point_scores",
]
