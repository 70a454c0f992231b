"""The docstring entries of the parameters that every anomaly detector shares."""

from __future__ import annotations

__all__ = ["common_doc"]

_COMMON_DOC = """
    threshold : float, threshold object or None, default=None
        Alarm threshold on the score: a float, a :class:`~gluts.anomaly.FixedThreshold`,
        :class:`~gluts.anomaly.QuantileThreshold` or :class:`~gluts.anomaly.SPOTThreshold`
        (fitted on the calibration scores), or None for {threshold}.
    tail_quantile : float, default=0.9
        Level of the initial threshold of the per-series GPD tail calibration.
    score_scale : float, default=10.0
        ``L = -log10 P(surprise)`` maps to the score ``L / (L + score_scale)``.
    shaping_window : int or None, default={shaping_window}
        Output shaping (one sharp alarm per incident): the score is its rise above the
        scores of the last 24 rows (the incident in progress) and of this many previous
        rows, these counted up to the score of a row past tail probability 1e-4 (so a
        finished incident does not hide the next); a climbing score is measured from where
        the climb began until it has risen by the threshold (a fixed one; else the default),
        so a sag or a ramp alarms once; None keeps the calibrated score.
    merge_gap : int, default={merge_gap}
        Alerts: flagged runs at most this many rows apart form one event.
    min_duration : int, default=1
        Alerts: events spanning fewer rows are dropped.
    cooldown : int, default=0
        Alerts: an event starting within this many rows after the previous one is dropped.
    n_jobs : int or None, default=None
        joblib's number of parallel jobs for fitting and scoring, over chunks of whole
        series (see :mod:`gluts._parallel`; the backend is the caller's, e.g. Dask through
        ``joblib.parallel_config(backend="dask")``). Results do not depend on it.
"""


def common_doc(threshold: str = "0.3", shaping_window: str = "None", merge_gap: str = "0") -> str:
    """The numpydoc entries of the parameters every detector shares, with these defaults.

    Parameters
    ----------
    threshold, shaping_window, merge_gap : str
        The defaults, as they read in the entries (the threshold's as "None for ...").

    Returns
    -------
    str
        The entries, indented for a class docstring.
    """
    text = _COMMON_DOC.format(
        threshold=threshold, shaping_window=shaping_window, merge_gap=merge_gap
    )
    return text.strip("\n")
