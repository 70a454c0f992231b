"""Sequence encoders of the forecasting network: GLU and ungated (TCN) stacks, LSTM and GRU.

``"none"`` reads nothing (:class:`NoEncoder`): the network is then its linear skip with a
constant correction and constant quantile gaps per forecast step.

Each encoder maps ``(batch, in_channels, time)`` to ``(batch, channels, time)`` causally (the
output at ``t`` reads inputs at ``t`` and before only) and has a ``receptive_field``: the input
steps that reach one output. A recurrent encoder's field is unbounded; it reports the history
it is given before each forecast origin at prediction instead (the network's
``context_length``). :func:`matched_width` sizes one encoder to another's parameter count, so
that they can be compared at equal budgets.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from gluts.nn.blocks import DilatedStack, GLUStack
from gluts.nn.glu import CausalConv1d

__all__ = [
    "ENCODERS",
    "RecurrentEncoder",
    "ReLUResidualBlock",
    "TCNStack",
    "NoEncoder",
    "make_encoder",
    "matched_width",
    "n_parameters",
]

ENCODERS = ("glu", "tcn", "lstm", "gru", "none")
_RECURRENT = {"lstm": nn.LSTM, "gru": nn.GRU}


class ReLUResidualBlock(nn.Module):
    """One dilated ungated convolution with a ReLU, in a scaled residual connection (a TCN).

    ``out = residual_scale * (x + relu(conv(x)))``: the block of
    :class:`~gluts.nn.blocks.GatedResidualBlock` without the gate, as in Bai et al. (2018) with one
    convolution per block. He initialisation keeps the activation variance constant with
    depth, as the GLU-aware one does for the gated block.

    Parameters
    ----------
    channels : int
        Input and output channels.
    kernel_size : int
        Taps of the kernel.
    dilation : int
        Spacing between taps.
    dropout : float, default=0.0
        Dropout probability on the block's input branch.
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
        dropout: float = 0.0,
        residual_scale: float = math.sqrt(0.5),
        use_weight_norm: bool = True,
    ):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.conv = CausalConv1d(channels, channels, kernel_size, dilation)
        fan_in = channels * kernel_size
        nn.init.normal_(self.conv.weight, std=math.sqrt(2.0 * (1.0 - dropout) / fan_in))
        nn.init.zeros_(self.conv.bias)
        if use_weight_norm:
            self.conv = weight_norm(self.conv)
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
            ``residual_scale * (x + relu(conv(x)))``.
        """
        return self.residual_scale * (x + torch.relu(self.conv(self.dropout(x))))


class TCNStack(DilatedStack):
    """A 1x1 input projection followed by ungated ReLU residual blocks (a causal TCN).

    The same depth, dilations and residual scaling as :class:`GLUStack`, without the gate.

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
        dropout: float = 0.0,
        use_weight_norm: bool = True,
    ):
        def make_block(dilation: int) -> ReLUResidualBlock:
            return ReLUResidualBlock(
                channels, kernel_size, dilation, dropout, use_weight_norm=use_weight_norm
            )

        super().__init__(in_channels, channels, n_blocks, make_block, dilation_base)


class RecurrentEncoder(nn.Module):
    """Stacked LSTM or GRU layers read left to right (causal by construction).

    LSTM forget-gate biases start at 1 (Jozefowicz et al., 2015); other weights keep torch's
    initialisation.

    Parameters
    ----------
    in_channels : int
        Input features per time step.
    channels : int
        Hidden units of every layer.
    n_layers : int
        Stacked recurrent layers.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell.
    dropout : float, default=0.0
        Dropout probability between layers.
    receptive_field : int, default=1
        Steps of history the encoder is given before a forecast origin at prediction
        (reported as its ``receptive_field``; the true field is unbounded).
    """

    def __init__(
        self,
        in_channels: int,
        channels: int,
        n_layers: int,
        cell: str = "lstm",
        dropout: float = 0.0,
        receptive_field: int = 1,
    ):
        super().__init__()
        if cell not in _RECURRENT:
            raise ValueError(f"cell must be one of {sorted(_RECURRENT)}, got {cell!r}")
        if n_layers < 1 or channels < 1:
            raise ValueError(f"n_layers and channels must be positive, got {n_layers}, {channels}")
        self.rnn = _RECURRENT[cell](
            in_channels, channels, n_layers, batch_first=True, dropout=dropout * (n_layers > 1)
        )
        if cell == "lstm":
            with torch.no_grad():
                for name, bias in self.rnn.named_parameters():
                    if name.startswith("bias_ih"):  # gates i, f, g, o: the second is forget
                        bias[channels : 2 * channels] = 1.0
        self.receptive_field = receptive_field

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode a sequence left to right.

        Parameters
        ----------
        x : Tensor of shape (batch, in_channels, time)
            Input features.

        Returns
        -------
        Tensor of shape (batch, channels, time)
            The last layer's hidden state at every time step.
        """
        out, _ = self.rnn(x.transpose(1, 2))  # (B, T, C)
        return out.transpose(1, 2)  # (B, C, T)

    def extra_repr(self) -> str:
        return f"receptive_field={self.receptive_field}"


class NoEncoder(nn.Module):
    """An encoder that reads nothing: ``channels`` zero features at every position.

    The network built on it is its linear skip (an NLinear-like map of the last
    ``context_length`` values) plus what the head's biases add: a constant correction of the
    median and constant quantile gaps per forecast step.

    Parameters
    ----------
    channels : int
        Features per position (all zero).
    """

    receptive_field = 1

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return zeros.

        Parameters
        ----------
        x : Tensor of shape (batch, in_channels, time)
            Input sequence (only its batch size, length, dtype and device are used).

        Returns
        -------
        Tensor of shape (batch, channels, time)
            Zeros.
        """
        return x.new_zeros(x.shape[0], self.channels, x.shape[-1])


def make_encoder(
    encoder: str,
    in_channels: int,
    channels: int,
    n_blocks: int,
    *,
    kernel_size: int = 3,
    dilation_base: int = 2,
    gate: str = "sigmoid",
    dropout: float = 0.0,
    use_weight_norm: bool = True,
    context_length: int = 1,
) -> nn.Module:
    """Build one encoder by name.

    Parameters
    ----------
    encoder : {"glu", "tcn", "lstm", "gru", "none"}
        Gated convolution stack, ungated convolution stack, recurrent network, or no
        encoder (zero features, :class:`NoEncoder`).
    in_channels : int
        Input features per time step.
    channels : int
        Width: channels of a convolution stack, hidden units of a recurrent network.
    n_blocks : int
        Residual blocks of a convolution stack; layers of a recurrent network.
    kernel_size : int, default=3
        Taps of each convolution (convolution stacks only).
    dilation_base : int, default=2
        Block ``i`` has dilation ``dilation_base**i`` (convolution stacks only).
    gate : str, default="sigmoid"
        Gated unit of the GLU stack (see :class:`gluts.nn.GLUConv1d`; ``"glu"`` only).
    dropout : float, default=0.0
        Dropout probability inside the blocks, or between recurrent layers.
    use_weight_norm : bool, default=True
        Weight-normalise the convolutions (convolution stacks only).
    context_length : int, default=1
        History given before a forecast origin: a recurrent encoder's ``receptive_field``.

    Returns
    -------
    torch.nn.Module
        Maps ``(batch, in_channels, time)`` to ``(batch, channels, time)`` causally.
    """
    conv = {"kernel_size": kernel_size, "dilation_base": dilation_base, "dropout": dropout}
    if encoder == "glu":
        return GLUStack(
            in_channels, channels, n_blocks, gate=gate, use_weight_norm=use_weight_norm, **conv
        )
    if encoder == "tcn":
        return TCNStack(in_channels, channels, n_blocks, use_weight_norm=use_weight_norm, **conv)
    if encoder in _RECURRENT:
        return RecurrentEncoder(in_channels, channels, n_blocks, encoder, dropout, context_length)
    if encoder == "none":
        return NoEncoder(channels)
    raise ValueError(f"encoder must be one of {list(ENCODERS)}, got {encoder!r}")


def n_parameters(module: nn.Module) -> int:
    """Number of trainable parameters.

    Parameters
    ----------
    module : torch.nn.Module
        Any module; a weight-normed weight counts its direction and its norms.

    Returns
    -------
    int
        Elements of the parameters that require gradients.
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def matched_width(encoder: str, budget: int, in_channels: int, n_blocks: int, **options) -> int:
    """The width whose encoder has the parameter count closest to ``budget``.

    Parameters
    ----------
    encoder : {"glu", "tcn", "lstm", "gru"}
        Encoder to size.
    budget : int
        Target number of parameters (e.g. ``n_parameters`` of another encoder).
    in_channels : int
        Input features per time step.
    n_blocks : int
        Blocks or layers (see :func:`make_encoder`).
    **options
        Further keyword arguments of :func:`make_encoder`.

    Returns
    -------
    int
        The width (``channels``) to build ``encoder`` with.

    Raises
    ------
    ValueError
        For ``encoder="none"``, which has no parameters.
    """
    if encoder == "none":
        raise ValueError("encoder 'none' has no parameters to match a budget with")

    def count(width: int) -> int:
        return n_parameters(make_encoder(encoder, in_channels, width, n_blocks, **options))

    low, high = 1, max(2, math.isqrt(budget) + 1)
    while count(high) < budget:  # counts grow with the width: bracket, then bisect
        low, high = high, 2 * high
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if count(mid) < budget else (low, mid)
    return min((low, high), key=lambda width: abs(count(width) - budget))
