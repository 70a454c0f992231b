"""The GLU forecasting network: a causal GLU stack, a seasonal skip and a quantile head."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gluts.nn.blocks import GLUStack
from gluts.nn.heads import QuantileHead

__all__ = ["GLUNetwork", "NetworkSpec"]


@dataclass(frozen=True)
class NetworkSpec:
    """Everything needed to rebuild a :class:`GLUNetwork` (saved as JSON with the weights)."""

    in_features: int
    horizon: int
    quantiles: tuple[float, ...]
    context_length: int
    season_length: int
    n_channels: int
    n_blocks: int
    kernel_size: int
    dilation_base: int
    gate: str
    dropout: float
    use_weight_norm: bool

    def to_dict(self) -> dict:
        """Return the spec as JSON-serialisable values."""
        return {**asdict(self), "quantiles": list(self.quantiles)}


class GLUNetwork(nn.Module):
    """Forecast ``horizon`` quantiles at every position of a sequence (forking sequences).

    The median is a linear function of the last ``context_length`` values (initialised to
    seasonal naive) plus a correction from the GLU stack's features; the other quantiles are
    softplus gaps around it, so they cannot cross.

    Parameters
    ----------
    spec : NetworkSpec
        Sizes and options.
    """

    def __init__(self, spec: NetworkSpec):
        super().__init__()
        self.spec = spec
        self.stack = GLUStack(
            spec.in_features,
            spec.n_channels,
            spec.n_blocks,
            spec.kernel_size,
            spec.dilation_base,
            spec.gate,
            spec.dropout,
            spec.use_weight_norm,
        )
        self.skip = nn.Conv1d(1, spec.horizon, spec.context_length, bias=False)
        self.head = QuantileHead(spec.n_channels, spec.horizon, spec.quantiles)
        self.reset_skip()

    def reset_skip(self) -> None:
        """Initialise the linear skip to the seasonal naive forecast."""
        h, length, m = self.spec.horizon, self.spec.context_length, self.spec.season_length
        weight = torch.zeros(h, 1, length)
        for k in range(1, h + 1):
            lag = m * -(-k // m) - k  # steps back from t of the value that seasonal naive repeats
            weight[k - 1, 0, length - 1 - min(lag, length - 1)] = 1.0
        with torch.no_grad():
            self.skip.weight.copy_(weight)

    @property
    def receptive_field(self) -> int:
        """Input steps that reach one output through the stack."""
        return self.stack.receptive_field

    def forward(
        self, features: torch.Tensor, values: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor
    ) -> torch.Tensor:
        """Predict normalised quantiles at every position.

        Parameters
        ----------
        features : Tensor of shape (batch, in_features, time)
            Per-position inputs (the normalised value first).
        values : Tensor of shape (batch, time)
            The series, centred by a per-series constant.
        loc, scale : Tensor of shape (batch, time)
            Per-position location (centred like ``values``) and scale.

        Returns
        -------
        Tensor of shape (batch, time, horizon, n_quantiles)
            Quantiles of ``(y[t + k] - loc[t]) / scale[t]`` for ``k = 1..horizon``.
        """
        length = self.spec.context_length
        padded = F.pad(values.unsqueeze(1), (length - 1, 0), mode="replicate")  # (B, 1, T+L-1)
        skip = self.skip(padded).transpose(1, 2)  # (B, T, H)
        weight_sum = self.skip.weight.sum(dim=(1, 2))  # (H,)
        median = (skip - loc.unsqueeze(-1) * weight_sum) / scale.unsqueeze(-1)  # (B, T, H)
        return self.head(self.stack(features), median)  # (B, T, H, Q)
