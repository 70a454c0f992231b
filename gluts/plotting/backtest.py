"""Backtest figures: the leaderboard as bars, then every model's window forecasts per series."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import pandas as pd

from gluts._text import plural
from gluts.plotting._common import finish, panels
from gluts.plotting.selection import MAX_PANELS, SeriesChoice, choose_series

__all__ = ["backtest_choice", "plot_backtest"]


def plot_backtest(result, *, series: Iterable[Hashable] | None = None):
    """Plot a backtest: mean MASE per model, and each model's forecasts of some series.

    Parameters
    ----------
    result : BacktestResult
        What :func:`gluts.backtest` returned.
    series : iterable of hashable or None, default=None
        The series whose forecasts are drawn, by id (or the id's text). Default: every
        series when there are at most six, else the six on which the best model has the
        largest MASE (see :func:`backtest_choice`).

    Returns
    -------
    matplotlib.figure.Figure
        A bar chart of the leaderboard (bars coloured like the models' lines), then one
        panel per series with the actuals and every model's forecast of every window; the
        legend sits above the panels.

    Raises
    ------
    DataError
        When ``series`` names a series that is not in the backtest.

    Examples
    --------
    >>> from gluts import NaiveForecaster, backtest, make_synthetic, plot_backtest
    >>> y = make_synthetic(n_series=2, length=200, random_state=0)
    >>> result = backtest(NaiveForecaster(), y, horizon=24, n_windows=2)
    >>> fig = plot_backtest(result)
    >>> fig.axes[1].get_title()
    'series series_0: 2 backtest windows of 24 steps; MASE of Naive 0.948'
    """
    from matplotlib.lines import Line2D

    choice = backtest_choice(result, series)
    board = result.summary()
    best, errors = _errors(result)
    frame = result.forecasts
    models = list(board.index)
    colors = {model: f"C{k + 1}" for k, model in enumerate(models)}
    fig, axes = panels(len(choice.ids), top=0.8 + 0.3 * len(models))
    bars, lines = axes[0], axes[1:]
    order = models[::-1]  # the best model on top
    bars.barh([str(m) for m in order], board.loc[order, "mase"], color=[colors[m] for m in order])
    bars.set_xlabel("MASE (lower is better)", fontsize=8)
    n_series, n_windows = frame["unique_id"].nunique(), frame["window"].nunique()
    bars.set_title(
        f"Mean MASE of each model over {n_series} series and {plural(n_windows, 'window')}",
        fontsize=9,
    )
    for ax, sid in zip(lines, choice.ids):
        one = frame[frame["unique_id"] == sid]
        actual = one.drop_duplicates("ds").sort_values("ds")
        ax.plot(actual["ds"], actual["y"], color="0.2", lw=1.2)
        for model, rows in one.groupby("model", sort=False):
            for _, part in rows.groupby("window"):
                ax.plot(part["ds"], part["forecast"], color=colors[model], lw=1)
        steps = int(one.groupby(["model", "window"]).size().max())
        ax.set_title(
            f"series {sid}: {plural(one['window'].nunique(), 'backtest window')} of {steps} "
            f"steps; MASE of {best} {errors.get(sid, float('nan')):.3g}",
            fontsize=9,
        )
    handles = [Line2D([], [], color="0.2", lw=1.2, label="actual")]
    handles += [Line2D([], [], color=colors[m], lw=1, label=str(m)) for m in models]
    return finish(fig, handles, choice.caption())


def backtest_choice(result, series: Iterable[Hashable] | None = None) -> SeriesChoice:
    """The series a backtest figure shows: those asked for, else the hardest for the best.

    The best model is the leaderboard's first (lowest mean MASE); the series on which it
    has the largest mean MASE over the windows are where even the best model fails, and
    where a model choice matters most.

    Parameters
    ----------
    result : BacktestResult
        What :func:`gluts.backtest` returned.
    series : iterable of hashable or None, default=None
        The series asked for; all are shown.

    Returns
    -------
    SeriesChoice
        At most six series when none are asked for.
    """
    ids = list(pd.unique(result.forecasts["unique_id"]))
    if series is not None or len(ids) <= MAX_PANELS:
        return choose_series(ids, series)
    best, errors = _errors(result)
    interest = errors.reindex(ids).to_numpy(dtype=float)
    return choose_series(ids, None, interest, f"the largest MASE of the best model, {best}")


def _errors(result) -> tuple[str, pd.Series]:
    """The best model and its mean MASE on each series."""
    best = result.summary().index[0]
    metrics = result.metrics[result.metrics["model"] == best]
    return best, metrics.groupby("unique_id", sort=False)["mase"].mean()
