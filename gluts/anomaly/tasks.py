"""What a parallel task of a detector runs: fitting or scoring a chunk of whole series.

A task gets an unfitted clone of the detector (see :func:`gluts._parallel.map_series`), its
series, and what every series needs: the attributes named by the detector's
``_global_state`` (a global forecaster), for fitting those of ``_fit_state`` (a seed) and,
for scoring, the fitted threshold.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from gluts.anomaly.calibration import INCIDENT_MEMORY, TailCalibrator
from gluts.anomaly.echoes import echo_rows
from gluts.anomaly.events import stream_spans
from gluts.anomaly.stream import Scored, SeriesStream, finish_blocks, surprise_blocks
from gluts.anomaly.thresholds import FixedThreshold, make_threshold
from gluts.exceptions import InsufficientHistoryError

__all__ = ["MIN_CALIBRATION", "empty_stream", "fit_chunk", "onset_rise", "score_chunk"]

# Fewest scored fit points a series needs to calibrate its scores.
MIN_CALIBRATION = 10


def fit_chunk(detector, items: list, shared: tuple) -> list:
    """Fit each ``(id, values)`` of a chunk: ``(state, calibrator, fit scores)`` each."""
    season_length, global_state = shared
    vars(detector).update(global_state)
    return [_fit_series(detector, sid, values, season_length) for sid, values in items]


def score_chunk(detector, items: list, shared: tuple) -> list[Scored]:
    """Score each ``(state, calibrator, stream, values, index)`` of a chunk."""
    global_state, threshold = shared
    vars(detector).update(global_state)
    return [_score_series(detector, threshold, *item) for item in items]


def empty_stream(detector, state) -> SeriesStream:
    """A series' stream before its first row: room for the context its scores read."""
    density = max(detector._density_windows(state), default=0)  # rows its density reads
    echo = echo_rows(detector._season(state))  # rows its recurring surprises are read from
    window = detector.shaping_window or 0  # a long climb's bar: the window before its start
    shaping = window + min(INCIDENT_MEMORY, window)
    return SeriesStream.empty(detector._context(state) + density + echo + shaping)


def _finish(detector, state, calibrator: TailCalibrator, blocks) -> tuple[np.ndarray, ...]:
    shaping, onset, season = detector.shaping_window, onset_rise(detector), detector._season(state)
    return finish_blocks(calibrator, blocks, detector.score_scale, shaping, onset, season=season)


def onset_rise(detector) -> float:
    """The shaped score's rise from which a climb is an incident in progress: the alarm
    threshold when it is a fixed value, else the detector's default one (a fitted threshold
    is chosen from the shaped scores and cannot shape them)."""
    threshold = make_threshold(detector.threshold, detector._default_threshold)
    return threshold.value if isinstance(threshold, FixedThreshold) else detector._default_threshold


def _fit_series(detector, sid, values: np.ndarray, season_length: int) -> tuple:
    state = detector._fit_series(sid, values, season_length)
    surprise = partial(detector._fit_surprise, state)
    blocks = surprise_blocks(surprise, empty_stream(detector, state), values)
    z = np.concatenate([s.z[offset:] for offset, s in blocks])
    z = z.reshape(len(z), -1)  # calibrated streams, then standardised ones (not calibrated)
    z = z[:, : z.shape[1] - detector._standardised_streams(state)]
    z, options = detector._calibration(state, z, values)
    calibrator = TailCalibrator.fit(z, detector.tail_quantile, MIN_CALIBRATION, **options)
    if not calibrator.usable:
        raise InsufficientHistoryError(
            f"{type(detector).__name__} needs at least {MIN_CALIBRATION} scored points "
            f"after its warm-up to calibrate; series {sid!r} has fewer. "
            "Fit on a longer history or shorten the detector's windows.",
            series=sid,
        )
    own = [(offset, s.z) for offset, s in blocks]
    density = detector._density_windows(state)
    calibrator = calibrator.fit_density(own, density, detector.tail_quantile)
    return state, calibrator, _finish(detector, state, calibrator, blocks)[0]


def _score_series(detector, threshold, state, calibrator, stream, values, index) -> Scored:
    blocks = surprise_blocks(partial(detector._surprise, state), stream, values)
    score, surprisal, details = _finish(detector, state, calibrator, blocks)
    spans, carry = stream_spans(stream.carry, threshold.flag(score), index, **detector._rules())
    after = stream.advance(values, index[-1], carry)
    return Scored(score, surprisal, details, values, index, spans, stream.carry.index, after)
