"""The design of :class:`~gluts.forecasting.LinearForecaster`: scaled windows and ridge paths.

Windows of every series are cut, scaled by their own context and stacked block by block into
the normal equations of one ridge regression without intercept; one eigendecomposition then
gives the solution for any ridge strength.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "scale_rows",
    "ModelInputs",
    "mean_abs",
    "moving_average",
    "model_inputs",
    "left_padded",
    "stack_windows",
    "training_origins",
    "window_blocks",
    "NormalEquations",
    "RidgePath",
]

# Values held at once while stacking windows into the normal equations.
BLOCK_VALUES = 2**22


def scale_rows(values: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``(values - loc) / scale`` per row (rows of a zero scale are only shifted)."""
    return (values - loc[:, None]) / np.where(scale > 0, scale, 1.0)[:, None]


@dataclass
class ModelInputs:
    """Windows in model units, ``(context - loc) / scale``, and what undoes it."""

    features: np.ndarray  # (n_windows, n_features)
    loc: np.ndarray  # (n_windows,)
    scale: np.ndarray  # (n_windows,), 0 for a context of zeros

    @property
    def usable(self) -> np.ndarray:
        """Windows with a positive scale (a context of zeros says nothing about its future)."""
        return self.scale > 0

    def scaled(self, values: np.ndarray) -> np.ndarray:
        """Values of each window (rows) in model units."""
        return scale_rows(values, self.loc, self.scale)

    def unscaled(self, values: np.ndarray) -> np.ndarray:
        """Model-unit values of each window (rows) back in the series' units."""
        return self.loc[:, None] + self.scale[:, None] * values


def mean_abs(contexts: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Mean absolute value of the last ``observed`` values of each row of ``contexts``."""
    length = contexts.shape[1]
    mask = np.arange(length)[None, :] >= (length - observed)[:, None]
    return np.where(mask, np.abs(contexts), 0.0).sum(axis=1) / observed


def moving_average(z: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average along rows, the ends padded by repeating the edge values."""
    left, right = (window - 1) // 2, window // 2
    padded = np.concatenate(
        [np.repeat(z[:, :1], left, axis=1), z, np.repeat(z[:, -1:], right, axis=1)], axis=1
    )
    c = np.cumsum(np.pad(padded, ((0, 0), (1, 0))), axis=1)
    return (c[:, window:] - c[:, :-window]) / window


def model_inputs(
    contexts: np.ndarray, observed: np.ndarray, normalization: str, trend_window: int | None
) -> ModelInputs:
    """Scale each context (rows of ``contexts``) and build the regression's features."""
    loc = contexts[:, -1] if normalization == "last" else np.zeros(len(contexts))
    scale = mean_abs(contexts, observed)
    z = scale_rows(contexts, loc, scale)
    if normalization == "decomposition":
        trend = moving_average(z, trend_window)
        z = np.concatenate([trend, z - trend], axis=1)
    return ModelInputs(z, loc, scale)


def left_padded(y: np.ndarray, context_length: int) -> np.ndarray:
    """``y`` preceded by ``context_length`` copies of its first value."""
    return np.concatenate([np.full(context_length, y[0]), y])


def stack_windows(
    values: Sequence[np.ndarray],
    selection: Sequence[tuple[int, np.ndarray]],
    context_length: int,
    horizon: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Contexts, observed counts, targets and series positions of the selected windows.

    ``selection`` pairs a series' position in ``values`` with origins in it; the window at
    origin ``o`` of ``y`` reads ``y[o - context_length : o]`` (left-padded) and forecasts
    ``y[o : o + horizon]``.
    """
    width = context_length + horizon
    parts, observed, series = [np.empty((0, width))], [np.empty(0, int)], [np.empty(0, int)]
    for i, o in selection:
        padded = left_padded(values[i], context_length)
        parts.append(np.lib.stride_tricks.sliding_window_view(padded, width)[o])
        observed.append(np.minimum(o, context_length))
        series.append(np.full(len(o), i))
    block = np.concatenate(parts)
    return (
        block[:, :context_length],
        np.concatenate(observed),
        block[:, context_length:],
        np.concatenate(series),
    )


def training_origins(lengths: Sequence[int], context_length: int, horizon: int) -> list:
    """Origins of the fitted windows: every full context, or the last window of a short series.

    A series with fewer than ``context_length + horizon`` values contributes its last window
    (left-padded); one with ``horizon`` values or fewer contributes none. Returns
    ``(series position, origins)`` pairs.
    """
    out = []
    for i, n in enumerate(lengths):
        last = n - horizon
        out.append((i, np.arange(max(min(context_length, last), 1), last + 1)))
    return out


def window_blocks(selection: list, n_columns: int) -> Iterator[list]:
    """Regroup ``(series, origins)`` pairs into blocks of about ``BLOCK_VALUES`` values."""
    per_block = max(1, BLOCK_VALUES // n_columns)
    block, count = [], 0
    for i, origins in selection:
        for start in range(0, len(origins), per_block):
            part = origins[start : start + per_block]
            if block and count + len(part) > per_block:
                yield block
                block, count = [], 0
            block.append((i, part))
            count += len(part)
    if block:
        yield block


class NormalEquations:
    """Sums of a ridge regression without intercept, built block by block."""

    def __init__(self, n_features: int, n_targets: int):
        self.n = 0
        self.xx = np.zeros((n_features, n_features))
        self.xy = np.zeros((n_features, n_targets))

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        self.n += len(x)
        self.xx += x.T @ x
        self.xy += x.T @ y

    def solver(self) -> RidgePath:
        eigenvalues, vectors = np.linalg.eigh(self.xx)
        return RidgePath(
            eigenvalues=np.clip(eigenvalues, 0.0, None),
            vectors=vectors,
            projected=vectors.T @ self.xy,
            unit=max(float(np.trace(self.xx)) / len(self.xx), 1e-12),
        )


@dataclass
class RidgePath:
    """The ridge solutions for any strength, from one eigendecomposition."""

    eigenvalues: np.ndarray
    vectors: np.ndarray
    projected: np.ndarray  # V^T X^T Y
    unit: float  # mean eigenvalue: the relative alpha is multiplied by it

    def coef(self, alpha: float) -> np.ndarray:
        """Coefficients ``(n_features, n_targets)`` at relative strength ``alpha``."""
        return self.vectors @ (self.projected / (self.eigenvalues + alpha * self.unit)[:, None])

    def predict_all(self, x: np.ndarray, alphas: Sequence[float]) -> Iterator[np.ndarray]:
        """Predictions of ``x`` at each strength, shaped ``(n_windows, n_targets)``."""
        rotated = x @ self.vectors
        for alpha in alphas:
            yield rotated @ (self.projected / (self.eigenvalues + alpha * self.unit)[:, None])
