"""Alarm thresholds on anomaly scores: fixed, empirical quantile, and peaks-over-threshold.

:class:`SPOTThreshold` models the upper tail of the calibration scores with the
generalised Pareto tail of :mod:`gluts.anomaly.tails` (Siffer, Fouque, Termier and Largouet
(2017), "Anomaly Detection in Streams with Extreme Value Theory", KDD).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from gluts._estimator import FittedStateMixin
from gluts.anomaly.tails import GPDTail, fit_gpd

__all__ = [
    "FixedThreshold",
    "QuantileThreshold",
    "SPOTThreshold",
    "make_threshold",
]

_REFIT_GROWTH = 1.05  # streaming SPOT refits once the peaks grew by 5%


class _BaseThreshold(FittedStateMixin, BaseEstimator):
    """A rule that turns calibration scores into an alarm threshold."""

    _STATE = ("threshold_",)

    def fit(self, scores):
        """Set ``threshold_`` from calibration scores.

        Parameters
        ----------
        scores : array-like of shape (n,)
            Scores of normal (or mostly normal) data.

        Returns
        -------
        self : object
            The fitted threshold.
        """
        self._validate_params()
        x = np.asarray(scores, dtype=np.float64).ravel()
        x = x[np.isfinite(x)]
        if len(x) == 0:
            raise ValueError(f"{type(self).__name__}.fit got no finite calibration score.")
        self.threshold_ = self._fit(x)
        return self

    def flag(self, scores) -> np.ndarray:
        """Return 0/1 labels (1 = anomaly: score >= threshold) for a stream of scores."""
        check_is_fitted(self, "threshold_")
        return (np.asarray(scores, dtype=np.float64) >= self.threshold_).astype(np.int64)

    def _fit(self, scores: np.ndarray) -> float:
        raise NotImplementedError


class FixedThreshold(_BaseThreshold):
    """A threshold fixed in advance.

    Parameters
    ----------
    value : float, default=0.5
        Scores at or above ``value`` are anomalies; in (0, 1), as scores lie in [0, 1): 0
        would flag every row and 1 none.

    Attributes
    ----------
    threshold_ : float
        Equal to ``value``; set by ``fit``.
    """

    _parameter_constraints: dict = {"value": [Interval(Real, 0, 1, closed="neither")]}

    def __init__(self, value: float = 0.5):
        self.value = value

    def _fit(self, scores: np.ndarray) -> float:
        return float(self.value)


class QuantileThreshold(_BaseThreshold):
    """The empirical ``q`` quantile of calibration scores.

    Parameters
    ----------
    q : float, default=0.99
        Quantile level in (0, 1); about ``1 - q`` of normal points are flagged.

    Attributes
    ----------
    threshold_ : float
        The quantile; set by ``fit``.
    """

    _parameter_constraints: dict = {"q": [Interval(Real, 0, 1, closed="neither")]}

    def __init__(self, q: float = 0.99):
        self.q = q

    def _fit(self, scores: np.ndarray) -> float:
        return float(np.quantile(scores, self.q))


class SPOTThreshold(_BaseThreshold):
    """Peaks-over-threshold: a GPD tail fitted to calibration scores sets the threshold.

    The scores above their ``init_quantile`` quantile are modelled by a generalised Pareto
    distribution; the threshold is the score whose tail probability equals ``risk``. With
    ``update=True``, :meth:`flag` keeps updating the tail as the stream brings new peaks
    (points above the initial threshold but below the alarm threshold), as in SPOT; the GPD
    is refitted whenever the peaks have grown by 5%, so a long stream costs a logarithmic
    number of fits.

    Parameters
    ----------
    risk : float, default=1e-4
        Target probability of a false alarm per point, in (0, 1).
    init_quantile : float, default=0.98
        Level of the initial threshold whose excesses are modelled.
    update : bool, default=False
        Refit the tail on every new peak of the stream passed to :meth:`flag`. The refits
        last for that one call: each call starts again from the fitted tail, and a
        detector's ``update`` does not carry them, so alerts of a stream taken in chunks
        differ from one call on all of it. Streams scored chunk by chunk (``update``, a
        ``--state`` file) keep exactly the same alerts with ``update=False``.

    Attributes
    ----------
    threshold_ : float
        The threshold fitted on the calibration scores; set by ``fit``.
    tail_ : GPDTail
        The fitted tail model.
    """

    _parameter_constraints: dict = {
        "risk": [Interval(Real, 0, 1, closed="neither")],
        "init_quantile": [Interval(Real, 0, 1, closed="neither")],
        "update": ["boolean"],
    }

    _STATE = ("threshold_", "tail_", "_n_calibration")

    def __init__(self, risk: float = 1e-4, init_quantile: float = 0.98, update: bool = False):
        self.risk = risk
        self.init_quantile = init_quantile
        self.update = update

    def _fit(self, scores: np.ndarray) -> float:
        self.tail_ = GPDTail.fit(scores, self.init_quantile)
        self._n_calibration = len(scores)
        return self.tail_.quantile(self.risk)

    def flag(self, scores) -> np.ndarray:
        """Return 0/1 labels for a stream of scores, updating the tail when ``update``.

        Parameters
        ----------
        scores : array-like of shape (n,)
            The stream, in time order.

        Returns
        -------
        ndarray of shape (n,)
            1 where the score reaches the (current) threshold.
        """
        if not self.update:
            return super().flag(scores)
        check_is_fitted(self, "threshold_")
        x = np.asarray(scores, dtype=np.float64)
        tail, n_seen = self.tail_, self._n_calibration
        peaks = list(tail.sample[tail.sample > tail.u] - tail.u)
        threshold, n_fitted = self.threshold_, len(peaks)
        out = np.zeros(len(x), dtype=np.int64)
        for t, value in enumerate(x):
            if value >= threshold:
                out[t] = 1
                continue
            n_seen += 1
            if value > tail.u:
                peaks.append(value - tail.u)
            if len(peaks) >= _REFIT_GROWTH * max(n_fitted, 1):
                shape, scale = fit_gpd(peaks)
                p_u = len(peaks) / n_seen
                threshold = GPDTail(tail.u, p_u, shape, scale, tail.sample).quantile(self.risk)
                n_fitted = len(peaks)
        return out


def make_threshold(threshold, default: float) -> _BaseThreshold:
    """A new, unfitted threshold object from a detector's ``threshold`` parameter.

    Parameters
    ----------
    threshold : float, threshold object or None
        The parameter: a threshold object is cloned, a float fixed, None gives ``default``.
    default : float
        The detector's default fixed threshold.

    Returns
    -------
    threshold object
        Ready to be fitted on calibration scores.
    """
    if isinstance(threshold, _BaseThreshold):
        return clone(threshold)
    return FixedThreshold(default if threshold is None else float(threshold))
