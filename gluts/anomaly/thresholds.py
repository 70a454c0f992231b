"""Alarm thresholds on anomaly scores: fixed, empirical quantile, and peaks-over-threshold.

The peaks-over-threshold (POT) maths lives here once: :func:`fit_gpd` fits a generalised
Pareto distribution (GPD) to the excesses over an initial high quantile ``u``, and
:class:`GPDTail` turns it into tail probabilities and into the threshold that a given risk
(the target probability of a false alarm per point) implies. The detectors' score
calibration and :class:`SPOTThreshold` both use it.

References
----------
Siffer, Fouque, Termier and Largouet (2017), "Anomaly Detection in Streams with Extreme
Value Theory", KDD.

Grimshaw (1993), "Computing Maximum Likelihood Estimates for the Generalized Pareto
Distribution", Technometrics 35(2).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "FixedThreshold",
    "GPDTail",
    "QuantileThreshold",
    "SPOTThreshold",
    "fit_gpd",
]

_SHAPE_BOUNDS = (-0.5, 0.5)
_REFIT_GROWTH = 1.05  # streaming SPOT refits once the peaks grew by 5%
_GRID = 64  # points of the first search grid on each side of theta = 0 (twice as many above)
_REFINE_ROUNDS = 10  # each narrows the bracket around the best theta about eightfold


def fit_gpd(excesses) -> tuple[float, float]:
    """Fit a generalised Pareto distribution (location 0) to positive excesses.

    Maximum likelihood through Grimshaw's reduction to a search over one parameter (see
    :func:`_grimshaw`), with the shape then clipped to [-0.5, 0.5] so that a few extreme
    calibration values cannot make the tail arbitrarily heavy. With fewer than 10 distinct
    excesses it falls back to an exponential tail (shape 0, scale = mean excess).

    Parameters
    ----------
    excesses : array-like of shape (n,)
        Amounts by which the calibration values exceed the initial threshold.

    Returns
    -------
    shape, scale : float
        The GPD shape (xi) and scale (sigma > 0).
    """
    exc = np.asarray(excesses, dtype=np.float64)
    exc = exc[np.isfinite(exc) & (exc > 0)]
    if len(exc) == 0:
        return 0.0, 1e-12
    if len(np.unique(exc)) < 10:
        return 0.0, float(exc.mean())
    shape, scale = _grimshaw(exc)
    return float(np.clip(shape, *_SHAPE_BOUNDS)), float(max(scale, 1e-12))


def _grimshaw(x: np.ndarray) -> tuple[float, float]:
    """GPD maximum likelihood (shape >= -1) by a search over ``theta = shape / scale``.

    For a given ``theta`` the likelihood is maximal at ``shape = mean(log1p(theta * x))``,
    which leaves a profile log-likelihood in ``theta`` alone (Grimshaw 1993, as in Siffer et
    al.'s SPOT). It is searched on a geometric grid over ``(-1 / max(x), 0)`` and
    ``(0, 2 (mean - min) / min**2]`` (the bounds of its stationary points), refined around the
    best point, and compared with the exponential limit ``theta -> 0``. Shapes below -1,
    where the likelihood is unbounded, are excluded.
    """
    mean, top, low = float(x.mean()), float(x.max()), float(x.min())
    upper = 2.0 * (mean - low) / low**2 if low > 0 else np.inf
    upper = min(max(upper, 1.0 / mean), 1e12 / top)
    steps = np.geomspace(1e-9, 1.0, _GRID)
    theta = np.concatenate(
        [-(1.0 - steps) / top, -steps / top, np.geomspace(1e-8 / top, upper, 2 * _GRID)]
    )
    for _ in range(_REFINE_ROUNDS):
        loglik = _profile_loglik(theta, x)
        k = int(np.argmax(loglik))
        theta = np.linspace(theta[max(k - 1, 0)], theta[min(k + 1, len(theta) - 1)], 17)
        theta = theta[theta != 0.0]
    loglik = _profile_loglik(theta, x)
    k = int(np.argmax(loglik))
    if not loglik[k] > -(np.log(mean) + 1.0):  # the exponential limit is at least as likely
        return 0.0, mean
    shape = float(np.log1p(theta[k] * x).mean())
    return shape, shape / float(theta[k])


def _profile_loglik(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Mean GPD log-likelihood at the best shape for each ``theta`` (-inf where invalid)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shape = np.log1p(theta[:, None] * x[None, :]).mean(axis=1)  # (n_theta,)
        loglik = -(np.log(shape / theta) + shape + 1.0)
    return np.where(np.isfinite(loglik) & (shape >= -1.0), loglik, -np.inf)


@dataclass(frozen=True)
class GPDTail:
    """A POT model of the upper tail of a sample: ``P(X > x) = p_u * GPD_sf(x - u)``.

    Below ``u`` the empirical survival function of the sample is used (never below ``p_u``).

    Attributes
    ----------
    u : float
        The initial threshold (an empirical quantile of the sample).
    p_u : float
        Fraction of the sample above ``u``.
    shape, scale : float
        GPD parameters of the excesses over ``u``.
    sample : ndarray
        The sorted sample, for the empirical part.
    """

    u: float
    p_u: float
    shape: float
    scale: float
    sample: np.ndarray

    @classmethod
    def fit(cls, values, init_quantile: float = 0.9, min_scale: float = 0.0) -> GPDTail:
        """Fit the tail of ``values`` above their ``init_quantile`` quantile.

        Parameters
        ----------
        values : array-like of shape (n,)
            Calibration sample; non-finite values are dropped.
        init_quantile : float, default=0.9
            Level of the initial threshold ``u``.
        min_scale : float, default=0.0
            Lower bound of the GPD scale, relative to ``|u|`` (keeps a degenerate sample
            from giving a zero-width tail).

        Returns
        -------
        GPDTail
            The fitted tail.
        """
        x = np.sort(np.asarray(values, dtype=np.float64))
        x = x[np.isfinite(x)]
        if len(x) == 0:
            raise ValueError("GPDTail.fit needs at least one finite calibration value.")
        u = float(np.quantile(x, init_quantile))
        above = x[x > u]
        p_u = max(len(above) / len(x), 1.0 / len(x))
        shape, scale = fit_gpd(above - u)
        scale = max(scale, min_scale * abs(u), 1e-12)
        return cls(u, p_u, shape, scale, x)

    def survival(self, x) -> np.ndarray:
        """Return ``P(X > x)`` under the model (NaN stays NaN)."""
        x = np.asarray(x, dtype=np.float64)
        emp = 1.0 - np.searchsorted(self.sample, x, side="right") / len(self.sample)
        excess = np.maximum(x - self.u, 0.0) / self.scale
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if abs(self.shape) < 1e-9:
                tail = np.exp(-excess)
            else:
                base = np.maximum(1.0 + self.shape * excess, 0.0)
                tail = base ** (-1.0 / self.shape)
        out = np.where(x > self.u, self.p_u * tail, np.maximum(emp, self.p_u))
        return np.where(np.isnan(x), np.nan, out)

    def neg_log10_survival(self, x) -> np.ndarray:
        """Return ``-log10 P(X > x)`` (0 for NaN input), capped at 300."""
        p = self.survival(x)
        out = -np.log10(np.clip(p, 1e-300, 1.0))
        return np.where(np.isnan(p), 0.0, out)

    def quantile(self, risk: float) -> float:
        """Return the ``x`` with ``P(X > x) = risk`` (for ``risk < p_u``; else ``u``)."""
        if risk >= self.p_u:
            return self.u
        ratio = risk / self.p_u
        if abs(self.shape) < 1e-9:
            return float(self.u - self.scale * np.log(ratio))
        return float(self.u + self.scale / self.shape * (ratio ** (-self.shape) - 1.0))


class _BaseThreshold(BaseEstimator):
    """A rule that turns calibration scores into an alarm threshold."""

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
        Scores at or above ``value`` are anomalies.

    Attributes
    ----------
    threshold_ : float
        Equal to ``value``; set by ``fit``.
    """

    _parameter_constraints: dict = {"value": [Real]}

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
        Refit the tail on every new peak of the stream passed to :meth:`flag`.

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
