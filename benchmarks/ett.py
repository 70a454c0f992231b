"""ETTh1 benchmark: univariate ``OT``, horizon 96, every test window (Informer protocol).

``--target`` scores another column the same way (each of ETTh1's seven columns is a long
single hourly series), and ``--models`` a subset of the rows.

Rows [0, 8640) train, [8640, 11520) validation, [11520, 14400) test; values z-normalised with
the training rows' mean and standard deviation; MSE and MAE on the normalised scale averaged
over every step of every test window (stride 1, 2,785 windows for horizon 96). GLU is fitted
on the training and validation rows, with its defaults and as a small single-series
configuration (8 channels, linear head, dropout 0.2); each test window is forecast from
the history up to its origin (no refitting). LinearForecaster (the global least-squares map,
defaults: NLinear normalisation, context and ridge strength chosen on held-out windows; and
the DLinear decomposition) is fitted on the same rows, and so is EnsembleForecaster with its
defaults (GLU, ETS, Theta and the linear map, weighted on windows of 96 values held out at
the end of the training rows; its ETS and Theta members are refitted on each test window's
history, as local models are). Naive and
SeasonalNaive (24) are scored on the same windows.

Example::

    python benchmarks/ett.py --data ETTh1.csv --json ett.json
    python benchmarks/ett.py --data ETTh1.csv --target HUFL --models GLU,Linear,Naive
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import model_names  # noqa: E402

from gluts import (  # noqa: E402
    EnsembleForecaster,
    GLUForecaster,
    LinearForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)

TRAIN, VALID, TEST = 8640, 11520, 14400


def load_column(path: str, column: str = "OT") -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The timestamps and one column, z-normalised with the training rows' statistics."""
    frame = pd.read_csv(path, parse_dates=["date"])
    if column not in frame.columns or column == "date":
        raise SystemExit(f"--target {column!r} is not a value column of {path}")
    values = frame[column].to_numpy(dtype=np.float64)
    mean, std = values[:TRAIN].mean(), values[:TRAIN].std()
    return pd.DatetimeIndex(frame["date"]), (values - mean) / std


def target_windows(z: np.ndarray, horizon: int) -> np.ndarray:
    """The ``horizon`` values after every test origin, shaped (n_windows, horizon)."""
    origins = np.arange(VALID, TEST - horizon + 1)
    return z[origins[:, None] + np.arange(horizon)[None, :]]


def windows(ds: pd.DatetimeIndex, z: np.ndarray, horizon: int, context: int) -> pd.DataFrame:
    """Every test origin's history (its last ``context`` values) as one series of a long frame."""
    origins = np.arange(VALID, TEST - horizon + 1)  # first target row of each window
    cols = origins[:, None] - context + np.arange(context)[None, :]  # (n_windows, context)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(origins, context),
            "ds": ds[cols.ravel()],
            "y": z[cols.ravel()],
        }
    )


def score(model, name: str, train: pd.Series, history: pd.DataFrame, actual: np.ndarray) -> dict:
    start = time.perf_counter()
    model.fit(train)
    fitted = time.perf_counter()
    forecast = model.predict(actual.shape[1], y=history)
    done = time.perf_counter()
    pred = forecast[model.alias_].to_numpy().reshape(actual.shape)
    err = pred - actual
    return {
        "model": name,
        "mse": float(np.mean(err**2)),
        "mae": float(np.mean(np.abs(err))),
        "fit_s": fitted - start,
        "predict_s": done - fitted,
        "windows": int(actual.shape[0]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="path to ETTh1.csv")
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="OT", help="the column to forecast")
    parser.add_argument("--models", help="comma-separated rows to run (default: all)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)

    ds, z = load_column(args.data, args.target)
    train = pd.Series(z[:VALID], index=ds[:VALID], name=args.target)
    glu = GLUForecaster(args.horizon, random_state=args.seed, n_threads=2)
    # One series: a small stack with a linear head and dropout generalises past the shift
    # between the training and test months; the defaults are sized for panels like M4.
    small = GLUForecaster(
        args.horizon,
        n_channels=8,
        head_hidden=0,
        dropout=0.2,
        random_state=args.seed,
        n_threads=2,
        alias="GLU",
    )
    actual = target_windows(z, args.horizon)
    models = {
        "GLU": glu,
        "GLU-small": small,
        "Linear": LinearForecaster(args.horizon, quantiles=None),
        "DLinear": LinearForecaster(args.horizon, normalization="decomposition", quantiles=None),
        "Ensemble": EnsembleForecaster(args.horizon, random_state=args.seed),
        "Naive": NaiveForecaster(quantiles=None),
        "SeasonalNaive": SeasonalNaiveForecaster(season_length=24, quantiles=None),
    }
    if args.models:
        models = {name: models[name] for name in model_names(parser, args.models, models)}
    context = 1024
    history = windows(ds, z, args.horizon, context)
    rows = []
    for name, model in models.items():
        rows.append(score(model, name, train, history, actual))
        print(
            f"{name:<14} MSE {rows[-1]['mse']:.4f}  MAE {rows[-1]['mae']:.4f}  "
            f"fit {rows[-1]['fit_s']:.1f}s  predict {rows[-1]['predict_s']:.1f}s",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the run: {peak:.0f} MiB; {len(actual)} test windows")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "results": rows,
                    "peak_rss_mib": peak,
                    "horizon": args.horizon,
                    "target": args.target,
                },
                fh,
                indent=2,
            )


if __name__ == "__main__":
    main()
