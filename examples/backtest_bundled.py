"""Backtest gluts' forecasters on a bundled dataset and print the leaderboard.

Three real monthly series (El Niño sea temperatures, Mauna Loa CO2, euro-area electrical
equipment orders) are forecast 12 months ahead from three rolling origins by the models of
``gluts backtest`` (the GLU forecaster, the ensemble, the linear map and the statistical
baselines); every model is scored the same way.

Run: ``python examples/backtest_bundled.py``
"""

import pandas as pd

import gluts
from gluts import (
    ARIMAForecaster,
    EnsembleForecaster,
    ETSForecaster,
    GLUForecaster,
    LinearForecaster,
    Naive2Forecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)


def main() -> None:
    y = gluts.load_dataset("monthly_seasonal")
    models = [
        GLUForecaster(horizon=12, random_state=0),
        EnsembleForecaster(horizon=12, random_state=0),
        ETSForecaster(),
        ThetaForecaster(),
        ARIMAForecaster(),
        LinearForecaster(horizon=12),
        SeasonalNaiveForecaster(),
        Naive2Forecaster(),
    ]
    result = gluts.backtest(models, y, horizon=12, n_windows=3, verbose=True)
    board = result.summary()
    columns = ["smape", "mase", "mase_rel", "coverage", "seconds"]
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(board[[c for c in columns if c in board]])


if __name__ == "__main__":
    main()
