"""Write a small sales file with covariates, for the command line's covariate options.

``sales.csv``: two stores, hourly, two weeks: ``store, ds, sales, promo, temperature``. Sales
follow a daily cycle and jump while a promotion runs (``promo`` is 1; promotions are planned,
so known in advance); ``temperature`` is measured, so known only up to now.
``future.csv``: the promotion plan for the next 24 hours of each store: ``store, ds, promo``.

Run it as ``python examples/sales_covariates.py [FOLDER]`` (default: the current folder),
then::

    gluts forecast sales.csv --horizon 24 --covariates promo \\
        --past-covariates temperature --future future.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HOURS, HORIZON = 14 * 24, 24


def make_sales(seed: int = 0) -> pd.DataFrame:
    """Two stores over ``HOURS + HORIZON`` hours, with their promotions and temperature."""
    rng = np.random.default_rng(seed)
    n = HOURS + HORIZON
    ds = pd.date_range("2024-03-04", periods=n, freq="h")
    hour = np.arange(n) % 24
    frames = []
    for k, store in enumerate(["north", "south"]):
        starts = rng.random(n) < 0.03
        promo = (np.convolve(starts, np.ones(6))[:n] > 0).astype(int)  # 6-hour promotions
        temperature = 12 + 6 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 1, n)
        daily = np.clip(np.sin(np.pi * (hour - 7) / 14), 0, None)  # open 7:00-21:00
        sales = (40 + 10 * k) * daily * (1 + 0.6 * promo) + 0.5 * temperature
        sales += rng.normal(0, 1.5, n)
        frames.append(
            pd.DataFrame(
                {
                    "store": store,
                    "ds": ds,
                    "sales": sales.round(1),
                    "promo": promo,
                    "temperature": temperature.round(1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def main(folder: str = ".") -> None:
    """Write ``sales.csv`` (the history) and ``future.csv`` (the plan) into ``folder``."""
    full = make_sales()
    by_store = full.groupby("store", sort=False)
    by_store.head(HOURS).to_csv(Path(folder) / "sales.csv", index=False)
    plan = by_store.tail(HORIZON)[["store", "ds", "promo"]]
    plan.to_csv(Path(folder) / "future.csv", index=False)
    print(f"Wrote sales.csv ({HOURS} hours of 2 stores) and future.csv ({HORIZON} hours).")


if __name__ == "__main__":
    main(*sys.argv[1:2])
