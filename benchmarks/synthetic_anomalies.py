"""Synthetic anomaly benchmark: every CLI detector, with its defaults, on every anomaly kind.

Protocol: for each anomaly kind of ``make_synthetic`` and each seed, one hourly panel of
``--series`` series of ``--length`` rows whose anomalies (``--anomalies`` per series, all of
that kind) lie in equal slots after the first two seasons. A detector, built as
``gluts detect`` builds it (the CLI registry, season 24, seed 0), is fitted on the rows of the
first ``--fit-slots`` slots of every series (so anomalies lie inside the fit rows too) and
then scores the rows after them as a stream (``alerts`` on the rows after the fit). The kind
``none`` is the same panels without anomalies: every alert on them is false, and no earlier
alert raises the bar that a false one must clear (the shaped score's recent rows), so it
measures how quiet a detector stays on healthy series.
``--clean-fit`` replaces the fit rows by the clean signal, to tell a detector that cannot
see an anomaly from one whose calibration the anomalies in its fit rows spoiled.

Per detector and kind, over the anomalies after the fit rows (the labelled windows):

* ``recall``: windows with an alert event that starts in them (or is ongoing at their start);
* ``delay``: rows from a detected window's first row to the first alert (median and mean);
* ``false/10k``: alert events that touch no window and do not start within one season after
  a window's end, per 10,000 normal rows after the fit;
* ``recovery``: alert events that start within one season after a window's end (alerts on
  the return to normal), counted apart from the false ones.

Usage::

    python benchmarks/synthetic_anomalies.py --seeds 0,1,2 --json synthetic.json
    python benchmarks/synthetic_anomalies.py --detectors glu,stl --kinds spike,stuck
    python benchmarks/synthetic_anomalies.py --detectors glu --params '{"clean_z": 4}'
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import listed_names, pooled_rows, write_results  # noqa: E402

from gluts import make_synthetic  # noqa: E402
from gluts._cli.registry import DETECTORS, build  # noqa: E402
from gluts.datasets import ANOMALY_KINDS  # noqa: E402

SEASON = 24
HEALTHY = "none"  # the kind of panels without anomalies
KINDS = (*ANOMALY_KINDS, HEALTHY)


def panel(
    kind: str, seed: int, n_series: int, length: int, n_anomalies: int, clean_fit: int = 0
) -> pd.DataFrame:
    """A seeded hourly panel whose anomalies are all of ``kind``.

    With ``clean_fit``, the first ``clean_fit`` rows of every series are the clean signal.
    """
    kwargs = dict(n_series=n_series, length=length, season_length=SEASON, random_state=seed)
    if kind == HEALTHY:
        return make_synthetic(**kwargs, n_anomalies=0)
    frame = make_synthetic(**kwargs, n_anomalies=n_anomalies, anomaly_kinds=(kind,))
    if clean_fit:
        clean = make_synthetic(**kwargs, n_anomalies=0)
        early = (frame.groupby("unique_id").cumcount() < clean_fit).to_numpy()
        frame.loc[early, "y"] = clean.loc[early, "y"]
        frame.loc[early, "is_anomaly"] = 0
    return frame


def windows_of(flags: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive ``(first, last)`` rows of each run of ones."""
    edges = np.diff(np.r_[0, flags, 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


def evaluate(events: pd.DataFrame, truth: pd.DataFrame, n_fit: int) -> dict:
    """Count hits, delays, false and recovery alerts of one panel's events after the fit."""
    hits, delays, false, recovery, normal, n_windows = 0, [], 0, 0, 0, 0
    for sid, group in truth.groupby("unique_id", sort=False):
        flags = group["is_anomaly"].to_numpy()[n_fit:]
        stamps = pd.DatetimeIndex(group["ds"].to_numpy()[n_fit:])
        normal += int((flags == 0).sum())
        wins = windows_of(flags)
        n_windows += len(wins)
        mine = events[events["unique_id"] == sid]
        starts = np.maximum(stamps.get_indexer(pd.DatetimeIndex(mine["start"])), 0)
        ends = stamps.get_indexer(pd.DatetimeIndex(mine["end"]))
        for a, b in wins:
            touching = [s for s, e in zip(starts, ends) if s <= b and e >= a]
            if touching:
                hits += 1
                delays.append(max(min(touching) - a, 0))
        for s, e in zip(starts, ends):
            if any(s <= b and e >= a for a, b in wins):
                continue
            if any(b < s <= b + SEASON for _, b in wins):
                recovery += 1
            else:
                false += 1
    return {
        "windows": n_windows,
        "hits": hits,
        "delays": delays,
        "false": false,
        "recovery": recovery,
        "normal_rows": normal,
    }


def run(name: str, kind: str, seeds: list[int], args) -> dict:
    """Fit and score detector ``name`` on the panels of ``kind``; pooled counts and time."""
    pooled = {"windows": 0, "hits": 0, "delays": [], "false": 0, "recovery": 0, "normal_rows": 0}
    slot = (args.length - 2 * SEASON) // args.anomalies
    n_fit = 2 * SEASON + args.fit_slots * slot
    start = time.perf_counter()
    for seed in seeds:
        clean = n_fit if args.clean_fit else 0
        frame = panel(kind, seed, args.series, args.length, args.anomalies, clean)
        data = frame.drop(columns="is_anomaly")
        position = data.groupby("unique_id").cumcount()
        detector = build(name, DETECTORS, season_length=SEASON, random_state=0, n_threads=1)
        own = detector.get_params()
        detector.set_params(**{k: v for k, v in args.params.items() if k in own})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            detector.fit(data[position < n_fit])
            events = detector.alerts(data[position >= n_fit])
        for key, value in evaluate(events, frame, n_fit).items():
            pooled[key] += value
    pooled["seconds"] = time.perf_counter() - start
    return pooled


def summary(counts: dict) -> dict:
    delays = counts["delays"]
    per_10k = 1e4 * counts["false"] / max(counts["normal_rows"], 1)
    return {
        "recall": counts["hits"] / counts["windows"] if counts["windows"] else None,
        "windows": counts["windows"],
        "median_delay": float(np.median(delays)) if delays else None,
        "mean_delay": float(np.mean(delays)) if delays else None,
        "false_per_10k": per_10k,
        "false": counts["false"],
        "recovery": counts["recovery"],
        "normal_rows": counts["normal_rows"],
        "seconds": round(counts.get("seconds", 0.0), 2),
    }


def _line(name: str, kind: str, row: dict) -> str:
    def number(v, digits=1):
        return "-" if v is None else f"{v:.{digits}f}"

    return (
        f"{name:9s} {kind:15s} {number(row['recall'], 2):>7s} {row['windows']:8d} "
        f"{number(row['median_delay']):>7s} {number(row['mean_delay']):>7s} "
        f"{row['false_per_10k']:10.2f} {row['recovery']:9d} {row['seconds']:8.1f}"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="Comma-separated panel seeds.")
    parser.add_argument(
        "--detectors", default=",".join(DETECTORS), help="Names from the CLI registry."
    )
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help=f"Anomaly kinds ({HEALTHY!r}: no anomalies)."
    )
    parser.add_argument("--series", type=int, default=4, help="Series per panel.")
    parser.add_argument("--length", type=int, default=1200, help="Rows per series.")
    parser.add_argument("--anomalies", type=int, default=8, help="Anomalies per series.")
    parser.add_argument("--fit-slots", type=int, default=3, help="Anomaly slots in the fit.")
    parser.add_argument(
        "--clean-fit",
        action="store_true",
        help="Fit rows without anomalies (the clean signal): detection without contamination.",
    )
    parser.add_argument(
        "--params",
        type=json.loads,
        default={},
        help="Detector parameters as JSON, e.g. '{\"clean_z\": 4}' (each detector takes its own).",
    )
    parser.add_argument("--json", type=Path, help="Write the results as JSON here.")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    names = listed_names(parser, args.detectors, DETECTORS, "detectors")
    kinds = listed_names(parser, args.kinds, KINDS, "kinds")
    if not 0 < args.fit_slots < args.anomalies:
        parser.error("--fit-slots must lie between 0 and --anomalies (both excluded).")
    print(
        f"{'detector':9s} {'kind':15s} {'recall':>7s} {'windows':>8s} {'med.dly':>7s} "
        f"{'mean.dly':>7s} {'false/10k':>10s} {'recovery':>9s} {'seconds':>8s}"
    )
    measure = partial(run, seeds=seeds, args=args)
    results = pooled_rows(names, kinds, measure, summary, _line)
    write_results(args, results)
    return results


if __name__ == "__main__":
    main()
