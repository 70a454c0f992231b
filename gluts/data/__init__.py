"""pandas adapters: any input layout in, a regular :class:`Panel` out, and back."""

from gluts.data._time import TimeGrid, infer_grid, season_length_for
from gluts.data.covariates import align_covariates
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
    "season_length_for",
    "to_panel",
]
