"""Anomaly figures: each series with its alert events, its score and known anomaly windows."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import pandas as pd

from gluts._text import plural
from gluts.plotting._common import finish, long_frame, panels
from gluts.plotting.selection import MAX_PANELS, SeriesChoice, choose_series

__all__ = ["alert_choice", "draw_alerts", "plot_anomalies"]

_WINDOW = "C0"


def plot_anomalies(
    detector,
    y=None,
    *,
    series: Iterable[Hashable] | None = None,
    windows: pd.DataFrame | None = None,
):
    """Plot a fitted detector's alerts on each series, with its anomaly score behind.

    Parameters
    ----------
    detector : BaseAnomalyDetector
        A fitted gluts detector.
    y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
        The series to check, as in ``detector.alerts(y)``; the fitted history when None.
        The rows the detector was fitted on are shaded grey.
    series : iterable of hashable or None, default=None
        The series to show, by id (or the id's text). Default: every series when there are
        at most six, else the six with the most alerts.
    windows : pandas.DataFrame or None, default=None
        Known anomaly windows (columns ``unique_id``, ``start``, ``end``), drawn as
        hatched outlines.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per series, titled with the series, its number of alerts and the
        detector; the legend sits above the panels.

    Raises
    ------
    DataError
        When ``series`` names a series that is not in the data.

    Examples
    --------
    >>> from gluts import MADDetector, make_synthetic, plot_anomalies
    >>> y = make_synthetic(n_series=1, length=600, random_state=0)[["unique_id", "ds", "y"]]
    >>> detector = MADDetector().fit(y.iloc[:200])
    >>> fig = plot_anomalies(detector, y)
    >>> fig.axes[0].get_title()
    'series series_0: 2 alerts by MADDetector'
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(detector, "threshold_")
    options = detector.read_options_
    panel = detector.history_ if y is None else options.read(y)
    names = {"id_col": options.id_col, "time_col": options.time_col}
    rows = long_frame(panel.ids, panel.index, {options.target_col: panel.values}, **names)
    scored = rows.merge(detector.score(rows), on=list(names.values()), how="left")
    standard = {options.id_col: "unique_id", options.time_col: "ds", options.target_col: "y"}
    alerts = detector.alerts(rows)
    fitted = detector.history_
    train_end = None if y is None else {sid: idx[-1] for sid, idx in zip(fitted.ids, fitted.index)}
    choice = alert_choice(alerts, panel.ids, series)
    return draw_alerts(
        scored.rename(columns=standard),
        alerts,
        choice,
        model=type(detector).__name__,
        windows=windows,
        train_end=train_end,
        score_col="score",
    )


def alert_choice(
    alerts: pd.DataFrame,
    ids: Iterable[Hashable],
    series: Iterable[Hashable] | None = None,
    *,
    id_col: str = "unique_id",
) -> SeriesChoice:
    """The series an alert figure shows: those asked for, else those with the most alerts.

    Parameters
    ----------
    alerts : pandas.DataFrame
        One row per alert event, with the series in ``id_col``.
    ids : iterable of hashable
        Every series of the data, in order (series without alerts included).
    series : iterable of hashable or None, default=None
        The series asked for; all are shown.
    id_col : str, default="unique_id"
        Column of ``alerts`` holding the series.

    Returns
    -------
    SeriesChoice
        At most six series when none are asked for; ties keep the data's order.
    """
    ids = list(ids)
    if series is not None or len(ids) <= MAX_PANELS:
        return choose_series(ids, series)
    counts = alerts[id_col].value_counts() if len(alerts) else pd.Series(dtype=float)
    interest = counts.reindex(ids, fill_value=0).to_numpy(dtype=float)
    return choose_series(ids, None, interest, "the most alerts")


def draw_alerts(
    frame: pd.DataFrame,
    alerts: pd.DataFrame,
    choice: SeriesChoice,
    *,
    model: str,
    windows: pd.DataFrame | None = None,
    train_end: Mapping[Hashable, object] | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    score_col: str | None = None,
):
    """Draw the chosen series with their alert events shaded, from long frames.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame of observations (``id_col``, ``time_col``, ``target_col``) and, when
        ``score_col`` is given, the score of each row.
    alerts : pandas.DataFrame
        One row per alert event with ``id_col``, ``start``, ``end``, ``peak_time`` and
        ``observed`` (as :meth:`gluts.anomaly.BaseAnomalyDetector.alerts` returns them).
    choice : SeriesChoice
        The series to draw (see :func:`alert_choice`).
    model : str
        The detector's name, for the titles.
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
        One panel per chosen series.
    """
    fig, axes = panels(len(choice.ids))
    for ax, sid in zip(axes, choice.ids):
        rows = frame[frame[id_col] == sid]
        times = rows[time_col]
        if score_col is not None:
            _score_axis(ax, times, rows[score_col])
        ax.plot(times, rows[target_col], color="0.2", lw=0.8)
        if train_end is not None and sid in train_end and len(times):
            ax.axvspan(times.iloc[0], train_end[sid], color="0.5", alpha=0.15, lw=0)
        events = alerts[alerts[id_col] == sid] if len(alerts) else alerts
        pad = _min_half_width(times)
        for start, end in zip(events.get("start", []), events.get("end", [])):
            ax.axvspan(start - pad, end + pad, color="C3", alpha=0.35, lw=0)
        if len(events):
            ax.plot(events["peak_time"], events["observed"], "v", color="C3", ms=5)
        title = f"series {sid}: {plural(len(events), 'alert')} by {model}"
        if windows is not None:
            known = windows[windows[id_col] == sid]
            for start, end in zip(known["start"], known["end"]):
                ax.axvspan(start, end, fill=False, hatch="///", ec=_WINDOW, lw=1.2, zorder=0)
            title += f" ({plural(len(known), 'labelled window')})"
        ax.set_title(title, fontsize=9)
    handles = _legend(windows is not None, train_end is not None, score_col is not None)
    return finish(fig, handles, choice.caption())


def _score_axis(ax, times: pd.Series, score: pd.Series) -> None:
    """Draw the score on a second axis behind the series."""
    twin = ax.twinx()
    twin.plot(times, score, color="C1", lw=0.5, alpha=0.35)
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("score", fontsize=8, color="C1")
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)


def _legend(windows: bool, training: bool, score: bool) -> list:
    """Proxy artists for the legend of :func:`draw_alerts`."""
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
        return times.iloc[0] - times.iloc[0] if len(times) else 0
    return max(times.diff().median() / 2, (times.iloc[-1] - times.iloc[0]) * 0.003)
