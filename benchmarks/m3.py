"""M3 benchmark: fit gluts forecasters on M3 Monthly or Quarterly training data, score the rest.

Follows the M3 protocol of the data README: one origin per series, horizon 18 and season 12
for Monthly, 8 and 4 for Quarterly (``--frequency`` picks both, ``--horizon`` and
``--season-length`` override them); sMAPE (percent) and MASE per series averaged over the
series; OWA against Naive2 from the same run (naive2 is always run); the share of test values
inside the 10%-90% band for models that predict quantiles. Forecasts are scored as they are
(no clipping). Each model runs in a fresh process, so its peak memory is its own.

``--unequal-lengths SEED`` fits on the last L values of each series instead (L drawn
between two seasons and the series' length): a panel of very unequal lengths.

Example::

    python benchmarks/m3.py --train m3_monthly_train.csv --test m3_monthly_test.csv \
        --frequency monthly --models naive2,snaive,theta,ets,linear --json m3_monthly.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    add_owa,
    evaluate,
    forecasters,
    load_run,
    model_names,
    print_table,
    report,
    run_parser,
    run_registered,
)

FREQUENCIES = {"monthly": (18, 12), "quarterly": (8, 4)}  # horizon, season length

# name -> factory(horizon, season_length, n_jobs, seed); every model with its defaults.
MODELS = forecasters()


def run_model(name: str, *task) -> dict:
    """Fit and predict one model (in its own process); return its forecasts and costs."""
    return run_registered(MODELS[name], *task)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = run_parser(__doc__.splitlines()[0], MODELS, "naive2,snaive,theta,ets,linear")
    parser.add_argument(
        "--frequency",
        choices=sorted(FREQUENCIES),
        default="monthly",
        help="sets the horizon and season length of the protocol",
    )
    parser.add_argument("--horizon", type=int, default=None, help="override the horizon h")
    parser.add_argument("--season-length", type=int, default=None, help="override the season m")
    args = parser.parse_args(argv)
    names = model_names(parser, args.models, MODELS)
    args.models = list(dict.fromkeys(["naive2", *names]))  # OWA's reference runs first
    horizon, season = FREQUENCIES[args.frequency]
    args.horizon = args.horizon or horizon
    args.season_length = args.season_length or season
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    train, test, task = load_run(args)
    results = evaluate(run_model, args.models, task, train, test, args.season_length)
    add_owa(results, results["naive2"])
    print_table(results)
    return report(
        args,
        train,
        results,
        frequency=args.frequency,
        owa_reference="naive2 (this run)",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
