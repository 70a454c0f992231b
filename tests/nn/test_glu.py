"""GLU convolutions and stacks: equivalence, causality, receptive field, init scale, shapes."""

import pytest
import torch
import torch.nn.functional as F

from gluts.nn import CausalConv1d, GatedResidualBlock, GLUConv1d, GLUStack, blocks_for_context


def test_sigmoid_glu_equals_torch_glu_on_the_same_convolution():
    torch.manual_seed(0)
    layer = GLUConv1d(3, 5, kernel_size=3, dilation=2)
    x = torch.randn(2, 3, 20)
    expected = F.glu(layer.conv(x), dim=1)
    torch.testing.assert_close(layer(x), expected)


@pytest.mark.parametrize("gate", ["sigmoid", "tanh", "gelu", "silu", "identity"])
def test_every_gate_keeps_length_and_is_causal(gate):
    torch.manual_seed(1)
    stack = GLUStack(2, 6, n_blocks=3, kernel_size=3, gate=gate).double().eval()
    x = torch.randn(1, 2, 40, dtype=torch.float64)
    out = stack(x)
    assert out.shape == (1, 6, 40)
    for t in range(0, 40, 7):
        changed = x.clone()
        changed[..., t + 1 :] = torch.randn_like(changed[..., t + 1 :])
        assert torch.equal(stack(changed)[..., : t + 1], out[..., : t + 1])


def test_receptive_field_matches_a_perturbation_test():
    stack = GLUStack(1, 4, n_blocks=4, kernel_size=3, use_weight_norm=False).double().eval()
    for p in stack.parameters():
        torch.nn.init.constant_(p, 0.1)
    r = stack.receptive_field
    assert r == 1 + 2 * (1 + 2 + 4 + 8)
    x = torch.zeros(1, 1, 3 * r, dtype=torch.float64)
    t = 3 * r - 1
    base = stack(x)[..., t]
    inside, outside = x.clone(), x.clone()
    inside[..., t - r + 1] = 1.0
    outside[..., t - r] = 1.0
    assert not torch.equal(stack(inside)[..., t], base)
    assert torch.equal(stack(outside)[..., t], base)


@pytest.mark.parametrize("weight_norm", [True, False])
def test_activation_scale_stays_stable_over_eight_blocks(weight_norm):
    torch.manual_seed(2)
    blocks = torch.nn.Sequential(
        *(GatedResidualBlock(32, 3, 2**i, use_weight_norm=weight_norm) for i in range(8))
    )
    x = torch.randn(16, 32, 256)
    with torch.no_grad():
        ratio = blocks(x).std() / x.std()
    assert 0.5 <= float(ratio) <= 2.0


def test_causal_conv_pads_on_the_left_only():
    conv = CausalConv1d(1, 1, kernel_size=2, dilation=3, bias=False)
    torch.nn.init.ones_(conv.weight)
    x = torch.arange(1.0, 7.0).view(1, 1, 6)
    # y_t = x_t + x_{t-3}, with zeros before the start
    assert conv(x).flatten().tolist() == [1.0, 2.0, 3.0, 5.0, 7.0, 9.0]


def test_constructor_errors_are_short_and_name_the_value():
    with pytest.raises(ValueError, match="gate must be one of .* got 'swish'"):
        GLUConv1d(1, 1, 3, gate="swish")
    with pytest.raises(ValueError, match="kernel_size and dilation must be positive, got 0"):
        CausalConv1d(1, 1, 0)


@pytest.mark.parametrize(("context", "expected"), [(2, 1), (3, 1), (7, 2), (336, 8)])
def test_blocks_for_context_covers_the_context(context, expected):
    n = blocks_for_context(context, kernel_size=3)
    assert n == expected
    assert GLUStack(1, 2, n, 3).receptive_field >= context
