"""Static plots of forecasts, backtests and anomaly alerts (matplotlib, no display needed).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it works
on a headless machine and never changes the user's backend; save it with ``fig.savefig``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["plot_alerts", "plot_backtest", "plot_forecast"]

_MAX_PANELS = 6
_WINDOW = "C0"


def plot_forecast(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    point_col: str,
    bands: Sequence[tuple[str, str]] = (),
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    n_history: int | None = None,
) -> object:
    """Plot each series' history, its forecast and the forecast bands.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame of observed values (``id_col``, ``time_col``, ``target_col``).
    forecast : pandas.DataFrame
        Long frame of forecasts (``id_col``, ``time_col``, ``point_col`` and band columns).
    point_col : str
        Column of the point forecast.
    bands : sequence of (str, str), default=()
        Pairs of lower and upper band columns, widest first; shaded with decreasing opacity.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names.
    n_history : int or None, default=None
        Show only the last ``n_history`` observations; all when None.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per series, for the first six series.
    """
    ids = list(pd.unique(history[id_col]))[:_MAX_PANELS]
    fig, axes = _panels(len(ids))
    for ax, sid in zip(axes, ids):
        past = history[history[id_col] == sid]
        past = past.iloc[-n_history:] if n_history else past
        future = forecast[forecast[id_col] == sid]
        ax.plot(past[time_col], past[target_col], color="0.2", lw=1, label="observed")
        for k, (lo, hi) in enumerate(bands):
            alpha = 0.15 + 0.2 * k / max(len(bands), 1)
            ax.fill_between(future[time_col], future[lo], future[hi], color="C0", alpha=alpha, lw=0)
        ax.plot(future[time_col], future[point_col], color="C0", lw=1.5, label=point_col)
        ax.set_title(str(sid), fontsize=9)
    axes[0].legend(fontsize=8, loc="upper left")
    return _finish(fig)


def plot_backtest(result, series: Hashable | None = None) -> object:
    """Plot a backtest: MASE per model, and every model's forecasts of one series.

    Parameters
    ----------
    result : gluts.backtesting.BacktestResult
        What :func:`gluts.backtest` returned.
    series : hashable or None, default=None
        The series whose forecasts are drawn; the first one when None.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: the leaderboard as bars, and actuals with each model's forecasts over
        every backtest window.
    """
    from matplotlib.figure import Figure

    board = result.summary()
    frame = result.forecasts
    sid = frame["unique_id"].iloc[0] if series is None else series
    fig = Figure(figsize=(12, 4.5))
    bars, lines = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    bars.barh(board.index.astype(str)[::-1], board["mase"].to_numpy()[::-1], color="C0")
    bars.set_xlabel("MASE (lower is better)")
    bars.set_title("Mean MASE over series and windows", fontsize=9)
    one = frame[frame["unique_id"] == sid]
    actual = one.drop_duplicates("ds").sort_values("ds")
    lines.plot(actual["ds"], actual["y"], color="0.2", lw=1.2, label="actual")
    for k, (model, g) in enumerate(one.groupby("model", sort=False)):
        for w, part in g.groupby("window"):
            label = model if w == g["window"].min() else None
            lines.plot(part["ds"], part["forecast"], color=f"C{k + 1}", lw=1, label=label)
    lines.set_title(f"Backtest windows of series {sid!r}", fontsize=9)
    lines.legend(fontsize=8, ncol=2)
    return _finish(fig)


def plot_alerts(
    frame: pd.DataFrame,
    alerts: pd.DataFrame,
    *,
    windows: pd.DataFrame | None = None,
    train_end: Mapping[Hashable, object] | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    score_col: str | None = None,
) -> object:
    """Plot each series with its alert events shaded, and optionally known anomaly windows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame of observations (``id_col``, ``time_col``, ``target_col``) and, when
        ``score_col`` is given, the score of each row.
    alerts : pandas.DataFrame
        One row per alert event with ``id_col``, ``start``, ``end``, ``peak_time`` and
        ``observed`` (as :meth:`gluts.anomaly.BaseAnomalyDetector.alerts` returns them).
    windows : pandas.DataFrame or None, default=None
        Labelled anomaly windows with ``id_col``, ``start`` and ``end``, drawn as hatched
        outlines.
    train_end : mapping of hashable to time, or None, default=None
        The last training time of each series; the training rows are shaded grey.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names.
    score_col : str or None, default=None
        Column of anomaly scores, drawn on a second axis.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per series, for the first six series, with a legend on the first.
    """
    ids = list(pd.unique(frame[id_col]))[:_MAX_PANELS]
    fig, axes = _panels(len(ids))
    for ax, sid in zip(axes, ids):
        rows = frame[frame[id_col] == sid]
        times = rows[time_col]
        if score_col is not None:
            _score_axis(ax, times, rows[score_col])
        ax.plot(times, rows[target_col], color="0.2", lw=0.8)
        if train_end is not None and sid in train_end:
            ax.axvspan(times.iloc[0], train_end[sid], color="0.5", alpha=0.15, lw=0)
        events = alerts[alerts[id_col] == sid] if len(alerts) else alerts
        pad = _min_half_width(times)
        for start, end in zip(events.get("start", []), events.get("end", [])):
            ax.axvspan(start - pad, end + pad, color="C3", alpha=0.35, lw=0)
        if len(events):
            ax.plot(events["peak_time"], events["observed"], "v", color="C3", ms=5)
        title = f"{sid} ({len(events)} alert{'s' * (len(events) != 1)}"
        if windows is not None:
            known = windows[windows[id_col] == sid]
            for start, end in zip(known["start"], known["end"]):
                ax.axvspan(start, end, fill=False, hatch="///", ec=_WINDOW, lw=1.2, zorder=0)
            title += f", {len(known)} labelled window{'s' * (len(known) != 1)}"
        ax.set_title(title + ")", fontsize=9)
    axes[0].legend(
        handles=_legend(windows is not None, train_end is not None, score_col is not None),
        fontsize=8,
        loc="best",
        ncol=5,
        framealpha=0.9,
    )
    return _finish(fig)


def _score_axis(ax, times: pd.Series, score: pd.Series) -> None:
    """Draw the score on a second axis behind the series."""
    twin = ax.twinx()
    twin.plot(times, score, color="C1", lw=0.5, alpha=0.35)
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("score", fontsize=8, color="C1")
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)


def _legend(windows: bool, training: bool, score: bool) -> list:
    """Proxy artists for the legend of :func:`plot_alerts`."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color="0.2", lw=0.8, label="observed"),
        Patch(color="C3", alpha=0.35, lw=0, label="alert"),
    ]
    if windows:
        handles.append(Patch(fill=False, hatch="///", ec=_WINDOW, label="labelled window"))
    if training:
        handles.append(Patch(color="0.5", alpha=0.15, lw=0, label="training rows"))
    if score:
        handles.append(Line2D([], [], color="C1", lw=0.8, alpha=0.6, label="score"))
    return handles


def _min_half_width(times: pd.Series):
    """Half-width that keeps a one-row alert visible: a step, or 0.3% of the time span."""
    times = times.reset_index(drop=True)
    if len(times) < 2:
        return times.iloc[0] - times.iloc[0]
    return max(times.diff().median() / 2, (times.iloc[-1] - times.iloc[0]) * 0.003)


def _panels(n: int):
    from matplotlib.figure import Figure

    n = max(n, 1)
    fig = Figure(figsize=(11, 2.6 * n))
    axes = np.atleast_1d(fig.subplots(n, 1, squeeze=False)[:, 0])
    return fig, list(axes)


def _finish(fig):
    for ax in fig.axes:
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    fig.set_layout_engine("tight")
    return fig
