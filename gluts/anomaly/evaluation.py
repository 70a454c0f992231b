"""Evaluation of anomaly detectors: point-wise and event-wise scores, and the NAB score.

The NAB score follows the Numenta Anomaly Benchmark rules: the first 15% of each file (at
most 750 rows) is a probationary period whose alarms are ignored; per labelled window only the
earliest alarm counts and earns ``A_TP * tanh(2.5 u) / tanh(2.5)`` (``u = 1`` at the window's
first row, towards 0 at its last); a window without alarm costs ``A_FN``; an alarm outside
every window costs ``A_FP * c`` with ``c = tanh(2.5 y)`` where ``y`` is the distance past the
end of the previous window in window lengths (``c = 1`` when no window precedes it or
``y > 3``). One threshold per detector and profile is chosen to maximise the summed raw score
over all files; the normalised score is ``100 (raw - null) / (perfect - null)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gluts.anomaly.events import event_spans

__all__ = [
    "NAB_PROFILES",
    "NABFile",
    "NABResult",
    "event_scores",
    "nab_score",
    "point_scores",
    "probation_length",
]

NAB_PROFILES: dict[str, dict[str, float]] = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}


def probation_length(n_rows: int, fraction: float = 0.15, cap: int = 750) -> int:
    """Return NAB's probationary length: ``min(floor(fraction * n_rows), cap)`` rows."""
    return int(min(np.floor(fraction * n_rows), cap))


@dataclass(frozen=True)
class NABFile:
    """One scored file: per-row scores and its labelled windows as row positions.

    Parameters
    ----------
    scores : ndarray of shape (n_rows,)
        Anomaly scores in [0, 1]; a row is an alarm when its score is at least the threshold.
    windows : sequence of (int, int)
        Labelled windows as inclusive ``(first_row, last_row)`` positions, in time order.
    name : str, default=""
        File name, for reports.
    """

    scores: np.ndarray
    windows: Sequence[tuple[int, int]]
    name: str = ""


@dataclass(frozen=True)
class NABResult:
    """NAB score of one detector under one profile.

    Attributes
    ----------
    score : float
        Normalised score: 100 is perfect, 0 equals never alarming.
    raw : float
        Summed raw score over the files at the chosen threshold.
    threshold : float
        The threshold that maximised the raw score (or the fixed one).
    true_positives, false_negatives, false_positives : int
        Detected windows, missed windows and alarms outside every window.
    """

    score: float
    raw: float
    threshold: float
    true_positives: int
    false_negatives: int
    false_positives: int


@dataclass
class _Rows:
    """Scored (post-probation) rows of all files with their weights under one profile."""

    scores: np.ndarray
    window: np.ndarray  # global window id, -1 outside every window
    tp: np.ndarray  # A_TP-scaled weight of the row when it is a window's first alarm
    fp: np.ndarray  # A_FP-scaled cost of the row as a false alarm
    n_windows: int


def _file_rows(f: NABFile, offset: int, weights: Mapping[str, float]):
    n = len(f.scores)
    start = probation_length(n)
    window = np.full(n, -1, dtype=np.int64)
    tp = np.zeros(n)
    fp = np.full(n, weights["fp"])
    last_end, last_len = None, None
    rows = np.arange(n)
    for k, (a, b) in enumerate(f.windows):
        if not 0 <= a <= b < n:
            raise ValueError(f"NAB window {(a, b)} of file {f.name!r} is outside 0..{n - 1}.")
        length = b - a + 1
        window[a : b + 1] = offset + k
        u = (b + 1 - rows[a : b + 1]) / length
        tp[a : b + 1] = weights["tp"] * np.tanh(2.5 * u) / np.tanh(2.5)
        if last_end is not None:
            _penalise_after(fp, rows, last_end, last_len, a, weights["fp"])
        last_end, last_len = b, length
    if last_end is not None:
        _penalise_after(fp, rows, last_end, last_len, n, weights["fp"])
    keep = slice(start, n)
    return f.scores[keep], window[keep], tp[keep], fp[keep]


def _penalise_after(fp, rows, end: int, length: int, stop: int, a_fp: float) -> None:
    """Scale the false-alarm cost of the rows between a window's end and ``stop``."""
    y = (rows[end + 1 : stop] - end) / length
    fp[end + 1 : stop] = a_fp * np.where(y > 3, 1.0, np.tanh(2.5 * y))


def _collect(files: Sequence[NABFile], weights: Mapping[str, float]) -> _Rows:
    parts, offset = [], 0
    for f in files:
        scores = np.asarray(f.scores, dtype=np.float64)
        if scores.ndim != 1 or not np.isfinite(scores).all():
            raise ValueError(f"Scores of file {f.name!r} must be a finite 1-d array.")
        parts.append(_file_rows(NABFile(scores, list(f.windows), f.name), offset, weights))
        offset += len(f.windows)
    cat = [np.concatenate([p[i] for p in parts]) for i in range(4)]
    return _Rows(cat[0], cat[1], cat[2], cat[3], offset)


def _raw_at(rows: _Rows, threshold: float, a_fn: float) -> tuple[float, int, int]:
    alarm = rows.scores >= threshold
    out = alarm & (rows.window < 0)
    raw = -float(rows.fp[out].sum())
    inside = alarm & (rows.window >= 0)
    best = np.zeros(rows.n_windows)
    np.maximum.at(best, rows.window[inside], rows.tp[inside])
    hit = np.zeros(rows.n_windows, dtype=bool)
    hit[rows.window[inside]] = True
    raw += float(best[hit].sum()) - a_fn * float((~hit).sum())
    return raw, int(hit.sum()), int(out.sum())


def _sweep(rows: _Rows, a_fn: float) -> float:
    """Return the threshold in [0, 1] that maximises the raw score (NAB's sweep)."""
    order = np.argsort(-rows.scores, kind="stable")
    s, w, tp, fp = rows.scores[order], rows.window[order], rows.tp[order], rows.fp[order]
    best_tp = np.full(rows.n_windows, -1.0)
    total = -a_fn * rows.n_windows
    best_total, best_thr = -np.inf, 1.0
    if len(s) == 0 or s[0] < 1.0:
        best_total, best_thr = total, 1.0 if len(s) == 0 else min(1.0, np.nextafter(s[0], 2))
    last = len(s) - 1
    for i in range(len(s)):
        k = w[i]
        if k < 0:
            total -= fp[i]
        elif best_tp[k] < 0:
            total += a_fn + tp[i]
            best_tp[k] = tp[i]
        elif tp[i] > best_tp[k]:
            total += tp[i] - best_tp[k]
            best_tp[k] = tp[i]
        if (i == last or s[i + 1] != s[i]) and total > best_total + 1e-12 and s[i] >= 0.0:
            best_total, best_thr = total, float(s[i])
    return best_thr


def nab_score(
    files: Sequence[NABFile],
    profile: str = "standard",
    threshold: float | None = None,
) -> NABResult:
    """Score a detector on a set of files with the NAB rules.

    Parameters
    ----------
    files : sequence of NABFile
        Per-row scores and labelled windows of every file.
    profile : {"standard", "reward_low_FP_rate", "reward_low_FN_rate"}, default="standard"
        The NAB cost profile.
    threshold : float or None, default=None
        A threshold fixed in advance; None chooses the one threshold in [0, 1] that maximises
        the raw score summed over all files.

    Returns
    -------
    NABResult
        Normalised and raw score, the threshold and the alarm counts.
    """
    if profile not in NAB_PROFILES:
        raise ValueError(f"profile must be one of {sorted(NAB_PROFILES)}; got {profile!r}.")
    weights = NAB_PROFILES[profile]
    rows = _collect(files, weights)
    if threshold is None:
        threshold = _sweep(rows, weights["fn"])
    raw, n_tp, n_fp = _raw_at(rows, float(threshold), weights["fn"])
    null = -weights["fn"] * rows.n_windows
    perfect = weights["tp"] * rows.n_windows
    score = 100.0 * (raw - null) / (perfect - null) if rows.n_windows else 0.0
    return NABResult(score, raw, float(threshold), n_tp, rows.n_windows - n_tp, n_fp)


def _prf(correct: float, n_pred: float, recalled: float, n_true: float) -> dict[str, float]:
    """Precision ``correct / n_pred``, recall ``recalled / n_true`` and their F1 (0 if empty)."""
    precision = correct / n_pred if n_pred else 0.0
    recall = recalled / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def point_scores(y_true, y_pred) -> dict[str, float]:
    """Return point-wise precision, recall and F1 of 0/1 labels (1 = anomaly).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        True and predicted labels.

    Returns
    -------
    dict
        ``precision``, ``recall`` and ``f1``.
    """
    t, p = _labels(y_true, y_pred)
    tp = float((t & p).sum())
    return _prf(tp, float(p.sum()), tp, float(t.sum()))


def event_scores(y_true, y_pred) -> dict[str, float]:
    """Return event-wise precision, recall and F1 of 0/1 labels (1 = anomaly).

    An event is a run of consecutive ones. A true event is recalled when any predicted point
    falls in it; a predicted event is correct when it overlaps any true event.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        True and predicted labels.

    Returns
    -------
    dict
        ``precision``, ``recall`` and ``f1``.
    """
    t, p = _labels(y_true, y_pred)
    true_runs, pred_runs = event_spans(t), event_spans(p)
    recalled = sum(bool(p[a : b + 1].any()) for a, b in true_runs)
    correct = sum(bool(t[a : b + 1].any()) for a, b in pred_runs)
    return _prf(correct, len(pred_runs), recalled, len(true_runs))


def _labels(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true).ravel()
    p = np.asarray(y_pred).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in length: {t.shape[0]} vs {p.shape[0]}.")
    for name, arr in (("y_true", t), ("y_pred", p)):
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must hold 0/1 labels (1 = anomaly).")
    return t.astype(bool), p.astype(bool)
