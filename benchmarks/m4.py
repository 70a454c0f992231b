"""M4 benchmark: fit gluts forecasters on the training part of an M4 set and score the test part.

Follows the M4 protocol (see the data README): one origin per series, horizon 48 and season 24
for Hourly, negative forecasts clipped at 0, sMAPE and MASE averaged over the series, OWA
against Naive2. Each model runs in a fresh process, so its peak memory is its own.

Example::

    python benchmarks/m4.py --train m4_hourly_train.csv --test m4_hourly_test.csv \
        --models naive,snaive,naive2,ets,theta,arima --n-jobs 2 --json m4_hourly.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
from _common import add_owa, evaluate, fit_predict, load, print_table  # noqa: E402

from gluts.forecasting import (  # noqa: E402
    ARIMAForecaster,
    EnsembleForecaster,
    ETSForecaster,
    LinearForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from gluts.forecasting.glu import GLUForecaster  # noqa: E402

__all__ = ["MODELS", "load", "main", "run_model", "score"]

# Published M4 Hourly Naive2 scores; OWA uses them when naive2 is not part of the run.
NAIVE2_HOURLY = {"smape": 18.383, "mase": 2.395}

MODELS = {
    "naive": lambda m, n_jobs, seed: NaiveForecaster(
        season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    "snaive": lambda m, n_jobs, seed: SeasonalNaiveForecaster(
        season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    "naive2": lambda m, n_jobs, seed: Naive2Forecaster(
        season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    "ets": lambda m, n_jobs, seed: ETSForecaster(season_length=m, quantiles=None, n_jobs=n_jobs),
    "theta": lambda m, n_jobs, seed: ThetaForecaster(
        season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    # The official M4 Theta benchmark: multiplicative classical decomposition, theta = 2.
    "theta_m4": lambda m, n_jobs, seed: ThetaForecaster(
        deseasonalize="multiplicative", season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    "arima": lambda m, n_jobs, seed: ARIMAForecaster(
        season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    # ARIMA on the M4 multiplicative adjustment (the default adjustment is additive).
    "arima_mult": lambda m, n_jobs, seed: ARIMAForecaster(
        deseasonalize="multiplicative", season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    # The global least-squares map (NLinear); context and ridge strength chosen on held-out
    # windows of the training data.
    "linear": lambda m, n_jobs, seed: LinearForecaster(48, season_length=m, quantiles=None),
    # M4's ds is an integer step, so the season is passed explicitly; everything else is default.
    "glu": lambda m, n_jobs, seed: GLUForecaster(
        48, season_length=m, n_threads=n_jobs or 2, random_state=seed
    ),
    # GLU, ETS, Theta and Linear combined with weights from a held-out window; defaults.
    "ensemble": lambda m, n_jobs, seed: EnsembleForecaster(48, season_length=m, random_state=seed),
    # The same with the GEGLU gate, the candidate default of the encoder benchmark.
    "glu_gelu": lambda m, n_jobs, seed: GLUForecaster(
        48, season_length=m, n_threads=n_jobs or 2, random_state=seed, gate="gelu"
    ),
}


def score(forecast: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame, m: int):
    """Per-series sMAPE and MASE of forecasts clipped at 0 (the M4 protocol)."""
    return _common.score(forecast, train, test, m, clip_at_zero=True)


def run_model(
    name: str, train_path: str, h: int, m: int, n_jobs: int | None, limit: int | None, seed: int
) -> dict:
    """Fit and predict one model (in its own process); return its forecasts and costs."""
    return fit_predict(MODELS[name](m, n_jobs, seed), load(train_path, limit), h)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True, help="long CSV (unique_id, ds, y) to fit on")
    parser.add_argument("--test", required=True, help="long CSV with the next h values")
    parser.add_argument(
        "--models",
        default="naive,snaive,naive2",
        help=f"comma-separated, from: {', '.join(MODELS)}",
    )
    parser.add_argument("--n-jobs", type=int, default=None, help="joblib workers per model")
    parser.add_argument("--json", default=None, help="write the results to this JSON file")
    parser.add_argument("--limit", type=int, default=None, help="use the first N series only")
    parser.add_argument("--horizon", type=int, default=48, help="forecast horizon h")
    parser.add_argument("--season-length", type=int, default=24, help="season m (MASE lag)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of seeded models")
    args = parser.parse_args(argv)
    args.models = [s.strip() for s in args.models.split(",") if s.strip()]
    unknown = [s for s in args.models if s not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    train, test = load(args.train, args.limit), load(args.test, args.limit)
    task = (args.train, args.horizon, args.season_length, args.n_jobs, args.limit, args.seed)
    results = evaluate(
        run_model, args.models, task, train, test, args.season_length, clip_at_zero=True
    )
    add_owa(results, results.get("naive2", NAIVE2_HOURLY))
    print_table(results)
    report = {
        "train": args.train,
        "test": args.test,
        "n_series": int(train["unique_id"].nunique()),
        "horizon": args.horizon,
        "season_length": args.season_length,
        "n_jobs": args.n_jobs,
        "seed": args.seed,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "owa_reference": "naive2 (this run)" if "naive2" in results else "published Naive2",
        "results": results,
    }
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
