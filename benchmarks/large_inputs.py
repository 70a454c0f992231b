"""Large inputs through the command line: seconds and peak memory of each run.

Generates two CSV files (not timed): one series of ``--rows`` minutely rows (``ds,y``), and a
long file of ``--series`` hourly series of ``--length`` rows each (``unique_id,ds,y``). Each
goes through ``gluts forecast --model snaive`` and ``gluts detect --model zscore`` in a fresh
process. Seconds are wall-clock from process start to exit (imports included); peak memory
is the process's maximum resident set size, from ``os.wait4`` as ``/usr/bin/time`` reports
it, with its CPU seconds (user + system), which other load on the machine inflates less
than the wall-clock time (joblib workers, when any, are separate processes and count in
neither).

Example::

    python benchmarks/large_inputs.py --json large_inputs.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

LAUNCH = "from gluts.cli import main; main()"
TARGET_SECONDS = 60.0


def write_single(path: Path, rows: int, seed: int = 0) -> None:
    """One minutely series with a daily cycle, noise and a few spikes."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    y = 100 + 10 * np.sin(2 * np.pi * t / 1440) + rng.normal(scale=1.0, size=rows)
    y[rng.choice(rows, size=20, replace=False)] += 40
    ds = pd.date_range("2020-01-01", periods=rows, freq="min")
    pd.DataFrame({"ds": ds, "y": np.round(y, 3)}).to_csv(path, index=False)


def write_long(path: Path, n_series: int, length: int, seed: int = 0) -> None:
    """``n_series`` hourly series of ``length`` rows, each with its own level and phase."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    level = rng.uniform(10, 1000, size=(n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_series, 1))
    y = level * (1 + 0.2 * np.sin(2 * np.pi * t / 24 + phase))
    y += rng.normal(scale=0.02, size=y.shape) * level
    ds = pd.date_range("2024-01-01", periods=length, freq="h")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat([f"id{k:05d}" for k in range(n_series)], length),
            "ds": np.tile(ds, n_series),
            "y": np.round(y.ravel(), 3),
        }
    )
    frame.to_csv(path, index=False)


def run(args: list[str], folder: Path) -> dict:
    """Run ``gluts ARGS``; return its exit code, wall seconds and peak memory (MiB)."""
    start = time.perf_counter()
    with open(folder / "stdout.txt", "w") as out, open(folder / "stderr.txt", "w") as err:
        process = subprocess.Popen([sys.executable, "-c", LAUNCH, *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    error = (folder / "stderr.txt").read_text().strip().splitlines()
    return {
        "exit_code": process.returncode,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mib": round(peak_kib / 1024, 1),
        "last_stderr_line": error[-1] if error else "",
    }


def benchmark(folder: Path, rows: int, n_series: int, length: int, n_jobs: int) -> list[dict]:
    """Generate both files in ``folder`` and run each command on each; return the rows."""
    single, long = folder / "single_series.csv", folder / "many_series.csv"
    write_single(single, rows)
    write_long(long, n_series, length)
    commands = {
        "forecast snaive": ["forecast", "{data}", "--horizon", "24", "--model", "snaive"],
        "detect zscore": ["detect", "{data}", "--model", "zscore"],
    }
    results = []
    for data, shape in ((single, f"{rows:,} rows x 1 series"), (long, _shape(n_series, length))):
        size_mib = data.stat().st_size / 2**20
        for name, template in commands.items():
            args = [a.format(data=data) for a in template]
            args += ["--quiet"] + (["--n-jobs", str(n_jobs)] if name.startswith("forecast") else [])
            row = {"input": data.name, "shape": shape, "csv_mib": round(size_mib, 1)}
            row |= {"command": name, **run(args, folder)}
            results.append(row)
            print(_line(row), flush=True)
    return results


def _shape(n_series: int, length: int) -> str:
    return f"{n_series * length:,} rows x {n_series:,} series"


def _line(row: dict) -> str:
    verdict = "ok" if row["exit_code"] == 0 and row["seconds"] < TARGET_SECONDS else "MISSED"
    return (
        f"{row['input']:<18} {row['shape']:<30} {row['command']:<16} "
        f"{row['seconds']:>8.1f} s {row['cpu_seconds']:>8.1f} s {row['peak_mib']:>9.1f} MiB  "
        f"exit {row['exit_code']}  {verdict}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="Folder for the generated files (default: temp).")
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows of the single series.")
    parser.add_argument("--series", type=int, default=10_000, help="Series of the long file.")
    parser.add_argument("--length", type=int, default=200, help="Rows per series (long file).")
    parser.add_argument("--n-jobs", type=int, default=1, help="--n-jobs of gluts forecast.")
    parser.add_argument("--json", type=Path, help="Write the results here.")
    args = parser.parse_args(argv)
    print(f"{'input':<18} {'shape':<30} {'command':<16} {'wall':>10} {'cpu':>10} {'peak':>13}")
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        results = benchmark(args.dir, args.rows, args.series, args.length, args.n_jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="gluts-large-") as tmp:
            results = benchmark(Path(tmp), args.rows, args.series, args.length, args.n_jobs)
    if args.json is not None:
        doc = {"target_seconds": TARGET_SECONDS, "cpu_count": os.cpu_count(), "runs": results}
        args.json.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
