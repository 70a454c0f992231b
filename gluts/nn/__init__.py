"""PyTorch building blocks of gluts: causal GLU convolutions, encoders, quantile heads, loss."""

from gluts.nn.blocks import (
    DilatedStack,
    GatedResidualBlock,
    GLUStack,
    blocks_for_context,
)
from gluts.nn.encoders import (
    ENCODERS,
    NoEncoder,
    RecurrentEncoder,
    ReLUResidualBlock,
    TCNStack,
    make_encoder,
    matched_width,
    n_parameters,
)
from gluts.nn.glu import GATES, CausalConv1d, GLUConv1d
from gluts.nn.heads import QuantileHead, monotone_quantiles
from gluts.nn.losses import pinball, pinball_per_origin
from gluts.nn.network import (
    GLUNetwork,
    NetworkAverage,
    NetworkSpec,
    build_network,
    seasonal_naive_skip,
)
from gluts.nn.scaling import SCALERS, causal_scale, rolling_mean

__all__ = [
    "ENCODERS",
    "GATES",
    "SCALERS",
    "CausalConv1d",
    "DilatedStack",
    "GLUConv1d",
    "GLUNetwork",
    "GLUStack",
    "GatedResidualBlock",
    "NetworkAverage",
    "NetworkSpec",
    "NoEncoder",
    "QuantileHead",
    "RecurrentEncoder",
    "ReLUResidualBlock",
    "TCNStack",
    "blocks_for_context",
    "build_network",
    "causal_scale",
    "make_encoder",
    "matched_width",
    "monotone_quantiles",
    "n_parameters",
    "pinball",
    "pinball_per_origin",
    "rolling_mean",
    "seasonal_naive_skip",
]
