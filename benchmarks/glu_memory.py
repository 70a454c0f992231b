"""Peak memory of ``GLUForecaster.fit`` on a big panel (issue 17: 100,000 series x 500 steps).

Builds a seeded long frame (``unique_id, ds, y``; hourly, each series with its own level and
phase) in this process, then fits a default ``GLUForecaster`` with a small ``--n-steps``, so
that the preparation of the training data (reading the panel, scaling, calendar features,
the float32 tensors) dominates. Reports the resident memory after building the frame, the
peak during ``fit`` (``VmHWM`` after resetting it, on Linux; the lifetime peak elsewhere),
and the seconds.

Example (heavy: run it alone; about 6 GB and a few minutes at 100,000 series)::

    python benchmarks/glu_memory.py --series 100000 --length 500 --n-steps 2 --json mem.json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from _common import peak_rss_mib, reset_peak_rss


def long_frame(n_series: int, length: int, seed: int = 0) -> pd.DataFrame:
    """``n_series`` positive hourly series of ``length`` rows: a daily cycle and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    level = rng.uniform(10, 1000, size=(n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_series, 1))
    y = level * (1 + 0.2 * np.sin(2 * np.pi * t / 24 + phase))
    y += rng.normal(scale=0.02, size=y.shape) * level
    ids = np.array([f"id{k:06d}" for k in range(n_series)], dtype=object)
    ds = pd.date_range("2024-01-01", periods=length, freq="h")
    return pd.DataFrame(
        {"unique_id": np.repeat(ids, length), "ds": np.tile(ds, n_series), "y": y.ravel()}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--n-steps", type=int, default=2)
    parser.add_argument("--json", help="write the measurements here")
    args = parser.parse_args()

    from gluts import GLUForecaster

    frame = long_frame(args.series, args.length)
    data_mib = reset_peak_rss()
    start = time.perf_counter()
    GLUForecaster(horizon=24, n_steps=args.n_steps, random_state=0).fit(frame)
    seconds = time.perf_counter() - start
    result = {
        "series": args.series,
        "length": args.length,
        "n_steps": args.n_steps,
        "rss_with_data_mib": round(data_mib),
        "peak_rss_fit_mib": round(peak_rss_mib()),
        "fit_seconds": round(seconds, 1),
    }
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
