"""GLU forecasts are batch-invariant: a series' forecast does not depend on its company.

CPU kernels choose their reduction order by the shape of the whole batch, so the same series
forecast alone and among 49 others differed by up to 1e-6 before every forward pass got one
shape (``inference.BATCH`` series, padded).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gluts import _parallel
from gluts.forecasting.glu import GLUForecaster
from gluts.forecasting.glu.inference import BATCH

from ..conftest import seasonal_panel


@pytest.fixture(scope="module")
def fitted():
    y = seasonal_panel(n_series=50, length=160, seed=4)
    model = GLUForecaster(horizon=6, n_channels=8, n_steps=10, random_state=0)
    return model.fit(y), y


def _one(frame: pd.DataFrame, sid: str) -> np.ndarray:
    return frame[frame["unique_id"] == sid].drop(columns=["unique_id"]).to_numpy()


def test_a_series_alone_and_in_any_batch_gets_the_same_forecast(fitted):
    model, y = fitted
    everything = model.predict()
    assert len(model.series_ids_) % BATCH != 0  # the last batch is padded
    for k in (0, 7, 17, 49):
        sid = f"s{k}"
        alone = model.predict(y=y[y["unique_id"] == sid])
        assert np.array_equal(_one(alone, sid), _one(everything, sid))
    others = y[y["unique_id"].isin(["s49", "s3", "s30"])]  # other companions, other order
    assert np.array_equal(_one(model.predict(y=others), "s49"), _one(everything, "s49"))


def test_thread_counts_and_parallel_tasks_leave_forecasts_alone(fitted, monkeypatch):
    model, y = fitted
    monkeypatch.setenv("GLUTS_THREADS", "1")  # the thread count of n_threads=None
    reference = model.predict()
    monkeypatch.setenv("GLUTS_THREADS", "2")
    two_threads = model.predict(y=y)
    monkeypatch.setenv("GLUTS_THREADS", "1")  # before loky's workers start: they keep it
    model.set_params(n_jobs=2)  # acts at once: it changes how, not what
    monkeypatch.setattr(_parallel, "TASK_SECONDS", 1e-9)  # tasks of a few series each
    in_tasks = model.predict(y=y)
    model.set_params(n_jobs=None)
    pd.testing.assert_frame_equal(reference, in_tasks, check_exact=True)
    values = reference.drop(columns=["unique_id", "ds"]).to_numpy()
    assert np.array_equal(values, two_threads.drop(columns=["unique_id", "ds"]).to_numpy())
