"""Causal calibration of surprises into anomaly scores in [0, 1] that mean the same everywhere.

1. :class:`TailCalibrator`: a per-series (and per surprise stream) generalised Pareto tail
   fitted on the calibration surprises; ``L = -log10 P(Z > z)`` is then comparable across
   series (a detector with several streams averages their ``L``), and :func:`to_unit`
   (``L / (L + score_scale)``) maps it into [0, 1). With density windows, the mean ``L``
   of the last ``k`` rows gets a tail of its own too, and a row's ``L`` is the rarer of
   the two (:meth:`TailCalibrator.surprisal`): rows that are each a little surprising are
   rare together.
2. :func:`rise`: optional output shaping. An incident keeps the calibrated score high for
   many rows, and every alarm after the first is a false alarm to an operator; the shaped
   score is the rise of the calibrated score above the recent scores, so an incident raises
   one sharp alarm at its onset. The incident in progress (the last ``memory`` rows) counts
   in full; earlier rows count up to the score of an incident row (tail probability
   :data:`INCIDENT_LOG10`): a finished incident does not hide the next one, however high
   its scores were, while the normal rows' noise still sets the bar. A score that climbs
   (a sag, a ramp: a little more surprising each row) is measured from where the climb
   began, until it has risen by the alarm threshold: from then on it is the incident in
   progress. Once it has risen :data:`LONG_CLIMB` rows in a row, the rows before it began
   set its bar alone: its own rows no longer raise it.

Every function is causal: its value at ``t`` depends on inputs up to ``t`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import lgamma, log

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import log_ndtr

from gluts.anomaly.tails import GPDTail

INCIDENT_LOG10 = 4.0  # a row past tail probability 1e-4 is part of an incident
INCIDENT_MEMORY = 24  # rows after a score during which it counts in full (its incident)
# Rises in a row from which a climb is measured against the rows before it only: noise whose
# rows are exchangeable rises k times in a row with probability 1 / (k + 1)!, and 7 is the
# fewest with that below an incident row's 10 ** -INCIDENT_LOG10 (1 / 8! = 2.5e-5).
LONG_CLIMB = next(k for k in range(1, 100) if lgamma(k + 2) >= INCIDENT_LOG10 * log(10))
DENSITY_WINDOWS = 5  # separate k-row windows of fit rows that a k-row density's tail needs

__all__ = [
    "DENSITY_WINDOWS",
    "INCIDENT_LOG10",
    "INCIDENT_MEMORY",
    "LONG_CLIMB",
    "TailCalibrator",
    "from_unit",
    "normal_log_tail",
    "rise",
    "scored_only",
    "to_unit",
    "trim_outliers",
]


@dataclass(frozen=True)
class TailCalibrator:
    """Per-series calibration of surprises into tail probabilities, one tail per stream.

    Attributes
    ----------
    tails : tuple of GPDTail or None
        GPD tail of each surprise stream's calibration values; None for a stream with fewer
        than ``min_count`` finite calibration values (it never contributes).
    density : tuple of (int, GPDTail or None)
        Per density window ``k``, the GPD tail of the fit rows' ``k``-row mean surprisal
        (:meth:`fit_density`, read by :meth:`surprisal`); None when too few fit rows had a
        surprise; empty without density windows.
    """

    tails: tuple[GPDTail | None, ...]
    density: tuple[tuple[int, GPDTail | None], ...] = ()

    @classmethod
    def fit(
        cls, z: np.ndarray, init_quantile: float, min_count: int = 10, trim: bool = False
    ) -> TailCalibrator:
        """Fit the tail of each stream (column) of the calibration surprises ``z``.

        With ``trim``, the calibration values that are outliers among them (see
        :func:`trim_outliers`) are left out: anomalies inside the fit rows do not make the
        tail heavier.
        """
        columns = z.reshape(len(z), -1).T if z.size else ()  # no scored fit rows: no tail
        tails = []
        for col in columns:
            finite = col[np.isfinite(col)]
            finite = trim_outliers(finite) if trim else finite
            enough = len(finite) >= min_count
            tails.append(GPDTail.fit(finite, init_quantile, min_scale=1e-2) if enough else None)
        return cls(tuple(tails))

    @property
    def usable(self) -> bool:
        """Whether at least one stream could be calibrated."""
        return any(t is not None for t in self.tails)

    def fit_density(
        self, blocks: list[tuple[int, np.ndarray]], windows: tuple, init_quantile: float
    ) -> TailCalibrator:
        """The calibrator with the tails of the fit rows' surprisal density added.

        ``blocks`` are the fit rows' surprises, per block the offset of its first own row
        and its ``z`` (see :meth:`row_surprisal`). For each window ``k``, the ``k``-row means
        of the own rows' surprisals (those of ``k`` rows with a surprise) get a GPD tail,
        when the fit rows hold at least :data:`DENSITY_WINDOWS` times ``k`` rows with a
        surprise: a mean over ``k`` rows is calibrated on several separate windows or not
        at all (None).
        """
        rows = [(offset, scored_only(z, self.row_surprisal(z))) for offset, z in blocks]
        scored = sum(int(np.isfinite(row[offset:]).sum()) for offset, row in rows)
        density = []
        for k in windows:
            means = np.concatenate([self._mean(row, k)[offset:] for offset, row in rows])
            means = means[np.isfinite(means)]
            enough = scored >= DENSITY_WINDOWS * k and len(means) > 0
            tail = GPDTail.fit(means, init_quantile, min_scale=1e-2) if enough else None
            density.append((int(k), tail))
        return replace(self, density=tuple(density))

    def surprisal(self, z: np.ndarray) -> np.ndarray:
        """Return each row's surprisal ``L``: that of the row (:meth:`row_surprisal`), or
        of the density of surprising rows before it when that is rarer.

        The density is the mean row surprisal over the last ``k`` rows (each counted up to
        :data:`INCIDENT_LOG10`), read with its own calibrated tail (``density``): a stretch in
        which every row is a little surprising (a variance burst, a regime change, spikes
        more frequent than usual) is rare although none of its rows is. The largest of the
        row's and the densities' ``L`` counts, less ``log10`` of how many there are (a
        Bonferroni correction), at least 0.
        """
        row = self.row_surprisal(z)
        scored = scored_only(z, row)
        looks = [row]
        for k, tail in self.density:
            if tail is not None:
                looks.append(tail.neg_log10_survival(self._mean(scored, k)))
        return np.maximum(np.max(looks, axis=0) - np.log10(len(looks)), 0.0)

    def row_surprisal(self, z: np.ndarray) -> np.ndarray:
        """Return each row's surprisal ``L`` from its surprises ``z`` (NaN: no surprise).

        The calibrated streams (the first ``len(tails)`` columns of ``z``) are combined by
        the mean of their ``L`` (the geometric mean of the tail probabilities): one stream
        alone must be twice as surprising as both together to count the same; a stream too
        short to calibrate does not count. Further columns are standardised statistics that
        ask the same question at other scales, read with the normal tail
        (:func:`normal_log_tail`): the row's ``L`` is the largest of the mean and theirs, less
        ``log10`` of how many there are (a Bonferroni correction), and at least 0 (0 for a
        row without any surprise, a warm-up).
        """
        z = z.reshape(len(z), -1)
        n_tails = len(self.tails)
        calibrated = [tail is not None for tail in self.tails]
        each = self.log_surprise(z[:, :n_tails])[:, calibrated]
        looks = [each.mean(axis=1)] if each.shape[1] else []
        looks += list(normal_log_tail(z[:, n_tails:]).T)
        return np.maximum(np.max(looks, axis=0) - np.log10(len(looks)), 0.0)

    @staticmethod
    def _mean(row: np.ndarray, k: int) -> np.ndarray:
        """The mean surprisal of each row and the ``k - 1`` rows before it (NaN with fewer),
        each counted up to :data:`INCIDENT_LOG10`: a row past that is an incident on its own,
        and one spike must not make the next ``k`` rows a dense stretch. Computed per window,
        so it does not depend on where the rows began."""
        out = np.full(len(row), np.nan)
        if len(row) >= k:
            out[k - 1 :] = sliding_window_view(np.minimum(row, INCIDENT_LOG10), k).mean(axis=1)
        return out

    def log_surprise(self, z: np.ndarray) -> np.ndarray:
        """Return ``L = -log10 P(Z > z)`` per stream, shape ``(n, n_streams)`` (0 for NaN)."""
        columns = z.reshape(len(z), -1).T
        out = np.zeros((len(z), len(self.tails)))
        for j, (tail, col) in enumerate(zip(self.tails, columns)):
            if tail is not None:
                out[:, j] = tail.neg_log10_survival(col)
        return out


def trim_outliers(z: np.ndarray, cut: float = 8.0, max_fraction: float = 0.2) -> np.ndarray:
    """Drop the surprises far above the bulk: anomalies among the calibration values.

    A value is dropped when it lies more than ``cut`` robust standard deviations (1.4826
    MAD) above the median and among the ``max_fraction`` largest (more than that is how the
    series behaves, and its tail should say so).

    Parameters
    ----------
    z : ndarray of shape (n,)
        Finite calibration surprises.
    cut : float, default=8.0
        Robust standard deviations above the median from which a value is an outlier.
    max_fraction : float, default=0.2
        Largest fraction of values dropped.

    Returns
    -------
    ndarray
        The values kept, in their order.
    """
    if len(z) == 0:
        return z
    centre = np.median(z)
    scale = 1.4826 * np.median(np.abs(z - centre))
    limit = max(centre + cut * scale, np.quantile(z, 1 - max_fraction, method="lower"))
    return z[z <= limit]


def normal_log_tail(z: np.ndarray) -> np.ndarray:
    """Return ``-log10 P(|N(0, 1)| > z)`` of standardised statistics ``z >= 0`` (0 for NaN),
    in log space: not capped."""
    z = np.nan_to_num(np.asarray(z, dtype=np.float64), nan=0.0)
    return np.maximum(-(np.log10(2.0) + log_ndtr(-z) / np.log(10.0)), 0.0)


def scored_only(z: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` of the rows, NaN at a row without any surprise ``z`` (a warm-up): it has
    no score to count."""
    return np.where(np.isnan(z.reshape(len(z), -1)).all(axis=1), np.nan, values)


def to_unit(log_surprise: np.ndarray, scale: float) -> np.ndarray:
    """Map ``L >= 0`` into [0, 1): ``L / (L + scale)``."""
    return log_surprise / (log_surprise + scale)


def from_unit(score: float, scale: float) -> float:
    """The surprisal ``L`` that :func:`to_unit` maps to ``score`` (inf from 1 on)."""
    return scale * score / (1.0 - score) if score < 1 else np.inf


def rise(
    score: np.ndarray,
    window: int,
    memory: int,
    cap: float,
    onset: float,
    bar: np.ndarray | None = None,
) -> np.ndarray:
    """Return the rise of each score above the recent scores (see the module docstring).

    ``max(0, s_t - max(b_{t-memory}, ..., b_{t-1}, c_{t-window}, ..., c_{t-1}))`` with
    ``c = min(b, cap)``, where the recent scores ``b`` are ``bar`` (default ``score``). A climb
    (rows each above the one before) is measured from where it began: against the ``memory``
    rows up to the row before its first (and the capped ``window`` rows), until one of its rows
    has risen by ``onset``; from then on the climb is an incident in progress and its rows count in
    full. The capped ``window`` rows are those up to the row before it too once it has risen
    :data:`LONG_CLIMB` rows in a row; before that they include its own rows (up to ``cap``), so
    a short run of noise is measured as single rows are. So a sag or a ramp that grows a little
    each row raises an alarm once it has grown enough, and one only. A larger ``onset`` never
    lowers the shaped score. NaN marks a row without a score (a warm-up): it does not count,
    and a row rises only above at least ``memory`` scored rows (else 0), so the first scored
    rows do not rise above nothing.

    Parameters
    ----------
    score : ndarray of shape (n,) or (n, n_streams)
        Scores in time order (each column shaped on its own); NaN where there is none.
    window : int
        Number of previous rows the score must rise above, each counted up to ``cap``.
    memory : int
        Number of previous rows (the incident in progress) counted in full.
    cap : float
        Largest score a row older than ``memory`` rows counts with.
    onset : float
        Rise from which a climb is an incident in progress (the alarm threshold).
    bar : ndarray or None, default=None
        The scores that the rows after them must rise above, shaped like ``score`` and at
        least as high (a row's own score lowered for what it is known to do, the bar it
        set for the rows after it kept); None: ``score``.

    Returns
    -------
    ndarray
        The shaped score, shaped like ``score`` (0 where there is none).
    """
    frame = pd.DataFrame(score if bar is None else bar)
    values = np.asarray(score, dtype=np.float64).reshape(len(frame), -1)
    recent = frame.rolling(memory, min_periods=1).max().shift(1).to_numpy()
    enough = min(memory, window)
    capped = frame.clip(upper=cap).rolling(window, min_periods=enough).max()
    normal = capped.shift(1).to_numpy()
    climbing = np.zeros(values.shape, dtype=bool)
    climbing[1:] = values[1:] > values[:-1]
    # where each row's climb began: the last row that did not climb (row 0 never does)
    rows = np.arange(len(values))[:, None]
    base = np.maximum.accumulate(np.where(climbing, 0, rows), axis=0)
    back = rows - base  # a climbing row's climb began this many rows before it
    before = np.full(values.shape, np.nan)  # the memory rows up to its climb's base row
    normal_before = normal.copy()  # the capped window rows, up to that row for a long climb
    for rows_back in np.unique(back[climbing & (back <= memory)]):
        span = memory - rows_back + 1
        own = climbing & (back == rows_back)
        before[own] = frame.rolling(span, min_periods=1).max().shift(rows_back).to_numpy()[own]
        if rows_back >= LONG_CLIMB:
            normal_before[own] = capped.shift(rows_back).to_numpy()[own]
    from_base = np.fmax(before, normal_before)
    risen = climbing & (np.nan_to_num(values - from_base, nan=0.0) > onset)
    count = np.cumsum(risen, axis=0)  # a climb that has risen by ``onset`` counts in full
    earlier = np.vstack([np.zeros((1, values.shape[1]), dtype=count.dtype), count[:-1]])
    measured = climbing & (earlier == np.take_along_axis(count, base, axis=0))
    previous = np.where(measured, from_base, np.fmax(recent, normal))
    previous = np.where(np.isnan(normal), np.nan, previous)
    shaped = np.nan_to_num(values - previous, nan=0.0)
    return np.maximum(shaped, 0.0).reshape(score.shape)
