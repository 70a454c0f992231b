"""Causal and gated (GLU) 1-D convolutions.

A causal convolution pads ``(kernel_size - 1) * dilation`` zeros on the left only, so the
output at time ``t`` reads inputs at times ``<= t`` and has the input's length. A GLU
convolution computes ``(X*W + b) ⊗ gate(X*V + c)`` as one convolution to twice the output
channels, split into value and gate (Dauphin et al., 2017).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["GATES", "CausalConv1d", "GLUConv1d"]

GATES = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": F.gelu,
    "silu": F.silu,
    "identity": lambda x: x,
}


class CausalConv1d(nn.Conv1d):
    """A 1-D convolution whose output at ``t`` depends on inputs at ``t`` and before only.

    Parameters
    ----------
    in_channels : int
        Input channels.
    out_channels : int
        Output channels.
    kernel_size : int
        Taps of the kernel.
    dilation : int, default=1
        Spacing between taps.
    bias : bool, default=True
        Add a learnable bias.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int = 1,
        bias: bool = True,
    ):
        if kernel_size < 1 or dilation < 1:
            raise ValueError(
                f"kernel_size and dilation must be positive, got {kernel_size} and {dilation}"
            )
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation, bias=bias)
        self.left_padding = (kernel_size - 1) * dilation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve causally.

        Parameters
        ----------
        x : Tensor of shape (batch, in_channels, time)
            Input sequence.

        Returns
        -------
        Tensor of shape (batch, out_channels, time)
            Output sequence, aligned with the input.
        """
        padded = F.pad(x, (self.left_padding, 0))  # (B, C_in, T + pad)
        k, d, t = self.kernel_size[0], self.dilation[0], x.shape[-1]
        if k == 1 or d == 1:
            return super().forward(padded)
        # Dilated kernels as one matrix product over the k shifted copies of the input: the
        # same arithmetic as the convolution, but far faster to differentiate on CPUs.
        taps = torch.cat([padded[..., j * d : j * d + t] for j in range(k)], dim=1)  # (B, k*C, T)
        weight = self.weight.permute(0, 2, 1).reshape(self.out_channels, -1)  # (C_out, k*C)
        out = torch.matmul(weight, taps)  # (B, C_out, T)
        return out if self.bias is None else out + self.bias[:, None]


class GLUConv1d(nn.Module):
    """Gated causal convolution ``(X*W + b) ⊗ gate(X*V + c)``.

    Parameters
    ----------
    in_channels : int
        Input channels.
    out_channels : int
        Output channels (the convolution itself has twice as many).
    kernel_size : int
        Taps of the kernel.
    dilation : int, default=1
        Spacing between taps.
    gate : {"sigmoid", "tanh", "gelu", "silu", "identity"}, default="sigmoid"
        Gate nonlinearity: sigmoid is the GLU, tanh the gated tanh unit's gate, gelu GEGLU,
        silu SwiGLU, identity the bilinear unit.
    dropout : float, default=0.0
        Dropout probability on the input; also enters the initialisation scale.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int = 1,
        gate: str = "sigmoid",
        dropout: float = 0.0,
    ):
        super().__init__()
        if gate not in GATES:
            raise ValueError(f"gate must be one of {sorted(GATES)}, got {gate!r}")
        self.gate = gate
        self.dropout = nn.Dropout(dropout)
        self.conv = CausalConv1d(in_channels, 2 * out_channels, kernel_size, dilation)
        self.reset_parameters(dropout)

    def reset_parameters(self, dropout: float = 0.0) -> None:
        """GLU-aware initialisation (Gehring et al., 2017): N(0, sqrt(4 (1 - p) / fan_in))."""
        fan_in = self.conv.in_channels * self.conv.kernel_size[0]
        nn.init.normal_(self.conv.weight, std=math.sqrt(4.0 * (1.0 - dropout) / fan_in))
        nn.init.zeros_(self.conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the gated convolution.

        Parameters
        ----------
        x : Tensor of shape (batch, in_channels, time)
            Input sequence.

        Returns
        -------
        Tensor of shape (batch, out_channels, time)
            ``value * gate(gate_input)``.
        """
        value, gate = self.conv(self.dropout(x)).chunk(2, dim=1)  # 2 x (B, C_out, T)
        return value * GATES[self.gate](gate)

    def extra_repr(self) -> str:
        return f"gate={self.gate!r}"
