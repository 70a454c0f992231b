"""What the ``--report`` of each command shows: its results table, data summary and notes.

:mod:`gluts._cli.report` lays a :class:`~gluts._cli.report.Report` out as HTML; this module
fills one from a command's results, with the cells formatted as the terminal tables show
them (:mod:`gluts._cli.tables`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gluts._cli.report import Report, Table
from gluts._cli.tables import board_cells, frame_cells
from gluts._text import plural

__all__ = ["backtest_report", "data_summary", "detect_report", "forecast_report"]

MAX_ROWS = 200


def data_summary(loaded, panel, *, by_row: bool = False) -> list[tuple[str, str]]:
    """Describe the data a command used: series, lengths, frequency and what was repaired.

    Parameters
    ----------
    loaded : InputData
        The file as read (:func:`gluts._cli.reading.load_input`).
    panel : Panel
        The series as the models saw them.
    by_row : bool, default=False
        Whether the rows of each series were taken as equally spaced (``detect --by-row``).

    Returns
    -------
    list of (str, str)
        Label and value of each line.
    """
    lengths = panel.lengths
    first = min(idx[0] for idx in panel.index)
    last = max(idx[-1] for idx in panel.index)
    filled = sum(panel.filled.values())
    if by_row:
        frequency = "each row is one step (--by-row)"
        first, last = loaded.long()[loaded.columns["time_col"]].agg(["min", "max"])
    elif panel.grid.kind == "integer":
        frequency = f"integer time, step {panel.grid.freq}"
    else:
        frequency = f"{panel.grid.freq.freqstr} (season length {panel.grid.season_length()})"
    return [
        ("File", loaded.source),
        ("Layout", _layout(loaded)),
        ("Series", str(len(panel))),
        (
            "Observations per series",
            f"min {lengths.min()}, median {np.median(lengths):g}, max {lengths.max()}",
        ),
        ("Time span", f"{_when(first)} to {_when(last)}"),
        ("Frequency", frequency),
        (
            "Missing values filled",
            f"{filled} in {len(panel.filled)} series (linear interpolation)" if filled else "none",
        ),
        ("Repeated timestamps", _duplicates(loaded, by_row)),
    ]


def backtest_report(loaded, panel, board, note: str | None, figure, settings: str) -> Report:
    """The report of ``gluts backtest``: the leaderboard, the verdict and the plot.

    Parameters
    ----------
    loaded : InputData
        The file as read.
    panel : Panel
        The series.
    board : pandas.DataFrame
        The leaderboard (:meth:`gluts.backtesting.BacktestResult.summary`).
    note : str or None
        The verdict sentence, when GLU ran.
    figure : matplotlib.figure.Figure
        The backtest plot.
    settings : str
        Horizon, windows and season length, for the table's caption.

    Returns
    -------
    Report
    """
    header, rows = board_cells(board)
    numeric = [True, False, *[True] * (len(header) - 2)]
    table = Table(f"Leaderboard ({settings}), best MASE first", header, rows, numeric)
    return Report(
        title=f"Backtest of {loaded.source}",
        summary=data_summary(loaded, panel),
        tables=[table],
        figures=[("Leaderboard and backtest forecasts", figure)],
        notes=[note] if note else [],
    )


def forecast_report(loaded, panel, history, forecast, columns, bands, figure) -> Report:
    """The report of ``gluts forecast``: one summary row per series and the plot.

    Parameters
    ----------
    loaded : InputData
        The file as read.
    panel : Panel
        The series.
    history, forecast : pandas.DataFrame
        Long frames of the observations and of the forecast (first value column: the
        point forecast, named after the model).
    columns : dict of str to str
        ``id_col``, ``time_col`` and ``target_col`` of both frames.
    bands : sequence of (float, str, str)
        The intervals, widest first (:func:`gluts.plotting.central_bands`).
    figure : matplotlib.figure.Figure
        The forecast plot.

    Returns
    -------
    Report
    """
    id_col, time_col, target_col = columns["id_col"], columns["time_col"], columns["target_col"]
    point = next(c for c in forecast.columns if c not in (id_col, time_col))
    past = history.sort_values(time_col, kind="stable").groupby(id_col, sort=False)
    future = forecast.groupby(id_col, sort=False)
    summary = pd.DataFrame(
        {
            "series": past[time_col].last().index.astype(str),
            "last observed": past[time_col].last().to_numpy(),
            "last value": past[target_col].last().to_numpy(),
            "first forecast": future[time_col].first().to_numpy(),
            "last forecast": future[time_col].last().to_numpy(),
            f"mean {point}": future[point].mean().to_numpy(),
        }
    )
    if bands:
        level, lo, hi = bands[0]
        summary[f"{level:g}% lower, last step"] = future[lo].last().to_numpy()
        summary[f"{level:g}% upper, last step"] = future[hi].last().to_numpy()
    steps = int(future.size().max())
    table = _frame_table(summary, f"{steps}-step forecast of {point}, one row per series")
    return Report(
        title=f"Forecast of {loaded.source}",
        summary=data_summary(loaded, panel),
        tables=[table],
        figures=[("Forecasts", figure)],
    )


def detect_report(loaded, panel, events, shown, notes, figure, *, by_row: bool) -> Report:
    """The report of ``gluts detect``: the alert events, the label comparison and the plot.

    Parameters
    ----------
    loaded : InputData
        The file as read.
    panel : Panel
        The series as the detector saw them.
    events : pandas.DataFrame
        One row per alert event.
    shown : list of str
        The columns of ``events`` to show.
    notes : list of str
        Sentences above the table (the comparison with labelled windows).
    figure : matplotlib.figure.Figure
        The alerts plot.
    by_row : bool
        Whether the rows were taken as equally spaced.

    Returns
    -------
    Report
    """
    n_series = events["unique_id"].nunique() if len(events) else 0
    caption = f"{plural(len(events), 'alert event')} in {n_series} of {len(panel)} series"
    table = _frame_table(events[[c for c in shown if c in events.columns]], caption)
    if events.empty:
        table = Table(caption, table.header, [], table.numeric, "No alert was raised.")
    return Report(
        title=f"Anomalies in {loaded.source}",
        summary=data_summary(loaded, panel, by_row=by_row),
        tables=[table],
        figures=[("Alerts", figure)],
        notes=notes,
    )


def _frame_table(frame: pd.DataFrame, caption: str) -> Table:
    header, rows, numeric = frame_cells(frame, MAX_ROWS)
    note = f"The first {MAX_ROWS} of {len(frame)} rows." if len(frame) > MAX_ROWS else None
    return Table(caption, header, rows, numeric, note)


def _when(time) -> str:
    """A timestamp without a midnight time of day (``2024-01-31``), else as it is."""
    if isinstance(time, pd.Timestamp) and time == time.normalize():
        return str(time.date())
    return str(time)


def _layout(loaded) -> str:
    if loaded.wide:
        return f"wide: one column per series, time in {loaded.time_col!r}"
    time = f"time in {loaded.time_col!r}" if loaded.time_col else "time is the row order"
    if loaded.id_col is None:
        return f"one series: values in {loaded.targets[0]!r}, {time}"
    return f"long: ids in {loaded.id_col!r}, values in {loaded.targets[0]!r}, {time}"


def _duplicates(loaded, by_row: bool) -> str:
    if loaded.merged:
        rows = f"{loaded.merged} row{'s' * (loaded.merged != 1)}"
        return f"{rows} merged into the rows they repeat (--duplicates {loaded.duplicates})"
    if by_row:
        return "kept: each row is its own step (--by-row)"
    return "none"
