"""The GLU forecaster's automatic context, chosen on the training data's held-out tail
(issue 14, item 2: "a short panel must not lose to its own linear skip")."""

import numpy as np
import pandas as pd
import pytest

import gluts
from gluts import GLUForecaster
from gluts.exceptions import DataError
from gluts.forecasting.glu.context import choose_context, shorter_contexts
from gluts.forecasting.glu.trials import Trial

from .test_glu_selection import _rewrite_selection

FAST = dict(n_channels=8, head_hidden=16, n_steps=30, n_threads=1)


def _short_daily_panel(seed: int = 0) -> pd.DataFrame:
    """Five daily series of 60-200 values with a weekly cycle (a few stores' sales)."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(5):
        n = int(rng.integers(60, 200))
        y = 30 + 20 * np.sin(2 * np.pi * np.arange(n) / 7) + 5 * rng.standard_normal(n)
        ds = pd.date_range("2024-01-01", periods=n, freq="D")
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def fitted():
    """The defaults (a few seconds here): the search needs a trained network to measure."""
    return GLUForecaster(7, random_state=0, n_threads=1).fit(_short_daily_panel())


def test_the_halvings_stop_at_twice_the_horizon():
    assert shorter_contexts(89, 7) == [44, 22, 14]
    assert shorter_contexts(336, 96) == [192]
    assert shorter_contexts(30, 7) == [15, 14]
    assert shorter_contexts(16, 8) == []


def test_the_halvings_are_tried_until_one_is_not_measurably_better(fitted):
    selection = fitted.selection_
    tried = [int(c) for c in selection.context_scores]
    automatic = max(14, min(14 * 7, 336, 179 // 2))  # the panel's longest series has 179
    halvings = shorter_contexts(automatic, 7)
    assert tried == [automatic, *halvings][: len(tried)] and len(tried) >= 2
    chosen = selection.context_length
    assert chosen == tried[-2] or chosen == tried[-1] == halvings[-1]
    assert fitted.spec_.context_length == chosen


def test_a_short_panel_chooses_a_shorter_context_than_the_automatic_one(fitted):
    """Measured on six such panels (backtests of 3 windows of 7 days, mean MASE): 0.934 with
    the automatic context, 0.822 with the one chosen on the seasonal-naive start, 0.798 with
    the better of both starts."""
    assert fitted.selection_.context_length < max(int(c) for c in fitted.selection_.context_scores)


def test_a_context_set_by_the_user_is_not_searched():
    model = GLUForecaster(7, random_state=0, context_length=40, **FAST)
    model.fit(_short_daily_panel())
    assert model.selection_.context_length is None and model.selection_.context_scores == {}
    assert model.spec_.context_length == 40


def test_the_search_is_repeatable(fitted):
    again = GLUForecaster(7, random_state=0, n_threads=1).fit(_short_daily_panel())
    assert again.selection_ == fitted.selection_
    pd.testing.assert_frame_equal(again.predict(), fitted.predict())


def test_the_chosen_context_saves_and_loads(fitted, tmp_path):
    fitted.save(tmp_path / "m.gluts")
    loaded = gluts.load(tmp_path / "m.gluts")
    assert loaded.selection_ == fitted.selection_ and loaded.spec_ == fitted.spec_
    pd.testing.assert_frame_equal(loaded.predict(), fitted.predict())


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"context_length": 1}, r"selection\.context_length must be an int in \[2"),
        ({"context_length": "14"}, r"selection\.context_length must be"),
        ({"context_scores": {"x": 0.3}}, r"selection\.context_scores must be"),
        ({"context_scores": {"14": float("nan")}}, r"selection\.context_scores must be"),
        ({"context_length": 60}, r"params\.context_length must be spec\.context_length"),
    ],
)
def test_a_tampered_context_is_named(fitted, tmp_path, changes, message):
    fitted.save(tmp_path / "m.gluts")
    _rewrite_selection(tmp_path / "m.gluts", tmp_path / "bad.gluts", **changes)
    with pytest.raises(DataError, match=message):
        gluts.load(tmp_path / "bad.gluts")


def test_a_model_file_from_before_the_context_search_loads(tmp_path):
    """Files written before the search have none of its fields: their context is the spec's."""
    model = GLUForecaster(7, random_state=0, context_length=28, **FAST)
    model.fit(_short_daily_panel())
    model.save(tmp_path / "m.gluts")
    drop = ("context_length", "context_scores", "start")
    _rewrite_selection(tmp_path / "m.gluts", tmp_path / "old.gluts", drop=drop)
    loaded = gluts.load(tmp_path / "old.gluts")
    assert loaded.selection_.context_length is None and loaded.spec_.context_length == 28
    pd.testing.assert_frame_equal(loaded.predict(), model.predict())


class _ScriptedRunner:
    """Stands in for a TrialRunner: each trial's held-out losses come from ``losses(context,
    start)``, and every call is recorded."""

    sizes = dict(season_length=7, longest=179, quantiles=(0.1, 0.5, 0.9), in_features=1, n_future=0)

    def __init__(self, losses):
        self.losses, self.calls = losses, []

    def __call__(self, candidate, skip):
        start = "network" if skip is None else "network_lsq"
        self.calls.append((candidate["context_length"], start))
        losses = self.losses(candidate["context_length"], start)
        return Trial(None, float(losses.mean()), 0, losses)


_BLOCKS = np.arange(40) // 2  # twenty blocks of two held-out origins
_NOISE = 0.01 * np.random.default_rng(0).standard_normal(40)


def test_a_context_is_chosen_on_its_better_start():
    """From the least-squares map the network is measurably better at every context, more so
    at 44 and no better at 22: 44 is chosen, where the seasonal-naive start (level at every
    context) would have kept 89. Both starts are trained at 89 only."""

    def losses(context, start):
        if start == "network":
            return 1.0 + _NOISE
        return (0.8 if context <= 44 else 0.9) + _NOISE

    run = _ScriptedRunner(losses)
    params = {**GLUForecaster(7).get_params(), "context_length": None}
    context, tried, _ = choose_context(run, params, _BLOCKS, lambda candidate: np.zeros(1))
    assert context == 44
    assert run.calls == [
        (89, "network"),
        (89, "network_lsq"),
        (44, "network_lsq"),
        (22, "network_lsq"),
    ]
    assert tried[44]["network_lsq"].score == pytest.approx(0.8 + _NOISE.mean())


@pytest.mark.parametrize("lsq_gain, start", [(0.05, "network_lsq"), (-0.05, "network")])
def test_the_starts_are_compared_at_the_first_context_with_a_least_squares_map(lsq_gain, start):
    """The map needs four origins per context value: here it exists from 22 down. Both
    starts are trained there, and the measurably better one alone at 14."""

    def losses(context, name):
        gain = lsq_gain if name == "network_lsq" else 0.0
        return 1.0 - 0.1 * (89 // context) - gain + _NOISE  # each halving measurably better

    def skip_at(candidate):
        return np.zeros(1) if candidate["context_length"] <= 22 else None

    run = _ScriptedRunner(losses)
    params = {**GLUForecaster(7).get_params(), "context_length": None}
    context, tried, start_found = choose_context(run, params, _BLOCKS, skip_at)
    assert context == 14
    expected = [(89, "network"), (44, "network"), (22, "network"), (22, "network_lsq")]
    assert run.calls == [*expected, (14, start)]
    assert start_found == start


def test_starts_within_noise_of_each_other_are_both_trained_at_every_context():
    """Neither start is measurably better at any context (the differences change sign from
    block to block), so both are trained at each; 44 is measurably better than 89."""
    flip = np.where(_BLOCKS % 2 == 0, 0.01, -0.01)

    def losses(context, start):
        level = 0.8 if context == 44 else 1.0
        return level + (flip if start == "network_lsq" else 0.0) + _NOISE

    run = _ScriptedRunner(losses)
    params = {**GLUForecaster(7).get_params(), "context_length": None}
    context, _, start_found = choose_context(run, params, _BLOCKS, lambda candidate: np.zeros(1))
    assert context == 44
    assert run.calls == [(c, s) for c in (89, 44, 22) for s in ("network", "network_lsq")]
    assert start_found is None


def test_the_chosen_context_reuses_its_trials(fitted):
    """Each start trained at the chosen context is one of the candidates, not trained again:
    the context's score is the better of their scores."""
    selection = fitted.selection_
    starts = [
        selection.scores[name] for name in ("network", "network_lsq") if name in selection.scores
    ]
    assert selection.context_scores[str(selection.context_length)] == min(starts)
