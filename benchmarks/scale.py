"""Scaling out: backtest and detection on N synthetic series, serial vs loky vs a Dask cluster.

For each N of ``--series``: a seeded panel of N hourly series (``--length`` rows, each with
its own level, trend, daily cycle and noise, a few spikes), then

* ``backtest``: ``gluts.backtest`` of ``--models`` (SeasonalNaive, Theta, ETS by default;
  the SeasonalNaive reference is always in), horizon 24, 3 windows;
* ``detect``: each of ``--detectors`` fitted on the first 15% of every series (at least 200
  rows; STL with a 48-row scale window) and scoring all of it;

each in every mode of ``--modes``: ``serial`` (``n_jobs=1``), ``loky`` (``n_jobs=--workers``,
joblib's default backend) and ``dask`` (a ``distributed.LocalCluster`` of ``--workers``
processes of one thread, ``joblib.parallel_config(backend="dask")``, ``n_jobs=-1``). A row
gives the wall-clock seconds, the peak resident memory of this process and the sum of the
peaks of its worker processes (loky's workers, the cluster's; reset before each run on
Linux), and whether the results equal the serial run's exactly (``-`` for serial itself).

The pools are warmed up first (workers started, statsmodels and gluts imported), so the
seconds are those of the work; the per-task overhead is measured apart: the seconds per
task of ``--overhead-tasks`` empty tasks through ``gluts._parallel.run`` on each backend.

Example (the issue's measurement; hours of CPU: run it on a quiet machine)::

    python benchmarks/scale.py --series 1000,10000 --models snaive,theta,ets --json scale.json

``--series 1000 --models snaive`` finishes in about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

MODELS = {
    "snaive": lambda: __import__("gluts").SeasonalNaiveForecaster(season_length=24),
    "theta": lambda: __import__("gluts").ThetaForecaster(season_length=24),
    "ets": lambda: __import__("gluts").ETSForecaster(season_length=24),
}
DETECTORS = {
    "zscore": lambda n_jobs: __import__("gluts").ZScoreDetector(n_jobs=n_jobs),
    "stl": lambda n_jobs: __import__("gluts").STLDetector(
        season_length=24, scale_window=48, n_jobs=n_jobs
    ),
    "iforest": lambda n_jobs: __import__("gluts").IsolationForestDetector(
        random_state=0, n_jobs=n_jobs
    ),
}
HORIZON, WINDOWS = 24, 3


def panel(n_series: int, length: int, seed: int = 0) -> pd.DataFrame:
    """A long frame of ``n_series`` positive hourly series (seeded)."""
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    level = rng.uniform(20, 500, size=(n_series, 1))
    trend = rng.normal(scale=0.002, size=(n_series, 1)) * level
    phase = rng.uniform(0, 2 * np.pi, size=(n_series, 1))
    y = level + trend * t + 0.2 * level * np.sin(2 * np.pi * t / 24 + phase)
    y += rng.normal(scale=0.03, size=y.shape) * level
    spikes = rng.random(y.shape) < 0.002
    y[spikes] += 0.5 * np.broadcast_to(level, y.shape)[spikes]
    ids = np.array([f"s{k:06d}" for k in range(n_series)], dtype=object)
    ds = pd.date_range("2024-01-01", periods=length, freq="h")
    return pd.DataFrame(
        {"unique_id": np.repeat(ids, length), "ds": np.tile(ds, n_series), "y": y.ravel()}
    )


# -- memory ---------------------------------------------------------------------------------


def _processes() -> list[int]:
    """This process and its descendants (workers), by pid."""
    import psutil

    me = psutil.Process()
    return [me.pid, *(child.pid for child in me.children(recursive=True))]


def _reset_peaks() -> None:
    for pid in _processes():
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            pass


def _peak_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _peaks() -> tuple[float, float]:
    """Peak MiB of this process, and the sum over its worker processes."""
    pids = _processes()
    return _peak_mib(pids[0]), sum(_peak_mib(pid) for pid in pids[1:])


# -- workloads ------------------------------------------------------------------------------


def run_backtest(y: pd.DataFrame, models: list[str], n_jobs: int) -> dict:
    from gluts import backtest

    result = backtest([MODELS[m]() for m in models], y, HORIZON, WINDOWS, n_jobs=n_jobs)
    return {"forecasts": result.forecasts, "metrics": result.metrics}


def run_detect(y: pd.DataFrame, detector: str, n_jobs: int) -> dict:
    fit_rows = max(200, int(0.15 * y.groupby("unique_id", sort=False).size().min()))
    est = DETECTORS[detector](n_jobs).fit(y.groupby("unique_id", sort=False).head(fit_rows))
    return {"scores": est.score(y)}


def _equal(a: dict, b: dict) -> bool:
    return all(a[k].equals(b[k]) for k in a)


def _noop() -> None:
    return None


def _warm() -> int:
    import statsmodels.tsa.api  # noqa: F401  (imported once per worker, before timing)

    import gluts.forecasting  # noqa: F401

    return os.getpid()


def overhead(n_tasks: int, n_jobs: int) -> float:
    """Seconds per empty task through gluts' parallel helper on the active backend."""
    from gluts._parallel import run

    run([(_noop, ())] * 4, n_jobs)  # pool up
    start = time.perf_counter()
    run([(_noop, ())] * n_tasks, n_jobs)
    return (time.perf_counter() - start) / n_tasks


# -- driver ---------------------------------------------------------------------------------


def _mode(name: str, workers: int):
    """(context manager, n_jobs) of a mode; the cluster lives as long as the context."""
    from contextlib import ExitStack

    from joblib import parallel_config

    from gluts._parallel import run

    stack = ExitStack()
    if name == "serial":
        return stack, 1
    if name == "loky":
        stack.enter_context(parallel_config(backend="loky"))
        n_jobs = workers
    else:
        import distributed

        cluster = stack.enter_context(
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        )
        stack.enter_context(distributed.Client(cluster))
        stack.enter_context(parallel_config(backend="dask"))
        n_jobs = -1
    run([(_warm, ())] * (4 * workers), n_jobs)
    return stack, n_jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="1000,10000", help="comma-separated N")
    parser.add_argument("--length", type=int, default=336, help="rows per series")
    parser.add_argument("--models", default="snaive,theta,ets")
    parser.add_argument("--detectors", default="zscore,stl,iforest")
    parser.add_argument("--modes", default="serial,loky,dask")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead-tasks", type=int, default=200)
    parser.add_argument("--json", help="write every row here")
    args = parser.parse_args()
    sizes = [int(n) for n in args.series.split(",")]
    models = [m for m in args.models.split(",") if m]
    detectors = [d for d in args.detectors.split(",") if d]
    modes = sorted(args.modes.split(","), key=lambda m: m != "serial")  # serial first
    warnings.simplefilter("ignore")  # statsmodels' convergence notices, per series

    rows, serial, overheads = [], {}, {}
    for mode in modes:
        stack, n_jobs = _mode(mode, args.workers)
        with stack:
            if mode != "serial":
                overheads[mode] = round(1e3 * overhead(args.overhead_tasks, n_jobs), 2)
            for n in sizes:
                y = panel(n, args.length)
                work = [(f"backtest {'+'.join(models)}", run_backtest, models)] if models else []
                work += [(f"detect {d}", run_detect, d) for d in detectors]
                for label, function, what in work:
                    _reset_peaks()
                    start = time.perf_counter()
                    out = function(y, what, n_jobs)
                    seconds = time.perf_counter() - start
                    own, workers_mib = _peaks()
                    key = (n, label)
                    if mode == "serial":
                        serial[key], equal = out, "-"
                    else:
                        equal = _equal(out, serial[key]) if key in serial else "no serial run"
                    rows.append(
                        {
                            "series": n,
                            "work": label,
                            "mode": mode,
                            "seconds": round(seconds, 2),
                            "peak_mib": round(own),
                            "workers_peak_mib": round(workers_mib),
                            "equal_to_serial": equal,
                        }
                    )
                    print(_line(rows[-1]), flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False))
    print("\nper-task overhead (ms, empty task):", overheads)
    if args.json:
        doc = {"length": args.length, "workers": args.workers, "rows": rows}
        doc["task_overhead_ms"] = overheads
        Path(args.json).write_text(json.dumps(doc, indent=2, default=str))


def _line(row: dict) -> str:
    return "  ".join(f"{k}={v}" for k, v in row.items())


if __name__ == "__main__":
    main()
