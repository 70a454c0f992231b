"""Long single series (NAB sensor files, 5-minute to hourly): GLU and ensemble vs the linear map.

One long sensor series is a shape users bring, and the one where a network sized for panels
most easily loses to a least-squares linear map (issue 14). Each task is one file of the NAB
data folder, averaged to a regular step (missing steps interpolated) and z-normalised with
its first 80% of rows. Every model is fitted on those rows with its defaults and forecasts
``horizon`` values from 60 origins spread evenly over the last 20%, each from its last 2,000
values, without refitting; MSE and MAE on the normalised scale, seconds to fit and predict.
The summary is the geometric mean over the tasks of each model's MSE over Linear's.

Example::

    python benchmarks/long_series.py --data ../shared/data/anomaly --json long.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import model_names  # noqa: E402
from ett import score  # noqa: E402

from gluts import (  # noqa: E402
    EnsembleForecaster,
    GLUForecaster,
    LinearForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)

# (file under the data folder, regular step, horizon: a day or a few hours ahead)
TASKS = (
    ("realKnownCause/ambient_temperature_system_failure.csv", "1h", 24),
    ("realKnownCause/nyc_taxi.csv", "30min", 48),
    ("realKnownCause/machine_temperature_system_failure.csv", "15min", 96),
    ("realKnownCause/cpu_utilization_asg_misconfiguration.csv", "15min", 96),
    ("realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv", "5min", 48),
    ("realKnownCause/rogue_agent_key_hold.csv", "5min", 48),
)
TRAIN_SHARE, N_ORIGINS, CONTEXT = 0.8, 60, 2000


def load(path: Path, step: str) -> pd.Series:
    """The file's values on a regular ``step`` grid, z-normalised with the training rows."""
    if not path.is_file():
        raise SystemExit(f"{path} not found: --data must be the NAB data folder")
    frame = pd.read_csv(path, parse_dates=["timestamp"]).drop_duplicates("timestamp")
    series = frame.set_index("timestamp")["value"].sort_index().resample(step).mean()
    series = series.interpolate()
    train = series.iloc[: int(TRAIN_SHARE * len(series))]
    return (series - train.mean()) / train.std()


def task_windows(series: pd.Series, horizon: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Each test origin's history (a long frame, one series per origin) and its targets."""
    first = int(TRAIN_SHARE * len(series))
    origins = np.unique(np.linspace(first, len(series) - horizon, N_ORIGINS).astype(int))
    values, ds = series.to_numpy(), series.index
    frames = [
        pd.DataFrame(
            {
                "unique_id": o,
                "ds": ds[max(0, o - CONTEXT) : o],
                "y": values[max(0, o - CONTEXT) : o],
            }
        )
        for o in origins
    ]
    actual = values[origins[:, None] + np.arange(horizon)[None, :]]
    return pd.concat(frames, ignore_index=True), actual


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the NAB data folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", help="comma-separated rows to run (default: all)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    names = ["GLU", "Ensemble", "Linear", "Naive", "SeasonalNaive"]
    if args.models:
        names = model_names(parser, args.models, dict.fromkeys(names))
    rows = []
    for file, step, horizon in TASKS:
        series = load(Path(args.data) / file, step)
        train = series.iloc[: int(TRAIN_SHARE * len(series))]
        history, actual = task_windows(series, horizon)
        models = {
            "GLU": GLUForecaster(horizon, random_state=args.seed),
            "Ensemble": EnsembleForecaster(horizon, random_state=args.seed),
            "Linear": LinearForecaster(horizon),
            "Naive": NaiveForecaster(),
            "SeasonalNaive": SeasonalNaiveForecaster(),
        }
        for name in names:
            row = {"task": Path(file).stem, "step": step, "horizon": horizon}
            rows.append({**row, **score(models[name], name, train, history, actual)})
            print(
                f"{row['task'][:36]:<36} {step:>5} h{horizon:<3} {name:<13} MSE "
                f"{rows[-1]['mse']:.4f}  MAE {rows[-1]['mae']:.4f}  "
                f"fit {rows[-1]['fit_s']:.1f}s  predict {rows[-1]['predict_s']:.1f}s",
                flush=True,
            )
    table = pd.DataFrame(rows).pivot(index="task", columns="model", values="mse")
    summary = {}
    if "Linear" in table:
        ratios = table.div(table["Linear"], axis=0)
        summary = {name: float(np.exp(np.log(ratios[name]).mean())) for name in ratios}
        print("MSE over Linear's, geometric mean over the tasks:")
        print("  ".join(f"{name} {value:.3f}" for name, value in summary.items()))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {"results": rows, "mse_over_linear": summary, "seed": args.seed}, fh, indent=2
            )


if __name__ == "__main__":
    main()
