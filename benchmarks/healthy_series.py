"""Healthy-series benchmark: how many alerts each CLI detector raises where nothing happens.

Protocol: for each noise shape and seed, one series of ``--length`` 5-minute rows with no
anomaly at all, of a shape that monitoring data takes: white noise, a persistent AR(1), a
random walk, Poisson counts and overdispersed (negative binomial) counts with a daily cycle,
Student-t noise (3 degrees of freedom) on a daily cycle, log-normal values and a clipped
utilisation percentage. A detector, built as ``gluts detect`` builds it (the CLI registry, the
season inferred from the 5-minute frequency, seed 0), is fitted on the first
``--train-fraction`` of the rows (the CLI's default) and raises alerts on the rows after them
(``alerts``). Every alert is false: the table gives alerts and alerts per 10,000 scored rows,
per detector and shape and pooled over the shapes (``all``). The synthetic-anomaly benchmark's
``none`` kind asks the same on ``make_synthetic``'s clean signal.

Usage::

    GLUTS_THREADS=1 python benchmarks/healthy_series.py --json healthy.json
    GLUTS_THREADS=1 python benchmarks/healthy_series.py --detectors glu --shapes white,counts
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import listed_names, pooled_rows, write_results  # noqa: E402

from gluts._cli.registry import DETECTORS, build  # noqa: E402

DAY = 288  # 5-minute rows


def _daily(n: int) -> np.ndarray:
    return np.sin(2 * np.pi * np.arange(n) / DAY)


def _ar1(rng: np.random.Generator, n: int, phi: float = 0.9) -> np.ndarray:
    noise, out = rng.normal(size=n), np.empty(n)
    out[0] = noise[0]
    for t in range(1, n):
        out[t] = phi * out[t - 1] + noise[t]
    return out


SHAPES: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "white": lambda rng, n: rng.normal(size=n),
    "ar1": _ar1,
    "random_walk": lambda rng, n: np.cumsum(rng.normal(size=n)),
    "counts": lambda rng, n: rng.poisson(5 * (1.2 + _daily(n))).astype(float),
    "bursty_counts": lambda rng, n: rng.poisson(
        20 * (1.2 + _daily(n)) * rng.gamma(2.0, 0.5, n)
    ).astype(float),
    "heavy_tails": lambda rng, n: 10 * _daily(n) + rng.standard_t(3, n),
    "lognormal": lambda rng, n: np.exp(rng.normal(0.0, 0.7, n)),
    "utilisation": lambda rng, n: np.clip(20 + 5 * _daily(n) + rng.gamma(1.5, 2.0, n), 0, 100),
}


def healthy_series(shape: str, seed: int, length: int) -> pd.Series:
    """A seeded 5-minute series of ``shape`` without anomalies."""
    rng = np.random.default_rng([seed, list(SHAPES).index(shape)])
    index = pd.date_range("2024-01-01", periods=length, freq="5min")
    return pd.Series(SHAPES[shape](rng, length), index=index, name=shape)


def run(name: str, shape: str, seeds: list[int], args) -> dict:
    """Fit detector ``name`` on the start of each seed's series; its alerts on the rest."""
    alerts, rows, start = 0, 0, time.perf_counter()
    for seed in seeds:
        y = healthy_series(shape, seed, args.length)
        n_fit = int(round(args.train_fraction * len(y)))
        detector = build(name, DETECTORS, random_state=0, n_threads=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alerts += len(detector.fit(y.iloc[:n_fit]).alerts(y.iloc[n_fit:]))
        rows += len(y) - n_fit
    return {"alerts": alerts, "rows": rows, "seconds": time.perf_counter() - start}


def summary(counts: dict) -> dict:
    per_10k = 1e4 * counts["alerts"] / max(counts["rows"], 1)
    return {**counts, "seconds": round(counts["seconds"], 2), "alerts_per_10k": per_10k}


def _line(name: str, shape: str, row: dict) -> str:
    return (
        f"{name:9s} {shape:14s} {row['alerts']:7d} {row['rows']:8d} "
        f"{row['alerts_per_10k']:8.2f} {row['seconds']:8.1f}"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="Comma-separated seeds.")
    parser.add_argument(
        "--detectors", default=",".join(DETECTORS), help="Names from the CLI registry."
    )
    parser.add_argument("--shapes", default=",".join(SHAPES), help="Noise shapes.")
    parser.add_argument("--length", type=int, default=20_000, help="Rows per series.")
    parser.add_argument(
        "--train-fraction", type=float, default=0.15, help="Fit rows' share (the CLI's)."
    )
    parser.add_argument("--json", type=Path, help="Write the results as JSON here.")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    names = listed_names(parser, args.detectors, DETECTORS, "detectors")
    shapes = listed_names(parser, args.shapes, SHAPES, "shapes")
    if not 0 < args.train_fraction < 1:
        parser.error("--train-fraction must lie between 0 and 1 (both excluded).")
    print(
        f"{'detector':9s} {'shape':14s} {'alerts':>7s} {'rows':>8s} {'per 10k':>8s} {'seconds':>8s}"
    )
    measure = partial(run, seeds=seeds, args=args)
    results = pooled_rows(names, shapes, measure, summary, _line)
    write_results(args, results)
    return results


if __name__ == "__main__":
    main()
