"""Early stopping's held-out tail: its forecast origins and targets, and the loss there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from gluts.forecasting.glu.origins import first_origins
from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import GLUNetwork, pinball_per_origin

if TYPE_CHECKING:
    from gluts.forecasting.glu.training import TrainingPlan

__all__ = ["HeldOut", "held_out", "held_out_positions", "origin_losses"]

# Series per forward pass of the held-out loss (bounds its memory on long panels).
_SERIES_PER_PASS = 64


@dataclass
class HeldOut:
    """The forecast origins of the validation tail and their normalised targets."""

    origins: torch.Tensor  # (n_origins,) positions
    rows: torch.Tensor  # (n_origins,) series
    target: torch.Tensor  # (n_origins, H), normalised


def held_out(data: SequenceData, plan: TrainingPlan, horizon: int, device: torch.device) -> HeldOut:
    """Every origin whose ``horizon`` targets lie in the last ``validation`` values.

    Parameters
    ----------
    data : SequenceData
        Right-aligned series.
    plan : TrainingPlan
        Its ``validation`` values are held out at the end; each series' origins start after
        its warm-up (:func:`~gluts.forecasting.glu.origins.first_origins`).
    horizon : int
        Forecast steps.
    device : torch.device
        Where the tensors go.

    Returns
    -------
    HeldOut
    """
    rows, cols = held_out_positions(data, plan, horizon)
    steps = cols[:, None] + np.arange(1, horizon + 1)[None, :]
    values = data.values.numpy()
    loc, scale = data.loc.numpy(), data.scale.numpy()
    target = (values[rows[:, None], steps] - loc[rows, cols][:, None]) / scale[rows, cols][:, None]
    as_long = lambda a: torch.as_tensor(a, dtype=torch.long, device=device)  # noqa: E731
    return HeldOut(as_long(cols), as_long(rows), torch.as_tensor(target, device=device))


def held_out_positions(
    data: SequenceData, plan: TrainingPlan, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """The series and position of every origin of :func:`held_out`, in its order."""
    length = data.values.shape[1]
    origins = np.arange(length - plan.validation - 1, length - horizon)
    rows, cols = np.meshgrid(np.arange(len(data.starts)), origins, indexing="ij")
    keep = cols >= first_origins(data, plan, horizon)[:, None]
    return rows[keep], cols[keep]


@torch.inference_mode()
def origin_losses(
    network: GLUNetwork, tensors, future, val: HeldOut, levels: torch.Tensor
) -> torch.Tensor:
    """The pinball loss of ``network`` at each held-out origin.

    Parameters
    ----------
    network : GLUNetwork
        The network, on the tensors' device.
    tensors : sequence of Tensor
        Features, values, location and scale of every series (as training reads them).
    future : Tensor or None
        The known-future covariates.
    val : HeldOut
        Origins and targets.
    levels : Tensor
        The quantile levels.

    Returns
    -------
    Tensor of shape (n_origins,)
        Each origin's loss, averaged over its steps and levels (its mean is the validation
        loss of early stopping).
    """
    network.eval()
    features, values, loc, scale = tensors
    end = int(val.origins.max()) + 1
    ahead = None if future is None else future[..., : end + network.spec.horizon]
    # Forecast from the held-out origins' positions only, a few series at a time: the skip's
    # inputs and the head's outputs at every position, or the stack's activations over a
    # whole long panel, would take gigabytes.
    positions, at = torch.unique(val.origins, return_inverse=True)
    inputs = (features[..., :end], values[:, :end], loc[:, :end], scale[:, :end])
    parts = []
    for start in range(0, len(values), _SERIES_PER_PASS):
        rows = slice(start, start + _SERIES_PER_PASS)  # views, on any device
        part_future = None if ahead is None else ahead[rows]
        parts.append(network(*(t[rows] for t in inputs), positions=positions, future=part_future))
    pred = torch.cat(parts)  # (N, P, H, Q)
    return pinball_per_origin(pred[val.rows, at], val.target, levels)
