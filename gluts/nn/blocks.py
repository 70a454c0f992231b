"""The gated residual block, the dilated stack of residual blocks and the GLU stack."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from gluts.nn.glu import BOUNDED_GATES, GLUConv1d

__all__ = [
    "DilatedStack",
    "GLUStack",
    "GatedResidualBlock",
    "blocks_for_context",
]


class GatedResidualBlock(nn.Module):
    """One dilated GLU convolution wrapped in a scaled residual connection.

    ``out = residual_scale * (x + GLUConv1d(x))``; the default scale ``sqrt(0.5)`` keeps the
    activation variance constant with depth (Gehring et al., 2017). That holds for the bounded
    units (:data:`gluts.nn.glu.BOUNDED_GATES`). The unbounded ones (GEGLU, SwiGLU, bilinear)
    grow with the square of their input, so every block would square the activations' scale;
    for them the convolution reads the input RMS-normalised over the channels at each time
    step (pre-normalisation, as in the Transformers that use these units; Zhang & Sennrich,
    2019): ``out = residual_scale * (x + GLUConv1d(rms_norm(x)))``. The normalisation reads
    one time step, so the block stays causal.

    Parameters
    ----------
    channels : int
        Input and output channels.
    kernel_size : int
        Taps of the kernel.
    dilation : int
        Spacing between taps.
    gate : str, default="sigmoid"
        Gated unit (see :class:`GLUConv1d`).
    dropout : float, default=0.0
        Dropout probability inside the branch.
    residual_scale : float, default=sqrt(0.5)
        Factor applied to the residual sum.
    use_weight_norm : bool, default=True
        Weight-normalise the convolution (per output channel).
    """

    def __init__(
        self,
        channels: int,
        kernel_size: int,
        dilation: int,
        gate: str = "sigmoid",
        dropout: float = 0.0,
        residual_scale: float = math.sqrt(0.5),
        use_weight_norm: bool = True,
    ):
        super().__init__()
        self.glu = GLUConv1d(channels, channels, kernel_size, dilation, gate, dropout)
        if use_weight_norm:
            self.glu.conv = weight_norm(self.glu.conv)
        self.norm = None if gate in BOUNDED_GATES else nn.RMSNorm(channels)
        self.residual_scale = residual_scale
        self.receptive_field = (kernel_size - 1) * dilation + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block.

        Parameters
        ----------
        x : Tensor of shape (batch, channels, time)
            Input sequence.

        Returns
        -------
        Tensor of shape (batch, channels, time)
            ``residual_scale * (x + glu(x))``, the branch normalised for an unbounded gate.
        """
        branch = x if self.norm is None else self.norm(x.transpose(1, 2)).transpose(1, 2)
        return self.residual_scale * (x + self.glu(branch))


class DilatedStack(nn.Module):
    """A 1x1 input projection followed by residual blocks with dilations ``base**i``.

    Parameters
    ----------
    in_channels : int
        Input features per time step.
    channels : int
        Width of every block.
    n_blocks : int
        Number of blocks.
    make_block : callable
        ``make_block(dilation)`` returns one block of width ``channels`` that keeps the
        length, reads only the past and has a ``receptive_field`` attribute.
    dilation_base : int, default=2
        Block ``i`` has dilation ``dilation_base**i``.
    """

    def __init__(
        self,
        in_channels: int,
        channels: int,
        n_blocks: int,
        make_block: Callable[[int], nn.Module],
        dilation_base: int = 2,
    ):
        super().__init__()
        if n_blocks < 1 or channels < 1:
            raise ValueError(f"n_blocks and channels must be positive, got {n_blocks}, {channels}")
        self.project = nn.Conv1d(in_channels, channels, 1)
        self.blocks = nn.ModuleList(make_block(dilation_base**i) for i in range(n_blocks))

    @property
    def receptive_field(self) -> int:
        """Number of input steps that reach one output step: ``1 + sum((k - 1) * d)``."""
        return 1 + sum(block.receptive_field - 1 for block in self.blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode a sequence causally.

        Parameters
        ----------
        x : Tensor of shape (batch, in_channels, time)
            Input features.

        Returns
        -------
        Tensor of shape (batch, channels, time)
            Features at every time step, each reading only the past.
        """
        h = self.project(x)  # (B, C, T)
        for block in self.blocks:
            h = block(h)  # (B, C, T)
        return h


class GLUStack(DilatedStack):
    """A 1x1 input projection followed by gated residual blocks with dilations ``base**i``.

    Parameters
    ----------
    in_channels : int
        Input features per time step.
    channels : int
        Width of every block.
    n_blocks : int
        Number of blocks.
    kernel_size : int, default=3
        Taps of every block's kernel.
    dilation_base : int, default=2
        Block ``i`` has dilation ``dilation_base**i``.
    gate : str, default="sigmoid"
        Gated unit of every block (see :class:`GLUConv1d`).
    dropout : float, default=0.0
        Dropout probability inside the blocks.
    use_weight_norm : bool, default=True
        Weight-normalise the block convolutions.
    """

    def __init__(
        self,
        in_channels: int,
        channels: int,
        n_blocks: int,
        kernel_size: int = 3,
        dilation_base: int = 2,
        gate: str = "sigmoid",
        dropout: float = 0.0,
        use_weight_norm: bool = True,
    ):
        def make_block(dilation: int) -> GatedResidualBlock:
            return GatedResidualBlock(
                channels, kernel_size, dilation, gate, dropout, use_weight_norm=use_weight_norm
            )

        super().__init__(in_channels, channels, n_blocks, make_block, dilation_base)


def blocks_for_context(context_length: int, kernel_size: int, dilation_base: int = 2) -> int:
    """Fewest blocks whose receptive field covers ``context_length`` steps."""
    if kernel_size < 2:
        raise ValueError(f"kernel_size must be at least 2 to grow the field, got {kernel_size}")
    n, field = 0, 1
    while field < context_length:
        field += (kernel_size - 1) * dilation_base**n
        n += 1
    return max(n, 1)
