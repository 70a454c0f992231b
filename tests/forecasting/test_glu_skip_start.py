"""The GLU network's linear skip started from the data's least-squares map (issue 14)."""

import numpy as np
import pandas as pd
import pytest
import torch

from gluts import GLUForecaster
from gluts.forecasting.glu import members, training
from gluts.forecasting.glu.skip_start import least_squares_skip
from gluts.forecasting.glu.trials import new_network
from gluts.forecasting.glu.windows import prepare
from gluts.nn import GLUNetwork, seasonal_naive_skip

from ..conftest import small_spec, training_plan

HORIZON, CONTEXT = 3, 16


def _spec():
    return small_spec(horizon=HORIZON, context_length=CONTEXT)


def _plan(**changes):
    return training_plan(n_steps=10, batch_size=2, window=64, warm=CONTEXT, **changes)


def _scaled_errors(skip: torch.Tensor, values: np.ndarray, data) -> np.ndarray:
    """The skip's forecast errors on the scaled values, from every origin with full context."""
    errors = []
    for t in range(CONTEXT - 1, len(values) - HORIZON):
        loc, scale = float(data.loc[0, t]), float(data.scale[0, t])
        context = (data.values[0, t - CONTEXT + 1 : t + 1].double() - loc) / scale
        target = (data.values[0, t + 1 : t + 1 + HORIZON].double() - loc) / scale
        errors.append((skip.double() @ context - target).numpy())
    return np.abs(np.array(errors))


def test_the_skip_recovers_a_linear_recursion_that_seasonal_naive_misses():
    t = np.arange(400)
    values = 3.0 + np.sin(2 * np.pi * t / 7)  # each value is linear in the 7 before it
    data = prepare([values], None, [], len(values), "mean_abs", 1, 28)
    skip = least_squares_skip(_spec(), data, _plan())
    assert skip is not None and skip.shape == (HORIZON, CONTEXT)
    assert _scaled_errors(skip, values, data).max() < 0.02
    assert _scaled_errors(seasonal_naive_skip(_spec()), values, data).max() > 0.5


def test_the_validation_tail_is_left_out():
    t = np.arange(400)
    values = 3.0 + np.sin(2 * np.pi * t / 7)
    changed = values.copy()
    changed[-40:] += np.random.default_rng(0).normal(size=40)  # only inside the tail
    plan = _plan(validation=40, early_stopping=True)
    skips = [
        least_squares_skip(_spec(), prepare([v], None, [], 400, "mean_abs", 1, 28), plan)
        for v in (values, changed)
    ]
    torch.testing.assert_close(skips[0], skips[1])


@pytest.mark.parametrize("length", [CONTEXT + HORIZON, 3 * CONTEXT])
def test_too_few_origins_keep_the_seasonal_naive_start(length):
    values = np.random.default_rng(1).normal(size=length) + 5
    data = prepare([values], None, [], length, "mean_abs", 1, 28)
    assert least_squares_skip(_spec(), data, _plan()) is None


def test_a_started_network_is_the_one_fit_network_builds_with_that_skip():
    skip = torch.randn(HORIZON, CONTEXT)
    network = new_network(_spec(), 3, skip)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        built = GLUNetwork(_spec())
    for name, tensor in built.state_dict().items():
        if not name.startswith("skip."):
            torch.testing.assert_close(network.state_dict()[name], tensor)
    torch.testing.assert_close(network.skip.weight[:, 0], skip)
    assert new_network(_spec(), 3, None) is None


def _fitted_skip_distance(saturated: bool) -> float:
    """How far a fitted GLU's skip is from seasonal naive, with the data counting as
    saturated (origins enough to fill the largest training budget) or not."""
    t = np.arange(400)
    y = pd.Series(3.0 + np.sin(2 * np.pi * t / 7))
    model = GLUForecaster(
        HORIZON,
        context_length=CONTEXT,
        season_length=1,
        transform=None,
        n_steps=None if saturated else 10,
        n_channels=4,
        model_selection="auto" if saturated else None,
        random_state=0,
    )
    with pytest.MonkeyPatch.context() as patch:
        if saturated:  # a budget of 10 steps, which these 400 values fill with one network
            patch.setattr(training, "MAX_STEPS", 10)
            patch.setattr(members, "_MAX_WORK", 1)
        model.fit(y)
    assert model.selection_ is None  # saturated data skip the selection
    assert model.spec_.members == 1
    network = model.network_.members[0] if model.spec_.members > 1 else model.network_
    prior = seasonal_naive_skip(network.spec)
    return float((network.skip.weight[:, 0].detach() - prior).abs().max())


def test_large_saturated_data_start_from_the_least_squares_map():
    assert _fitted_skip_distance(saturated=True) > 0.3
    assert _fitted_skip_distance(saturated=False) < 0.05


def test_small_saturated_data_start_from_seasonal_naive(monkeypatch):
    """Saturated, but with several networks fitting in the largest work (M3's shape)."""
    monkeypatch.setattr(training, "MAX_STEPS", 10)
    t = np.arange(400)
    model = GLUForecaster(3, context_length=16, season_length=1, transform=None, random_state=0)
    model.set_params(n_channels=4).fit(pd.Series(3.0 + np.sin(2 * np.pi * t / 7)))
    assert model.selection_ is None and model.spec_.members > 1
    for network in model.network_.members:
        distance = (network.skip.weight[:, 0].detach() - seasonal_naive_skip(network.spec)).abs()
        assert float(distance.max()) < 0.05
