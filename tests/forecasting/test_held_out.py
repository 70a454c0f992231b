"""The windows EnsembleForecaster holds out: how many per series, where they lie, and the
members' forecasts and errors over several windows of one series."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gluts import EnsembleForecaster, MeanForecaster, NaiveForecaster
from gluts.data import ReadOptions
from gluts.forecasting._held_out import PANEL_WINDOWS, HeldOut, held_out_windows


def _panel(lengths, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": f"s{i}", "ds": np.arange(n), "y": rng.random(n)})
            for i, n in enumerate(lengths)
        ],
        ignore_index=True,
    )
    return ReadOptions().read(frame)


def test_a_panel_of_many_series_holds_out_one_window_each():
    counts = held_out_windows(np.full(PANEL_WINDOWS, 500), 10, 24)
    assert (counts == 1).all()


def test_one_long_series_holds_out_several_windows_within_a_fifth_of_it():
    assert held_out_windows(np.array([11520]), 96, 48).tolist() == [24]  # a fifth: 2,304 values
    assert held_out_windows(np.array([100_000]), 96, 48).tolist() == [PANEL_WINDOWS]
    # Too short to hold out a window; long enough for one but not for a fifth to hold one.
    assert held_out_windows(np.array([30, 40, 300]), 10, 24).tolist() == [0, 1, 6]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=12),
)
def test_windows_tile_each_series_end_after_its_histories(lengths, horizon):
    panel = _panel(lengths)
    counts = held_out_windows(panel.lengths, horizon, 8)
    assert ((counts == 0) == (panel.lengths - horizon < 8)).all()
    positions = np.flatnonzero(counts)
    if not len(positions):
        return
    held = HeldOut.split(panel.subset(positions), counts[positions], horizon)
    assert len(held.actual) == counts.sum() == len(held.owner)
    assert len(held.later) == counts.sum() - len(positions)
    histories = list(held.training.values) + list(held.later.values)
    for row, (owner, history) in enumerate(zip(held.owner, histories)):
        full = panel.values[positions[owner]]
        # The window follows its history directly, inside the series.
        np.testing.assert_array_equal(full[: len(history)], history)
        np.testing.assert_array_equal(held.actual[row], full[len(history) : len(history) + horizon])
        assert len(history) >= 8
    # A series' windows, with what it trains on, cover it exactly.
    for i, position in enumerate(positions):
        span = len(panel.values[position]) - len(held.training.values[i])
        assert span == counts[position] * horizon
    np.testing.assert_allclose(held.per_series(held.owner.astype(float)), np.arange(len(positions)))


def test_a_single_series_weights_come_from_all_its_windows():
    # A random walk with drift: Naive's error on each window grows with the step, Mean's
    # with the distance from the history's mean; both averaged over the 4 windows.
    rng = np.random.default_rng(0)
    values = np.cumsum(0.5 + rng.standard_normal(200))
    y = pd.Series(values, index=pd.RangeIndex(200))
    members = [("Naive", NaiveForecaster()), ("Mean", MeanForecaster())]
    model = EnsembleForecaster(10, forecasters=members, quantiles=None).fit(y)
    scale = np.abs(np.diff(values[:160])).mean()
    expected = {"Naive": [], "Mean": []}
    for end in (160, 170, 180, 190):
        window = values[end : end + 10]
        expected["Naive"].append(np.abs(window - values[end - 1]).mean() / scale)
        expected["Mean"].append(np.abs(window - values[:end].mean()).mean() / scale)
    errors = model.validation_errors_.iloc[0]
    for name, per_window in expected.items():
        assert errors[name] == pytest.approx(np.mean(per_window))
    assert model.weights_.iloc[0]["Naive"] > 0.9
