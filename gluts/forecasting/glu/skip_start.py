"""Starting the GLU network's linear skip from the training data's own least-squares map.

A new network's skip is seasonal naive (:meth:`gluts.nn.GLUNetwork.reset_skip`), and Adam
moves it from there a little each step: on long single series that left the network's linear
part well short of the least-squares map that ``LinearForecaster`` fits in a second.
:func:`least_squares_skip` computes that map in the network's own scaling: the weighted
ridge regression of every training origin's scaled targets, less the seasonal naive
forecast, on its scaled context (so the ridge pulls toward seasonal naive), with the
strength that does best on the last fifth of each series' origins. Where it exists, every
candidate of the size selection starts from it
(:data:`gluts.forecasting.glu.selection.CANDIDATES`); data whose origins fill the largest
training budget skip the selection: they start from the map when one network fills that
budget's work (M4 Hourly: OWA 0.466 / 0.455 / 0.456 to 0.441 / 0.441 / 0.448 for seeds 0-2),
and from seasonal naive when several networks would (short series, the small-data regime of
:func:`~gluts.forecasting.glu.members.small_data_settings`): started from the map, the
five networks fitted on M3 Quarterly scored worse (sMAPE 9.480 to 9.653).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F

from gluts.forecasting._linear_design import NormalEquations
from gluts.forecasting.glu.origins import origin_weights
from gluts.forecasting.glu.parameters import network_spec
from gluts.forecasting.glu.training import TrainingPlan
from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import NetworkSpec, seasonal_naive_skip

__all__ = ["ALPHAS", "SkipsByContext", "least_squares_skip"]

# Ridge strengths tried, relative to the mean eigenvalue of the normal equations (as
# ``LinearForecaster`` measures them); the largest is all but the seasonal naive prior.
ALPHAS = tuple(10.0 ** np.arange(-4, 4))
# The last fifth of each series' origins (and at least one) chooses the strength.
_HELD_OUT_SHARE = 5
# Forecast origins read at once (each a ``context_length`` row of float64).
_CHUNK = 4096
# Fewest weighted origins per context value for a least-squares start.
_ORIGINS_PER_VALUE = 4


class _Sums(NormalEquations):
    """Normal equations that also keep ``trace(Y'Y)``, to score a fit on their rows."""

    def __init__(self, n_features: int, n_targets: int):
        super().__init__(n_features, n_targets)
        self.yy = 0.0

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        super().add(x, y)
        self.yy += float(np.sum(y * y))

    def error(self, coef: np.ndarray) -> float:
        """Sum of squared residuals of ``Y - X coef``."""
        return (
            self.yy - 2.0 * float(np.sum(coef * self.xy)) + float(np.sum(coef * (self.xx @ coef)))
        )

    def merged(self, *others: NormalEquations) -> NormalEquations:
        """The normal equations of these rows and ``others``'."""
        equations = NormalEquations(*self.xy.shape)
        equations.xx = self.xx + sum(other.xx for other in others)
        equations.xy = self.xy + sum(other.xy for other in others)
        equations.n = self.n + sum(other.n for other in others)
        return equations


def least_squares_skip(
    spec: NetworkSpec, data: SequenceData, plan: TrainingPlan
) -> torch.Tensor | None:
    """The ridge least-squares weights of the linear skip on the training origins.

    The origins are those the training loss weighs (before the validation tail when the
    plan holds one out), each with its loss weight; the map regresses the scaled targets
    minus the seasonal naive skip's forecast on the scaled context, so the ridge pulls
    toward seasonal naive. Its strength (one of :data:`ALPHAS`) is the one whose map, fitted
    without the last fifth of each series' origins (and those whose targets reach into
    them), has the least squared error on that fifth; the map is then fitted on all origins.

    Parameters
    ----------
    spec : NetworkSpec
        The network's sizes.
    data : SequenceData
        Right-aligned training series.
    plan : TrainingPlan
        The training plan (its validation tail and warm-up).

    Returns
    -------
    Tensor of shape (horizon, context_length) or None
        The skip's weights; None when fewer than four origins per context value are left
        to fit the held-out strengths, or none is held out.
    """
    horizon, context = spec.horizon, spec.context_length
    last = data.values.shape[1] - (plan.validation if plan.early_stopping else 0) - horizon
    if last <= 0:
        return None
    weights = origin_weights(data, plan, last, horizon)[:, :last].double()
    prior = seasonal_naive_skip(spec).double()  # (H, L)
    fit, gap, held = (_Sums(context, horizon) for _ in range(3))
    for row in np.flatnonzero(weights.sum(dim=1).numpy() > 0):
        origins = np.flatnonzero(weights[row].numpy() > 0)
        first_held = origins[len(origins) - max(len(origins) // _HELD_OUT_SHARE, 1)]
        values = data.values[row].double()
        padded = F.pad(values[None, None], (context - 1, 0), mode="replicate")[0, 0]
        targets = F.pad(values[1:], (0, horizon))
        for begin in range(int(origins[0]), last, _CHUNK):
            end = min(begin + _CHUNK, last)
            weight = weights[row, begin:end]
            windows = padded[begin : end + context - 1].unfold(0, context, 1)  # (n, L)
            ahead = targets[begin : end + horizon - 1].unfold(0, horizon, 1)  # (n, H)
            loc = data.loc[row, begin:end].double()[:, None]
            scale = data.scale[row, begin:end].double()[:, None]
            x = (windows - loc) / scale
            y = (ahead - loc) / scale - x @ prior.T
            root = weight[:, None].sqrt()
            x, y, t = (x * root).numpy(), (y * root).numpy(), np.arange(begin, end)
            kept = weight.numpy() > 0
            for sums, part in (
                (fit, kept & (t <= first_held - horizon)),
                (gap, kept & (t > first_held - horizon) & (t < first_held)),
                (held, kept & (t >= first_held)),
            ):
                if part.any():
                    sums.add(x[part], y[part])
    if fit.n < _ORIGINS_PER_VALUE * context or held.n == 0:
        return None
    path = fit.solver()
    alpha = min(ALPHAS, key=lambda a: held.error(path.coef(a)))
    correction = torch.from_numpy(fit.merged(gap, held).solver().coef(alpha).T)  # (H, L)
    return (prior + correction).float()


class SkipsByContext:
    """:func:`least_squares_skip` for a candidate's parameters, computed once per context.

    Parameters
    ----------
    sizes : mapping
        The data's sizes, keyword arguments of
        :func:`~gluts.forecasting.glu.parameters.network_spec`.
    data : SequenceData
        Right-aligned training series.
    plan : TrainingPlan
        The training plan (its validation tail and warm-up).
    """

    def __init__(self, sizes: Mapping, data: SequenceData, plan: TrainingPlan):
        self.sizes, self.data, self.plan = sizes, data, plan
        self._skips: dict[int, torch.Tensor | None] = {}

    def __call__(self, params: Mapping) -> torch.Tensor | None:
        """The skip of the network that ``params`` configure (None: no map, see
        :func:`least_squares_skip`)."""
        spec = network_spec(params, **self.sizes)
        if spec.context_length not in self._skips:
            self._skips[spec.context_length] = least_squares_skip(spec, self.data, self.plan)
        return self._skips[spec.context_length]
