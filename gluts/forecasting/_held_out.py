"""The windows a combination holds out of its training data, and its members' forecasts of them.

A series holds out one or more consecutive windows of ``horizon`` values at its end; the
members are fitted once, on every series without its windows, and forecast each window from
the history before it (global members from their fitted weights, local members refitted on
that history, as :meth:`~gluts.base.BaseForecaster.predict` does with ``y``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from gluts.base import BaseForecaster
from gluts.data import Panel

__all__ = ["HeldOut", "held_out_windows", "member_forecasts"]

# Windows of ``horizon`` values the panel holds out in all, where its series are long enough:
# a few series then hold out several each, so that weights do not rest on one window.
PANEL_WINDOWS = 32


def held_out_windows(lengths: np.ndarray, horizon: int, minimum: int) -> np.ndarray:
    """Return how many windows of ``horizon`` values each series holds out (0 for none).

    A series holds out a window when at least ``minimum`` values remain before it. The panel
    aims for :data:`PANEL_WINDOWS` windows in all, shared equally; a series holds out more
    than one only where its windows span at most a fifth of it and leave ``minimum`` values.

    Parameters
    ----------
    lengths : ndarray of shape (n,)
    horizon : int
    minimum : int

    Returns
    -------
    ndarray of shape (n,)
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    holds = lengths - horizon >= minimum
    wanted = math.ceil(PANEL_WINDOWS / max(int(holds.sum()), 1))
    room = np.minimum((lengths - minimum) // horizon, lengths // (5 * horizon))
    return np.where(holds, np.clip(room, 1, wanted), 0)


@dataclass(frozen=True)
class HeldOut:
    """Held-out windows of a panel's series, one row per window.

    Attributes
    ----------
    training : Panel
        Each series without its windows: what the members are fitted on.
    later : Panel
        The history before each window but a series' first (whose history is ``training``).
    actual : ndarray of shape (n_windows, horizon)
        The held-out values: the first windows of every series, then those of ``later``.
    owner : ndarray of shape (n_windows,)
        The position in ``training`` of each window's series.
    """

    training: Panel
    later: Panel
    actual: np.ndarray
    owner: np.ndarray

    @classmethod
    def split(cls, panel: Panel, counts: np.ndarray, horizon: int) -> HeldOut:
        """Hold out the last ``counts[i] * horizon`` values of series ``i`` (all counts >= 1)."""
        firsts = [(i, 0) for i in range(len(panel))]
        laters = [(i, j) for i, count in enumerate(counts) for j in range(1, int(count))]
        rows = firsts + laters
        # Window j of series i starts where its history ends: (counts[i] - j) windows from the end.
        ends = [len(panel.values[i]) - (counts[i] - j) * horizon for i, j in rows]
        actual = [panel.values[i][end : end + horizon] for (i, _), end in zip(rows, ends)]
        later_ends = ends[len(firsts) :]
        later = Panel(
            ids=[(panel.ids[i], j) for i, j in laters],
            values=[panel.values[i][:end] for (i, _), end in zip(laters, later_ends)],
            index=[panel.index[i][:end] for (i, _), end in zip(laters, later_ends)],
            grid=panel.grid,
            layout=panel.layout,
        )
        owner = np.array([i for i, _ in rows], dtype=np.int64)
        return cls(panel.truncate(counts * horizon), later, np.stack(actual), owner)

    def per_series(self, values: np.ndarray) -> np.ndarray:
        """Average ``values`` of shape (..., n_windows) over each series' windows."""
        n = len(self.training)
        counts = np.bincount(self.owner, minlength=n)
        flat = values.reshape(-1, values.shape[-1])
        sums = np.stack([np.bincount(self.owner, weights=row, minlength=n) for row in flat])
        return (sums / counts).reshape(values.shape[:-1] + (n,))


def member_forecasts(
    members: list[tuple[str, BaseForecaster]], held: HeldOut, horizon: int, levels
) -> tuple[np.ndarray, np.ndarray]:
    """Fit clones of the members on ``held.training`` and forecast every held-out window.

    Returns
    -------
    points : ndarray of shape (n_members, n_windows, horizon)
    quantiles : ndarray of shape (n_members, n_windows, horizon, n_quantiles)
    """
    points, quantiles = [], []
    for _, model in members:
        fitted = clone(model).fit_panel(held.training)
        point, qs = fitted.forecast_panel(horizon)
        if len(held.later):
            later_point, later_qs = fitted.forecast_panel(horizon, held.later)
            point, qs = point + later_point, qs + later_qs
        points.append(np.stack(point))
        quantiles.append(np.stack(qs) if levels else np.empty((len(point), horizon, 0)))
    return np.stack(points), np.stack(quantiles)
