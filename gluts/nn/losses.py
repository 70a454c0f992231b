"""Training losses in torch."""

from __future__ import annotations

import torch

__all__ = ["pinball", "pinball_per_origin"]


def pinball(
    pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """Weighted mean pinball (quantile) loss.

    Parameters
    ----------
    pred : Tensor of shape (..., horizon, n_quantiles)
        Predicted quantiles.
    target : Tensor of shape (..., horizon)
        Actual values.
    quantiles : Tensor of shape (n_quantiles,)
        Levels in (0, 1).
    weight : Tensor of shape (...)
        Non-negative weight of each forecast origin (0 masks it out).

    Returns
    -------
    Tensor of shape ()
        ``sum(weight * mean_{h,q} rho_q(target - pred)) / sum(weight)``; at q = 0.5 the
        pinball loss is half the absolute error.
    """
    loss = pinball_per_origin(pred, target, quantiles)  # (...)
    return (loss * weight).sum() / weight.sum().clamp_min(1e-12)


def pinball_per_origin(
    pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor
) -> torch.Tensor:
    """The pinball loss of each forecast origin, averaged over its steps and levels.

    Parameters
    ----------
    pred : Tensor of shape (..., horizon, n_quantiles)
        Predicted quantiles.
    target : Tensor of shape (..., horizon)
        Actual values.
    quantiles : Tensor of shape (n_quantiles,)
        Levels in (0, 1).

    Returns
    -------
    Tensor of shape (...)
    """
    diff = target.unsqueeze(-1) - pred  # (..., H, Q)
    return torch.maximum(quantiles * diff, (quantiles - 1.0) * diff).mean(dim=(-1, -2))
