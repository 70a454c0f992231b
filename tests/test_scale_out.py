"""Parallel runs give exactly the results of serial ones, under loky and on a Dask cluster.

Every estimator with ``n_jobs`` and :func:`gluts.backtest` run once with ``n_jobs=1`` and
once with ``n_jobs=2`` under joblib's loky backend and under a Dask ``LocalCluster`` (two
worker processes of one thread), with every series in its own task; the outputs must be
equal, bit for bit. The Dask cases are skipped when ``distributed`` is not installed
(``pip install 'gluts[dask]'``).
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
from joblib import parallel_config

import gluts
import gluts.anomaly
from gluts import _parallel
from gluts.base import BaseForecaster

H = 6


def _with_n_jobs(module, base) -> list:
    """The public estimators of ``module`` derived from ``base`` that take ``n_jobs``."""
    classes = {
        obj
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name)) and issubclass(obj, base)
    }
    found = [c for c in classes if "n_jobs" in c().get_params()]
    return sorted(found, key=lambda c: c.__name__)


FORECASTERS = _with_n_jobs(gluts, BaseForecaster)
DETECTORS = _with_n_jobs(gluts.anomaly, gluts.anomaly.BaseAnomalyDetector)


@pytest.fixture(scope="module")
def dask_client():
    """A two-process, one-thread-each Dask cluster, for the whole module."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(params=["loky", "dask"])
def backend(request, monkeypatch):
    """The joblib backend in force, with one task per series."""
    monkeypatch.setattr(_parallel, "TASK_SECONDS", 1e-9)
    if request.param == "dask":
        request.getfixturevalue("dask_client")
    with parallel_config(backend=request.param):
        yield request.param


def _build(cls, n_jobs: int, **extra):
    params = {**cls._test_params()[0], **extra, "n_jobs": n_jobs}
    est = cls(**params)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    if "horizon" in est.get_params():
        est.set_params(horizon=H)
    if "n_threads" in est.get_params():
        est.set_params(n_threads=1)
    return est


def test_every_estimator_with_n_jobs_is_covered():
    names = {c.__name__ for c in FORECASTERS + DETECTORS}
    assert {"ThetaForecaster", "ETSForecaster", "GLUForecaster", "SeasonalNaiveForecaster"} <= names
    assert {"IsolationForestDetector", "GLUAnomalyDetector", "STLDetector"} <= names


@pytest.mark.parametrize("cls", FORECASTERS, ids=lambda c: c.__name__)
def test_forecasts_equal_serial(cls, backend, make_panel):
    y, new = make_panel(n_series=4, length=120), make_panel(n_series=4, length=110, seed=3)

    def run(n_jobs):
        est = _build(cls, n_jobs).fit(y)
        return est.predict(H), est.predict(H, y=new)

    for serial, parallel in zip(run(1), run(2)):
        pd.testing.assert_frame_equal(serial, parallel, check_exact=True)


def _detector_outputs(est, y) -> list:
    fit = y.groupby("unique_id").head(300)
    est.fit(fit)
    rest = y.groupby("unique_id").tail(100)  # the rows after the fitted ones
    return [est.score(y), est.predict(y), est.alerts(y), est.update(rest)]


@pytest.mark.parametrize("cls", DETECTORS, ids=lambda c: c.__name__)
def test_detections_equal_serial(cls, backend, make_panel):
    y = make_panel(n_series=3, length=400)
    serial = _detector_outputs(_build(cls, 1), y)
    for a, b in zip(serial, _detector_outputs(_build(cls, 2), y)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_glu_detector_with_a_forecast_reference_equals_serial(backend, make_panel):
    from gluts.forecasting.glu import GLUForecaster

    y = make_panel(n_series=3, length=400)
    forecaster = GLUForecaster(
        horizon=8, context_length=24, n_channels=4, n_blocks=2, head_hidden=0, n_steps=5,
        transform=None, random_state=0, n_threads=1,
    )  # fmt: skip
    extra = {"forecaster": forecaster, "references": ("level", "forecast"), "selection_ratio": 1.0}
    extra.update(forecast_stride=8, forecast_context=48)
    serial = _detector_outputs(_build(gluts.GLUAnomalyDetector, 1, **extra), y)
    detector = _build(gluts.GLUAnomalyDetector, 2, **extra)
    parallel = _detector_outputs(detector, y)
    assert "forecast" in detector.references_.values()
    for a, b in zip(serial, parallel):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_backtests_equal_serial(backend, make_panel):
    y = make_panel(n_series=3, length=150)
    glu = _build(gluts.GLUForecaster, 1)

    def run(n_jobs):
        models = [gluts.ETSForecaster(), gluts.NaiveForecaster(), glu]
        return gluts.backtest(models, y, horizon=H, n_windows=2, n_jobs=n_jobs)

    serial, parallel = run(1), run(2)
    pd.testing.assert_frame_equal(serial.forecasts, parallel.forecasts, check_exact=True)
    pd.testing.assert_frame_equal(serial.metrics, parallel.metrics, check_exact=True)
    assert list(parallel.seconds) == list(serial.seconds)
