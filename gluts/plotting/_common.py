"""What every gluts figure shares: one panel per series, legends outside, long frames."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from gluts.data.panel import concat_index

__all__ = ["finish", "long_frame", "panels"]

PANEL_HEIGHT = 2.6
WIDTH = 11.0


def panels(n: int, *, top: float | None = None):
    """A figure of ``n`` stacked panels sharing no axis, and a list of their axes.

    Parameters
    ----------
    n : int
        Number of panels (at least one is made).
    top : float or None, default=None
        Height in inches of an extra first panel (returned first), e.g. a bar chart.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : list of matplotlib.axes.Axes
    """
    from matplotlib.figure import Figure

    n = max(n, 1)
    heights = ([top] if top else []) + [PANEL_HEIGHT] * n
    fig = Figure(figsize=(WIDTH, sum(heights) + 0.8), layout="constrained")
    axes = fig.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
    return fig, list(axes)


def finish(fig, handles: Sequence, caption: str | None = None):
    """Style the panels and put one legend above them, outside every panel.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, with a constrained layout.
    handles : sequence of matplotlib artists
        The legend entries (artists with labels).
    caption : str or None, default=None
        The legend's title: which series are shown, when not all are.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.
    """
    for ax in fig.axes:
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    legend = fig.legend(
        handles=list(handles),
        loc="outside upper center",
        ncol=max(1, min(len(handles), 6)),
        fontsize=8,
        frameon=False,
        title=caption,
        title_fontsize=9,
    )
    legend.get_title().set_color("0.3")
    return fig


def long_frame(
    ids: Sequence[Hashable],
    index: Sequence[pd.Index],
    columns: dict[str, Sequence[np.ndarray]],
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
) -> pd.DataFrame:
    """A long frame from per-series arrays: ``id_col``, ``time_col`` and one column each.

    Parameters
    ----------
    ids : sequence of hashable
        The series.
    index : sequence of pandas.Index
        The timestamps of each series.
    columns : dict of str to sequence of ndarray
        Column name to one array per series, as long as its index.
    id_col, time_col : str, default="unique_id", "ds"
        Names of the id and time columns.

    Returns
    -------
    pandas.DataFrame
        One row per series and timestamp.
    """
    lengths = [len(i) for i in index]
    frame = {
        id_col: np.repeat(np.array(list(ids), dtype=object), lengths),
        time_col: concat_index(list(index)),
    }
    for name, arrays in columns.items():
        frame[name] = np.concatenate(arrays)
    return pd.DataFrame(frame)
