"""The pandas adapters: layouts in and out, regular grids, and one-line errors."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gluts.data import season_length_for, to_panel
from gluts.exceptions import DataError, GlutsWarning, InsufficientHistoryError


def _long(ids, n, freq="h", start="2021-01-01"):
    rows = []
    for k, sid in enumerate(ids):
        ds = pd.date_range(start, periods=n + k, freq=freq)
        rows.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": np.arange(n + k, dtype=float)}))
    return pd.concat(rows, ignore_index=True)


def test_series_with_datetime_index_round_trips_to_series():
    y = pd.Series(np.arange(5.0), index=pd.date_range("2020-01-01", periods=5, freq="D"), name="v")
    panel = to_panel(y)
    assert panel.ids == ["v"]
    assert panel.grid.season_length() == 7
    out = panel.format_forecast({"Naive": [np.full(2, 4.0)]}, 2)
    assert isinstance(out, pd.Series) and out.name == "v"
    assert list(out.index) == list(pd.date_range("2020-01-06", periods=2, freq="D"))


def test_period_index_future_is_periods():
    y = pd.Series(np.arange(6.0), index=pd.period_range("2000-01", periods=6, freq="M"))
    out = to_panel(y).format_forecast({"a": [np.zeros(3)], "b": [np.ones(3)]}, 3)
    assert isinstance(out.index, pd.PeriodIndex)
    assert str(out.index[0]) == "2000-07"
    assert list(out.columns) == ["a", "b"]


def test_integer_index_steps_and_future():
    y = pd.Series([1.0, 2.0, 3.0], index=[10, 20, 30])
    panel = to_panel(y)
    assert panel.grid.freq == 10
    assert list(panel.future_index(2)[0]) == [40, 50]


def test_long_frame_with_different_lengths_and_custom_names():
    df = _long(["a", "b"], 4).rename(columns={"unique_id": "id", "ds": "t", "y": "v"})
    panel = to_panel(df, id_col="id", time_col="t", target_col="v")
    assert panel.ids == ["a", "b"]
    assert list(panel.lengths) == [4, 5]
    out = panel.format_forecast({"m": [np.zeros(2), np.ones(2)]}, 2)
    assert list(out.columns) == ["id", "t", "m"]
    assert out.loc[out["id"] == "b", "t"].iloc[0] == pd.Timestamp("2021-01-01 05:00")


def test_unsorted_long_rows_are_sorted_per_series():
    df = _long(["a"], 5).sample(frac=1.0, random_state=0)
    np.testing.assert_array_equal(to_panel(df).values[0], np.arange(5.0))


def test_wide_frame_trims_leading_and_trailing_missing_values():
    idx = pd.date_range("2020-01-01", periods=4, freq="MS")
    wide = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [np.nan, 1.0, 2.0, np.nan]}, index=idx)
    panel = to_panel(wide)
    np.testing.assert_array_equal(panel.values[1], [1.0, 2.0])
    out = panel.format_forecast({"m": [np.zeros(1), np.ones(1)]}, 1)
    assert list(out.columns) == ["a", "b"]
    assert out.loc[pd.Timestamp("2020-05-01"), "a"] == 0.0
    assert out.loc[pd.Timestamp("2020-04-01"), "b"] == 1.0


def test_wide_quantile_columns_are_a_multiindex():
    wide = pd.DataFrame({"a": [1.0, 2, 3], "b": [4.0, 5, 6]})
    out = to_panel(wide).format_forecast({"m": [np.zeros(1)] * 2, "m-q0.1": [np.ones(1)] * 2}, 1)
    assert list(out.columns) == [("a", "m"), ("a", "m-q0.1"), ("b", "m"), ("b", "m-q0.1")]


@pytest.mark.parametrize(("shape", "out_shape"), [((6,), (2,)), ((6, 3), (2, 3))])
def test_arrays_come_back_as_arrays(shape, out_shape):
    panel = to_panel(np.ones(shape))
    out = panel.format_forecast({"m": [np.zeros(2)] * len(panel)}, 2)
    assert isinstance(out, np.ndarray) and out.shape == out_shape


def test_gaps_are_interpolated_with_a_warning_that_counts_them():
    df = _long(["a"], 6).drop(index=[2, 3])
    with pytest.warns(GlutsWarning, match=r"'a': 2 of 6\.$"):  # of the steps on the grid
        panel = to_panel(df)
    np.testing.assert_allclose(panel.values[0], np.arange(6.0))


def test_missing_error_policy_names_series_and_time():
    df = _long(["a"], 5)
    df.loc[3, "y"] = np.nan
    with pytest.raises(DataError, match=r"Series 'a' has 1 missing value\(s\), the first at 2021"):
        to_panel(df, missing="error")


def test_duplicate_timestamp_names_series_and_timestamp():
    df = pd.concat([_long(["a"], 3), _long(["a"], 1)], ignore_index=True)
    with pytest.raises(DataError, match=r"Series 'a' has a duplicate timestamp 2021-01-01 00:00"):
        to_panel(df)


def test_non_numeric_value_names_series_value_and_time():
    df = _long(["a", "b"], 3).astype({"y": object})
    df.loc[4, "y"] = "oops"
    with pytest.raises(DataError, match=r"Series 'b' has a non-numeric value 'oops' at 2021"):
        to_panel(df)


def test_infinite_value_names_series_and_time():
    df = _long(["a"], 3)
    df.loc[1, "y"] = np.inf
    with pytest.raises(DataError, match=r"Series 'a' has an infinite value inf at 2021-01-01 01"):
        to_panel(df)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_tuple_series_ids_are_refused_in_one_line(layout):
    ds = pd.date_range("2024-01-01", periods=4, freq="D")
    columns = pd.MultiIndex.from_tuples([("store", "a"), ("store", "b")])
    y = pd.DataFrame(np.ones((4, 2)), index=ds, columns=columns)
    if layout == "long":
        y = pd.DataFrame({"unique_id": [("store", "a")] * 4, "ds": ds, "y": 1.0})
    with pytest.raises(DataError, match=r"got the tuple \('store', 'a'\) .* join its levels"):
        to_panel(y)


def test_too_short_series_is_named():
    with pytest.raises(
        InsufficientHistoryError, match=r"Model needs at least 5 .* 'a' has 3"
    ) as info:
        to_panel(_long(["a"], 3), min_length=5, owner="Model")
    # the series and its need travel with the error, from worker processes too
    for error in (info.value, pickle.loads(pickle.dumps(info.value))):
        assert (str(error), error.series, error.needed) == (str(info.value), "a", 5)


def test_mixed_frequencies_name_both_series():
    df = pd.concat([_long(["a"], 5, freq="h"), _long(["b"], 5, freq="D")], ignore_index=True)
    with pytest.raises(DataError, match=r"series 'a' is 'h' but series 'b' is 'D'"):
        to_panel(df)


def test_off_grid_timestamp_is_named():
    ds = pd.to_datetime(
        [
            "2021-01-01 00:00",
            "2021-01-01 01:00",
            "2021-01-01 02:00",
            "2021-01-01 03:00",
            "2021-01-01 03:30",
        ]
    )
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(5.0)})
    with pytest.raises(DataError, match=r"Series 'a' has a timestamp 2021-01-01 03:30:00"):
        to_panel(df, freq="h")


def test_missing_column_is_named():
    df = _long(["a"], 3).drop(columns="y")
    with pytest.raises(DataError, match=r"no column 'y'"):
        to_panel(df)


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (_long(["a", "b"], 3).iloc[:0], r"got no series: the input is empty"),
        (
            pd.DataFrame(np.ones((3, 2)), pd.date_range("2021", periods=3), columns=["a", "a"]),
            r"wide frame has more than one column 'a'",
        ),
        (
            pd.concat([_long(["a"], 3), _long(["a"], 3)["y"]], axis=1),
            r"long frame has more than one column 'y'",
        ),
    ],
    ids=["empty long frame", "repeated wide column", "repeated target column"],
)
def test_empty_frames_and_repeated_columns_get_one_line_errors(frame, match):
    with pytest.raises(DataError, match=match) as info:
        to_panel(frame)
    assert "\n" not in str(info.value)


def test_all_missing_series_is_named():
    df = _long(["a", "b"], 3)
    df.loc[df["unique_id"] == "b", "y"] = np.nan
    with pytest.raises(DataError, match=r"Series 'b' has no observed values"):
        to_panel(df)


def test_unparseable_time_is_named():
    df = pd.DataFrame({"unique_id": "a", "ds": ["2021-01-01", "not a date"], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"Column 'ds' holds a value that is not a time: 'not a"):
        to_panel(df)


def test_monthly_series_with_a_gap_keeps_month_starts():
    ds = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-04-01", "2020-05-01"])
    with pytest.warns(GlutsWarning):
        panel = to_panel(pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2, 4, 5]}))
    np.testing.assert_allclose(panel.values[0], [1, 2, 3, 4, 5])
    assert panel.grid.season_length() == 12


def test_weekdays_with_a_holiday_missing_are_business_days():
    ds = pd.bdate_range("2024-01-01", periods=30).delete([4, 17])  # two holidays
    with pytest.warns(GlutsWarning, match="'a': 2"):
        panel = to_panel(pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(28.0)}))
    assert len(panel.values[0]) == 30 and panel.grid.season_length() == 5
    assert (panel.future_index(3)[0].day_of_week < 5).all()  # no weekend in the forecast
    # Daily rows that include a weekend day stay daily.
    daily = pd.date_range("2024-01-01", periods=30).delete([4, 17])
    with pytest.warns(GlutsWarning, match="'a': 2"):
        panel = to_panel(pd.DataFrame({"unique_id": "a", "ds": daily, "y": np.arange(28.0)}))
    assert panel.grid.season_length() == 7
    # Weekdays over a single weekend say too little: days, beside a daily series.
    rows = {"a": pd.to_datetime(["2024-01-04", "2024-01-05", "2024-01-09"]), "b": daily}
    frame = pd.concat([pd.DataFrame({"unique_id": k, "ds": v, "y": 1.0}) for k, v in rows.items()])
    with pytest.warns(GlutsWarning):
        assert to_panel(frame).grid.season_length() == 7


@pytest.mark.parametrize(
    ("freq", "season"), [("h", 24), ("30min", 48), ("D", 7), ("W-SUN", 52), ("MS", 12), ("QS", 4)]
)
def test_season_length_for_common_frequencies(freq, season):
    assert season_length_for(freq) == season


_ids = st.lists(
    st.one_of(st.text(min_size=1, max_size=5), st.integers(-5, 5)),
    min_size=1,
    max_size=4,
    unique_by=str,
).filter(lambda ids: len({type(i) for i in ids}) == 1)


@settings(max_examples=40, deadline=None)
@given(
    ids=_ids,
    freq=st.sampled_from(["h", "D", "MS", "15min", "W-MON"]),
    lengths=st.lists(st.integers(2, 12), min_size=4, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_long_round_trip_for_arbitrary_ids_and_frequencies(ids, freq, lengths, seed):
    rng = np.random.default_rng(seed)
    parts = []
    for sid, n in zip(ids, lengths):
        ds = pd.date_range("2019-03-01", periods=n, freq=freq)
        parts.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": rng.normal(size=n)}))
    df = pd.concat(parts, ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = to_panel(df).to_long()
    pd.testing.assert_frame_equal(back, df, check_dtype=False, check_index_type=False)


@settings(max_examples=30, deadline=None)
@given(
    n_series=st.integers(1, 4),
    n=st.integers(3, 20),
    freq=st.sampled_from(["h", "D", "MS"]),
    seed=st.integers(0, 2**16),
)
def test_wide_and_long_agree(n_series, n, freq, seed):
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2020-01-01", periods=n, freq=freq, name="ds")
    wide = pd.DataFrame(
        rng.normal(size=(n, n_series)), index=idx, columns=[f"s{j}" for j in range(n_series)]
    )
    long = wide.reset_index().melt(id_vars="ds", var_name="unique_id", value_name="y")
    from_wide, from_long = to_panel(wide), to_panel(long)
    assert from_wide.ids == from_long.ids
    for a, b in zip(from_wide.values, from_long.values):
        np.testing.assert_array_equal(a, b)
    forecast = {"m": [np.arange(3.0) + j for j in range(n_series)]}
    wide_out = from_wide.format_forecast(forecast, 3)
    long_out = from_long.format_forecast(forecast, 3)
    pivot = long_out.pivot(index="ds", columns="unique_id", values="m")
    np.testing.assert_array_equal(pivot.to_numpy(), wide_out.to_numpy())
