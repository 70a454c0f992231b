"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

__all__ = [
    "Covariates",
    "Data",
    "DuplicateRule",
    "Decimal",
    "Duplicates",
    "Freq",
    "Future",
    "IdCol",
    "NJobs",
    "PastCovariates",
    "Plot",
    "Report",
    "SeasonLength",
    "Seed",
    "Target",
    "Threads",
    "TimeCol",
    "plot_series",
    "use_threads",
]

Data = Annotated[
    Path,
    typer.Argument(
        help="CSV (any delimiter; also .gz, .bz2, .xz or .zip) or Parquet file: long (id, "
        "time, value) or wide (time, one column per series); or the name of a bundled dataset.",
        show_default=False,
    ),
]
IdCol = Annotated[
    str | None,
    typer.Option(
        help="Column of series ids. Default: the single non-numeric column, if any; else the "
        "whole-number column under which no timestamp repeats (store 101, 102, ...)."
    ),
]
TimeCol = Annotated[
    str | None,
    typer.Option(
        help="Column of timestamps. Default: the single datetime-like column, if any; else "
        "the whole-number column named ds, time, timestamp, date, datetime, epoch or year "
        "(Unix times and YYYYMMDD numbers are read as dates)."
    ),
]
Target = Annotated[
    str | None,
    typer.Option(
        help="Column of values. Default: the single numeric column; several numeric columns "
        "mean one series per column (wide layout)."
    ),
]
Covariates = Annotated[
    str | None,
    typer.Option(
        "--covariates",
        show_default=False,
        help="Comma-separated columns of DATA known in advance (prices, promotions, holidays), "
        "read as covariates by models that take them (glu); forecast needs their future "
        "values (--future). Per series with an id column; shared by every series without one.",
    ),
]
PastCovariates = Annotated[
    str | None,
    typer.Option(
        "--past-covariates",
        show_default=False,
        help="Comma-separated columns of DATA observed only up to the forecast origin (a "
        "measured temperature), read as covariates by models that take them (glu); they "
        "need no future values.",
    ),
]
Future = Annotated[
    Path | None,
    typer.Option(
        "--future",
        exists=True,
        dir_okay=False,
        show_default=False,
        help="CSV or Parquet file of the --covariates values over the forecast steps: DATA's "
        "time column, its id column (or none, for values every series shares) and the "
        "covariate columns, one row per series and step.",
    ),
]
SeasonLength = Annotated[
    int | None,
    typer.Option(min=1, help="Steps in one season. Default: inferred from the frequency."),
]
Seed = Annotated[int, typer.Option(help="Random seed of the GLU models.")]
NJobs = Annotated[
    int,
    typer.Option(
        envvar="GLUTS_N_JOBS",
        help="Parallel jobs (joblib) over chunks of series: fits and forecasts of one model "
        "per series, backtest windows, detection, GLU predictions (-1: all cores, or every "
        "worker of the cluster with --scheduler). Results do not depend on it.",
    ),
]
Plot = Annotated[
    Path | None,
    typer.Option(dir_okay=False, help="Save a plot to this file (PNG, SVG or PDF)."),
]
Report = Annotated[
    Path | None,
    typer.Option(
        dir_okay=False,
        show_default=False,
        help="Write a self-contained HTML report here (.html): the results table, the plots "
        "as inline SVG, a summary of the data and the command line; no JavaScript, nothing "
        "loaded from the network.",
    ),
]


def plot_series(default: str):
    """The ``--plot-series`` option, with the command's default choice in its help.

    Parameters
    ----------
    default : str
        Which series the command plots when the option is absent.

    Returns
    -------
    typing.Annotated
        The option's type, for a command's signature.
    """
    return Annotated[
        list[str] | None,
        typer.Option(
            "--plot-series",
            metavar="ID",
            show_default=False,
            help="Series to draw in --plot and --report, by id; repeat the option or "
            f"separate ids with commas. Default: {default}, at most 6 (a notice on stderr "
            "says how many of how many are shown).",
        ),
    ]


DuplicateRule = Literal["error", "first", "last", "mean"]
Duplicates = Annotated[
    DuplicateRule,
    typer.Option(
        help="Rows that repeat a timestamp of their series: stop with an error, or merge "
        "them keeping the first or the last row, or averaging the values (a notice on stderr "
        "says how many rows were merged).",
    ),
]
Decimal = Annotated[
    Literal[".", ","] | None,
    typer.Option(
        "--decimal",
        show_default=False,
        help="Decimal mark of the CSV's numbers ('.' or ','). Default: detected; a decimal "
        "comma (101,4) is recognised in files not separated by commas.",
    ),
]
Freq = Annotated[
    str | None,
    typer.Option(
        "--freq",
        show_default=False,
        help="Frequency of the time grid, as a pandas offset alias (h, D, B, W-SUN, MS, QS, "
        "...). Default: inferred from the timestamps. Steps of the grid without a row are "
        "interpolated (a notice on stderr counts them); a timestamp off the grid is an error.",
    ),
]
Threads = Annotated[
    int | None,
    typer.Option(
        "--threads",
        min=1,
        show_default=False,
        help="CPU threads for torch (GLU models), also exported as GLUTS_THREADS. Default: "
        "$GLUTS_THREADS, else the CPUs available to the process, at most 8 (1 in worker "
        "processes). A seed and a thread count give identical results; other thread counts "
        "can differ in the last digits.",
    ),
]


def use_threads(threads: int | None) -> int | None:
    """Apply ``--threads``: export it as ``GLUTS_THREADS``, or check the variable when unset.

    Returns
    -------
    int or None
        ``threads``, for the estimators' ``n_threads``.

    Raises
    ------
    typer.BadParameter
        When ``GLUTS_THREADS`` holds anything but a positive integer (exit code 2).
    """
    import os

    from gluts._threads import ENV_VAR, parse_threads

    if threads is not None:
        os.environ[ENV_VAR] = str(threads)
        return threads
    text = os.environ.get(ENV_VAR, "")
    if text.strip():
        try:
            parse_threads(text)
        except ValueError:
            raise typer.BadParameter(
                f"must be a positive integer number of threads; got {text!r}.",
                param_hint=ENV_VAR,
            ) from None
    return None
