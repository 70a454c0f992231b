"""What the M3 and M4 benchmarks share: the models, reading, one process per model, scoring.

Both follow the M-competition protocol of the data README: one origin per series, sMAPE and
MASE per series averaged over the series, OWA against Naive2 on those averages.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd
from joblib.externals.loky import get_reusable_executor

from gluts import (
    ARIMAForecaster,
    ETSForecaster,
    LinearForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
    metrics,
)
from gluts._threads import ENV_VAR, default_threads

__all__ = [
    "add_owa",
    "evaluate",
    "fit_predict",
    "forecasters",
    "glu",
    "load",
    "peak_rss_mib",
    "print_table",
    "report",
    "reset_peak_rss",
    "score",
]


def glu(h: int, m: int, n_jobs: int | None, seed: int, **options):
    """The GLUForecaster, default but for ``options`` (imported here: torch loads only in the
    process that fits it)."""
    from gluts import GLUForecaster

    return GLUForecaster(h, season_length=m, random_state=seed, **options)


def _ensemble(h: int, m: int, n_jobs: int | None, seed: int):
    """The default EnsembleForecaster: GLU, ETS, Theta and Linear, weighted per series."""
    from gluts import EnsembleForecaster

    return EnsembleForecaster(h, season_length=m, random_state=seed)


def forecasters(quantiles: bool = True) -> dict[str, Callable]:
    """gluts' forecasters with their defaults: name -> factory(h, m, n_jobs, seed).

    ``h`` is the horizon, ``m`` the season length, ``n_jobs`` the joblib workers of the
    per-series models and ``seed`` the ``random_state`` of the seeded ones. With
    ``quantiles=False`` the per-series and linear models predict the point only (for
    protocols that score points).
    """
    band = {} if quantiles else {"quantiles": None}

    def local(cls):
        return lambda h, m, n_jobs, seed: cls(season_length=m, n_jobs=n_jobs, **band)

    return {
        "naive": local(NaiveForecaster),
        "snaive": local(SeasonalNaiveForecaster),
        "naive2": local(Naive2Forecaster),
        "ets": local(ETSForecaster),
        "theta": local(ThetaForecaster),
        "arima": local(ARIMAForecaster),
        # The global least-squares map (NLinear); context and ridge strength chosen on
        # held-out windows of the training data.
        "linear": lambda h, m, n_jobs, seed: LinearForecaster(h, season_length=m, **band),
        "glu": glu,
        # GLU, ETS, Theta and Linear combined with weights from a held-out window.
        "ensemble": _ensemble,
    }


def load(
    path: str, limit: int | None = None, shorten: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Read a long CSV (``unique_id, ds, y``), keeping the first ``limit`` series.

    ``ds`` stays an integer step where it is one (M4) and is parsed as dates otherwise (M3).
    ``shorten``, a ``(seed, min_length)`` pair, keeps the last values of each series, as
    many as :func:`unequal_lengths` draws.
    """
    frame = pd.read_csv(path, dtype={"unique_id": str, "y": np.float64})
    if not pd.api.types.is_integer_dtype(frame["ds"]):
        frame["ds"] = pd.to_datetime(frame["ds"])
    if limit is not None:
        keep = frame["unique_id"].drop_duplicates().iloc[:limit]
        frame = frame[frame["unique_id"].isin(keep)]
    frame = frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    if shorten is None:
        return frame
    lengths = unequal_lengths(frame.groupby("unique_id", sort=True).size(), *shorten)
    from_end = frame.groupby("unique_id", sort=False).cumcount(ascending=False)
    return frame[from_end < frame["unique_id"].map(lengths)].reset_index(drop=True)


def run_parser(description: str, models: Mapping, default_models: str) -> argparse.ArgumentParser:
    """The options every M-benchmark takes; the benchmark adds its horizon and season."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--train", required=True, help="long CSV (unique_id, ds, y) to fit on")
    parser.add_argument("--test", required=True, help="long CSV with the next h values")
    parser.add_argument(
        "--models", default=default_models, help=f"comma-separated, from: {', '.join(models)}"
    )
    parser.add_argument("--n-jobs", type=int, default=None, help="joblib workers per model")
    parser.add_argument("--seed", type=int, default=0, help="random_state of seeded models")
    parser.add_argument("--limit", type=int, default=None, help="use the first N series only")
    parser.add_argument("--json", default=None, help="write the results to this JSON file")
    parser.add_argument(
        "--unequal-lengths",
        type=int,
        default=None,
        metavar="SEED",
        help="fit on the last L values of each series, L drawn with this seed between two "
        "seasons and the series' length (a panel of very unequal lengths)",
    )
    return parser


def model_names(parser: argparse.ArgumentParser, listed: str, models: Mapping) -> list[str]:
    """The names of ``--models``, or a parser error naming the unknown ones."""
    return listed_names(parser, listed, models, "model(s)")


def listed_names(
    parser: argparse.ArgumentParser, listed: str, known: Sequence[str] | Mapping, what: str
) -> list[str]:
    """The comma-separated names ``listed``, or a parser error naming those not ``known``."""
    names = [s.strip() for s in listed.split(",") if s.strip()]
    unknown = [s for s in names if s not in known]
    if unknown:
        parser.error(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(known)}")
    return names


def write_results(args: argparse.Namespace, results: dict) -> None:
    """Write the run's options (but ``json``) and ``results`` as JSON to ``args.json``, if set."""
    if args.json is not None:
        config = {k: v for k, v in vars(args).items() if k != "json"}
        args.json.write_text(json.dumps({"config": config, "results": results}, indent=2))


def pooled_rows(
    names: Sequence[str],
    groups: Sequence[str],
    measure: Callable[[str, str], dict],
    summary: Callable[[dict], dict],
    line: Callable[[str, str, dict], str],
) -> dict:
    """Measure each of ``names`` on each of ``groups``, then pooled over them as ``"all"``.

    ``measure(name, group)`` returns counts that add up key by key; ``summary`` turns counts
    into a table row and ``line(name, group, row)`` prints it. Returns the rows, by name and
    group.
    """
    results = {}
    for name in names:
        results[name], total = {}, None
        for group in groups:
            counts = measure(name, group)
            results[name][group] = summary(counts)
            print(line(name, group, results[name][group]), flush=True)
            total = counts if total is None else {k: total[k] + counts[k] for k in counts}
        results[name]["all"] = summary(total)
        print(line(name, "all", results[name]["all"]), flush=True)
    return results


def load_run(args) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    """A run's training and test frames and the task of :func:`run_registered`.

    ``args`` holds the parsed ``train``, ``test``, ``horizon``, ``season_length``, ``n_jobs``,
    ``limit``, ``seed`` and ``unequal_lengths`` options; ``--unequal-lengths SEED`` keeps at
    least two seasons of each series (``load``'s ``shorten``).
    """
    shorten = None
    if args.unequal_lengths is not None:
        shorten = (args.unequal_lengths, 2 * args.season_length)
    train, test = load(args.train, args.limit, shorten), load(args.test, args.limit)
    task = (
        args.train,
        args.horizon,
        args.season_length,
        args.n_jobs,
        args.limit,
        args.seed,
        shorten,
    )
    return train, test, task


def run_registered(
    factory: Callable,
    train_path: str,
    h: int,
    m: int,
    n_jobs: int | None,
    limit: int | None,
    seed: int,
    shorten: tuple[int, int] | None,
) -> dict:
    """Fit and predict the model ``factory(h, m, n_jobs, seed)`` on the training CSV."""
    return fit_predict(factory(h, m, n_jobs, seed), load(train_path, limit, shorten), h)


def unequal_lengths(lengths: pd.Series, seed: int, min_length: int) -> pd.Series:
    """How many of its last values each series keeps: a panel of very unequal lengths.

    Each series (in the order of ``lengths``' index) keeps a number drawn uniformly between
    ``min_length`` and its own length, from ``numpy.random.default_rng(seed)``; a series of
    at most ``min_length`` values keeps them all.
    """
    rng = np.random.default_rng(seed)
    low = np.minimum(lengths.to_numpy(), min_length)
    return pd.Series(rng.integers(low, lengths.to_numpy() + 1), index=lengths.index)


def _proc_status_mib(field: str) -> float:
    with open("/proc/self/status") as fh:
        line = next(row for row in fh if row.startswith(field + ":"))
    return int(line.split()[1]) / 1024.0  # kB


def reset_peak_rss() -> float:
    """Reset this process's peak RSS (Linux) and return the current RSS in MiB."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _proc_status_mib("VmRSS")
    except OSError:  # no procfs: fall back to the lifetime peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (since the last :func:`reset_peak_rss`)."""
    try:
        return _proc_status_mib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def fit_predict(model, train: pd.DataFrame, h: int) -> dict:
    """Fit ``model`` on ``train``, forecast ``h`` steps; return the forecasts and the costs.

    The forecast frame has columns ``unique_id, ds, forecast`` and, for models that predict
    the 0.1 and 0.9 quantiles, ``lo`` and ``hi``.
    """
    rss_before = reset_peak_rss()
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
        "peak_rss_mib": peak_rss_mib() - rss_before,
    }


def score(
    forecast: pd.DataFrame,
    train: pd.DataFrame,
    test: pd.DataFrame,
    m: int,
    clip_at_zero: bool = False,
) -> pd.DataFrame:
    """Per-series sMAPE, MASE (season ``m``) and, with a band, 10%-90% coverage."""
    joined = test.merge(forecast, on=["unique_id", "ds"], how="left", validate="one_to_one")
    if joined["forecast"].isna().any():
        missing = joined.loc[joined["forecast"].isna(), "unique_id"].iloc[0]
        raise ValueError(f"The forecast has no value for series {missing!r} at a test step.")
    history = {uid: g.to_numpy() for uid, g in train.groupby("unique_id", sort=False)["y"]}
    rows = []
    for uid, g in joined.groupby("unique_id", sort=False):
        y_true = g["y"].to_numpy()
        y_pred = g["forecast"].to_numpy()
        y_pred = np.clip(y_pred, 0.0, None) if clip_at_zero else y_pred
        row = {
            "unique_id": uid,
            "smape": float(metrics.smape(y_true, y_pred)),
            "mase": float(metrics.mase(y_true, y_pred, history[uid], m)),
        }
        if "lo" in g and "hi" in g:  # the 10%-90% band of probabilistic models
            row["coverage"] = float(metrics.coverage(y_true, g["lo"], g["hi"]))
        rows.append(row)
    return pd.DataFrame(rows)


def evaluate(
    run_model: Callable[..., dict],
    names: Sequence[str],
    task: tuple,
    train: pd.DataFrame,
    test: pd.DataFrame,
    m: int,
    clip_at_zero: bool = False,
) -> dict:
    """Run ``run_model(name, *task)`` for each model in a fresh process and score it.

    ``run_model`` must be a module-level function (it is pickled into the new process) that
    returns :func:`fit_predict`'s dict. Returns, per model, the mean sMAPE and MASE, the mean
    coverage (None without a band), the costs and the per-series scores.
    """
    # Each model's process runs torch with the threads a user's own process would get here.
    spawn, threads = get_context("spawn"), (str(default_threads()),)
    results = {}
    for name in names:
        with ProcessPoolExecutor(1, spawn, initializer=_use_threads, initargs=threads) as pool:
            out = pool.submit(run_model, name, *task).result()
        per_series = score(out.pop("forecast"), train, test, m, clip_at_zero)
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
    return results


def _use_threads(threads: str) -> None:
    """Set a model process's torch threads (``$GLUTS_THREADS``), leaving the caller's alone."""
    os.environ[ENV_VAR] = threads


def add_owa(results: dict, reference: dict) -> None:
    """Set each result's ``owa``: half the sum of its sMAPE and MASE ratios to ``reference``."""
    for res in results.values():
        res["owa"] = 0.5 * (res["smape"] / reference["smape"] + res["mase"] / reference["mase"])


def print_table(results: dict) -> None:
    """Print an aligned table: model, sMAPE, MASE, OWA, coverage, fit/predict seconds, memory.

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


def report(args, train: pd.DataFrame, results: dict, **fields) -> dict:
    """The run's JSON document (written to ``args.json`` when given): settings and results.

    ``args`` holds the parsed ``train``, ``test``, ``horizon``, ``season_length``,
    ``n_jobs``, ``seed``, ``unequal_lengths`` and ``json`` options; ``fields`` adds the
    benchmark's own.
    """
    doc = {
        "train": args.train,
        "test": args.test,
        **fields,
        "n_series": int(train["unique_id"].nunique()),
        "horizon": args.horizon,
        "season_length": args.season_length,
        "n_jobs": args.n_jobs,
        "seed": args.seed,
        "unequal_lengths": args.unequal_lengths,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "results": results,
    }
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(doc, fh, indent=1)
    return doc
