"""The surprise statistic of a series: what a detector expected and how far off each row is.

A detector turns each series into a *surprise* statistic ``z`` (large = unexpected) with
these helpers, typically a residual standardised by the rolling median and MAD
(:func:`rolling_location_scale`, robust to earlier anomalies) or mean and standard deviation
(:func:`rolling_mean_std`) of the values *before* it, made a :class:`Surprise` by
:func:`surprise_from`. :mod:`gluts.anomaly.calibration` then turns surprises into scores.

Every function is causal: its value at ``t`` depends on inputs up to ``t`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Surprise",
    "largest_rolling_z",
    "median_spread",
    "rolling_location_scale",
    "rolling_mean_std",
    "shift_z",
    "surprise_from",
    "value_floor",
]

_MAD_TO_SD = 1.4826
_FIELDS = ("z", "expected", "lower", "upper")
_OPTIONAL = {"accepted": False, "frozen": 0.0}  # optional fields, and their value when absent


@dataclass
class Surprise:
    """What a detector computes for one series, all arrays of the series' length.

    Attributes
    ----------
    z : ndarray of shape (n,) or (n, n_streams)
        Surprise statistic, large when unexpected; NaN during a warm-up. Several streams
        (columns) are calibrated separately; the score uses the mean of their ``-log10``
        tail probabilities.
    expected : ndarray
        The value the detector expected (NaN when it has no such notion).
    lower, upper : ndarray
        The band of normal values around ``expected``.
    accepted : ndarray of bool or None, default=None
        True at the rows from which an incident that persisted became the new normal (see
        :mod:`gluts.anomaly.robust`); None when the detector has no such notion.
    frozen : ndarray or None, default=None
        The surprisal of each row as a frozen reading
        (:func:`~gluts.anomaly.frozen.frozen_surprisal`), read beside the calibrated one;
        None when the detector does not look for frozen readings.
    """

    z: np.ndarray
    expected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    accepted: np.ndarray | None = None
    frozen: np.ndarray | None = None

    def tail(self, start: int) -> Surprise:
        """Return the surprise of the rows from ``start`` on."""
        cut = slice(start, None)
        fields = (getattr(self, name) for name in (*_FIELDS, *_OPTIONAL))
        return Surprise(*(None if f is None else f[cut] for f in fields))

    @classmethod
    def join(cls, parts: list[Surprise]) -> Surprise:
        """Return the surprise of consecutive parts, end to end (an optional field that some
        parts lack is False or 0 at their rows)."""
        arrays = [np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS]
        for name, empty in _OPTIONAL.items():
            given = [getattr(p, name) for p in parts]
            missing = all(g is None for g in given)
            fill = [np.full(len(p.z), empty) if g is None else g for p, g in zip(parts, given)]
            arrays.append(None if missing else np.concatenate(fill))
        return cls(*arrays)

    def new_normal(self, first: int, last: int) -> bool:
        """Whether an incident became the new normal at a row from ``first`` to ``last``."""
        return self.accepted is not None and bool(self.accepted[first : last + 1].any())


def rolling_location_scale(
    x: np.ndarray, window: int, min_periods: int, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the rolling median and scale (1.4826 MAD) of the values *before* each row.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Values in time order (NaN where undefined, e.g. during a warm-up).
    window : int
        Number of past values in the rolling statistics.
    min_periods : int
        Fewest past values needed; earlier rows get NaN.
    floor : float
        Smallest scale, so that a constant stretch does not divide by zero.

    Returns
    -------
    centre, scale : ndarray of shape (n,)
        Causal robust location and scale (NaN where undefined).
    """
    r = pd.Series(x)
    centre = r.rolling(window, min_periods=min_periods).median().shift(1)
    mad = (r - centre).abs().rolling(window, min_periods=min_periods).median().shift(1)
    scale = np.maximum(_MAD_TO_SD * mad.to_numpy(dtype=np.float64), floor)
    return centre.to_numpy(dtype=np.float64), scale


def rolling_mean_std(x: np.ndarray, window: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the rolling mean and standard deviation of the values *before* each row.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Values in time order (NaN where undefined).
    window : int
        Number of past values; at least ``window // 2`` are needed (else NaN).
    floor : float
        Smallest standard deviation.

    Returns
    -------
    mean, std : ndarray of shape (n,)
        Causal location and scale.
    """
    past = pd.Series(x).rolling(window, min_periods=max(window // 2, 2))
    mean = past.mean().shift(1).to_numpy(dtype=np.float64)
    std = np.maximum(past.std().shift(1).to_numpy(dtype=np.float64), floor)
    return mean, std


def surprise_from(
    values: np.ndarray, expected: np.ndarray, scale: np.ndarray, width: float = 3.0
) -> Surprise:
    """Build a :class:`Surprise` from an expectation and a scale.

    ``z = |values - expected| / scale`` and the band is ``expected -/+ width * scale``.
    """
    z = np.abs(values - expected) / scale
    return Surprise(z, expected, expected - width * scale, expected + width * scale)


def value_floor(values: np.ndarray) -> float:
    """A tiny scale relative to a series' range, used as the floor of robust scales."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return 1e-12
    spread = float(np.subtract(*np.quantile(finite, [0.95, 0.05])))
    return max(1e-3 * spread, 1e-9 * float(np.abs(finite).mean()), 1e-12)


def largest_rolling_z(
    windows: tuple[int, ...], x: np.ndarray, floor: float, past: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the largest rolling z-score of ``x`` over ``windows`` against the rolling mean
    and standard deviation of ``past`` (default ``x``) before each row, with those of the
    first window."""
    zs, first = [], None
    for window in windows:
        mean, std = rolling_mean_std(x if past is None else past, window, floor)
        zs.append(np.abs(x - mean) / std)
        first = first or (mean, std)
    return np.fmax.reduce(zs), *first


def shift_z(x: np.ndarray, scale: int, window: int, floor: float) -> np.ndarray:
    """Return how far the mean of the last ``scale`` rows departs from the level before them,
    in units of the spread that such means had before them.

    A row departs from the mean of the ``window`` rows that end ``scale`` rows before it; the
    ``scale``-row mean of the departures is divided by the standard deviation (at least
    ``floor``) of that mean over the ``window`` rows that end ``scale`` rows before. A shift
    of the level by a fraction of the noise, too small for any one row to surprise, stands
    out once it has lasted ``scale`` rows. NaN until ``window // 20`` rows are available.
    """
    rows = pd.Series(x)
    min_periods = max(window // 20, 2)
    level = rows.rolling(window, min_periods=min_periods).mean().shift(scale)
    departure = (rows - level).rolling(scale).mean()
    spread = departure.rolling(window, min_periods=min_periods).std().shift(scale)
    return (departure.abs() / np.maximum(spread, floor)).to_numpy(dtype=np.float64)


def median_spread(residual: np.ndarray) -> float:
    """Return the median absolute deviation of the finite residuals (inf without any)."""
    r = residual[np.isfinite(residual)]
    return float(np.median(np.abs(r - np.median(r)))) if len(r) else np.inf
