"""Forecast figures: each series' recent history, its point forecast and central intervals."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from gluts.plotting._common import finish, long_frame, panels
from gluts.plotting.selection import MAX_PANELS, SeriesChoice, choose_series

__all__ = ["central_bands", "draw_forecast", "forecast_choice", "plot_forecast"]

Band = tuple[float, str, str]


def plot_forecast(
    forecaster,
    h: int | None = None,
    *,
    y=None,
    X=None,
    X_future=None,
    series: Iterable[Hashable] | None = None,
    n_history: int | None = None,
):
    """Plot a fitted forecaster's forecast after the history of each series.

    Parameters
    ----------
    forecaster : BaseForecaster
        A fitted gluts forecaster.
    h : int or None, default=None
        Steps to forecast; the forecaster's ``horizon`` when None.
    y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
        New history to forecast from, as in ``predict(h, y=y)``; the fitted history when
        None.
    X, X_future : pandas.DataFrame or None, default=None
        Covariates over ``y`` and over the forecast steps, as ``predict`` takes them (for
        forecasters that use covariates).
    series : iterable of hashable, str or None, default=None
        The series to show, by id (or the id's text). Default: every series when there are
        at most six, else the six least certain forecasts (see :func:`forecast_choice`).
    n_history : int or None, default=None
        Observations shown before the forecast; five horizons (at least 50) when None.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per series, titled with the series, the number of steps, the model and
        the interval levels; the legend sits above the panels.

    Raises
    ------
    DataError
        When ``series`` names a series that is not in the data.

    Examples
    --------
    >>> from gluts import SeasonalNaiveForecaster, make_synthetic, plot_forecast
    >>> y = make_synthetic(n_series=2, length=200, random_state=0)
    >>> model = SeasonalNaiveForecaster(quantiles=(0.1, 0.5, 0.9)).fit(y)
    >>> fig = plot_forecast(model, 24)
    >>> fig.axes[0].get_title()
    'series series_0: 24-step forecast, SeasonalNaive, 80% interval'
    """
    from sklearn.utils.validation import check_is_fitted

    from gluts.base import quantile_column

    check_is_fitted(forecaster, "history_")
    h = forecaster.check_h(h)
    panel = forecaster.history_ if y is None else forecaster.read_options_.read(y)
    new = None if y is None else panel
    point, quantiles = forecaster.forecast_panel(h, new, X=X, X_future=X_future)
    alias, qs = forecaster.alias_, forecaster.quantiles_
    columns = {alias: point}
    for j, q in enumerate(qs):
        columns[quantile_column(alias, q)] = [values[:, j] for values in quantiles]
    history = long_frame(panel.ids, panel.index, {"y": panel.values})
    forecast = long_frame(panel.ids, panel.future_index(h), columns)
    bands = central_bands(alias, qs)
    choice = forecast_choice(history, forecast, alias, bands, series)
    return draw_forecast(history, forecast, choice, alias, bands, n_history=n_history)


def central_bands(alias: str, quantiles: Sequence[float]) -> list[Band]:
    """The central intervals that a model's quantiles give, widest first.

    Parameters
    ----------
    alias : str
        The model's point-forecast column (its quantile columns are ``<alias>-q<q>``).
    quantiles : sequence of float
        The quantiles it predicts.

    Returns
    -------
    list of (float, str, str)
        ``(level, lower column, upper column)`` for each pair ``q``, ``1 - q``; the level
        in percent (``0.1`` and ``0.9`` give 80).
    """
    from gluts.base import quantile_column

    qs = sorted(round(float(q), 10) for q in quantiles)
    return [
        (round(100 * (1 - 2 * q), 8), quantile_column(alias, q), quantile_column(alias, 1 - q))
        for q in qs
        if q < 0.5 and round(1 - q, 10) in qs
    ]


def forecast_choice(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    point_col: str,
    bands: Sequence[Band] = (),
    series: Iterable[Hashable] | None = None,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> SeriesChoice:
    """The series a forecast figure shows: those asked for, else the least certain ones.

    A series' uncertainty is the mean width of its widest interval over the horizon,
    divided by its typical step (the mean absolute change between consecutive
    observations), so that series of any scale compare. Without intervals, the forecasts
    that move furthest from the last observation (in the same unit) are shown: both pick
    the forecasts most worth checking.

    Parameters
    ----------
    history, forecast : pandas.DataFrame
        Long frames of the observations and of the forecasts.
    point_col : str
        Column of the point forecast.
    bands : sequence of (float, str, str), default=()
        The intervals, widest first (see :func:`central_bands`).
    series : iterable of hashable or None, default=None
        The series asked for; all are shown.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names.

    Returns
    -------
    SeriesChoice
        At most six series when none are asked for.
    """
    ids = list(pd.unique(history[id_col]))
    if series is not None or len(ids) <= MAX_PANELS:
        return choose_series(ids, series)
    history = history.sort_values(time_col, kind="stable")
    by_series = history.groupby(id_col, sort=False)[target_col]
    step = by_series.agg(lambda v: np.nanmean(np.abs(np.diff(v.to_numpy(dtype=float)))))
    if bands:
        level, lo, hi = bands[0]
        size = (forecast[hi] - forecast[lo]).abs()
        reason = f"the widest {level:g}% intervals relative to their typical step"
    else:
        last = forecast[id_col].map(by_series.last())
        size = (forecast[point_col] - last).abs()
        reason = "the largest moves from their last value relative to their typical step"
    spread = size.groupby(forecast[id_col].to_numpy(), sort=False).mean()
    interest = (spread / step.where(step > 0)).reindex(ids)
    return choose_series(ids, None, interest.to_numpy(dtype=float), reason)


def draw_forecast(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    choice: SeriesChoice,
    point_col: str,
    bands: Sequence[Band] = (),
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    n_history: int | None = None,
):
    """Draw the chosen series' history, forecast and intervals from long frames.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame of observations (``id_col``, ``time_col``, ``target_col``).
    forecast : pandas.DataFrame
        Long frame of forecasts (``id_col``, ``time_col``, ``point_col`` and the band
        columns).
    choice : SeriesChoice
        The series to draw (see :func:`forecast_choice`).
    point_col : str
        Column of the point forecast; it names the model in the titles.
    bands : sequence of (float, str, str), default=()
        ``(level, lower column, upper column)`` of each interval, widest first.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names.
    n_history : int or None, default=None
        Observations shown before the forecast; five horizons (at least 50) when None.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per chosen series.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    history = history.sort_values(time_col, kind="stable")
    steps = forecast.groupby(id_col, sort=False).size()
    n_history = n_history or max(50, 5 * int(steps.max()))
    alphas = [0.15 + 0.2 * k / len(bands) for k in range(len(bands))]
    fig, axes = panels(len(choice.ids))
    for ax, sid in zip(axes, choice.ids):
        past = history[history[id_col] == sid].iloc[-n_history:]
        future = forecast[forecast[id_col] == sid]
        ax.plot(past[time_col], past[target_col], color="0.2", lw=1)
        for alpha, (_, lo, hi) in zip(alphas, bands):
            ax.fill_between(future[time_col], future[lo], future[hi], color="C0", alpha=alpha, lw=0)
        ax.plot(future[time_col], future[point_col], color="C0", lw=1.5)
        ax.set_title(_title(sid, int(steps.get(sid, 0)), point_col, bands), fontsize=9)
    handles = [
        Line2D([], [], color="0.2", lw=1, label="observed"),
        Line2D([], [], color="C0", lw=1.5, label=f"{point_col} forecast"),
        *(
            Patch(color="C0", alpha=alpha, lw=0, label=f"{level:g}% interval")
            for alpha, (level, _, _) in zip(alphas, bands)
        ),
    ]
    return finish(fig, handles, choice.caption())


def _title(sid, steps: int, model: str, bands: Sequence[Band]) -> str:
    """``series store_1: 12-step forecast, GLU, 80% and 95% intervals``."""
    title = f"series {sid}: {steps}-step forecast, {model}"
    levels = sorted(level for level, _, _ in bands)
    if levels:
        named = [f"{level:g}%" for level in levels]
        text = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        title += f", {text} interval{'s' * (len(named) > 1)}"
    return title
