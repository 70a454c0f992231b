"""Rich tables for the command line's results."""

from __future__ import annotations

import math
from numbers import Integral, Real

import pandas as pd
from rich.table import Table
from rich.text import Text

__all__ = [
    "board_cells",
    "frame_cells",
    "frame_table",
    "glu_won",
    "leaderboard_table",
    "number_text",
    "verdict",
]

GLU = "GLU"

# Leaderboard column, header and format.
_BOARD = (
    ("smape", "sMAPE", "{:,.2f}"),
    ("mase", "MASE", "{:,.3f}"),
    ("scaled_crps", "sCRPS", "{:,.4f}"),
    ("coverage", "Coverage", "{:.1%}"),
    ("mase_rel", "Skill vs SNaive", "{:+,.1%}"),
    ("seconds", "Seconds", "{:,.1f}"),
)


def leaderboard_table(board: pd.DataFrame, title: str) -> Table:
    """Render a backtest leaderboard, best model first.

    Parameters
    ----------
    board : pandas.DataFrame
        :meth:`gluts.backtesting.BacktestResult.summary`.
    title : str
        Table title.

    Returns
    -------
    rich.table.Table
        Rank, model and the available metrics; skill is ``1 - MASE / MASE(SeasonalNaive)``.
    """
    header, rows = board_cells(board)
    table = Table(title=Text(title), title_justify="left")
    table.add_column(header[0], justify="right")
    table.add_column(header[1])
    for name in header[2:]:
        table.add_column(name, justify="right")
    for row in rows:
        style = "bold" if row[1] == GLU else None
        table.add_row(row[0], Text(row[1]), *row[2:], style=style)
    return table


def board_cells(board: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The leaderboard as text cells, as :func:`leaderboard_table` shows it.

    Parameters
    ----------
    board : pandas.DataFrame
        :meth:`gluts.backtesting.BacktestResult.summary`.

    Returns
    -------
    header : list of str
        ``#``, ``Model`` and the available metrics.
    rows : list of list of str
        One row per model, best first.
    """
    board = board.assign(mase_rel=1 - board["mase_rel"]) if "mase_rel" in board else board
    shown = [(c, h, f) for c, h, f in _BOARD if c in board and board[c].notna().any()]
    header = ["#", "Model", *(h for _, h, _ in shown)]
    rows = [
        [str(rank), str(model), *(_fmt(row[c], f) for c, _, f in shown)]
        for rank, (model, row) in enumerate(board.iterrows(), start=1)
    ]
    return header, rows


def glu_won(board: pd.DataFrame) -> bool | None:
    """Whether GLU has a lower MASE than every other model; None when GLU did not run."""
    if GLU not in board.index or len(board) < 2:
        return None
    return bool((board.drop(index=GLU)["mase"] > board.loc[GLU, "mase"]).all())


def verdict(board: pd.DataFrame) -> str | None:
    """Say plainly whether GLU beat every other model on MASE; None when GLU did not run.

    Parameters
    ----------
    board : pandas.DataFrame
        :meth:`gluts.backtesting.BacktestResult.summary`.

    Returns
    -------
    str or None
        One sentence.
    """
    won = glu_won(board)
    if won is None:
        return None
    glu = board.loc[GLU, "mase"]
    others = board.drop(index=GLU)["mase"]
    if won:
        best = others.idxmin()
        return (
            f"GLU beat every baseline on MASE: {glu:.3f} against {others.min():.3f} for the "
            f"best baseline, {best}."
        )
    names = ", ".join(f"{m} ({v:.3f})" for m, v in others[others <= glu].items())
    return f"GLU did not beat every baseline: {names} matched or beat its MASE of {glu:.3f}."


def frame_table(frame: pd.DataFrame, title: str, max_rows: int = 30) -> Table:
    """Render any small frame as a table, showing at most ``max_rows`` rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows; numbers are shown by :func:`number_text` (counts as ``14,280``, other
        numbers with four significant digits).
    title : str
        Table title.
    max_rows : int, default=30
        Rows shown; a last row says how many were left out.

    Returns
    -------
    rich.table.Table
        The table.
    """
    header, rows, numeric = frame_cells(frame, max_rows)
    table = Table(title=Text(title), title_justify="left")
    for name, right in zip(header, numeric):
        table.add_column(name, justify="right" if right else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    if len(frame) > max_rows:
        table.add_row(f"... {len(frame) - max_rows} more", *[""] * (len(frame.columns) - 1))
    return table


def frame_cells(
    frame: pd.DataFrame, max_rows: int | None = None
) -> tuple[list[str], list[list[str]], list[bool]]:
    """A frame's first rows as text cells, as :func:`frame_table` shows them.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows; numbers are written by :func:`number_text`, and a column of timestamps
        that all fall at midnight as dates.
    max_rows : int or None, default=None
        Rows returned; all when None.

    Returns
    -------
    header : list of str
        The column names.
    rows : list of list of str
        The cells.
    numeric : list of bool
        Whether each column holds numbers (to align right).
    """
    frame = frame.infer_objects()
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    shown = frame if max_rows is None else frame.head(max_rows)
    cells = [_column_cells(shown[c]) for c in frame.columns]
    rows = [list(row) for row in zip(*cells)]
    return [str(c) for c in frame.columns], rows, numeric


def _column_cells(column: pd.Series) -> list[str]:
    """A column's cells: timestamps all at midnight as dates, numbers by :func:`number_text`."""
    if pd.api.types.is_datetime64_any_dtype(column) and column.notna().any():
        times = column.dropna()
        if (times == times.dt.normalize()).all():
            return ["-" if pd.isna(t) else t.strftime("%Y-%m-%d") for t in column]
    return [number_text(v) for v in column.tolist()]  # Python ints stay ints


def number_text(value) -> str:
    """Write a table cell for people: numbers readable at a glance, other values as text.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    str
        Whole numbers (counts) with thousands separators (``14,280``, never ``1.428e+04``);
        other numbers with four significant digits (``0.9677``, ``28.85``), with
        separators and no decimals from 1,000 on (``14,283``) and in scientific notation
        below 0.0001 (``1.235e-05``); ``-`` for a missing value; booleans and text as they
        are.
    """
    if value is None or (not isinstance(value, str) and _missing(value)):
        return "-"
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    if isinstance(value, Integral):
        return f"{int(value):,}"
    number = float(value)
    if math.isinf(number):
        return str(number)
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.4g}" if abs(number) >= 1e-4 else f"{number:.3e}"


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-like cells
        return False


def _fmt(value, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return spec.format(value)
