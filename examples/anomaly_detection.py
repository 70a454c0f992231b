"""Anomaly detection on synthetic metrics: calibrated scores, a risk-based threshold, alerts.

Run with ``python examples/anomaly_detection.py``; it takes a few seconds.
"""

from gluts.anomaly import GLUAnomalyDetector, SPOTThreshold, event_scores
from gluts.datasets import make_synthetic

# Three hourly series with injected spikes, level shifts and dropouts (is_anomaly = 1).
data = make_synthetic(n_series=3, length=1000, n_anomalies=4, random_state=7)
history = make_synthetic(n_series=3, length=1000, n_anomalies=0, random_state=7)
train = history.groupby("unique_id").head(400).drop(columns="is_anomaly")
new_rows = data.groupby("unique_id").tail(600).drop(columns="is_anomaly")

# Learn normal behaviour on the first 400 clean rows of each series. The threshold is the
# score whose calibrated false-alarm risk is 1 in 10,000 rows (peaks over threshold).
detector = GLUAnomalyDetector(
    smooth=1,
    threshold=SPOTThreshold(risk=1e-4),
    merge_gap=3,
)
detector.fit(train)
print("reference per series:", detector.references_)
print(f"threshold: {detector.threshold_.threshold_:.3f}")

# Score the 600 rows that follow, without refitting: the fitted history is the context.
scores = detector.score(new_rows)
labels = detector.predict(new_rows)
truth = data.groupby("unique_id").tail(600)["is_anomaly"].to_numpy()
print("event-wise:", {k: round(v, 2) for k, v in event_scores(truth, labels["anomaly"]).items()})

# One row per incident: when it started and ended, its peak, and what was expected there.
alerts = detector.alerts(new_rows)
columns = ["unique_id", "start", "end", "peak_score", "severity", "observed", "expected"]
print(alerts[columns].round({"peak_score": 2, "observed": 2, "expected": 2}).to_string(index=False))
