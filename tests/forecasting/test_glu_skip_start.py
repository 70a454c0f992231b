"""The GLU network's linear skip started from the data's least-squares map (issue 14)."""

import numpy as np
import pytest
import torch

from gluts.forecasting.glu.selection import _new_network
from gluts.forecasting.glu.skip_start import least_squares_skip
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
    network = _new_network(_spec(), 3, skip)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        built = GLUNetwork(_spec())
    for name, tensor in built.state_dict().items():
        if not name.startswith("skip."):
            torch.testing.assert_close(network.state_dict()[name], tensor)
    torch.testing.assert_close(network.skip.weight[:, 0], skip)
    assert _new_network(_spec(), 3, None) is None
