"""Fit and predict a small GLUForecaster and score a GLUAnomalyDetector; print digests.

Run as a script by ``test_determinism.py``, once per process; prints one JSON line with the
SHA-256 of the forecast and of the anomaly scores (their float64 bytes).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from corpus import seasonal  # noqa: E402

from gluts import GLUAnomalyDetector, GLUForecaster  # noqa: E402

SMALL = dict(n_channels=8, n_blocks=2, n_steps=20, batch_size=8, context_length=24, n_threads=1)


def digest(values) -> str:
    """SHA-256 of the values as contiguous float64 bytes."""
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes()).hexdigest()


def main() -> None:
    y = seasonal(2, 160)
    forecast = GLUForecaster(6, random_state=7, **SMALL).fit(y).predict()
    values = forecast.drop(columns=["unique_id", "ds"]).to_numpy()
    series = y[y["unique_id"] == "s0"].set_index("ds")["y"].copy()
    series.iloc[120] += 15.0
    detector = GLUAnomalyDetector(
        GLUForecaster(24, random_state=3, **SMALL),
        references=("level", "seasonal", "forecast"),
        windows=(20, 50),
        forecast_context=48,
    )
    scores = detector.fit(series.iloc[:100]).score(series).to_numpy()
    sample = [float(values[0, 0]), float(scores[120])]
    print(json.dumps({"forecast": digest(values), "scores": digest(scores), "sample": sample}))


if __name__ == "__main__":
    main()
