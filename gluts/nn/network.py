"""The GLU forecasting network: a causal encoder, a seasonal skip and a quantile head.

The encoder is a GLU stack by default; an ungated TCN, an LSTM or a GRU can take its place
(``NetworkSpec.encoder``), with everything else unchanged, so that they can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

from gluts.nn.encoders import make_encoder
from gluts.nn.heads import QuantileHead

__all__ = [
    "GLUNetwork",
    "NetworkAverage",
    "NetworkSpec",
    "build_network",
    "seasonal_naive_skip",
]

# Width of the hidden layer that turns known-future covariates into a forecast effect.
_FUTURE_HIDDEN = 32


@dataclass(frozen=True)
class NetworkSpec:
    """Everything needed to rebuild a :class:`GLUNetwork` (saved as JSON with the weights).

    ``n_blocks`` counts recurrent layers when ``encoder`` is ``"lstm"`` or ``"gru"``; ``gate``,
    ``kernel_size``, ``dilation_base`` and ``use_weight_norm`` apply to convolution stacks.
    ``members`` above 1 describes a :class:`NetworkAverage` of that many networks.
    """

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
    head_hidden: int = 0
    n_future: int = 0
    encoder: str = "glu"
    members: int = 1

    def to_dict(self) -> dict:
        """Return the spec as JSON-serialisable values."""
        return {**asdict(self), "quantiles": list(self.quantiles)}


class GLUNetwork(nn.Module):
    """Forecast ``horizon`` quantiles at every position of a sequence (forking sequences).

    The median is a linear function of the last ``context_length`` values (initialised to
    seasonal naive) plus a correction from the encoder's features (through a hidden layer
    of ``head_hidden`` units when it is not 0); the other quantiles are softplus gaps around
    it, so they cannot cross. With ``n_future`` known-future covariates, the forecast of step
    ``k`` from position ``t`` also gets an effect of their values at ``t + k``, computed by a
    small network from those values and the encoder's features at ``t``.

    Parameters
    ----------
    spec : NetworkSpec
        Sizes and options.
    """

    def __init__(self, spec: NetworkSpec):
        super().__init__()
        if spec.members != 1:
            raise ValueError(f"spec.members is {spec.members}: build it with build_network.")
        self.spec = spec
        self.stack = make_encoder(
            spec.encoder,
            spec.in_features,
            spec.n_channels,
            spec.n_blocks,
            kernel_size=spec.kernel_size,
            dilation_base=spec.dilation_base,
            gate=spec.gate,
            dropout=spec.dropout,
            use_weight_norm=spec.use_weight_norm,
            context_length=spec.context_length,
        )
        self.skip = nn.Conv1d(1, spec.horizon, spec.context_length, bias=False)
        self.head = QuantileHead(spec.n_channels, spec.horizon, spec.quantiles, spec.head_hidden)
        self.reset_skip()
        if spec.n_future:
            self.future_effect = nn.Sequential(
                nn.Linear(spec.n_channels + spec.n_future, _FUTURE_HIDDEN),
                nn.GELU(),
                nn.Linear(_FUTURE_HIDDEN, len(spec.quantiles)),
            )
            nn.init.normal_(self.future_effect[-1].weight, std=1e-3)
            nn.init.zeros_(self.future_effect[-1].bias)

    def reset_skip(self) -> None:
        """Initialise the linear skip to the seasonal naive forecast."""
        with torch.no_grad():
            self.skip.weight[:, 0] = seasonal_naive_skip(self.spec)

    @property
    def receptive_field(self) -> int:
        """Input steps that reach one output through the encoder (see ``gluts.nn.encoders``)."""
        return self.stack.receptive_field

    def forward(
        self,
        features: torch.Tensor,
        values: torch.Tensor,
        loc: torch.Tensor,
        scale: torch.Tensor,
        positions: torch.Tensor | None = None,
        future: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict normalised quantiles at every position (or at the given ones).

        Parameters
        ----------
        features : Tensor of shape (batch, in_features, time)
            Per-position inputs (the normalised value first).
        values : Tensor of shape (batch, time)
            The series, centred by a per-series constant.
        loc, scale : Tensor of shape (batch, time)
            Per-position location (centred like ``values``) and scale.
        positions : Tensor of shape (n_positions,) or None, default=None
            Time positions to forecast from; None forecasts from all of them. The encoder
            always reads the whole sequence; the skip and head run only where asked.
        future : Tensor of shape (batch, n_future, time + horizon) or None, default=None
            The known-future covariates at every position and ``horizon`` steps beyond the
            last (needed when ``spec.n_future``; ignored otherwise).

        Returns
        -------
        Tensor of shape (batch, time or n_positions, horizon, n_quantiles)
            Quantiles of ``(y[t + k] - loc[t]) / scale[t]`` for ``k = 1..horizon``.
        """
        length = self.spec.context_length
        padded = F.pad(values.unsqueeze(1), (length - 1, 0), mode="replicate")  # (B, 1, T+L-1)
        context = padded[:, 0].unfold(-1, length, 1)  # (B, T, L): the last L values at each t
        encoded = self.stack(features)  # (B, C, T)
        if positions is not None:
            context, encoded = context[:, positions], encoded[..., positions]
            loc, scale = loc[:, positions], scale[:, positions]
        weight = self.skip.weight[:, 0]  # (H, L)
        skip = torch.matmul(context, weight.T)  # (B, T, H)
        median = (skip - loc.unsqueeze(-1) * weight.sum(-1)) / scale.unsqueeze(-1)  # (B, T, H)
        effect = None
        if self.spec.n_future:
            effect = self._future_effect(encoded, future, positions)
        return self.head(encoded, median, effect)  # (B, T, H, Q)

    def _future_effect(self, encoded, future, positions) -> torch.Tensor:
        """Effect of the covariates at ``t + k`` on the forecast of step ``k`` from ``t``."""
        h = self.spec.horizon
        if future is None:
            raise ValueError("This network was built for known-future covariates; pass future.")
        ahead = future[:, :, 1:].unfold(-1, h, 1)  # (B, F, T, H): values at t + 1 .. t + H
        if positions is not None:
            ahead = ahead[:, :, positions]
        ahead = ahead.permute(0, 2, 3, 1)  # (B, T, H, F)
        state = encoded.transpose(1, 2).unsqueeze(2).expand(-1, -1, h, -1)  # (B, T, H, C)
        return self.future_effect(torch.cat([state, ahead], dim=-1))  # (B, T, H, Q)


class NetworkAverage(nn.Module):
    """The mean of the quantile forecasts of several networks of the same sizes.

    The members differ by their random initialisation and batches; averaging their quantiles
    (each monotone) keeps them monotone and lowers the variance that one seed leaves.

    Parameters
    ----------
    networks : sequence of GLUNetwork
        The members, all of one spec; ``spec`` is theirs with ``members`` set to their count.
    """

    def __init__(self, networks: Sequence[GLUNetwork]):
        super().__init__()
        self.spec = replace(networks[0].spec, members=len(networks))
        self.members = nn.ModuleList(networks)

    @property
    def receptive_field(self) -> int:
        """Input steps that reach one output (the same for every member)."""
        return self.members[0].receptive_field

    def forward(self, *args, **kwargs) -> torch.Tensor:
        """The mean of the members' outputs (arguments as :meth:`GLUNetwork.forward`)."""
        return torch.stack([member(*args, **kwargs) for member in self.members]).mean(0)


def build_network(spec: NetworkSpec) -> GLUNetwork | NetworkAverage:
    """An untrained network for ``spec``: a :class:`NetworkAverage` when ``spec.members > 1``."""
    if spec.members == 1:
        return GLUNetwork(spec)
    member = replace(spec, members=1)
    return NetworkAverage([GLUNetwork(member) for _ in range(spec.members)])


def seasonal_naive_skip(spec: NetworkSpec) -> torch.Tensor:
    """The linear skip's weights of the seasonal naive forecast.

    Parameters
    ----------
    spec : NetworkSpec
        The network's sizes (``horizon``, ``context_length`` and ``season_length`` count).

    Returns
    -------
    Tensor of shape (horizon, context_length)
        Row ``k - 1`` is 1 at the last context value one season before step ``k`` (the
        oldest value when the context is shorter than a season) and 0 elsewhere.
    """
    h, length, m = spec.horizon, spec.context_length, spec.season_length
    weight = torch.zeros(h, length)
    for k in range(1, h + 1):
        lag = m * -(-k // m) - k  # steps back from t of the value that seasonal naive repeats
        weight[k - 1, length - 1 - min(lag, length - 1)] = 1.0
    return weight
