"""The GLU's seasonal adjustment: a seasonal series is modelled divided by its indices.

With ``deseasonalize="multiplicative"``, each positive series that the M4 90% autocorrelation
test finds seasonal (it needs three seasons) is divided by its classical multiplicative seasonal
indices, as :class:`~gluts.forecasting.ThetaForecaster`, ARIMA and Naive2 adjust
(:mod:`gluts.forecasting._seasonality`). The network learns from the adjusted series, and the
forecasts (point and quantiles) are multiplied by the indices of their steps.

A global network learns from every series at once, so the adjustment is all or nothing for
a fitted panel: it is off when a series cannot be tested and adjusted (under three seasons of
values, or a value that is not positive). On a panel of M4 Hourly series cut to very unequal
lengths, adjusting only the longer ones made the short, unadjusted ones worse (OWA 0.477 to
0.518), as the network learned from series whose seasonality had mostly been removed.

Indices are kept counted from the end of their series: index ``k`` belongs to the steps
``k + 1, k + 1 + m, ...`` after it. So they align with the tail of a series, which is all a model
file keeps of it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gluts.data import Panel
from gluts.forecasting._adjustment import SeasonalAdjustment

__all__ = ["adjusted", "estimate", "panel_adjustment", "restored"]


def panel_adjustment(panel: Panel, season_length: int, kind: str | None) -> str | None:
    """Return the adjustment a fit on ``panel`` uses: ``kind``, or None when the season is 1
    or a series has fewer than three seasons of values or a value ``<= 0`` (see the module
    docstring)."""
    if kind is None or season_length < 2 or int(panel.lengths.min()) < 3 * season_length:
        return None
    return kind if all((y > 0).all() for y in panel.values) else None


def estimate(panel: Panel, season_length: int, kind: str | None) -> list[np.ndarray | None]:
    """Return each series' indices, counted from its end, or None where it is left as it is.

    Parameters
    ----------
    panel : Panel
        The series.
    season_length : int
        The season ``m`` (1: no series is seasonal).
    kind : {"multiplicative"} or None
        The adjustment; None leaves every series as it is.

    Returns
    -------
    list of (ndarray of shape (season_length,) or None)
        One entry per series of ``panel``.
    """
    if kind is None:
        return [None] * len(panel)
    out = []
    for y in panel.values:
        adjustment = SeasonalAdjustment.estimate(y, season_length)
        out.append(adjustment.restore(np.ones(season_length)) if adjustment.seasonal else None)
    return out


def adjusted(panel: Panel, indices: list[np.ndarray | None]) -> Panel:
    """Return ``panel`` with each series divided by its indices (see :func:`estimate`)."""
    values = [
        y if s is None else y / s[(np.arange(len(y)) - len(y)) % len(s)]
        for y, s in zip(panel.values, indices, strict=True)
    ]
    return dataclasses.replace(panel, values=values)


def restored(
    forecasts: list[tuple[np.ndarray, np.ndarray]], indices: list[np.ndarray | None]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Multiply each series' forecast ``(point (h,), quantiles (h, k))`` by its indices."""
    out = []
    for (point, quantiles), s in zip(forecasts, indices, strict=True):
        if s is not None:
            at = s[np.arange(len(point)) % len(s)]
            point, quantiles = point * at, quantiles * at[:, None]
        out.append((point, quantiles))
    return out
