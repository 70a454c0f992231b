"""NAB benchmark: every detector, causally, on every file of a NAB-layout folder.

Protocol: each file is one series (rows as time steps, so irregular timestamps are kept as
they are). A detector is fitted on the file's probationary period only (the first 15% of
its rows, at most 750) and then scores every row causally, from the rows before it. The NAB
score (standard, reward_low_FP_rate, reward_low_FN_rate) uses one threshold per detector and
profile, optimised over all files; ``--fixed-threshold`` also reports the scores at a
threshold fixed in advance. A shaped score measures a climb until it has risen by the
detector's threshold (:func:`gluts.anomaly.calibration.rise`), so the comparison detectors,
whose default thresholds are set for other scores, are scored a second time with the
standard profile's threshold from the first sweep as their own; ``default`` is scored once,
exactly as a user calls it.

Usage::

    python benchmarks/nab.py --data /path/to/nab \
        --detectors glu,glu_no_forecast,glu_naive,zscore,mad,stl,iforest \
        --out nab_scores --json nab.json --fixed-threshold 0.1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import listed_names  # noqa: E402

from gluts.anomaly import (
    GLUAnomalyDetector,
    IsolationForestDetector,
    MADDetector,
    NABFile,
    STLDetector,
    ZScoreDetector,
    nab_score,
)
from gluts.anomaly.evaluation import NAB_PROFILES, probation_length
from gluts.forecasting import NaiveForecaster

# Every detector gets the same NAB-style output shaping (one sharp alarm per incident).
SHAPING = 600
DETECTORS = {
    # the default detector exactly as a user calls it (no NAB-specific setting)
    "default": lambda season: GLUAnomalyDetector(),
    # level, seasonal and GLU forecast references with NAB-style shaping and a daily season
    "glu": lambda season: GLUAnomalyDetector(season_length=season, shaping_window=SHAPING),
    # without the GLU forecast reference: what the forecaster adds
    "glu_no_forecast": lambda season: GLUAnomalyDetector(
        references=("level", "seasonal"), season_length=season, shaping_window=SHAPING
    ),
    # a naive forecaster in place of GLU (forecaster-agnostic scoring)
    "glu_naive": lambda season: GLUAnomalyDetector(
        NaiveForecaster(), season_length=season, shaping_window=SHAPING
    ),
    "zscore": lambda season: ZScoreDetector(shaping_window=SHAPING),
    "mad": lambda season: MADDetector(shaping_window=SHAPING),
    "stl": lambda season: STLDetector(season_length=season, shaping_window=SHAPING),
    "iforest": lambda season: IsolationForestDetector(random_state=0, shaping_window=SHAPING),
}


def load_nab(root: Path) -> list[tuple[str, pd.DataFrame, list[tuple[int, int]]]]:
    """Return (file key, frame with ``timestamp, value``, windows as row positions)."""
    windows = json.loads((root / "combined_windows.json").read_text())
    files = []
    for key in sorted(windows):
        frame = pd.read_csv(root / key, parse_dates=["timestamp"])
        ts = frame["timestamp"]
        rows = []
        for start, end in windows[key]:
            inside = np.flatnonzero((ts >= pd.Timestamp(start)) & (ts <= pd.Timestamp(end)))
            rows.append((int(inside[0]), int(inside[-1])))
        files.append((key, frame, rows))
    return files


def daily_season(timestamps: pd.Series) -> int:
    """Rows per day at the file's median sampling interval (1 when coarser than daily)."""
    step = pd.Timedelta(np.median(np.diff(timestamps.to_numpy())))
    return max(1, int(round(pd.Timedelta(days=1) / step))) if step < pd.Timedelta(days=1) else 1


def run_detector(
    name: str, files, out: Path | None, params: dict | None = None
) -> tuple[list[NABFile], float, float]:
    """Fit on each file's probationary rows, score every row.

    ``params`` are set on each detector before its fit (those it does not have are skipped).

    Returns the scores, the total seconds (fits included) and the longest scoring of one
    whole file after its fit.
    """
    scored, start, slowest = [], time.perf_counter(), 0.0
    for key, frame, windows in files:
        y = pd.Series(frame["value"].to_numpy(dtype=np.float64), name=key)
        n_fit = probation_length(len(y))
        season = daily_season(frame["timestamp"])
        # A season needs two full cycles in the fit rows to be learnt; else none is used.
        detector = DETECTORS[name](season if 2 * season < n_fit else 1)
        own = detector.get_params()
        detector.set_params(**{k: v for k, v in (params or {}).items() if k in own})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            detector.fit(y.iloc[:n_fit])
            fitted = time.perf_counter()
            scores = detector.score(y).to_numpy()
            slowest = max(slowest, time.perf_counter() - fitted)
        scored.append(NABFile(scores, windows, key))
        if out is not None:
            path = out / name / key
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.assign(anomaly_score=scores).to_csv(path, index=False)
    return scored, time.perf_counter() - start, slowest


def by_category(scored: list[NABFile], row: dict) -> dict:
    """Each category's NAB scores at the thresholds chosen on all files, and false alarms.

    A category without windows (``artificialNoAnomaly``) scores 0; its false alarms (at the
    standard threshold) are what counts there.
    """
    categories: dict[str, list[NABFile]] = {}
    for file in scored:
        categories.setdefault(file.name.split("/")[0], []).append(file)
    out = {}
    for category, files in sorted(categories.items()):
        cells = {p: nab_score(files, p, threshold=row[p]["threshold"]) for p in NAB_PROFILES}
        out[category] = {p: round(r.score, 2) for p, r in cells.items()}
        out[category]["false_alarms"] = cells["standard"].false_positives
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="NAB-layout folder.")
    parser.add_argument(
        "--detectors",
        default="default,glu,glu_no_forecast,zscore,mad,stl,iforest",
        help="Comma-separated names.",
    )
    parser.add_argument("--out", type=Path, help="Folder for per-file score CSVs.")
    parser.add_argument("--json", type=Path, help="Write the results as JSON here.")
    parser.add_argument("--fixed-threshold", type=float, help="Also score at this threshold.")
    parser.add_argument(
        "--forecast-stride",
        type=int,
        help="forecast_stride of the GLU detectors (default: the detector's own).",
    )
    args = parser.parse_args(argv)
    names = listed_names(parser, args.detectors, DETECTORS, "detectors")
    files = load_nab(args.data)
    results = {}
    header = (
        f"{'detector':16s} {'standard':>9s} {'low_FP':>9s} {'low_FN':>9s} {'seconds':>8s}"
        f" {'score s/file (max)':>19s}"
    )
    print(header)
    for name in names:
        params = {} if args.forecast_stride is None else {"forecast_stride": args.forecast_stride}
        scored, seconds, slowest = run_detector(name, files, args.out, params)
        swept = nab_score(scored, "standard").threshold
        if name != "default" and 0 < swept < 1:  # its own threshold, see the module docstring
            params["threshold"] = swept
            scored, again, slowest = run_detector(name, files, args.out, params)
            seconds += again
        row = {"seconds": round(seconds, 2), "max_score_seconds_per_file": round(slowest, 3)}
        for profile in NAB_PROFILES:
            best = nab_score(scored, profile)
            row[profile] = {"score": round(best.score, 2), "threshold": best.threshold}
            if args.fixed_threshold is not None:
                fixed = nab_score(scored, profile, threshold=args.fixed_threshold)
                row[profile]["fixed_threshold_score"] = round(fixed.score, 2)
        row["categories"] = by_category(scored, row)
        results[name] = row
        cells = " ".join(f"{row[p]['score']:9.1f}" for p in NAB_PROFILES)
        print(f"{name:16s} {cells} {seconds:8.1f} {slowest:19.2f}", flush=True)
        for category, scores in row["categories"].items():
            cells = " ".join(f"{scores[p]:9.1f}" for p in NAB_PROFILES)
            print(f"  {category:<24s}{cells}  ({scores['false_alarms']} false alarms)", flush=True)
        if args.fixed_threshold is not None:
            cells = " ".join(f"{row[p]['fixed_threshold_score']:9.1f}" for p in NAB_PROFILES)
            print(f"{'  @' + format(args.fixed_threshold, 'g'):16s} {cells}", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
