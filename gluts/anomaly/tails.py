"""Peaks-over-threshold tails: a generalised Pareto distribution (GPD) above a high quantile.

:func:`fit_gpd` fits a GPD to the excesses over an initial high quantile ``u``, and
:class:`GPDTail` turns it into tail probabilities and into the threshold that a given risk
(the target probability of a false alarm per point) implies. The detectors' score
calibration (:mod:`gluts.anomaly.calibration`) and
:class:`~gluts.anomaly.thresholds.SPOTThreshold` both use it.

References
----------
Siffer, Fouque, Termier and Largouet (2017), "Anomaly Detection in Streams with Extreme
Value Theory", KDD.

Grimshaw (1993), "Computing Maximum Likelihood Estimates for the Generalized Pareto
Distribution", Technometrics 35(2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GPDTail", "fit_gpd"]

_SHAPE_BOUNDS = (-0.5, 0.5)
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
