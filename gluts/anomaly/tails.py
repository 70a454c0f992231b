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

# A shape fitted on a few dozen excesses is uncertain by about 0.2, and a light one puts the
# tail's end just past the largest calibration value: at -0.5 a normal row a third beyond it
# read as a surprisal of 57. Lighter shapes than -0.25 are not believed.
_SHAPE_BOUNDS = (-0.25, 0.5)
_GRID = 64  # points of the first search grid on each side of theta = 0 (twice as many above)
_REFINE_ROUNDS = 10  # each narrows the bracket around the best theta about eightfold
_LN10 = float(np.log(10.0))
_KNOT_LOG10 = 4.0  # a light tail continues exponentially from excess probability 1e-4


def fit_gpd(excesses) -> tuple[float, float]:
    """Fit a generalised Pareto distribution (location 0) to positive excesses.

    Maximum likelihood through Grimshaw's reduction to a search over one parameter (see
    :func:`_grimshaw`), with the shape then clipped to [-0.25, 0.5] so that a few extreme
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
    Probabilities are computed as ``-log10`` in log space, so they are never capped: a light
    tail continues exponentially near its endpoint (see :attr:`knot`).

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

    def __post_init__(self):
        sample = self.sample
        if not (
            np.isfinite([self.u, self.shape]).all()
            and 0 < self.p_u <= 1
            and 0 < self.scale < np.inf
            and len(sample) > 0
            and np.isfinite(sample).all()
            and (np.diff(sample) >= 0).all()
        ):
            raise ValueError(
                "A GPDTail needs finite u and shape, p_u in (0, 1], a positive scale and a "
                "sorted, finite, non-empty sample."
            )

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

    @property
    def knot(self) -> float:
        """Excess over ``u`` beyond which a light tail continues exponentially.

        A light tail (``shape < 0``) ends at ``u + scale / -shape``, where the GPD's
        probability reaches 0, so every larger value would read the same. It is followed
        until the excess probability falls to ``1e-4`` (:data:`_KNOT_LOG10`) and continues
        from there as an exponential with the hazard rate it has there: steep, as the
        light tail says such values hardly occur, but still ranking them. A shape fitted on
        a few dozen excesses says little about 1e-6: followed that far, the tail's endpoint
        made a value a little above the calibration sample read as a surprisal of 77 on a
        clean series. Other tails need no knot (inf).
        """
        if self.shape >= 0:
            return np.inf
        return float(self.scale / self.shape * np.expm1(self.shape * _KNOT_LOG10 * _LN10))

    def neg_log10_survival(self, x) -> np.ndarray:
        """Return ``-log10 P(X > x)`` (0 for NaN input), computed in log space: not capped.

        Above ``u`` this is ``-log10 p_u`` plus the GPD's ``-log10`` survival of the excess,
        continued exponentially beyond :attr:`knot` for a light tail, so it grows without
        bound (linearly for ``shape <= 0``, logarithmically for ``shape > 0``) and more
        extreme values always rank higher.
        """
        x = np.asarray(x, dtype=np.float64)
        emp = 1.0 - np.searchsorted(self.sample, x, side="right") / len(self.sample)
        below = -np.log10(np.maximum(emp, self.p_u))
        excess = np.maximum(np.nan_to_num(x - self.u, nan=0.0), 0.0)
        above = -np.log10(self.p_u) + self._excess_log10(excess)
        out = np.where(x > self.u, above, below)
        return np.where(np.isnan(x), 0.0, out)

    def _excess_log10(self, e: np.ndarray) -> np.ndarray:
        """``-log10`` of the GPD survival of the excesses ``e >= 0`` (continued at the knot)."""
        xi, sigma, knot = self.shape, self.scale, self.knot
        if abs(xi) < 1e-9:
            return e / (sigma * _LN10)
        inside = np.minimum(e, knot)
        out = np.log1p(xi * inside / sigma) / (xi * _LN10)
        if np.isfinite(knot):  # light tail: beyond the knot, the hazard rate it has there
            out = out + np.maximum(e - knot, 0.0) / ((sigma + xi * knot) * _LN10)
        return out

    def survival(self, x) -> np.ndarray:
        """Return ``P(X > x)`` under the model (NaN stays NaN); ``10 ** -neg_log10_survival``."""
        x = np.asarray(x, dtype=np.float64)
        return np.where(np.isnan(x), np.nan, 10.0 ** -self.neg_log10_survival(x))

    def quantile(self, risk: float) -> float:
        """Return the ``x`` with ``P(X > x) = risk`` (for ``risk < p_u``; else ``u``)."""
        if risk >= self.p_u:
            return self.u
        target = np.log10(self.p_u / risk)  # -log10 of the excess survival
        xi, sigma, knot = self.shape, self.scale, self.knot
        if abs(xi) < 1e-9:
            return float(self.u + sigma * _LN10 * target)
        at_knot = float(self._excess_log10(np.array([knot]))[0]) if np.isfinite(knot) else np.inf
        if target <= at_knot:
            return float(self.u + sigma / xi * np.expm1(xi * _LN10 * target))
        return float(self.u + knot + (target - at_knot) * (sigma + xi * knot) * _LN10)
