"""M4 benchmark: fit gluts forecasters on the training part of an M4 set and score the test part.

Follows the M4 protocol (see the data README): one origin per series, horizon 48 and season 24
for Hourly, negative forecasts clipped at 0, sMAPE and MASE averaged over the series, OWA
against Naive2. Each model runs in a fresh process, so its peak memory is its own.

``--unequal-lengths SEED`` fits on the last L values of each series instead (L drawn
between two seasons and the series' length): a panel of very unequal lengths.

Example::

    python benchmarks/m4.py --train m4_hourly_train.csv --test m4_hourly_test.csv \
        --models naive,snaive,naive2,ets,theta,arima --n-jobs 2 --json m4_hourly.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
from _common import (  # noqa: E402
    add_owa,
    evaluate,
    forecasters,
    glu,
    load,
    load_run,
    model_names,
    print_table,
    report,
    run_parser,
    run_registered,
)

from gluts import ARIMAForecaster, ThetaForecaster  # noqa: E402

__all__ = ["MODELS", "load", "main", "run_model", "score"]

# Published M4 Hourly Naive2 scores; OWA uses them when naive2 is not part of the run.
NAIVE2_HOURLY = {"smape": 18.383, "mase": 2.395}


# name -> factory(horizon, season_length, n_jobs, seed); every model with its defaults,
# point forecasts only (the protocol scores points), and two M4 variants.
MODELS = {
    **forecasters(quantiles=False),
    # The official M4 Theta benchmark: multiplicative classical decomposition, theta = 2.
    "theta_m4": lambda h, m, n_jobs, seed: ThetaForecaster(
        deseasonalize="multiplicative", season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    # ARIMA on the M4 multiplicative adjustment (the default adjustment is additive).
    "arima_mult": lambda h, m, n_jobs, seed: ARIMAForecaster(
        deseasonalize="multiplicative", season_length=m, quantiles=None, n_jobs=n_jobs
    ),
    # The default GLU with the GEGLU gate, the candidate default of the encoder benchmark.
    "glu_gelu": lambda h, m, n_jobs, seed: glu(h, m, n_jobs, seed, gate="gelu"),
}


def score(forecast: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame, m: int):
    """Per-series sMAPE and MASE of forecasts clipped at 0 (the M4 protocol)."""
    return _common.score(forecast, train, test, m, clip_at_zero=True)


def run_model(name: str, *task) -> dict:
    """Fit and predict one model (in its own process); return its forecasts and costs."""
    return run_registered(MODELS[name], *task)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = run_parser(__doc__.splitlines()[0], MODELS, "naive,snaive,naive2")
    parser.add_argument("--horizon", type=int, default=48, help="forecast horizon h")
    parser.add_argument("--season-length", type=int, default=24, help="season m (MASE lag)")
    args = parser.parse_args(argv)
    args.models = model_names(parser, args.models, MODELS)
    if args.unequal_lengths is not None:  # the published Naive2 scores the whole series
        args.models = list(dict.fromkeys(["naive2", *args.models]))
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    train, test, task = load_run(args)
    results = evaluate(
        run_model, args.models, task, train, test, args.season_length, clip_at_zero=True
    )
    add_owa(results, results.get("naive2", NAIVE2_HOURLY))
    print_table(results)
    reference = "naive2 (this run)" if "naive2" in results else "published Naive2"
    return report(args, train, results, owa_reference=reference)


if __name__ == "__main__":
    main(sys.argv[1:])
