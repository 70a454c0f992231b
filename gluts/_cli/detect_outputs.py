"""What ``gluts detect`` prints and writes: the alert table, scored rows, plot and report."""

from __future__ import annotations

from gluts._cli.console import info, stdout
from gluts._text import plural

__all__ = ["SHOWN", "print_alerts", "scored_rows", "write_row_outputs"]

# The columns of an alert event shown in the terminal and in the report.
SHOWN = [
    "unique_id",
    "start",
    "end",
    "peak_score",
    "surprisal",
    "severity",
    "observed",
    "expected",
    "in_window",
]


def print_alerts(events, source: str) -> None:
    """Print one row per alert event, or say that there is none.

    Parameters
    ----------
    events : pandas.DataFrame
        The alert events.
    source : str
        The data's name.
    """
    from gluts._cli.tables import frame_table

    console = stdout()
    if events.empty:
        console.print(f"No alerts in {source}.", highlight=False, markup=False)
        return
    shown = events[[c for c in SHOWN if c in events.columns]]
    n_series = events["unique_id"].nunique()
    title = f"{plural(len(events), 'alert event')} in {n_series} series of {source}"
    console.print(frame_table(shown, title))


def scored_rows(detector, y, columns):
    """The rows of ``y`` with their score, surprisal and 0/1 label.

    Parameters
    ----------
    detector : BaseAnomalyDetector
        The fitted detector.
    y : pandas.DataFrame
        The rows it checked (row positions as time under ``--by-row``).
    columns : dict of str to str
        The id, time and target columns.

    Returns
    -------
    pandas.DataFrame
        ``y`` with the columns ``score``, ``surprisal`` and ``anomaly``.
    """
    keys = [columns["id_col"], columns["time_col"]]
    details = detector.score_details(y)[[*keys, "score", "surprisal", "anomaly"]]
    scored = y.merge(details, on=keys, how="left")
    return scored.assign(anomaly=scored["anomaly"].astype("int64"))


def write_row_outputs(scored, events, *, model, rows, paths, drawing, page, quiet: bool) -> None:
    """Write ``--scores``, ``--plot`` and ``--report`` from the scored rows.

    Parameters
    ----------
    scored : pandas.DataFrame
        The rows checked, with their scores (:func:`scored_rows`).
    events : pandas.DataFrame
        The alert events, with the original timestamps.
    model : str
        The detector's name.
    rows : RowSteps or None
        The way back to the timestamps under ``--by-row``.
    paths : tuple of (pathlib.Path or None)
        ``--scores``, ``--plot`` and ``--report``.
    drawing : tuple
        The labelled windows (or None), the last training time of each series and the
        series asked for with ``--plot-series`` (or None).
    page : tuple
        The input (:class:`~gluts._cli.reading.InputData`), the detector's panel and the
        notes for the report.
    quiet : bool
        Whether to stay silent.
    """
    scores, plot, report = paths
    loaded, panel, notes = page
    columns = loaded.columns
    if rows is not None:
        scored = rows.restore_rows(scored)
    if scores is not None:
        from gluts._cli.writing import write_table

        write_table(scored, scores)
        info(f"Wrote {len(scored)} scored rows to {scores}.", quiet)
    if plot is None and report is None:
        return
    figure = _figure(scored, events, columns, model, drawing, quiet)
    if plot is not None:
        from gluts._cli.writing import write_figure

        write_figure(figure, plot)
        info(f"Wrote the plot to {plot}.", quiet)
    if report is not None:
        from gluts._cli.report import write_report
        from gluts._cli.report_content import detect_report

        by_row = rows is not None
        page = detect_report(loaded, panel, events, SHOWN, notes, figure, by_row=by_row)
        write_report(report, page)
        info(f"Wrote the report to {report}.", quiet)


def _figure(scored, events, columns, model: str, drawing, quiet: bool):
    """The alerts plot of the series asked for, or of those with the most alerts."""
    from gluts._cli import plots
    from gluts.plotting import alert_choice, draw_alerts

    windows, train_end, wanted = drawing
    keyed = {"unique_id": columns["id_col"]}
    events = events.rename(columns=keyed)
    ids = scored[columns["id_col"]].unique()
    choice = alert_choice(events, ids, wanted, id_col=columns["id_col"])
    plots.announce(choice, quiet)
    return draw_alerts(
        scored,
        events,
        choice,
        model=model,
        windows=None if windows is None else windows.rename(columns=keyed),
        train_end=train_end,
        score_col="score",
        **columns,
    )
