"""Robustness to anomalies: fit rows cleaned for training, contexts that incidents do not enter.

Anomalies inside the rows a detector learns from, or inside the context of the rows it
scores, teach it that they are normal: a model trained on them forecasts them, a rolling
scale that holds them is wide, and the rows after an incident (the return to normal) look
surprising next to a context that holds the incident. Two helpers keep anomalies out:

* :func:`clean_fit_rows` replaces the clearly anomalous fit rows (those far from a robust
  trend plus seasonal profile of the fit rows, and frozen readings, :func:`frozen_rows`) by
  that expectation, for training;
* :func:`clean_context` scores rows against an expectation computed from a *cleaned* past:
  a row that the expectation finds clearly anomalous is replaced, in the past of the rows
  after it, by its expected value; after two such rows, so are the rows that stay above half
  that surprise (the incident goes on). An incident that lasts ``limit`` rows becomes the new
  normal: its later rows are kept as they are, so the expectation follows them.

Both are deterministic functions of their input arrays, so the block scoring of
:mod:`gluts.anomaly.stream` stays exact under any chunking.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from gluts.anomaly.events import flag_runs
from gluts.anomaly.frozen import frozen_rows
from gluts.anomaly.surprise import Surprise

__all__ = [
    "calibration_rows",
    "clean_context",
    "clean_fit_rows",
    "cleaning_cut",
    "first_rows",
    "incident_rows",
]

_MAD_TO_SD = 1.4826
_ROWS_PER_INCIDENT = 64  # incidents in the fit rows are rare up to one per this many rows
_MAX_INCIDENT_ROWS = 0.2  # fit rows in incidents beyond which they are not left out
_LULL = 3  # unflagged rows that do not end an incident
_EDGE = 0.5  # an incident's onset and end: rows above this fraction of the cut around it
_LASTED = 2  # rows above the cut after which an incident goes on above its edge
_MEDIAN_Z = 0.5263  # median |N(0, 1)| in units of half the 10%-90% band: 0.6745 / 1.2816
_MAX_CLEANED = 0.2  # cleaning is kept for a series when it replaces at most this of its rows


def clean_fit_rows(
    values: np.ndarray,
    period: int,
    *,
    cut: float = 5.0,
    max_fraction: float = 0.1,
    passes: int = 3,
) -> np.ndarray:
    """Return the fit rows with the clearly anomalous ones replaced by a robust expectation.

    The expectation is a centred rolling median over ``max(2 * period + 1, 49)`` rows (a
    trend that an incident shorter than half the window does not move) plus, for
    ``period > 1``, the median of the detrended rows at each phase. Rows further than
    ``cut`` robust standard deviations (1.4826 MAD) of the residual from it are replaced, at
    most the ``max_fraction`` largest residuals (more than that is how the series behaves);
    the expectation is then estimated again from the cleaned rows, ``passes`` times. The
    rows of a frozen reading (:func:`frozen_rows`) are replaced too: a model trained on them
    learns to continue a flat stretch.

    Parameters
    ----------
    values : ndarray of shape (n,)
        The fit rows of one series.
    period : int
        Its season in rows (1: none).
    cut : float, default=5.0
        Robust standard deviations from which a row is replaced.
    max_fraction : float, default=0.1
        Largest fraction of rows replaced.
    passes : int, default=3
        Rounds of estimating the expectation from the rows cleaned so far and replacing.

    Returns
    -------
    ndarray of shape (n,)
        The cleaned rows (a copy).
    """
    frozen = frozen_rows(values)
    cleaned = values.copy()
    for _ in range(passes):  # each pass re-estimates the expectation without the outliers
        expected = _robust_expectation(cleaned, period)
        residual = values - expected
        finite = residual[np.isfinite(residual)]
        if len(finite) == 0:
            break
        centre = np.median(finite)
        spread = np.abs(finite - centre)
        limit = max(cut * _MAD_TO_SD * np.median(spread), 1e-12)
        limit = max(limit, np.quantile(spread, 1 - max_fraction, method="higher"))
        out = (np.abs(residual - centre) > limit) | frozen
        cleaned = np.where(out, expected, values)
    return cleaned


def _robust_expectation(values: np.ndarray, period: int) -> np.ndarray:
    """A centred rolling median trend plus the median detrended value at each phase."""
    window = max(2 * period + 1, 49)
    trend = pd.Series(values).rolling(window, center=True, min_periods=1).median().to_numpy()
    if period < 2:
        return trend
    phase = np.arange(len(values)) % period
    profile = pd.Series(values - trend).groupby(phase).median()
    return trend + profile.reindex(phase).to_numpy()


def incident_rows(z: np.ndarray, cut: float, raw: np.ndarray) -> np.ndarray:
    """Rows above ``cut``, and the rows after two of them while they stay above half the cut.

    An incident is not over when its rows fall below the cut: a persistent shift that the
    forecast band widens to hold, step by step away from its origin, is still the same
    incident until its rows come back within half the cut. A single row above the cut (a
    spike) does not go on, and a row goes on only if it is above half the cut against the
    raw past too (``raw``): a context cleaned of normal rows, whose forecasts drift away
    from them, must not keep an incident going by itself. Causal: whether a row is in an
    incident depends on the rows up to it only.

    Parameters
    ----------
    z : ndarray of shape (n,)
        Surprises against a cleaned past (no NaN).
    cut : float
        Surprise from which a row starts (or is part of) an incident.
    raw : ndarray of shape (n,)
        Surprises against the raw past (no NaN).

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    core, edge = z > cut, z > _EDGE * cut
    run = np.cumsum(np.diff(edge.astype(np.int8), prepend=0) == 1) * edge  # 0 outside runs
    lasted = pd.Series(core).groupby(run).cumsum().to_numpy() >= _LASTED
    return core | (lasted & edge & (raw > _EDGE * cut))


def first_rows(flags: np.ndarray, limit: int, gap: int) -> np.ndarray:
    """Keep each run of flags (runs at most ``gap`` rows apart joined) for ``limit`` rows.

    Parameters
    ----------
    flags : ndarray of bool, shape (n,)
        Rows found anomalous.
    limit : int
        Rows, from a run's first, after which its rows are no longer flagged.
    gap : int
        Unflagged rows that do not break a run.

    Returns
    -------
    kept : ndarray of bool, shape (n,)
        The flags within the first ``limit`` rows of their run.
    accepted : ndarray of bool, shape (n,)
        True at the first row of each run that lasts longer than ``limit`` rows: from it
        on, the run's rows are the new normal.
    """
    kept = np.zeros(len(flags), dtype=bool)
    accepted = np.zeros(len(flags), dtype=bool)
    for first, last in flag_runs(flags.astype(np.int8), gap):
        stop = min(last + 1, first + limit)
        kept[first:stop] = flags[first:stop]
        if last + 1 > first + limit:
            accepted[first + limit] = True
    return kept, accepted


def clean_context(
    values: np.ndarray,
    expect: Callable[[np.ndarray], tuple],
    *,
    cut: float,
    limit: int,
    gap: int = _LULL,
    passes: int = 4,
    sustain: bool = True,
) -> tuple[tuple, np.ndarray, np.ndarray]:
    """Score rows against an expectation of a cleaned past, cleaning in a few passes.

    Pass 1 scores the rows against the raw past; rows with ``z > cut`` (with ``sustain``,
    and after two of them the rows that stay above half the cut, :func:`incident_rows`), and
    frozen readings (:func:`frozen_rows`: an expectation that follows them forecasts a flat
    line), within the first ``limit`` rows of their incident (:func:`first_rows`), are
    replaced by their expected value in the past of the next pass, and so on until nothing
    changes or after ``passes`` passes. Each pass extends the cleaning over an incident that
    the previous pass's expectation had already begun to follow.

    Parameters
    ----------
    values : ndarray of shape (n,)
        The rows, in time order.
    expect : callable
        ``expect(past)`` returns a tuple whose first two items are the surprise ``z`` and
        the expected value of each row of ``values``, computed causally from ``past`` (the
        rows with the cleaned ones replaced); further items are passed through.
    cut : float
        Surprise from which a row is cleaned; 0: none is (the rows are scored as they are).
    limit : int
        Rows after which an incident becomes the new normal.
    gap : int, default=3
        Unsurprising rows that do not end an incident.
    passes : int, default=4
        Most scoring passes.
    sustain : bool, default=True
        Continue an incident while its rows stay above half the cut; False cleans only the
        rows above it (the fit rows, whose incidents calibration and the cut must see as
        short as they are).

    Returns
    -------
    result : tuple
        What ``expect`` returned on the last pass.
    accepted : ndarray of bool, shape (n,)
        The rows from which an incident became the new normal.
    cleaned : ndarray of bool, shape (n,)
        The rows replaced in the past of the last pass.
    """
    if cut <= 0:
        return expect(values), *(np.zeros(len(values), dtype=bool),) * 2
    past, frozen, raw = values, frozen_rows(values), None
    flagged = accepted = np.zeros(len(values), dtype=bool)
    for _ in range(passes):
        result = expect(past)
        z, expected = np.nan_to_num(result[0], nan=0.0), result[1]
        raw = z if raw is None else raw  # the first pass reads the raw past
        incident = incident_rows(z, cut, raw) if sustain else z > cut
        flagged, accepted = first_rows(incident | frozen, limit, gap)
        cleaned = np.where(flagged & np.isfinite(expected), expected, values)
        if np.array_equal(cleaned, past, equal_nan=True):
            break
        past = cleaned
    return result, accepted, past != values


def cleaning_cut(
    surprise_at: Callable[[float], tuple[Surprise, np.ndarray]], nominal: float
) -> tuple[float, Surprise]:
    """Choose a series' cleaning cut for :func:`clean_context` from its fit rows.

    The cut is ``nominal`` times how much wider than a normal residual's the fit rows'
    forecast surprises are (a band too narrow must not clean normal rows), measured with
    raw contexts and with contexts cleaned at ``nominal``, the smaller of the two: incidents
    in the fit rows widen the surprises of the forecasts from contexts that hold them, and
    cleaning a series the forecaster cannot follow widens those from cleaned ones. The cut is
    0 (no cleaning) when cleaning would replace more than 20% of the rows: that is how the
    series behaves (e.g. regular jumps the forecaster cannot anticipate).

    Parameters
    ----------
    surprise_at : callable
        ``surprise_at(cut)`` returns the fit rows' surprise (a
        :class:`~gluts.anomaly.surprise.Surprise`, in units of the forecast's half-band,
        first stream used) with contexts cleaned at ``cut`` (0: raw), and the rows cleaned.
    nominal : float
        The cut of a forecast band as wide as the residuals.

    Returns
    -------
    cut : float
        The cut (0: none).
    surprise : Surprise
        The fit rows' surprise with that cut.
    """
    raw = surprise_at(0.0)[0]
    cleaned_surprise, cleaned = surprise_at(nominal)
    widths = [_width(s.z) for s in (raw, cleaned_surprise)]
    if np.isnan(widths).all():
        return 0.0, raw
    cut = nominal * max(1.0, float(np.nanmin(widths)))
    if cut != nominal:
        cleaned_surprise, cleaned = surprise_at(cut)
    return (cut, cleaned_surprise) if cleaned.mean() <= _MAX_CLEANED else (0.0, raw)


def _width(z: np.ndarray) -> float:
    """How much wider than a normal residual's the surprises ``z`` are (NaN: none)."""
    z = z.reshape(len(z), -1)[:, 0]
    z = z[np.isfinite(z)]
    return float(np.median(z)) / _MEDIAN_Z if len(z) else np.nan


def calibration_rows(z: np.ndarray, cut: float, values: np.ndarray | None = None) -> np.ndarray:
    """The fit rows whose surprises calibrate the scores of a series.

    The incidents are left out when they are rare: anomalies inside the fit rows must not
    teach the tail that they are normal. An incident is a run of rows above ``cut`` (lulls
    of up to 3 rows joined), with the rows around it above half the cut (its onset and
    end). They are rare at most once per 64 rows, and while they hold at most 20% of the
    rows; more is how the series behaves, and the tail keeps them (on NAB's spiky AWS files
    the fit rows hold one per 55 rows or more; ``make_synthetic`` panels with three
    incidents in 432 fit rows, one per 67 or fewer). The rows of a frozen reading
    (:func:`frozen_rows` of ``values``) are always left out.

    Parameters
    ----------
    z : ndarray of shape (n,)
        The fit rows' surprises (NaN during a warm-up: not calibrated on).
    cut : float
        Surprise from which a row is part of an incident; 0 for none.
    values : ndarray of shape (n,) or None, default=None
        The fit rows, for their frozen readings; None: none left out.

    Returns
    -------
    ndarray of bool, shape (n,)
        True at the rows to calibrate on.
    """
    rows = np.isfinite(z)
    if values is not None:
        rows &= ~frozen_rows(values)
    if cut <= 0:
        return rows
    z = np.where(rows, z, 0.0)
    core = z > cut
    if len(flag_runs(core.astype(np.int8), _LULL)) * _ROWS_PER_INCIDENT > rows.sum():
        return rows
    kept = rows.copy()
    for first, last in flag_runs((z > _EDGE * cut).astype(np.int8), _LULL):
        if core[first : last + 1].any():
            kept[first : last + 1] = False
    return kept if kept.sum() >= (1 - _MAX_INCIDENT_ROWS) * rows.sum() else rows
