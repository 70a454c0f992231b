"""PyTorch building blocks of gluts: causal GLU convolutions, residual stacks, quantile heads."""

from gluts.nn.blocks import GatedResidualBlock, GLUStack, blocks_for_context
from gluts.nn.glu import GATES, CausalConv1d, GLUConv1d
from gluts.nn.heads import QuantileHead, monotone_quantiles
from gluts.nn.network import GLUNetwork, NetworkSpec
from gluts.nn.scaling import SCALERS, causal_scale, rolling_mean

__all__ = [
    "GATES",
    "SCALERS",
    "CausalConv1d",
    "GLUConv1d",
    "GLUNetwork",
    "GLUStack",
    "GatedResidualBlock",
    "NetworkSpec",
    "QuantileHead",
    "blocks_for_context",
    "causal_scale",
    "monotone_quantiles",
    "rolling_mean",
]
