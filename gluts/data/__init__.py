"""pandas adapters: any input layout in, a regular :class:`Panel` out, and back.

:func:`read_table` reads a CSV (any common delimiter and encoding) or Parquet file into a
frame, :func:`to_panel` turns a frame, series or array into a :class:`Panel`, and
:func:`parse_datetimes` / :func:`parse_time_column` read text timestamps. Every problem
with the data is a :class:`~gluts.exceptions.DataError` with a one-line message.
"""

from gluts.data._time import (
    TimeGrid,
    infer_grid,
    parse_datetimes,
    parse_time_column,
    season_length_for,
)
from gluts.data.covariates import align_covariates
from gluts.data.files import read_table
from gluts.data.frames import to_panel
from gluts.data.options import ReadOptions
from gluts.data.panel import Layout, Panel

__all__ = [
    "Layout",
    "Panel",
    "ReadOptions",
    "TimeGrid",
    "align_covariates",
    "infer_grid",
    "parse_datetimes",
    "parse_time_column",
    "read_table",
    "season_length_for",
    "to_panel",
]
