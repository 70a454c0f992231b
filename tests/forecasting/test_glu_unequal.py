"""GLUForecaster on panels of unequal lengths: training crops stay inside each series."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gluts import GLUForecaster
from gluts.exceptions import DataError, InsufficientHistoryError
from gluts.forecasting.glu.origins import crop_starts
from gluts.forecasting.glu.training import TrainingPlan, train
from gluts.forecasting.glu.windows import prepare
from gluts.nn import GLUNetwork, NetworkSpec

TINY = dict(n_channels=4, n_blocks=2, head_hidden=8, batch_size=4, n_threads=1)


def _frame(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return pd.concat(
        [
            pd.DataFrame({"unique_id": f"s{i}", "ds": np.arange(n), "y": 10 + rng.random(n)})
            for i, n in enumerate(lengths)
        ],
        ignore_index=True,
    )


def _check_forecasts(model, lengths, h):
    out = model.predict(h)
    assert len(out) == len(lengths) * h
    assert out.groupby("unique_id").size().to_dict() == {f"s{i}": h for i in range(len(lengths))}
    assert np.isfinite(out.drop(columns=["unique_id", "ds"]).to_numpy()).all()


def test_one_long_series_among_many_short_ones_trains_and_forecasts_all():
    # issue 14: crops drawn over the long series' span held no origin of a short-series batch
    lengths = [2600] + [80] * 59
    model = GLUForecaster(horizon=13, random_state=0, n_steps=20, **TINY).fit(_frame(lengths))
    _check_forecasts(model, lengths, 13)


def test_crops_keep_origins_of_their_series_and_skip_unusable_ones():
    data = prepare([np.ones(n) for n in (100, 30, 5)], None, [], 100, "mean_abs", 1, 28)
    plan = TrainingPlan(
        n_steps=1, batch_size=4, window=40, learning_rate=1e-3, warm=10, validation=0,
        early_stopping=False,
    )  # fmt: skip
    usable, lows = crop_starts(data, plan, last=100 - 6, window=40, horizon=6)
    assert list(usable) == [0, 1]  # 5 values: no origin with 6 targets after it
    assert lows[0] == 0 and lows[1] == 70 + 10 - 40 + 2  # two origins of series 1 in its crop
    with pytest.raises(InsufficientHistoryError, match="needs at least 7 .* longest has 5"):
        crop_starts(prepare([np.ones(5)], None, [], 100, "mean_abs", 1, 28), plan, 94, 40, 6)


def test_a_batch_of_series_with_a_single_origin_trains():
    # every crop's only origin is its last position, whatever the phase
    lengths = [11 + 6] * 3  # warm 10, one origin, horizon 6
    data = prepare([np.arange(n, dtype=float) for n in lengths], None, [], 40, "mean_abs", 1, 28)
    spec = NetworkSpec(
        in_features=1, horizon=6, quantiles=(0.5,), context_length=8, season_length=1,
        n_channels=4, n_blocks=2, head_hidden=0, kernel_size=2, dilation_base=2,
        gate="sigmoid", dropout=0.0, use_weight_norm=True,
    )  # fmt: skip
    plan = TrainingPlan(
        n_steps=6, batch_size=3, window=40, learning_rate=1e-3, warm=10, validation=0,
        early_stopping=False,
    )  # fmt: skip
    history = train(GLUNetwork(spec), data, plan, np.random.default_rng(0), torch.device("cpu"))
    assert np.isfinite(history.train_loss).all() and max(history.train_loss) > 0


def test_too_short_everywhere_names_the_longest_series():
    with pytest.raises(InsufficientHistoryError, match=r"the longest series \('s1'\) has 9\."):
        GLUForecaster(horizon=6, n_steps=2, **TINY).fit(_frame([5, 9, 4]))


@settings(max_examples=15, deadline=None)
@given(
    lengths=st.lists(st.integers(3, 300), min_size=1, max_size=6),
    horizon=st.integers(1, 8),
    early_stopping=st.booleans(),
)
def test_any_mix_of_lengths_forecasts_every_series_or_says_why(lengths, horizon, early_stopping):
    model = GLUForecaster(
        horizon=horizon, random_state=0, n_steps=4, early_stopping=early_stopping, **TINY
    )
    model.set_params(n_channels=2, head_hidden=0, n_blocks=1)
    try:
        model.fit(_frame(lengths))
    except DataError as err:  # InsufficientHistoryError included
        message = str(err)
        assert "\n" not in message and "'s" in message, message  # names a series
        return
    # the forecast of series shorter than the context reads a left-extended history
    _check_forecasts(model, lengths, horizon)
