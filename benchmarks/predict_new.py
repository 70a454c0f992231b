"""``predict(y=new)`` of a fitted per-series model on new series: n_jobs=1 against n_jobs=N.

A ThetaForecaster (season 24) is fitted on ``--series`` synthetic hourly series (the panel of
``scale.py``, seed 0) and then forecasts 24 steps after each of as many new series (seed 1):
``predict(y=new)`` fits every new series and forecasts it, in parallel tasks of whole series
that get an unfitted clone, never the fitted model. The pool is warmed up first; a row gives
the seconds of the timed ``predict`` and whether its forecasts equal the ``n_jobs=1`` ones.

Example (the issue-17 target: ``n_jobs=2`` no slower than ``n_jobs=1`` on 300 series)::

    python benchmarks/predict_new.py --series 300 --json predict_new.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import panel  # noqa: E402

from gluts import ThetaForecaster  # noqa: E402


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--length", type=int, default=336, help="rows per series")
    parser.add_argument("--n-jobs", type=int, default=2, help="the parallel run's workers")
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # statsmodels' convergence notices, per series
    fitted, new = panel(args.series, args.length, seed=0), panel(args.series, args.length, seed=1)
    rows, reference = [], None
    for n_jobs in dict.fromkeys((1, args.n_jobs)):
        model = ThetaForecaster(season_length=24, n_jobs=n_jobs).fit(fitted)
        model.predict(24, y=new.groupby("unique_id").head(50))  # workers up
        start = time.perf_counter()
        forecast = model.predict(24, y=new)
        seconds = time.perf_counter() - start
        reference = forecast if reference is None else reference
        row = {"series": args.series, "n_jobs": n_jobs, "seconds": round(seconds, 2)}
        row["equal_to_n_jobs_1"] = bool(forecast.equals(reference))
        rows.append(row)
        print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return rows


if __name__ == "__main__":
    main()
