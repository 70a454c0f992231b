"""GLU convolutions and stacks: units, causality, receptive field, init scale, stability."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gluts import GLUForecaster
from gluts.nn import (
    GATES,
    CausalConv1d,
    GatedResidualBlock,
    GLUConv1d,
    GLUStack,
    blocks_for_context,
)

# The gated units of value a and gate input b, written out apart from gluts.nn.glu.GATES.
UNITS = {
    "sigmoid": lambda a, b: a * torch.sigmoid(b),
    "tanh": lambda a, b: torch.tanh(a) * torch.sigmoid(b),
    "gelu": lambda a, b: a * F.gelu(b),
    "silu": lambda a, b: a * F.silu(b),
    "identity": lambda a, b: a * b,
}
UNBOUNDED = ["gelu", "silu", "identity"]


def test_sigmoid_glu_equals_torch_glu_on_the_same_convolution():
    torch.manual_seed(0)
    layer = GLUConv1d(3, 5, kernel_size=3, dilation=2)
    x = torch.randn(2, 3, 20)
    expected = F.glu(layer.conv(x), dim=1)
    torch.testing.assert_close(layer(x), expected)


def test_the_units_cover_every_gate():
    assert set(UNITS) == set(GATES)


@pytest.mark.parametrize("gate", sorted(UNITS))
def test_each_gate_computes_its_unit_of_value_and_gate_input(gate):
    torch.manual_seed(0)
    layer = GLUConv1d(3, 5, kernel_size=3, dilation=2, gate=gate)
    x = torch.randn(2, 3, 20)
    value, gate_input = layer.conv(x).chunk(2, dim=1)
    assert torch.equal(layer(x), UNITS[gate](value, gate_input))


def test_tanh_gate_is_the_gated_tanh_unit_tanh_of_value_times_sigmoid_of_gate():
    layer = GLUConv1d(1, 1, kernel_size=1, gate="tanh")
    with torch.no_grad():
        layer.conv.weight.copy_(torch.tensor([[[2.0]], [[-1.0]]]))  # value 2x, gate input -x
        layer.conv.bias.zero_()
    x = torch.tensor([[[-1.5, 0.0, 0.5, 3.0]]])
    assert torch.equal(layer(x), torch.tanh(2 * x) * torch.sigmoid(-x))


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


def test_sigmoid_initialisation_is_the_glu_aware_draw_bit_for_bit():
    torch.manual_seed(0)
    conv = CausalConv1d(8, 10, 3, 2)  # draws from the generator as GLUConv1d's conv does
    expected = torch.empty_like(conv.weight).normal_(std=math.sqrt(4.0 * (1.0 - 0.1) / 24))
    torch.manual_seed(0)
    layer = GLUConv1d(8, 5, 3, 2, dropout=0.1)
    assert torch.equal(layer.conv.weight, expected)
    assert torch.equal(layer.conv.bias, torch.zeros(10))


@pytest.mark.parametrize(
    ("gate", "gain"), [("sigmoid", 4), ("tanh", 4), ("gelu", 2), ("silu", 2), ("identity", 1)]
)
def test_initial_weight_scale_per_gate(gate, gain):
    torch.manual_seed(0)
    weight = GLUConv1d(64, 64, 3, gate=gate).conv.weight.detach()
    assert float(weight.std()) == pytest.approx(math.sqrt(gain / (64 * 3)), rel=0.03)


def test_sigmoid_block_is_the_plain_scaled_residual_without_a_normalisation():
    torch.manual_seed(0)
    block = GatedResidualBlock(6, 3, 2)
    assert block.norm is None
    assert sorted(block.state_dict()) == [
        "glu.conv.bias",
        "glu.conv.parametrizations.weight.original0",
        "glu.conv.parametrizations.weight.original1",
    ]
    x = torch.randn(2, 6, 30)
    assert torch.equal(block(x), math.sqrt(0.5) * (x + F.glu(block.glu.conv(x), dim=1)))


@pytest.mark.parametrize("gate", UNBOUNDED)
def test_unbounded_gates_read_an_input_normalised_per_time_step(gate):
    torch.manual_seed(0)
    block = GatedResidualBlock(6, 3, 2, gate=gate).double()
    x = torch.randn(2, 6, 30, dtype=torch.float64)
    x[..., 10] *= 1e4  # one loud time step changes the branch there only
    branch = block(x) - math.sqrt(0.5) * x
    loud = block(1e3 * x) - math.sqrt(0.5) * 1e3 * x
    torch.testing.assert_close(loud, branch)


@pytest.mark.parametrize("weight_norm", [True, False])
@pytest.mark.parametrize("gate", ["sigmoid", *UNBOUNDED])
def test_activation_scale_stays_stable_over_eight_blocks(gate, weight_norm):
    torch.manual_seed(2)
    blocks = torch.nn.Sequential(
        *(GatedResidualBlock(32, 3, 2**i, gate, use_weight_norm=weight_norm) for i in range(8))
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


@pytest.mark.parametrize("gate", UNBOUNDED)
def test_unbounded_gates_do_not_blow_up_on_a_large_input(gate):
    torch.manual_seed(3)
    stack = GLUStack(1, 32, n_blocks=7, gate=gate)
    x = 1e3 * torch.randn(4, 1, 256)
    with torch.no_grad():
        out, projected = stack(x), stack.project(x)
    assert torch.isfinite(out).all()
    assert float(out.std()) <= 2.0 * float(projected.std())


@pytest.mark.parametrize("gate", sorted(UNITS))
def test_each_gate_trains_without_nan_at_the_default_depth(gate, make_panel):
    panel = make_panel(2, 700)
    model = GLUForecaster(24, gate=gate, n_steps=25, random_state=0, n_threads=1)
    model.set_params(context_length=336).fit(panel)  # the automatic one, not searched
    assert model.spec_.n_blocks == 7  # the default depth for a 336-step hourly context
    loss = np.array(model.training_history_.train_loss)
    assert np.isfinite(loss).all()
    assert loss[-5:].mean() < loss[:5].mean()
    assert np.isfinite(model.predict()["GLU"]).all()
