"""Quantile head, network skip, scaling statistics and the pinball loss."""

import numpy as np
import pytest
import torch

from gluts.nn import (
    GLUNetwork,
    NetworkSpec,
    QuantileHead,
    causal_scale,
    monotone_quantiles,
    pinball,
)


def test_monotone_quantiles_never_cross():
    torch.manual_seed(0)
    raw = 5 * torch.randn(4, 7, 5)
    out = monotone_quantiles(raw, torch.randn(4, 7), median_index=2)
    assert (out.diff(dim=-1) >= 0).all()


@pytest.mark.parametrize("hidden", [0, 16])
def test_head_shapes_and_median_anchor(hidden):
    torch.manual_seed(0)
    head = QuantileHead(8, horizon=6, quantiles=(0.1, 0.5, 0.9), hidden=hidden)
    h = torch.randn(3, 8, 11)
    median = torch.randn(3, 11, 6)
    out = head(h, median)
    assert out.shape == (3, 11, 6, 3)
    torch.testing.assert_close(out[..., 1], median, atol=0.05, rtol=0)


def test_head_needs_the_median():
    with pytest.raises(ValueError, match="contain 0.5"):
        QuantileHead(4, 2, (0.1, 0.9))


def test_pinball_at_the_median_is_half_the_absolute_error():
    pred = torch.tensor([[[1.0], [4.0]]])  # (1, H=2, Q=1)
    target = torch.tensor([[2.0, 1.0]])
    loss = pinball(pred, target, torch.tensor([0.5]), torch.ones(1))
    assert float(loss) == pytest.approx(0.5 * (1.0 + 3.0) / 2)


def test_network_skip_starts_as_seasonal_naive():
    spec = NetworkSpec(1, 5, (0.5,), 8, 3, 4, 2, 3, 2, "sigmoid", 0.0, True)
    net = GLUNetwork(spec).eval()
    torch.nn.init.zeros_(net.head.net.weight)
    x = torch.arange(12.0).view(1, 12) % 3 * 10.0  # period 3: 0, 10, 20, 0, ...
    loc, scale = torch.zeros(1, 12), torch.ones(1, 12)
    with torch.no_grad():
        out = net(x.unsqueeze(1), x, loc, scale)[0, -1, :, 0]
    # The last value is 20 (phase 2); seasonal naive continues 0, 10, 20, 0, 10.
    assert out.tolist() == [0.0, 10.0, 20.0, 0.0, 10.0]


@pytest.mark.parametrize("scaler", ["seasonal", "mean_abs", "standard"])
def test_scaling_statistics_read_only_the_past(scaler):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 60))
    loc, scale = causal_scale(x, scaler, season_length=4, window=10)
    changed = x.copy()
    changed[:, 30:] += 100.0
    loc2, scale2 = causal_scale(changed, scaler, season_length=4, window=10)
    np.testing.assert_array_equal(loc[:, :30], loc2[:, :30])
    # The floor depends on the whole series' mean level; compare where the floor is inactive.
    np.testing.assert_allclose(scale[:, 12:30], scale2[:, 12:30], rtol=1e-12)


def test_seasonal_scale_is_mase_scale_and_equivariant():
    x = np.tile([1.0, 3.0, 2.0], 10)[None, :] + np.arange(30) * 0.5
    loc, scale = causal_scale(x, "seasonal", season_length=3, window=6)
    assert loc[0, -1] == pytest.approx(x[0, -3:].mean())
    assert scale[0, -1] == pytest.approx(1.5)  # every seasonal difference is 3 * 0.5
    loc2, scale2 = causal_scale(3.0 * x, "seasonal", 3, 6)
    np.testing.assert_allclose(loc2, 3 * loc)
    np.testing.assert_allclose(scale2, 3 * scale, rtol=1e-6)


def test_non_seasonal_scaling_leaves_the_network_the_changes_of_the_series():
    x = np.cumsum(np.random.default_rng(1).normal(size=(1, 50)), axis=1)
    loc, scale = causal_scale(x, "seasonal", season_length=1, window=10)
    # location = mean of the last two values, so the scaled input is half the last change
    np.testing.assert_allclose((x - loc)[0, 1:], np.diff(x[0]) / 2)
    assert scale[0, -1] == pytest.approx(np.abs(np.diff(x[0, -11:])).mean())


def test_constant_series_get_a_positive_scale():
    _, scale = causal_scale(np.full((1, 20), 5.0), "seasonal", 2, 5)
    assert (scale > 0).all()
