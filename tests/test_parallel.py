"""The parallel helper: how work is cut into tasks, what a task gets, and what comes back."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_config

from gluts import ThetaForecaster, ZScoreDetector, _parallel
from gluts._parallel import TASK_SECONDS, TASKS_PER_WORKER, map_series, run, series_seed, split
from gluts._threads import default_threads, in_task, single_threaded
from gluts.exceptions import GlutsWarning


def test_one_worker_or_little_work_is_one_chunk_here():
    assert split([10.0] * 8, n_jobs=1) == [slice(0, 8)]
    assert split([10.0] * 8, n_jobs=None) == [slice(0, 8)]  # joblib's default: one job
    assert split([0.1] * 15, n_jobs=2) == [slice(0, 15)]  # 1.5 s: not worth two tasks
    assert split([], n_jobs=2) == []


def test_chunks_are_contiguous_cover_everything_and_hold_at_least_a_task_of_work():
    chunks = split([0.25] * 24, n_jobs=2)  # 6 s of work: six tasks of a second
    assert len(chunks) == 6
    assert [c.start for c in chunks[1:]] == [c.stop for c in chunks[:-1]]
    assert chunks[0].start == 0 and chunks[-1].stop == 24
    assert all(0.25 * (c.stop - c.start) >= TASK_SECONDS for c in chunks)


def test_at_most_a_few_tasks_per_worker_of_about_equal_cost():
    costs = np.r_[np.full(50, 10.0), np.full(50, 1.0)]  # expensive series first
    chunks = split(costs, n_jobs=2)
    assert len(chunks) == TASKS_PER_WORKER * 2
    per_task = [costs[c].sum() for c in chunks]
    assert max(per_task) <= 2 * costs.sum() / len(chunks)


def test_the_backend_in_force_gives_the_number_of_workers():
    with parallel_config(backend="threading", n_jobs=3):
        assert len(split([5.0] * 100, n_jobs=None)) == TASKS_PER_WORKER * 3


def _square(x):
    return x * x


def test_results_come_back_in_order_with_progress():
    ticks = []
    out = run([(_square, (k,)) for k in range(7)], n_jobs=2, progress=lambda: ticks.append(1))
    assert out == [k * k for k in range(7)]
    assert len(ticks) == 7


def test_backends_that_cannot_stream_results_give_them_in_order_too():
    with parallel_config(backend="multiprocessing"):
        assert run([(_square, (k,)) for k in range(5)], n_jobs=2) == [0, 1, 4, 9, 16]


def _warn_then(value, text):
    warnings.warn(text, GlutsWarning, stacklevel=1)
    return value


def test_warnings_raised_in_tasks_are_raised_again_here():
    with pytest.warns(GlutsWarning, match="from task 1"):
        out = run([(_warn_then, (k, f"from task {k}")) for k in range(3)], n_jobs=2)
    assert out == [0, 1, 2]


def _fail_at(k, bad):
    if k in bad:
        raise ValueError(f"series {k} is bad")
    return k


def test_the_first_failing_task_in_order_raises_as_a_serial_run_would():
    calls = [(_fail_at, (k, {2, 4})) for k in range(6)]
    with pytest.raises(ValueError, match="^series 2 is bad$"):
        run(calls, n_jobs=2)
    with pytest.raises(ValueError, match="^series 2 is bad$"):
        run(calls, n_jobs=1)


def _inside():
    import torch
    from threadpoolctl import threadpool_info

    blas = [pool["num_threads"] for pool in threadpool_info()]
    return in_task(), default_threads(), torch.get_num_threads(), blas, _nested()


def _nested():
    """What gluts' own parallel work does inside a task: one chunk, run here."""
    return split([100.0] * 10, n_jobs=-1)


def test_a_task_runs_single_threaded_and_nests_nothing():
    import torch  # loaded before the task starts, as when a task receives a torch model

    before = torch.get_num_threads()
    flag, default, torch_threads, blas, nested = run([(_inside, ())] * 2, n_jobs=2)[0]
    assert flag and default == 1 and torch_threads == 1 and set(blas) <= {1}
    assert nested == [slice(0, 10)]
    with single_threaded():
        assert _inside()[:3] == (True, 1, 1)
    assert not in_task() and torch.get_num_threads() == before


def _describe(worker, chunk, shared):
    fitted = sorted(k for k in vars(worker) if k.endswith("_"))
    return [(type(worker).__name__, fitted, item, shared) for item in chunk]


def test_each_task_gets_an_unfitted_clone_its_items_and_the_shared_value(make_panel):
    fitted = ZScoreDetector(window=20).fit(make_panel(n_series=2, length=150))
    out = map_series(_describe, fitted, ["a", "b", "c", "d"], n_jobs=2, seconds=[1.0] * 4, shared=7)
    assert out == [("ZScoreDetector", [], item, 7) for item in "abcd"]


def test_predict_on_new_history_sends_no_fitted_state(make_panel, monkeypatch):
    y = make_panel(n_series=6, length=120)
    model = ThetaForecaster(season_length=24, n_jobs=2).fit(y)
    sent = []
    real_run = _parallel.run
    monkeypatch.setattr(_parallel, "TASK_SECONDS", 1e-9)  # one task per series

    def spy(calls, n_jobs, progress=None):
        sent.extend(len(pickle.dumps(args)) for _, args in calls)
        return real_run(calls, n_jobs, progress)

    monkeypatch.setattr(_parallel, "run", spy)
    model.predict(12, y=y)
    assert len(sent) == 6
    assert max(sent) < len(pickle.dumps(model)) / 10  # its series and the parameters only


def test_series_seeds_depend_on_the_base_and_the_id_only():
    seeds = {series_seed(0, sid) for sid in ("a", "b", 1, 2, ("a", 1))}
    assert len(seeds) == 5 and all(0 <= s < 2**31 - 1 for s in seeds)
    assert series_seed(0, "a") != series_seed(1, "a")
    assert series_seed(3, np.int64(7)) == series_seed(3, 7)
    code = "from gluts._parallel import series_seed; print(series_seed(5, 'store_7'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.stdout.strip() == str(series_seed(5, "store_7"))  # not Python's salted hash
    workers = Parallel(n_jobs=2)(delayed(series_seed)(5, "store_7") for _ in range(2))
    assert workers == [series_seed(5, "store_7")] * 2
