"""Causal and gated (GLU) 1-D convolutions.

A causal convolution pads ``(kernel_size - 1) * dilation`` zeros on the left only, so the
output at time ``t`` reads inputs at times ``<= t`` and has the input's length. A gated
convolution computes one convolution to twice the output channels, splits it into value
``A = X*W + b`` and gate input ``B = X*V + c`` and combines them with a gated unit (Dauphin
et al., 2017): the GLU ``A ⊗ σ(B)``, the gated tanh unit ``tanh(A) ⊗ σ(B)`` (GTU, as in
WaveNet; van den Oord et al., 2016), or one of Shazeer's (2020) variants ``A ⊗ g(B)`` with an
unbounded ``g`` (GEGLU, SwiGLU, bilinear).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["BOUNDED_GATES", "GATES", "CausalConv1d", "GLUConv1d"]

GATES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "sigmoid": lambda a, b: a * torch.sigmoid(b),  # GLU
    "tanh": lambda a, b: torch.tanh(a) * torch.sigmoid(b),  # gated tanh unit (GTU)
    "gelu": lambda a, b: a * F.gelu(b),  # GEGLU
    "silu": lambda a, b: a * F.silu(b),  # SwiGLU
    "identity": lambda a, b: a * b,  # bilinear
}
"""The gated units by name: ``GATES[gate](value, gate_input)``."""

BOUNDED_GATES = frozenset({"sigmoid", "tanh"})
"""Units no larger than their value ``A``: the gate lies in ``[0, 1]``, ``|tanh(A)| <= |A|``.

The other units multiply two linear functions of the input, so they grow with its square.
"""

# Weight variance times fan_in / (1 - dropout) that keeps a unit-variance input's variance
# through the unit linearised at 0: A ⊗ σ(B) ≈ A/2 and tanh(A) ⊗ σ(B) ≈ A/2 (gain 4, as
# Gehring et al., 2017); A ⊗ gelu(B) ≈ A ⊗ silu(B) ≈ A ⊗ B/2 (gain 2); A ⊗ B (gain 1).
_GAINS = {"sigmoid": 4.0, "tanh": 4.0, "gelu": 2.0, "silu": 2.0, "identity": 1.0}


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
    """Gated causal convolution: ``(X*W + b) ⊗ σ(X*V + c)`` (GLU) or another gated unit.

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
        Gated unit of value ``A`` and gate input ``B`` (see :data:`GATES`): ``"sigmoid"`` the
        GLU ``A ⊗ σ(B)``, ``"tanh"`` the gated tanh unit ``tanh(A) ⊗ σ(B)``, ``"gelu"`` GEGLU
        ``A ⊗ gelu(B)``, ``"silu"`` SwiGLU ``A ⊗ silu(B)``, ``"identity"`` bilinear ``A ⊗ B``.
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
        """Initialise weights N(0, sqrt(gain (1 - p) / fan_in)) and biases at zero.

        The gain keeps a unit-variance input's variance through the unit linearised at 0:
        4 for the sigmoid and tanh units, which pass about half of the value (the GLU-aware
        initialisation of Gehring et al., 2017); 2 for GEGLU and SwiGLU, about ``A ⊗ B/2``;
        1 for the bilinear ``A ⊗ B``.
        """
        fan_in = self.conv.in_channels * self.conv.kernel_size[0]
        std = math.sqrt(_GAINS[self.gate] * (1.0 - dropout) / fan_in)
        nn.init.normal_(self.conv.weight, std=std)
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
            ``GATES[gate](value, gate_input)``.
        """
        value, gate = self.conv(self.dropout(x)).chunk(2, dim=1)  # 2 x (B, C_out, T)
        return GATES[self.gate](value, gate)

    def extra_repr(self) -> str:
        return f"gate={self.gate!r}"
