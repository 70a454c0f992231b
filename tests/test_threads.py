"""The default torch thread count (``n_threads=None``) and what thread counts change."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

from gluts._threads import MAX_DEFAULT_THREADS, default_threads


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.setenv("GLUTS_THREADS", "")  # recorded, so restored after the test


def test_environment_variable_wins(monkeypatch):
    monkeypatch.setenv("GLUTS_THREADS", " 3 ")
    assert default_threads() == 3


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_environment_variable_is_one_line_naming_it(monkeypatch, value):
    monkeypatch.setenv("GLUTS_THREADS", value)
    with pytest.raises(ValueError, match="^GLUTS_THREADS must be a positive integer") as info:
        default_threads()
    assert "\n" not in str(info.value) and repr(value) in str(info.value)


@pytest.mark.parametrize(("cpus", "expected"), [(1, 1), (2, 2), (64, MAX_DEFAULT_THREADS)])
def test_default_counts_the_cpus_of_the_process_capped(monkeypatch, cpus, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert default_threads() == expected


def test_without_affinity_the_cpu_count(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert default_threads() == 3


def test_one_thread_in_a_worker_process(monkeypatch):
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert default_threads() == 1


def test_one_thread_in_joblib_workers():
    from joblib import Parallel, delayed

    counts = Parallel(n_jobs=2, backend="loky")(delayed(default_threads)() for _ in range(2))
    assert counts == [1, 1]


def test_torch_threads_sets_the_default_and_restores(monkeypatch):
    import torch

    from gluts.forecasting.glu.runtime import torch_threads

    before = torch.get_num_threads()
    monkeypatch.setenv("GLUTS_THREADS", "3")
    with torch_threads(None):
        assert torch.get_num_threads() == 3
    with torch_threads(2):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == before


def _tiny_glu_forecast(n_threads: int) -> np.ndarray:
    from gluts import load_dataset
    from gluts.forecasting.glu import GLUForecaster

    y = load_dataset("monthly_seasonal")
    model = GLUForecaster(horizon=6, n_steps=30, random_state=0, n_threads=n_threads)
    return model.fit(y).predict()["GLU"].to_numpy()


def test_same_seed_and_thread_count_give_identical_forecasts():
    assert np.array_equal(_tiny_glu_forecast(1), _tiny_glu_forecast(1))
    assert np.array_equal(_tiny_glu_forecast(2), _tiny_glu_forecast(2))


def test_other_thread_counts_agree_closely_not_bitwise():
    # Measured: 1 and 2 threads differ in the last digits (summation order in torch's
    # parallel kernels, compounded over the training steps), not in substance.
    one, two = _tiny_glu_forecast(1), _tiny_glu_forecast(2)
    np.testing.assert_allclose(one, two, rtol=2e-2)
