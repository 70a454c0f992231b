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
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd
from joblib.externals.loky import get_reusable_executor

from gluts import metrics
from gluts.forecasting import (
    ARIMAForecaster,
    ETSForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from gluts.forecasting.glu import GLUForecaster

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
    # M4's ds is an integer step, so the season is passed explicitly; everything else is default.
    "glu": lambda m, n_jobs, seed: GLUForecaster(
        48, season_length=m, n_threads=n_jobs or 2, random_state=seed
    ),
    # The same with the GEGLU gate, the candidate default of the encoder benchmark.
    "glu_gelu": lambda m, n_jobs, seed: GLUForecaster(
        48, season_length=m, n_threads=n_jobs or 2, random_state=seed, gate="gelu"
    ),
}


def load(path: str, limit: int | None = None) -> pd.DataFrame:
    """Read a long M4 CSV (``unique_id, ds, y``), keeping the first ``limit`` series."""
    frame = pd.read_csv(path, dtype={"unique_id": str, "ds": np.int64, "y": np.float64})
    if limit is not None:
        keep = frame["unique_id"].drop_duplicates().iloc[:limit]
        frame = frame[frame["unique_id"].isin(keep)]
    return frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def _proc_status_mib(field: str) -> float:
    with open("/proc/self/status") as fh:
        line = next(row for row in fh if row.startswith(field + ":"))
    return int(line.split()[1]) / 1024.0  # kB


def _reset_peak_rss() -> float:
    """Reset this process's peak RSS (Linux) and return the current RSS in MiB."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _proc_status_mib("VmRSS")
    except OSError:  # no procfs: fall back to the lifetime peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _peak_rss_mib() -> float:
    try:
        return _proc_status_mib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_model(
    name: str, train_path: str, h: int, m: int, n_jobs: int | None, limit: int | None, seed: int
):
    """Fit and predict one model (in its own process); return its forecasts and costs."""
    train = load(train_path, limit)
    model = MODELS[name](m, n_jobs, seed)
    rss_before = _reset_peak_rss()
    start = time.perf_counter()
    model.fit(train)
    fitted = time.perf_counter()
    forecast = model.predict(h)
    done = time.perf_counter()
    # joblib's workers idle for minutes before exiting, and this process waits for its
    # children at exit: stop them now.
    get_reusable_executor().shutdown(wait=True)
    band = {f"{model.alias_}-q0.1": "lo", f"{model.alias_}-q0.9": "hi", model.alias_: "forecast"}
    return {
        "forecast": forecast[["unique_id", "ds", *(c for c in band if c in forecast)]].rename(
            columns=band
        ),
        "fit_seconds": fitted - start,
        "predict_seconds": done - fitted,
        "peak_rss_mib": _peak_rss_mib() - rss_before,
    }


def score(forecast: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame, m: int) -> pd.DataFrame:
    """Per-series sMAPE and MASE of forecasts clipped at 0."""
    joined = test.merge(forecast, on=["unique_id", "ds"], how="left", validate="one_to_one")
    if joined["forecast"].isna().any():
        missing = joined.loc[joined["forecast"].isna(), "unique_id"].iloc[0]
        raise ValueError(f"The forecast has no value for series {missing!r} at a test step.")
    history = {uid: g.to_numpy() for uid, g in train.groupby("unique_id", sort=False)["y"]}
    rows = []
    for uid, g in joined.groupby("unique_id", sort=False):
        y_true = g["y"].to_numpy()
        y_pred = np.clip(g["forecast"].to_numpy(), 0.0, None)
        row = {
            "unique_id": uid,
            "smape": float(metrics.smape(y_true, y_pred)),
            "mase": float(metrics.mase(y_true, y_pred, history[uid], m)),
        }
        if "lo" in g and "hi" in g:  # the 10%-90% band of probabilistic models
            row["coverage"] = float(metrics.coverage(y_true, g["lo"], g["hi"]))
        rows.append(row)
    return pd.DataFrame(rows)


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
    results = {}
    for name in args.models:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            out = pool.submit(
                run_model,
                name,
                args.train,
                args.horizon,
                args.season_length,
                args.n_jobs,
                args.limit,
                args.seed,
            ).result()
        per_series = score(out.pop("forecast"), train, test, args.season_length)
        results[name] = {
            "smape": float(per_series["smape"].mean()),
            "mase": float(per_series["mase"].mean()),
            "coverage_80": float(per_series["coverage"].mean())
            if "coverage" in per_series
            else None,
            **out,
            "per_series": per_series.to_dict(orient="list"),
        }
        print(f"{name}: done in {out['fit_seconds'] + out['predict_seconds']:.1f} s", flush=True)
    reference = results.get("naive2", NAIVE2_HOURLY)
    for res in results.values():
        res["owa"] = 0.5 * (res["smape"] / reference["smape"] + res["mase"] / reference["mase"])
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


def print_table(results: dict) -> None:
    """Print an aligned table: model, sMAPE, MASE, OWA, fit/predict seconds, memory.

    ``cov80`` is the share of test values inside the 10%-90% band (probabilistic models).
    ``+MiB`` is the growth of the model process's peak resident memory during fit and predict
    (joblib workers, when ``--n-jobs`` > 1, hold their own memory on top).
    """
    header = (
        f"{'model':<8} {'sMAPE':>8} {'MASE':>7} {'OWA':>6} {'cov80':>6} {'fit s':>8} "
        f"{'pred s':>7} {'+MiB':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        cover = f"{r['coverage_80']:>6.3f}" if r["coverage_80"] is not None else f"{'-':>6}"
        print(
            f"{name:<8} {r['smape']:>8.3f} {r['mase']:>7.3f} {r['owa']:>6.3f} {cover} "
            f"{r['fit_seconds']:>8.1f} {r['predict_seconds']:>7.1f} {r['peak_rss_mib']:>7.0f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
