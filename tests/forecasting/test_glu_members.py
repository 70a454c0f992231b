"""GLUForecaster's averaged networks: several seeds of the chosen size on small data."""

import copy
import json
import pickle
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

import gluts
from gluts import GLUForecaster
from gluts.exceptions import DataError
from gluts.forecasting.glu.members import n_members, small_data_settings
from gluts.forecasting.glu.parameters import (
    LARGE_DATA_KERNEL,
    SMALL_DATA_DROPOUT,
    SMALL_DATA_KERNEL,
)
from gluts.forecasting.glu.training import TrainingPlan
from gluts.nn import CausalConv1d, GLUNetwork, NetworkAverage, build_network

TINY = dict(n_channels=4, n_blocks=2, head_hidden=8, context_length=16, n_threads=1)


def _panel(n_series=3, length=120, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    y = 10 + np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, (n_series, length))
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{k}" for k in range(n_series)], length),
            "ds": np.tile(t, n_series),
            "y": y.ravel(),
        }
    )


@pytest.fixture(scope="module")
def averaged():
    model = GLUForecaster(4, n_estimators=3, n_steps=20, transform=None, random_state=0, **TINY)
    return model.fit(_panel())


@pytest.fixture(scope="module")
def automatic():
    """The automatic budget on short series: several networks, with dropout."""
    return GLUForecaster(4, model_selection=None, random_state=0, **TINY).fit(_panel())


def _plan(n_steps: int, batch: int = 8, window: int = 1024) -> TrainingPlan:
    return TrainingPlan(n_steps, batch, window, 1e-3, warm=8, validation=0, early_stopping=False)


@pytest.mark.parametrize(
    ("n_steps", "batch", "length", "expected"),
    [
        (2500, 8, 5000, 1),  # the largest automatic fit
        (1000, 8, 5000, 2),  # 2.5 of them fit: rounded down
        (2500, 8, 400, 2),  # crops no longer than the series: 2.56
        (500, 8, 400, 5),  # 12.8, at most 5
        (2500, 4, 1024, 2),  # half the batch
        (50, 4, 60, 5),
    ],
)
def test_members_fill_the_work_of_the_largest_automatic_fit(n_steps, batch, length, expected):
    assert n_members(_plan(n_steps, batch), length) == expected


@pytest.mark.parametrize(
    ("dropout", "n_steps", "length", "expected"),
    [
        (None, None, 5000, 0.0),  # the largest automatic fit: one network, no dropout
        (None, None, 400, 0.0),  # two networks: not short enough
        (None, None, 256, SMALL_DATA_DROPOUT),  # four networks: short series, dropout
        (None, None, 60, SMALL_DATA_DROPOUT),
        (None, 20, 60, 0.0),  # a fixed budget is the network as configured
        (0.3, None, 5000, 0.3),  # a given dropout is kept
        (0.0, None, 60, 0.0),
    ],
)
def test_dropout_none_follows_the_size_of_the_data(dropout, n_steps, length, expected):
    params = {"dropout": dropout, "kernel_size": None, "n_steps": n_steps}
    assert small_data_settings(params, _plan(2500), length)["dropout"] == expected


@pytest.mark.parametrize(
    ("kernel_size", "n_steps", "length", "expected"),
    [
        (None, None, 5000, LARGE_DATA_KERNEL),  # the largest automatic fit
        (None, None, 400, LARGE_DATA_KERNEL),  # two networks: not short enough
        (None, None, 256, SMALL_DATA_KERNEL),  # four networks: fewer weights per block
        (None, 20, 60, LARGE_DATA_KERNEL),  # a fixed budget is the network as configured
        (5, None, 60, 5),  # a given kernel is kept
        (3, None, 60, 3),
    ],
)
def test_kernel_size_none_follows_the_size_of_the_data(kernel_size, n_steps, length, expected):
    params = {"dropout": None, "kernel_size": kernel_size, "n_steps": n_steps}
    assert small_data_settings(params, _plan(2500), length)["kernel_size"] == expected


def test_the_forecast_is_the_mean_of_the_members_forecasts(averaged):
    assert averaged.spec_.members == 3 and isinstance(averaged.network_, NetworkAverage)
    members = list(averaged.network_.members)
    assert all(
        isinstance(m, GLUNetwork) and m.spec == replace(averaged.spec_, members=1) for m in members
    )
    assert not np.allclose(members[0].skip.weight.detach(), members[1].skip.weight.detach())
    forecasts = []
    for member in members:
        alone = copy.copy(averaged)
        alone.network_ = member
        forecasts.append(alone.predict().drop(columns=["unique_id", "ds"]).to_numpy())
    together = averaged.predict().drop(columns=["unique_id", "ds"]).to_numpy()
    np.testing.assert_allclose(together, np.mean(forecasts, axis=0), rtol=1e-5, atol=1e-6)


def test_the_automatic_budget_averages_several_networks_on_small_data(automatic):
    assert automatic.spec_.members == 5 and len(automatic.network_.members) == 5
    assert automatic.dropout is None and automatic.spec_.dropout == SMALL_DATA_DROPOUT
    dropouts = [m for m in automatic.network_.modules() if isinstance(m, torch.nn.Dropout)]
    assert dropouts and all(m.p == SMALL_DATA_DROPOUT for m in dropouts)
    assert not any(m.training for m in automatic.network_.modules())  # none at prediction
    fixed = GLUForecaster(4, n_steps=20, random_state=0, **TINY).fit(_panel())
    assert fixed.spec_.members == 1 and isinstance(fixed.network_, GLUNetwork)
    assert fixed.spec_.dropout == 0.0 and fixed.spec_.kernel_size == LARGE_DATA_KERNEL
    assert automatic.kernel_size is None and automatic.spec_.kernel_size == SMALL_DATA_KERNEL
    convs = [m for m in automatic.network_.modules() if isinstance(m, CausalConv1d)]
    assert convs and all(m.kernel_size == (SMALL_DATA_KERNEL,) for m in convs)
    linear = GLUForecaster(4, encoder="none", model_selection=None, random_state=0, **TINY)
    assert linear.fit(_panel()).spec_.members == 1  # a convex fit: seeds agree


def test_an_automatic_dropout_saves_and_loads(automatic, tmp_path):
    automatic.save(tmp_path / "m.gluts")
    loaded = gluts.load(tmp_path / "m.gluts")
    assert loaded.dropout is None and loaded.kernel_size is None
    assert loaded.spec_ == automatic.spec_
    pd.testing.assert_frame_equal(loaded.predict(), automatic.predict())


def test_members_are_repeatable(averaged):
    again = GLUForecaster(**averaged.get_params()).fit(_panel())
    pd.testing.assert_frame_equal(again.predict(), averaged.predict())
    assert again.spec_ == averaged.spec_


def test_averaged_networks_save_load_and_pickle(averaged, tmp_path):
    averaged.save(tmp_path / "m.gluts")
    loaded = gluts.load(tmp_path / "m.gluts")
    assert loaded.spec_ == averaged.spec_ and isinstance(loaded.network_, NetworkAverage)
    pd.testing.assert_frame_equal(loaded.predict(), averaged.predict())
    unpickled = pickle.loads(pickle.dumps(averaged))
    pd.testing.assert_frame_equal(unpickled.predict(), averaged.predict())


def test_a_file_whose_members_disagree_with_its_parameters_is_named(averaged, tmp_path):
    averaged.save(tmp_path / "m.gluts")
    with zipfile.ZipFile(tmp_path / "m.gluts") as source:
        with zipfile.ZipFile(tmp_path / "bad.gluts", "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "meta.json":
                    meta = json.loads(data)
                    meta["params"]["n_estimators"] = 2
                    data = json.dumps(meta).encode()
                target.writestr(item, data)
    with pytest.raises(DataError, match="params.n_estimators"):
        gluts.load(tmp_path / "bad.gluts")


def test_a_single_network_refuses_a_spec_of_several(averaged):
    with pytest.raises(ValueError, match="spec.members is 3"):
        GLUNetwork(averaged.spec_)
    assert isinstance(build_network(averaged.spec_), NetworkAverage)


def test_averaging_leaves_the_global_torch_random_state_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    GLUForecaster(4, n_estimators=2, n_steps=5, random_state=0, **TINY).fit(_panel())
    assert torch.equal(torch.get_rng_state(), before)  # every member draws in its own RNG
