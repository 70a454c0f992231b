"""``--n-jobs`` and ``--scheduler`` through the installed ``gluts`` executable.

Parallel runs write the same files as serial ones; ``--scheduler`` runs the same work on a
Dask cluster given by its scheduler file or address. The data are large enough for ETS to
be cut into several tasks (see :mod:`gluts._parallel`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import long_frame

GLUTS = Path(sys.executable).with_name("gluts")

pytestmark = pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")


def run(*args):
    return subprocess.run(
        [str(GLUTS), *map(str, args)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Four hourly series of 420 rows: about 2.5 s of estimated ETS work, two tasks or more."""
    path = tmp_path_factory.mktemp("scale") / "sales.csv"
    long_frame(n_series=4, length=420).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def scheduler_file(tmp_path_factory):
    """The scheduler file of a two-worker Dask LocalCluster (as `dask scheduler` writes)."""
    distributed = pytest.importorskip("distributed")
    path = tmp_path_factory.mktemp("dask") / "scheduler.json"
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"scheduler_file": str(path)},
    ) as cluster:
        yield path, cluster


def _computed(cluster) -> float:
    """Seconds the cluster's workers have computed gluts tasks (joblib names them after
    ``gluts._parallel._task``)."""
    prefixes = cluster.scheduler.task_prefixes.items()
    return sum(p.all_durations["compute"] for name, p in prefixes if "_task" in name)


def _backtest(data: Path, out: Path, *options) -> tuple[bytes, bytes]:
    metrics, forecasts = out / "metrics.csv", out / "forecasts.csv"
    done = run(
        "backtest", data, "--models", "ets,snaive", "--horizon", "12", "--windows", "1",
        "--output", metrics, "--forecasts", forecasts, "--quiet", *options,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return metrics.read_bytes(), forecasts.read_bytes()


def _forecast(data: Path, out: Path, *options) -> bytes:
    path = out / "forecast.csv"
    done = run(
        "forecast", data, "--model", "ets", "--horizon", "12", "--output", path, "--quiet",
        *options,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return path.read_bytes()


def test_n_jobs_2_writes_the_files_of_n_jobs_1(data, tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    serial.mkdir(), parallel.mkdir()
    assert _backtest(data, serial, "--n-jobs", "1") == _backtest(data, parallel, "--n-jobs", "2")
    assert _forecast(data, serial, "--n-jobs", "1") == _forecast(data, parallel, "--n-jobs", "2")


def test_scheduler_file_or_address_runs_on_the_cluster_with_the_same_results(
    data, tmp_path, scheduler_file
):
    path, cluster = scheduler_file
    serial, on_file, on_address = tmp_path / "serial", tmp_path / "file", tmp_path / "address"
    for folder in (serial, on_file, on_address):
        folder.mkdir()
    reference = _backtest(data, serial, "--n-jobs", "1")
    # (the tests' GLUTS_N_JOBS=1 would keep the work here: joblib runs n_jobs=1 serially)
    assert _backtest(data, on_file, "--scheduler", path, "--n-jobs=-1") == reference
    assert _computed(cluster) > 0
    seen = _computed(cluster)
    forecast = _forecast(data, serial, "--n-jobs", "1")
    options = ("--scheduler", cluster.scheduler_address, "--n-jobs=-1")
    assert _forecast(data, on_address, *options) == forecast
    assert _computed(cluster) > seen


def test_scheduler_that_is_neither_an_address_nor_a_file_is_a_usage_error(data):
    done = run("forecast", data, "--model", "naive", "--horizon", "3", "--scheduler", "nowhere")
    assert done.returncode == 2
    assert "neither a scheduler address" in done.stderr and done.stdout == ""


def test_scheduler_without_the_dask_extra_is_a_usage_error(data, runner, monkeypatch):
    from gluts.cli import app

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    args = ["forecast", str(data), "--model", "naive", "--horizon", "3"]
    result = runner.invoke(app, [*args, "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert "--scheduler needs the dask extra: pip install 'gluts[dask]'" in result.stderr


def test_unreachable_scheduler_is_one_error_line(data, runner, monkeypatch):
    pytest.importorskip("distributed")
    from gluts._cli import scaling
    from gluts.cli import app

    monkeypatch.setattr(scaling, "CONNECT_SECONDS", 1)
    args = ["forecast", str(data), "--model", "naive", "--horizon", "3"]
    result = runner.invoke(app, [*args, "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Could not connect to the Dask scheduler tcp://")
    assert result.stderr.count("\n") == 1
