"""LinearForecaster: one global least-squares map from recent values to the next ones.

The NLinear / DLinear family (Zeng et al., 2023) fitted in closed form: every window of every
series is scaled by its own context, the windows are stacked, and one ridge regression maps
a window's last ``context_length`` values to its next ``horizon`` values. The context length
and the ridge strength are chosen on held-out windows at the end of the series, and the
errors on those windows give the quantiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from gluts.base import BaseForecaster
from gluts.data import Panel
from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting._linear_design import (
    NormalEquations,
    RidgePath,
    model_inputs,
    stack_windows,
    training_origins,
    window_blocks,
)

__all__ = ["LinearForecaster"]

# Ridge strengths tried when ``alpha`` is None, relative to the mean eigenvalue of the
# normal equations (so they do not depend on the number of windows).
_ALPHAS = tuple(10.0 ** np.arange(-6, 2))
# Held-out windows wanted in all: one per series in a large panel, more per series in a
# small one, so that the selection and the residual quantiles rest on enough errors.
_VALIDATION_WINDOWS = 200
# Longest context tried when ``context_length`` is None (the normal equations grow with its
# square).
_MAX_CONTEXT = 1024


class LinearForecaster(BaseForecaster):
    """One global linear map from the last values of a series to its next ``horizon`` values.

    The NLinear / DLinear baselines of Zeng et al., fitted in closed form: every window of
    every series (its last ``context_length`` values and the ``horizon`` values after them) is
    scaled by its own context, and a single ridge regression, shared by all series, maps the
    scaled context to the scaled future. Fitting takes seconds and is deterministic.

    Parameters
    ----------
    horizon : int, default=1
        Largest number of steps forecast; ``predict(h)`` accepts ``h <= horizon``.
    context_length : int or None, default=None
        Past values the map reads; None chooses it on held-out windows among one, two, four,
        ... seasons, up to the median series length less ``horizon`` (see Notes).
    normalization : {"last", "decomposition", "none"}, default="last"
        ``"last"`` (NLinear) subtracts the context's last value from the context and the
        future and adds it back to the forecast; ``"decomposition"`` (DLinear) splits the
        context into a centred moving-average trend and the remainder, each with its own
        weights; ``"none"`` maps the scaled values as they are.
    alpha : float or None, default=None
        Ridge strength, relative to the mean eigenvalue of the normal equations (so it does
        not depend on the number of windows); None chooses it on held-out windows among
        1e-6, 1e-5, ..., 10.
    trend_window : int or None, default=None
        Width of the moving average of ``normalization="decomposition"``; None uses the
        smallest odd number covering one season (at least 3). Capped at ``context_length``.
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (1 for integer time).
    quantiles : tuple of float or None, default=(0.1, 0.5, 0.9)
        Quantile levels in (0, 1) to predict; None predicts the point forecast only.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"Linear"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features, horizon)
        The map: column ``k`` holds the weights of step ``k + 1`` on the scaled context
        (``n_features`` is ``context_length_``, or twice it for the decomposition, trend
        weights first).
    context_length_ : int
        Context length used.
    alpha_ : float
        Relative ridge strength used.
    trend_window_ : int or None
        Moving-average width used (None unless ``normalization="decomposition"``).
    season_length_ : int
        Season length used.
    residuals_ : ndarray of shape (n_windows, horizon)
        Errors on the held-out windows, divided by each window's scale; their quantiles per
        step give the forecast quantiles.
    validation_scores_ : pandas.DataFrame
        Mean absolute error on the held-out windows, relative to each series' mean absolute
        value, for each context length (rows) and ridge strength (columns) tried.
    history_ : gluts.data.Panel
        The fitted series.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.

    Raises
    ------
    InsufficientHistoryError
        From ``fit``, when no series has ``2 * horizon + 1`` observations (enough to fit a
        window and hold one out).

    See Also
    --------
    NaiveForecaster, GLUForecaster

    Notes
    -----
    **Scaling.** A window's scale ``s`` is the mean absolute value of its context's
    observations, and its location ``c`` is the context's last value (``"last"``) or 0. The
    map ``W`` is fitted to ``(x - c) / s`` and ``(y - c) / s`` and forecasts
    ``c + s * W'(x - c) / s = c + W'(x - c)``. It has no intercept (a shared intercept would
    add the same drift, in units of each window's scale, to every series), so forecasts
    scale with the series and, with ``"last"``, shift with it: series of any level share one
    map. The scale sets how much each window counts in the least squares: in relative terms,
    as errors count in sMAPE. (On M3 Quarterly with a context of 8: OWA 0.98 so, 1.16 with
    an intercept, 1.27 with the mean absolute one-step change as the scale.) A context of
    zeros has no scale: its window is left out of the fit and of the residuals, and it is
    forecast as zeros.

    **Unequal and short series.** Windows whose context reaches before a series' first
    value are padded by repeating that value (the scale reads the observed values only).
    Each series contributes every window with a full context, or its last window when it is
    shorter than ``context_length + horizon``; every series, even one of a single value, is
    forecast from its last ``context_length`` values, padded the same way.

    **Held-out windows.** The last origins of each series are held out: one per series in a
    panel of 200 series or more, about ``200 / n_series`` per series in a smaller panel (at
    most a quarter of a series' origins), only in series with at least ``2 * horizon + 1``
    observations. The map is fitted to the values before the first held-out target, for
    every candidate context length and ridge strength, and scored by the mean absolute error
    of the held-out forecasts divided by each series' mean absolute value. The best pair is
    refitted on all the data. The held-out errors, divided by each window's scale, are the
    ``residuals_``: the quantile ``q`` at step ``k`` is the point forecast plus ``s`` times
    their empirical ``q``-quantile at step ``k``.

    References
    ----------
    Zeng, Chen, Zhang & Xu, "Are Transformers Effective for Time Series Forecasting?",
    AAAI 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from gluts import LinearForecaster
    >>> y = np.sin(2 * np.pi * np.arange(120) / 12) + 5.0
    >>> model = LinearForecaster(horizon=3, season_length=12, quantiles=None).fit(y)
    >>> np.round(model.predict(3), 3).tolist()
    [5.0, 5.5, 5.866]
    """

    _parameter_constraints: dict = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "context_length": [Interval(Integral, 2, None, closed="left"), None],
        "normalization": [StrOptions({"last", "decomposition", "none"})],
        "alpha": [Interval(Real, 0, None, closed="neither"), None],
        "trend_window": [Interval(Integral, 1, None, closed="left"), None],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "quantiles": ["array-like", None],
        "alias": [str, None],
    }
    _tags = {"global_model": True, "requires_horizon_in_fit": True}

    def __init__(
        self,
        horizon=1,
        *,
        context_length=None,
        normalization="last",
        alpha=None,
        trend_window=None,
        season_length=None,
        quantiles=(0.1, 0.5, 0.9),
        alias=None,
    ):
        self.horizon = horizon
        self.context_length = context_length
        self.normalization = normalization
        self.alpha = alpha
        self.trend_window = trend_window
        self.season_length = season_length
        self.quantiles = quantiles
        self.alias = alias

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"normalization": "decomposition", "context_length": 24, "alpha": 0.01}]

    # -- fit --------------------------------------------------------------------------------

    def _fit_panel(self, panel: Panel, X) -> None:
        horizon = int(self.horizon)
        m = int(self.season_length or panel.grid.season_length())
        values, lengths = panel.values, panel.lengths
        held = _held_out_counts(lengths, horizon)
        if not held.any():
            longest = int(np.argmax(lengths))
            raise InsufficientHistoryError(
                f"LinearForecaster needs a series with at least 2 * horizon + 1 = "
                f"{2 * horizon + 1} observations (to fit a window and hold one out); the "
                f"longest series ({panel.ids[longest]!r}) has {lengths[longest]}. "
                + (
                    f"Lower horizon to {(lengths[longest] - 1) // 2} or less."
                    if lengths[longest] >= 3
                    else "The series are too short for this model; use Naive or SeasonalNaive."
                )
            )
        contexts = (
            [int(self.context_length)]
            if self.context_length is not None
            else _candidate_contexts(m, int(np.median(lengths)), horizon)
        )
        alphas = [float(self.alpha)] if self.alpha is not None else list(_ALPHAS)
        scores, (i, j), self.residuals_ = self._validate(values, held, contexts, alphas, m)
        self.context_length_, self.alpha_ = contexts[i], alphas[j]
        self.season_length_ = m
        self.trend_window_ = (
            self._trend_window(m, self.context_length_)
            if self.normalization == "decomposition"
            else None
        )
        self.validation_scores_ = pd.DataFrame(
            scores,
            index=pd.Index(contexts, name="context_length"),
            columns=pd.Index(alphas, name="alpha"),
        )
        path = self._solve(values, self.context_length_, horizon, self.trend_window_)
        self.coef_ = path.coef(self.alpha_)

    def _validate(
        self,
        values: Sequence[np.ndarray],
        held: np.ndarray,
        contexts: Sequence[int],
        alphas: Sequence[float],
        season_length: int,
    ) -> tuple[np.ndarray, tuple[int, int], np.ndarray]:
        """Score every (context, alpha) on the last ``held`` origins of each series.

        Returns the scores ``(n_contexts, n_alphas)``, the position of the best pair and its
        held-out errors divided by each window's scale.
        """
        horizon = int(self.horizon)
        cut = np.array([len(y) for y in values]) - horizon - held + 1  # before the held targets
        fit_part = [y[:c] if k else y for y, c, k in zip(values, cut, held)]
        held_out = [(i, np.arange(c, c + k)) for i, (c, k) in enumerate(zip(cut, held)) if k]
        level = np.array([np.abs(y).mean() for y in fit_part])  # the unit of held-out errors
        scores = np.full((len(contexts), len(alphas)), np.inf)
        best, residuals = (0, 0), np.empty((0, horizon))
        for i, context in enumerate(contexts):
            trend = self._trend_window(season_length, context)
            path = self._solve(fit_part, context, horizon, trend)
            ctx, observed, target, series = stack_windows(values, held_out, context, horizon)
            inputs = model_inputs(ctx, observed, self.normalization, trend)
            scored = level[series] > 0
            for j, pred in enumerate(path.predict_all(inputs.features, alphas)):
                error = target - inputs.unscaled(pred)
                relative = np.abs(error[scored]) / level[series[scored], None]
                scores[i, j] = relative.mean() if relative.size else 0.0
                if scores[i, j] < scores[best] or (i, j) == (0, 0):
                    usable = inputs.usable
                    best, residuals = (i, j), error[usable] / inputs.scale[usable, None]
        return scores, best, residuals

    def _trend_window(self, season_length: int, context_length: int) -> int:
        window = self.trend_window or max(3, season_length + 1 - season_length % 2)
        return min(int(window), context_length)

    def _solve(
        self, values: Sequence[np.ndarray], context: int, horizon: int, trend: int | None
    ) -> RidgePath:
        """Stack every training window of ``values`` into the normal equations."""
        origins = training_origins([len(y) for y in values], context, horizon)
        n_features = 2 * context if self.normalization == "decomposition" else context
        equations = NormalEquations(n_features, horizon)
        for block in window_blocks(origins, context + horizon):
            ctx, observed, target, _ = stack_windows(values, block, context, horizon)
            inputs = model_inputs(ctx, observed, self.normalization, trend)
            keep = inputs.usable
            equations.add(inputs.features[keep], inputs.scaled(target)[keep])
        # No window with a nonzero context (series of zeros): the map stays zero, so the
        # forecast is the last value (normalization "last") or zero (the others).
        return equations.solver()

    # -- predict ----------------------------------------------------------------------------

    def _forecast(self, panel: Panel, h: int, refit: bool):
        ends = [(i, np.array([len(y)])) for i, y in enumerate(panel.values)]
        ctx, observed, _, _ = stack_windows(panel.values, ends, self.context_length_, 0)
        inputs = model_inputs(ctx, observed, self.normalization, self.trend_window_)
        point = inputs.unscaled(inputs.features @ self.coef_[:, :h])  # (n_series, h)
        levels = self.quantiles_
        offsets = np.zeros((h, len(levels)))
        if len(levels) and len(self.residuals_):
            offsets = np.quantile(self.residuals_[:, :h], levels, axis=0).T  # (h, n_quantiles)
        quantiles = point[:, :, None] + inputs.scale[:, None, None] * offsets[None]
        return list(point), list(quantiles)


def _held_out_counts(lengths: np.ndarray, horizon: int) -> np.ndarray:
    """Origins held out per series (0 for series too short to hold one out)."""
    per_series = -(-_VALIDATION_WINDOWS // len(lengths))
    quarter = np.maximum(1, (lengths - horizon) // 4)
    return np.clip(np.minimum(per_series, quarter), 0, np.maximum(lengths - 2 * horizon, 0))


def _candidate_contexts(season_length: int, typical: int, horizon: int) -> list[int]:
    """One, two, four, ... seasons (at least two values), up to ``typical - horizon``.

    The smallest candidate is always kept, so that short data still get one season of
    context (their windows are padded).
    """
    base = max(season_length, 2)
    bound = min(typical - horizon, _MAX_CONTEXT)
    out = [base]
    while out[-1] * 2 <= bound:
        out.append(out[-1] * 2)
    return out
