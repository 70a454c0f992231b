"""Training plan details: which forecast origins count, and how much."""

import math

import numpy as np
import pytest
import torch

from gluts.forecasting.glu.origins import origin_weights
from gluts.forecasting.glu.training import TrainingPlan, plan_training
from gluts.forecasting.glu.windows import SequenceData

from ..conftest import training_plan


def _data(loc: float, scale: float, length: int = 10, start: int = 2) -> SequenceData:
    full = np.full((1, length), 1.0)
    tensor = torch.zeros(1, length)
    return SequenceData(
        features=torch.zeros(1, 1, length),
        values=tensor,
        loc=tensor,
        scale=tensor + 1,
        offset=np.zeros(1),
        loc_raw=loc * full,
        scale_raw=scale * full,
        starts=np.array([start]),
    )


def test_origins_need_warm_up_history_and_targets_inside_training():
    weight = origin_weights(_data(10.0, 1.0), training_plan(), last=8, horizon=2)[0].numpy()
    usable = np.arange(10)
    usable = (usable >= 2 + 3) & (usable < 8)
    assert (weight[~usable] == 0).all() and (weight[usable] > 0).all()


def test_a_series_too_short_for_the_warm_up_keeps_its_last_horizon_origins():
    # a series of 5 values is too short for 3 of warm-up: it keeps its last 2 (horizon) origins
    weight = origin_weights(_data(10.0, 1.0, start=5), training_plan(), last=8, horizon=2)
    assert np.flatnonzero(weight[0].numpy()).tolist() == [6, 7]
    shorter = origin_weights(_data(10.0, 1.0, start=7), training_plan(), last=8, horizon=2)
    assert np.flatnonzero(shorter[0].numpy()).tolist() == [7]  # all it has


@pytest.mark.parametrize(
    ("loc", "scale", "log_values", "expected"),
    [
        (10.0, 5.0, False, 1.0 + 2.0 * 0.5),  # raw values: scale relative to the level
        (10.0, 50.0, False, 1.0 + 2.0 * 1.0),  # capped
        (3.0, 0.25, True, 1.0 + 2.0 * 0.25),  # log values: the scale is already relative
    ],
)
def test_relative_weight_counts_the_scale_relative_to_the_level(loc, scale, log_values, expected):
    plan = training_plan(relative_weight=2.0, log_values=log_values)
    weight = origin_weights(_data(loc, scale), plan, last=8, horizon=2)[0].numpy()
    assert weight[6] == pytest.approx(expected)


def _sized(lengths, **kwargs) -> TrainingPlan:
    base = dict(
        horizon=12,
        warm=20,
        window_length=256,
        batch_size=32,
        n_steps=None,
        learning_rate=1e-3,
        early_stopping=False,
        log_values=False,
    )
    return plan_training(np.asarray(lengths), **{**base, **kwargs})


def test_automatic_budget_grows_with_the_origins_and_is_clipped():
    small, large = _sized([100]), _sized([1000] * 400)
    assert small.n_steps == 50  # the floor
    assert large.n_steps == 2500  # the ceiling
    assert 50 < _sized([1000] * 20).n_steps < 2500
    assert _sized([1000] * 20, n_steps=7).n_steps == 7
    # origins enough for more than the largest budget: the model selection is skipped
    assert large.saturated and not _sized([1000] * 20).saturated
    assert _sized([1000] * 400, n_steps=7).saturated


def test_the_budget_counts_the_origins_of_series_too_short_for_the_warm_up():
    # 168 origins of the long series, and the last 12 (the horizon) of each 30-value one
    assert _sized([200] + [30] * 50).batch_size == math.ceil(2 * (168 + 50 * 12) / 188)
    assert _sized([200]).batch_size == 4  # 168 origins alone: the smallest batch


def test_validation_tail_only_with_early_stopping_and_small_panels_get_small_batches():
    assert _sized([300] * 4).validation == 0
    # about 256 validation origins in all (32 per series for 8), at most a fifth of a series
    assert _sized([1000] * 8, early_stopping=True).validation == 12 + 31
    assert _sized([300], early_stopping=True).validation == 12 + 300 // 5
    # the size selection aims for more targets: 128 per series here
    assert _sized([1000] * 8, early_stopping=True, validation_targets=1024).validation == 12 + 127
    assert _sized([60]).batch_size == 4
    assert _sized([60], log_values=True).relative_weight == 13.0


def test_a_resumed_run_continues_the_schedule_and_a_stopped_one_ends_early():
    from gluts.forecasting.glu.training import train
    from gluts.nn import GLUNetwork, NetworkSpec

    spec = NetworkSpec(1, 2, (0.5,), 4, 1, 4, 1, 2, 2, "sigmoid", 0.0, False)
    data = _data(10.0, 1.0, length=40, start=0)
    network, rng = GLUNetwork(spec), np.random.default_rng(0)
    plan = training_plan(n_steps=10, window=16, stop_at=4)
    cpu = torch.device("cpu")
    first = train(network, data, plan, rng, cpu)
    assert first.steps == 4 and len(first.train_loss) == 4
    rest = train(network, data, training_plan(n_steps=10, window=16, first_step=4), rng, cpu)
    assert rest.steps == 10 and len(rest.train_loss) == 6
