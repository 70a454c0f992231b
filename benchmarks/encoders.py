"""Encoder benchmark: the GLU stack (five gates) against an ungated TCN, an LSTM and a GRU.

Every encoder plugs into the same GLUForecaster (training loop, quantile head, linear seasonal
skip, scaling, data pipeline); only the encoder differs. Budgets are matched: the TCN width and
the LSTM/GRU hidden sizes are the ones whose encoder has the parameter count of the default
32-channel GLU stack closest (``gluts.nn.matched_width``); the GLU gates all share it.

1. M4 Hourly, the protocol of ``benchmarks/m4.py`` (h 48, sMAPE, MASE, OWA against Naive2
   computed on the same series).
2. ETTh1 univariate ``OT``, horizon 96, the protocol of ``benchmarks/ett.py`` (z-normalised MSE
   and MAE over every test window; fitted on the training and validation rows).
3. Long-range dependency: each series repeats a random pattern of period L (plus noise), so
   the next value is the one L steps back; fresh patterns at test time. The convolution stacks
   get the fewest blocks whose receptive field covers L, the linear skip is switched off (zero,
   frozen: it would copy lag L by itself), and each network trains with the forecaster's
   training loop on crops of L + 512 steps. Score: R^2 of the one-step median forecast on
   positions with two periods of history (copying the noisy lag gives about 0.98).

Every fit gets the same fixed number of training steps (the default GLUForecaster trains M4
Hourly for 2,500; here far fewer), uses one torch thread (two threads per process measured up
to 40x slower on a shared 2-core machine) and runs in a fresh process, so that its peak memory
is its own (``--quick`` reuses processes); ``--jobs`` processes run at once. Speeds are CPU
seconds of that one-thread process, which other load on the machine barely changes; fits
also report wall-clock seconds. Accuracies are mean ± sample standard deviation over the
seeds; a difference counts as clear when the mean ± sd bands do not overlap.

The three modules: ``encoder_runs.py`` measures one fit, ``encoder_report.py`` prints the
tables and verdicts, this one schedules the runs.

Example::

    python benchmarks/encoders.py --out encoders.json --plot encoders.png  # full: < 60 min
    python benchmarks/encoders.py --quick --out encoders_quick.json        # under 5 min
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ett  # noqa: E402
import m4  # noqa: E402
from encoder_report import (  # noqa: E402
    COST_KEYS,
    SIZE_KEYS,
    default_advice,
    long_range_table,
    plot,
    print_forecast_table,
    summarise,
    verdicts,
)
from encoder_runs import (  # noqa: E402
    ETT_H,
    M4_H,
    M4_M,
    VARIANTS,
    matched_sizes,
    run_ett,
    run_long_range,
    run_m4,
    steps_per_epoch,
)

from gluts import GLUForecaster, Naive2Forecaster  # noqa: E402
from gluts.nn import blocks_for_context  # noqa: E402

DATA = Path("/work/shared/data/forecast")
# Seconds per training step on one thread relative to the LSTM (measured on M4), so that the
# slowest runs start first.
_COST = {"gru": 7.0, "tcn": 1.5, "lstm": 1.0}


@dataclass(frozen=True)
class Budget:
    """Sizes of one benchmark run."""

    m4_steps: int
    ett_steps: int
    long_steps: int
    lengths: tuple[int, ...]
    seeds: tuple[int, ...]
    m4_series: int | None  # None: all 414
    ett_stride: int  # score every n-th test window


FULL = Budget(400, 200, 200, (24, 96, 336, 1000), (0, 1, 2), None, 1)
QUICK = Budget(30, 20, 60, (24, 96), (0,), 16, 24)


# -- orchestration ----------------------------------------------------------------------------


def tasks_for(budget: Budget, args, m4_sizes: dict, ett_sizes: dict) -> list[tuple]:
    """Every (function, task) of the run, the most expensive first."""
    m4_data = {"train": args.m4_train, "test": args.m4_test, "limit": budget.m4_series}
    ett_data = {"data": args.ett, "stride": budget.ett_stride}
    tasks = []
    for seed in budget.seeds:
        for name in args.encoders:
            if seed != budget.seeds[0] and (
                m4_sizes[name]["diverges"] or ett_sizes[name]["diverges"]
            ):
                continue  # one seed shows a network that overflows before training
            task = {"variant": name, "seed": seed}
            m4_task = {**task, **m4_sizes[name], **m4_data, "part": "m4", "steps": budget.m4_steps}
            ett_task = {
                **task,
                **ett_sizes[name],
                **ett_data,
                "part": "ett",
                "steps": budget.ett_steps,
            }
            tasks += [(run_m4, m4_task), (run_ett, ett_task)]
    for period in budget.lengths:
        sizes = matched_sizes(1, blocks_for_context(period, 3))
        for name in args.encoders:
            task = {"variant": name, "seed": budget.seeds[0], "part": "long", "period": period}
            tasks.append((run_long_range, {**task, **sizes[name], "steps": budget.long_steps}))

    def cost(item):
        fn, task = item
        length = task["period"] + 512 if fn is run_long_range else 1000
        return _COST.get(task["variant"], 2.0) * task["steps"] * length

    return sorted(tasks, key=cost, reverse=True)


def run_all(tasks: list[tuple], jobs: int, fresh: bool = True) -> list[dict]:
    """Run the tasks in ``jobs`` processes at once (in this process when 0).

    ``fresh`` starts a process per task, so that its peak memory is its own; otherwise
    processes are reused (faster to start; the memory growth is then a lower bound).
    """
    results = []
    if jobs == 0:
        for fn, task in tasks:
            results.append(fn(task))
            _progress(results[-1], len(results), len(tasks))
        return results
    context = get_context("spawn")
    per_child = 1 if fresh else None
    with ProcessPoolExecutor(jobs, mp_context=context, max_tasks_per_child=per_child) as pool:
        futures = [pool.submit(fn, task) for fn, task in tasks]
        for future in as_completed(futures):
            results.append(future.result())
            _progress(results[-1], len(results), len(tasks))
    return results


def _progress(result: dict, done: int, total: int) -> None:
    where = f"L={result['period']}" if result["part"] == "long" else result["part"]
    print(
        f"[{done}/{total}] {where} {result['variant']} seed {result['seed']}: "
        f"{result['fit_s']:.1f} s",
        flush=True,
    )


def naive2_reference(args, budget: Budget) -> dict:
    """sMAPE and MASE of Naive2 on the benchmark's M4 series (the OWA reference)."""
    train, test = m4.load(args.m4_train, budget.m4_series), m4.load(args.m4_test, budget.m4_series)
    model = Naive2Forecaster(season_length=M4_M, quantiles=None).fit(train)
    forecast = model.predict(M4_H).rename(columns={model.alias_: "forecast"})
    per_series = m4.score(forecast[["unique_id", "ds", "forecast"]], train, test, M4_M)
    return {"smape": float(per_series["smape"].mean()), "mase": float(per_series["mase"].mean())}


# -- command line -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small budget (under 5 minutes)")
    parser.add_argument("--out", help="write the results to this JSON file")
    parser.add_argument("--plot", help="draw accuracy vs cost and R^2 vs L to this PNG file")
    parser.add_argument("--encoders", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes at once (0: all in this one)"
    )
    parser.add_argument("--m4-train", default=str(DATA / "m4_hourly_train.csv"))
    parser.add_argument("--m4-test", default=str(DATA / "m4_hourly_test.csv"))
    parser.add_argument("--ett", default=str(DATA / "ETTh1.csv"))
    parser.add_argument("--lengths", help="comma-separated periods L (overrides the budget's)")
    parser.add_argument("--seeds", type=int, help="number of seeds (overrides the budget's)")
    args = parser.parse_args(argv)
    args.encoders = [s.strip() for s in args.encoders.split(",") if s.strip()]
    unknown = [s for s in args.encoders if s not in VARIANTS]
    if unknown:
        parser.error(f"unknown encoder(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    budget = QUICK if args.quick else FULL
    if args.lengths:
        budget = replace(budget, lengths=tuple(int(v) for v in args.lengths.split(",")))
    if args.seeds:
        budget = replace(budget, seeds=tuple(range(args.seeds)))
    args.budget = budget
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    budget, started = args.budget, time.perf_counter()
    m4_train = m4.load(args.m4_train, budget.m4_series)
    ds, z = ett.load_column(args.ett)
    ett_train = pd.Series(z[: ett.VALID], index=ds[: ett.VALID], name="OT")
    m4_probe = GLUForecaster(M4_H, season_length=M4_M, n_steps=1, n_threads=1).fit(m4_train)
    ett_probe = GLUForecaster(ETT_H, n_steps=1, n_threads=1).fit(ett_train)
    m4_sizes = matched_sizes(m4_probe.spec_.in_features, m4_probe.spec_.n_blocks)
    ett_sizes = matched_sizes(ett_probe.spec_.in_features, ett_probe.spec_.n_blocks)
    epochs = {"m4": steps_per_epoch(m4_probe), "ett": steps_per_epoch(ett_probe)}
    reference = naive2_reference(args, budget)
    print(
        f"Budget: {budget.m4_steps} training steps on M4 Hourly "
        f"({budget.m4_steps / epochs['m4']:.1f} epochs, {m4_probe.n_series_} series), "
        f"{budget.ett_steps} on ETTh1 ({budget.ett_steps / epochs['ett']:.1f} epochs), "
        f"{budget.long_steps} per long-range period; seeds {list(budget.seeds)}; "
        f"1 torch thread per fit, {args.jobs or 1} at once"
        + (
            ", processes reused (+MiB is a lower bound)."
            if args.quick
            else ", each in a fresh process."
        ),
        flush=True,
    )
    tasks = tasks_for(budget, args, m4_sizes, ett_sizes)
    results = run_all(tasks, args.jobs, fresh=not args.quick)
    for r in results:
        if r["part"] == "m4":
            r["owa"] = 0.5 * (r["smape"] / reference["smape"] + r["mase"] / reference["mase"])
        if r["part"] in ("m4", "ett"):
            r["s_per_epoch"] = r["s_per_step"] * epochs[r["part"]]
    costs = [*COST_KEYS, "s_per_epoch", *SIZE_KEYS]
    m4s = summarise(results, "m4", ["owa", "smape", "mase", *costs])
    etts = summarise(results, "ett", ["mse", "mae", *costs])
    print_forecast_table(
        f"M4 Hourly ({m4_probe.n_series_} series, h {M4_H}; OWA vs Naive2 sMAPE "
        f"{reference['smape']:.3f} MASE {reference['mase']:.3f}); mean ± sd over "
        f"{len(budget.seeds)} seed(s)",
        m4s,
        ["owa", "smape", "mase"],
    )
    print_forecast_table(
        f"ETTh1 OT, h {ETT_H}, every {budget.ett_stride}. test window; mean ± sd over "
        f"{len(budget.seeds)} seed(s)",
        etts,
        ["mse", "mae"],
    )
    reach = long_range_table(results)
    claims = verdicts(m4s, etts, reach)
    if len(budget.seeds) < 2:
        for found in claims.values():
            found["verdict"] = "undecided (one seed: no spread to judge by)"
    print("\nClaims (comparisons: +1 clearly for the GLU, -1 clearly against, 0 within spread)")
    for claim, found in claims.items():
        print(f"- {claim}: {found['verdict'].upper()}  {found['comparisons']}")
    advice = default_advice(m4s, etts)
    print(
        "Defaults: "
        + (
            f"{', '.join(advice)} clearly beat the default on both M4 and ETTh1"
            if advice
            else "no variant is clearly better than the default GLU on both M4 and ETTh1"
        )
    )
    elapsed = time.perf_counter() - started
    print(f"Total {elapsed / 60:.1f} minutes (load average {os.getloadavg()[0]:.1f}).")
    report = {
        "budget": asdict(budget),
        "steps_per_epoch": epochs,
        "jobs": args.jobs,
        "torch_threads_per_fit": 1,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "elapsed_s": elapsed,
        "naive2": reference,
        "sizes": {"m4": m4_sizes, "ett": ett_sizes},
        "m4": m4s,
        "ett": etts,
        "long_range_reach": reach,
        "claims": claims,
        "clearly_better_than_default": advice,
        "runs": results,
    }
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(report, fh, indent=1, default=float)
    if args.plot:
        plot(report, args.plot)
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
