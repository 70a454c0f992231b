"""gluts.plot_forecast, plot_backtest and plot_anomalies: titles, legends, which series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import gluts
from gluts import (
    MADDetector,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    backtest,
    make_synthetic,
    plot_anomalies,
    plot_backtest,
    plot_forecast,
)
from gluts.exceptions import DataError
from gluts.plotting import SeriesChoice, choose_series, forecast_choice, match_series


@pytest.fixture(scope="module")
def panel8():
    """Eight hourly series (series_0 ... series_7) with injected anomalies."""
    frame = make_synthetic(n_series=8, length=300, n_anomalies=3, random_state=0)
    return frame[["unique_id", "ds", "y"]]


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def _assert_legend_outside(fig) -> None:
    """One figure legend, drawn clear of every panel; no legend inside a panel."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    assert len(fig.legends) == 1
    box = fig.legends[0].get_window_extent()
    for ax in fig.axes:
        assert ax.get_legend() is None
        assert not box.overlaps(ax.get_window_extent()), ax.get_title()


def _caption(fig) -> str:
    return fig.legends[0].get_title().get_text()


def test_the_plots_are_top_level_functions():
    for name in ("plot_forecast", "plot_backtest", "plot_anomalies"):
        assert name in gluts.__all__
        assert getattr(gluts, name) is getattr(gluts.plotting, name)


def test_plot_forecast_titles_and_legend(panel8):
    two = panel8[panel8["unique_id"].isin(["series_0", "series_1"])]
    model = SeasonalNaiveForecaster(quantiles=(0.025, 0.1, 0.5, 0.9, 0.975)).fit(two)
    fig = plot_forecast(model, 12)
    assert isinstance(fig, Figure)
    assert _titles(fig) == [
        "series series_0: 12-step forecast, SeasonalNaive, 80% and 95% intervals",
        "series series_1: 12-step forecast, SeasonalNaive, 80% and 95% intervals",
    ]
    _assert_legend_outside(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["observed", "SeasonalNaive forecast", "95% interval", "80% interval"]
    assert _caption(fig) == ""  # every series is shown


def test_plot_forecast_without_intervals_from_a_new_history(panel8):
    one = panel8[panel8["unique_id"] == "series_3"]
    model = NaiveForecaster(quantiles=None).fit(one.iloc[:200])
    fig = plot_forecast(model, 5, y=one)
    assert _titles(fig) == ["series series_3: 5-step forecast, Naive"]
    forecast_line = fig.axes[0].get_lines()[-1]
    assert forecast_line.get_xdata()[0] == one["ds"].iloc[-1] + pd.Timedelta("1h")
    assert np.allclose(forecast_line.get_ydata(), one["y"].iloc[-1])


def test_plot_forecast_shows_six_of_eight_least_certain(panel8):
    model = SeasonalNaiveForecaster(quantiles=(0.1, 0.5, 0.9)).fit(panel8)
    fig = plot_forecast(model, 24)
    shown = [t.split(":")[0].removeprefix("series ") for t in _titles(fig)]
    assert len(shown) == 6
    reason = "the widest 80% intervals relative to their typical step"
    assert _caption(fig) == f"6 of 8 series, those with {reason}"
    forecast = model.predict(24)
    bands = [(80.0, "SeasonalNaive-q0.1", "SeasonalNaive-q0.9")]
    expected = forecast_choice(panel8, forecast, "SeasonalNaive", bands)
    assert shown == list(expected.ids)
    _assert_legend_outside(fig)


def test_forecast_choice_ranks_interval_width_by_typical_step():
    t = np.arange(20)
    ids = [f"s{k}" for k in range(8)]
    steps = {sid: (10.0 if sid == "s4" else 1.0) for sid in ids}
    history = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, 20),
            "ds": np.tile(t, 8),
            "y": [steps[s] * v for s in ids for v in t],
        }
    )
    width = {sid: 1.0 for sid in ids} | {"s3": 10.0, "s4": 10.0, "s6": 5.0}
    forecast = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, 3),
            "ds": np.tile([20, 21, 22], 8),
            "M": 0.0,
            "M-q0.1": [-width[s] / 2 for s in ids for _ in range(3)],
            "M-q0.9": [width[s] / 2 for s in ids for _ in range(3)],
        }
    )
    choice = forecast_choice(history, forecast, "M", [(80.0, "M-q0.1", "M-q0.9")])
    # s3 (width 10, step 1) before s6 (5, 1); s4 (10, 10) ties with the rest: data order.
    assert choice.ids == ("s3", "s6", "s0", "s1", "s2", "s4")
    assert choice.notice("--plot-series") == (
        "Plotting 6 of 8 series, those with the widest 80% intervals relative to their "
        "typical step; choose others with --plot-series."
    )
    last = {sid: 19 * steps[sid] for sid in ids}
    moves = forecast.assign(M=[last[s] + 3 * (s == "s1") for s in ids for _ in range(3)])
    by_move = forecast_choice(history, moves[["unique_id", "ds", "M"]], "M")
    assert by_move.ids[0] == "s1"
    assert "largest moves from their last value" in by_move.reason


def test_plot_backtest_shows_the_best_models_largest_errors(panel8):
    result = backtest([NaiveForecaster(), SeasonalNaiveForecaster()], panel8, 24, n_windows=2)
    fig = plot_backtest(result)
    best = result.summary().index[0]
    mase = result.metrics[result.metrics["model"] == best].groupby("unique_id")["mase"].mean()
    expected = list(mase.sort_values(ascending=False, kind="stable").index[:6])
    titles = _titles(fig)
    assert titles[0] == "Mean MASE of each model over 8 series and 2 windows"
    assert [t.split(":")[0].removeprefix("series ") for t in titles[1:]] == expected
    sid = expected[0]
    assert titles[1] == (
        f"series {sid}: 2 backtest windows of 24 steps; MASE of {best} {mase[sid]:.3g}"
    )
    assert _caption(fig) == f"6 of 8 series, those with the largest MASE of the best model, {best}"
    _assert_legend_outside(fig)
    picked = plot_backtest(result, series=["series_2"])
    assert _titles(picked)[1].startswith("series series_2: ")
    assert len(picked.axes) == 2 and _caption(picked) == "1 of 8 series"


def test_plot_anomalies_titles_count_alerts_and_pick_the_most(panel8):
    train = panel8.groupby("unique_id").head(150)
    detector = MADDetector().fit(train)
    fig = plot_anomalies(detector, panel8)
    counts = detector.alerts(panel8)["unique_id"].value_counts()
    counts = counts.reindex(pd.unique(panel8["unique_id"]), fill_value=0)
    expected = list(counts.sort_values(ascending=False, kind="stable").index[:6])
    titles = _titles(fig)
    assert titles == [f"series {s}: {_n_alerts(counts[s])} by MADDetector" for s in expected]
    assert _caption(fig) == "6 of 8 series, those with the most alerts"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["observed", "alert", "training rows", "score"]
    _assert_legend_outside(fig)


def _n_alerts(n: int) -> str:
    return f"{n} alert{'s' * (int(n) != 1)}"


def test_plot_anomalies_on_a_wide_frame_with_windows():
    frame = make_synthetic(n_series=2, length=400, random_state=1)
    wide = frame.pivot(index="ds", columns="unique_id", values="y")
    detector = MADDetector().fit(wide.iloc[:150])
    windows = pd.DataFrame(
        {"unique_id": ["series_1"], "start": [wide.index[300]], "end": [wide.index[310]]}
    )
    fig = plot_anomalies(detector, wide, series=["series_1"], windows=windows)
    n = len(detector.alerts(wide).query("unique_id == 'series_1'"))
    assert _titles(fig)[0] == f"series series_1: {_n_alerts(n)} by MADDetector (1 labelled window)"
    fitted_only = plot_anomalies(detector)  # the fitted history: no training shading
    labels = [t.get_text() for t in fitted_only.legends[0].get_texts()]
    assert "training rows" not in labels


def test_unknown_series_is_named(panel8):
    model = NaiveForecaster().fit(panel8)
    one = plot_forecast(model, 3, series="series_1")  # one id, not its characters
    assert _titles(one) == ["series series_1: 3-step forecast, Naive, 80% interval"]
    with pytest.raises(DataError, match=r"there is no series 'store_9' \(series\); the series"):
        plot_forecast(model, 3, series=["series_1", "store_9"])


def test_match_series_takes_ids_text_and_comma_lists():
    ids = [3, 10, "a,b", "c"]
    assert match_series(ids, ["10,3", "a,b", "c", "3"]) == [10, 3, "a,b", "c"]
    with pytest.raises(
        DataError,
        match=r"there is no series 'x' \(--plot-series\); the series are 3, 10, 'a,b', 'c'\.",
    ):
        match_series(ids, ["c,x"], "--plot-series")


def test_choose_series_keeps_every_series_when_they_fit():
    assert choose_series(["a", "b"]) == SeriesChoice(("a", "b"), 2)
    chosen = choose_series(list("abcdefgh"), interest=[0, 5, np.nan, 5, 1, 0, 0, 9], reason="r")
    assert chosen.ids == ("h", "b", "d", "e", "a", "f")
    assert chosen.caption() == "6 of 8 series, those with r"
    assert choose_series(list("abcdefgh"), ["b"]).notice("--plot-series") is None


def test_plot_forecast_draws_what_predict_gives_with_covariates():
    from gluts import GLUForecaster

    ds = pd.date_range("2022-01-01", periods=130, freq="h")
    rng = np.random.default_rng(0)
    promo = (rng.random(130) < 0.2).astype(float)
    y = pd.DataFrame({"unique_id": "s", "ds": ds, "y": 20 + 8 * promo + rng.normal(0, 1, 130)})
    X = y[["unique_id", "ds"]].assign(promo=promo)
    params = dict(n_channels=4, n_blocks=2, context_length=24, n_steps=3, batch_size=4)
    model = GLUForecaster(6, random_state=0, n_threads=1, **params).fit(y.iloc[:124], X.iloc[:124])
    X_future = X.iloc[124:]
    fig = plot_forecast(model, 6, X_future=X_future)
    drawn = fig.axes[0].get_lines()[-1].get_ydata()
    assert np.allclose(drawn, model.predict(X_future=X_future)["GLU"].to_numpy())
    with pytest.raises(ValueError, match="h=7 exceeds horizon=6"):
        plot_forecast(model, 7, X_future=X_future)
