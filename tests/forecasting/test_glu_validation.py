"""Early stopping's held-out loss: forecasting from the held-out origins only."""

import numpy as np
import pytest
import torch

from gluts.forecasting.glu import validation
from gluts.forecasting.glu.validation import held_out, origin_losses
from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import build_network, pinball_per_origin

from ..conftest import small_spec, training_plan

LENGTH, HORIZON = 40, 3


def _data(n_future: int) -> SequenceData:
    rng = np.random.default_rng(0)
    n = 3
    values = torch.as_tensor(rng.normal(size=(n, LENGTH)), dtype=torch.float32)
    future = torch.as_tensor(rng.normal(size=(n, n_future, LENGTH)), dtype=torch.float32)
    features = torch.cat([values[:, None], future], dim=1)
    return SequenceData(
        features=features,
        values=values,
        loc=values.mean(1, keepdim=True).expand(n, LENGTH).contiguous(),
        scale=torch.ones(n, LENGTH),
        offset=np.zeros(n),
        loc_raw=np.zeros((n, LENGTH)),
        scale_raw=np.ones((n, LENGTH)),
        starts=np.array([0, 9, 20]),  # unequal lengths
        future=future if n_future else None,
    )


@pytest.mark.parametrize("n_future", [0, 1])
@pytest.mark.parametrize("members", [1, 2])
@pytest.mark.parametrize("per_pass", [2, 64])  # series per forward pass: in parts, or at once
def test_the_held_out_loss_is_that_of_forecasts_from_every_position(
    n_future, members, per_pass, monkeypatch
):
    monkeypatch.setattr(validation, "_SERIES_PER_PASS", per_pass)
    torch.manual_seed(0)
    data = _data(n_future)
    spec = small_spec(
        in_features=1 + n_future,
        horizon=HORIZON,
        head_hidden=4,
        n_future=n_future,
        members=members,
    )
    network = build_network(spec)
    levels = torch.tensor(spec.quantiles)
    plan = training_plan(validation=12, warm=4)
    val = held_out(data, plan, horizon=HORIZON, device=torch.device("cpu"))
    assert len(torch.unique(val.origins)) < len(val.origins)  # origins shared by series
    tensors = (data.features, data.values, data.loc, data.scale)
    losses = origin_losses(network, tensors, data.future, val, levels)
    end = int(val.origins.max()) + 1
    with torch.inference_mode():
        every = network(
            data.features[..., :end],
            data.values[:, :end],
            data.loc[:, :end],
            data.scale[:, :end],
            future=None if data.future is None else data.future[..., : end + HORIZON],
        )
    expected = pinball_per_origin(every[val.rows, val.origins], val.target, levels)
    assert losses.shape == (len(val.origins),)
    torch.testing.assert_close(losses, expected, rtol=1e-5, atol=1e-6)
