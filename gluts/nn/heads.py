"""Direct multi-horizon quantile head with non-crossing quantiles."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["QuantileHead", "monotone_quantiles"]


def monotone_quantiles(raw: torch.Tensor, median: torch.Tensor, median_index: int) -> torch.Tensor:
    """Turn unconstrained outputs into quantiles that cannot cross.

    Parameters
    ----------
    raw : Tensor of shape (..., n_quantiles)
        Unconstrained outputs; the entry at ``median_index`` is added to ``median``, the others
        become softplus gaps to their inner neighbour.
    median : Tensor of shape (...)
        The median before adjustment.
    median_index : int
        Position of the 0.5 level among the sorted quantile levels.

    Returns
    -------
    Tensor of shape (..., n_quantiles)
        Non-decreasing along the last axis.
    """
    centre = median + raw[..., median_index]  # (...)
    above = centre.unsqueeze(-1) + torch.cumsum(F.softplus(raw[..., median_index + 1 :]), -1)
    gaps_below = torch.cumsum(F.softplus(raw[..., :median_index].flip(-1)), -1).flip(-1)
    below = centre.unsqueeze(-1) - gaps_below
    return torch.cat([below, centre.unsqueeze(-1), above], dim=-1)


class QuantileHead(nn.Module):
    """Map features at every position to ``horizon x n_quantiles`` forecasts (forking).

    Parameters
    ----------
    channels : int
        Features per position.
    horizon : int
        Forecast steps.
    quantiles : tuple of float
        Sorted levels; must contain 0.5.
    hidden : int, default=0
        Width of a hidden layer (0: a linear head).
    """

    def __init__(self, channels: int, horizon: int, quantiles: tuple[float, ...], hidden: int = 0):
        super().__init__()
        if 0.5 not in quantiles or list(quantiles) != sorted(quantiles):
            raise ValueError(f"quantiles must be sorted and contain 0.5, got {quantiles}")
        self.horizon, self.quantiles = horizon, tuple(quantiles)
        self.median_index = self.quantiles.index(0.5)
        out = horizon * len(quantiles)
        if hidden:
            self.net = nn.Sequential(nn.Linear(channels, hidden), nn.GELU(), nn.Linear(hidden, out))
        else:
            self.net = nn.Linear(channels, out)
        last = self.net[-1] if hidden else self.net
        nn.init.normal_(last.weight, std=1e-3)
        nn.init.zeros_(last.bias)

    def forward(
        self, h: torch.Tensor, median: torch.Tensor, effect: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Predict quantiles at every position.

        Parameters
        ----------
        h : Tensor of shape (batch, channels, time)
            Encoder features.
        median : Tensor of shape (batch, time, horizon)
            A base median (e.g. a linear skip forecast) that the head corrects.
        effect : Tensor of shape (batch, time, horizon, n_quantiles) or None, default=None
            Added to the head's unconstrained outputs (e.g. the effect of covariates).

        Returns
        -------
        Tensor of shape (batch, time, horizon, n_quantiles)
            Non-crossing quantiles.
        """
        b, _, t = h.shape
        # Channels last: a linear layer per position differentiates faster than a 1x1 conv.
        raw = self.net(h.transpose(1, 2)).reshape(b, t, self.horizon, len(self.quantiles))
        if effect is not None:
            raw = raw + effect
        return monotone_quantiles(raw, median, self.median_index)
