"""Causal scoring steps shared by every detector.

A detector turns each series into a *surprise* statistic ``z`` (large = unexpected), then
these steps make it an anomaly score in [0, 1] that means the same on every series:

1. :func:`rolling_location_scale` and :func:`surprise_from`: a residual standardised by the
   rolling median and MAD of the residuals *before* it (robust to earlier anomalies, causal).
2. :class:`TailCalibrator`: a per-series (and per surprise stream) generalised Pareto tail
   fitted on the calibration surprises; ``L = -log10 P(Z > z)`` is then comparable across
   series (a detector with several streams averages their ``L``), and ``L / (L + score_scale)``
   maps it into [0, 1).
3. :func:`rise`: optional output shaping. An incident keeps the calibrated score high for
   many rows, and every alarm after the first is a false alarm to an operator; the shaped
   score is the rise of the calibrated score above its maximum over the previous ``window``
   rows, so an incident raises one sharp alarm at its onset.

Every function is causal: its value at ``t`` depends on inputs up to ``t`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gluts.anomaly.thresholds import GPDTail

__all__ = [
    "Surprise",
    "TailCalibrator",
    "rise",
    "rolling_location_scale",
    "rolling_mean_std",
    "surprise_from",
    "to_unit",
    "value_floor",
]

_MAD_TO_SD = 1.4826


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
    """

    z: np.ndarray
    expected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def tail(self, start: int) -> Surprise:
        """Return the surprise of the rows from ``start`` on."""
        cut = slice(start, None)
        return Surprise(self.z[cut], self.expected[cut], self.lower[cut], self.upper[cut])


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


@dataclass(frozen=True)
class TailCalibrator:
    """Per-series calibration of surprises into tail probabilities, one tail per stream.

    Attributes
    ----------
    tails : tuple of GPDTail or None
        GPD tail of each surprise stream's calibration values; None for a stream with fewer
        than ``min_count`` finite calibration values (it never contributes).
    """

    tails: tuple[GPDTail | None, ...]

    @classmethod
    def fit(cls, z: np.ndarray, init_quantile: float, min_count: int = 10) -> TailCalibrator:
        """Fit the tail of each stream (column) of the calibration surprises ``z``."""
        columns = z.reshape(len(z), -1).T
        tails = []
        for col in columns:
            finite = col[np.isfinite(col)]
            enough = len(finite) >= min_count
            tails.append(GPDTail.fit(finite, init_quantile, min_scale=1e-2) if enough else None)
        return cls(tuple(tails))

    @property
    def usable(self) -> bool:
        """Whether at least one stream could be calibrated."""
        return any(t is not None for t in self.tails)

    def log_surprise(self, z: np.ndarray) -> np.ndarray:
        """Return ``L = -log10 P(Z > z)`` per stream, shape ``(n, n_streams)`` (0 for NaN)."""
        columns = z.reshape(len(z), -1).T
        out = np.zeros((len(z), len(self.tails)))
        for j, (tail, col) in enumerate(zip(self.tails, columns)):
            if tail is not None:
                out[:, j] = tail.neg_log10_survival(col)
        return out


def to_unit(log_surprise: np.ndarray, scale: float) -> np.ndarray:
    """Map ``L >= 0`` into [0, 1): ``L / (L + scale)``."""
    return log_surprise / (log_surprise + scale)


def rise(score: np.ndarray, window: int) -> np.ndarray:
    """Return ``max(0, s_t - max(s_{t-window}, ..., s_{t-1}))``, the rise above recent scores.

    Parameters
    ----------
    score : ndarray of shape (n,) or (n, n_streams)
        Scores in time order (each column shaped on its own).
    window : int
        Number of previous rows the score must rise above.

    Returns
    -------
    ndarray
        The shaped score, shaped like ``score`` (the first row keeps its score).
    """
    previous = pd.DataFrame(score).rolling(window, min_periods=1).max().shift(1)
    shaped = np.maximum(score.reshape(len(score), -1) - previous.fillna(0.0).to_numpy(), 0.0)
    return shaped.reshape(score.shape)
