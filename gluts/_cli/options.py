"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["Data", "IdCol", "NJobs", "Plot", "SeasonLength", "Seed", "Target", "TimeCol"]

Data = Annotated[
    Path,
    typer.Argument(
        help="CSV (any delimiter) or Parquet file: long (id, time, value) or wide "
        "(time, one column per series); or the name of a bundled dataset.",
        show_default=False,
    ),
]
IdCol = Annotated[
    str | None,
    typer.Option(help="Column of series ids. Default: the single non-numeric column, if any."),
]
TimeCol = Annotated[
    str | None,
    typer.Option(help="Column of timestamps. Default: the single datetime-like column, if any."),
]
Target = Annotated[
    str | None,
    typer.Option(
        help="Column of values. Default: the single numeric column; several numeric columns "
        "mean one series per column (wide layout)."
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
        help="Parallel jobs for fitting one model per series (-1: all cores).",
    ),
]
Plot = Annotated[
    Path | None,
    typer.Option(dir_okay=False, help="Save a plot to this file (PNG, SVG or PDF)."),
]
