"""align_covariates: every layout of X lines up with the series; bad X gets one-line errors."""

import numpy as np
import pandas as pd
import pytest

from gluts.data import align_covariates, to_panel
from gluts.exceptions import DataError


def _panel(n=5):
    ds = pd.date_range("2021-03-01", periods=n, freq="D")
    long = pd.DataFrame(
        {"unique_id": np.repeat(["a", "b"], n), "ds": np.tile(ds, 2), "y": np.arange(2.0 * n)}
    )
    return to_panel(long)


def _long_x(n=7, extra=None):
    ds = pd.date_range("2021-03-01", periods=n, freq="D")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], n),
            "ds": np.tile(ds, 2),
            "price": np.arange(2.0 * n),
            "promo": np.tile([0, 1], n),
        }
    )
    return frame if extra is None else frame.assign(**extra)


def test_long_x_is_looked_up_per_series_and_timestamp():
    panel = _panel()
    X = _long_x().sample(frac=1.0, random_state=0)  # row order must not matter
    names, values = align_covariates(X, panel, panel.index)
    assert names == ["price", "promo"]
    np.testing.assert_array_equal(values[0][:, 0], np.arange(5.0))
    np.testing.assert_array_equal(values[1][:, 0], 7 + np.arange(5.0))
    np.testing.assert_array_equal(values[1][:, 1], [1, 0, 1, 0, 1])


def test_future_steps_and_a_chosen_subset_of_columns():
    panel = _panel()
    names, values = align_covariates(_long_x(), panel, panel.future_index(2), names=["promo"])
    assert names == ["promo"]
    np.testing.assert_array_equal(values[0][:, 0], [1, 0])


def test_a_time_indexed_frame_is_shared_by_every_series_and_the_target_is_not_a_covariate():
    panel = _panel()
    shared = pd.DataFrame(
        {"temp": np.arange(6.0), "y": 0.0}, index=pd.date_range("2021-03-01", periods=6)
    )
    names, values = align_covariates(shared, panel, panel.index)
    assert names == ["temp"]
    np.testing.assert_array_equal(values[0], values[1])
    series = pd.Series(np.arange(6.0), index=shared.index, name="temp")
    assert align_covariates(series, panel, panel.future_index(1))[1][0].tolist() == [[5.0]]


def test_arrays_line_up_by_position():
    panel = to_panel(np.arange(12.0).reshape(6, 2))
    names, values = align_covariates(np.ones((6, 3)), panel, panel.index)
    assert names == ["x0", "x1", "x2"] and values[1].shape == (6, 3)
    with pytest.raises(DataError, match="X has 5 rows; the series need 6"):
        align_covariates(np.ones(5), panel, panel.index)


def test_period_and_integer_time():
    months = pd.Series(np.arange(4.0), index=pd.period_range("2020-01", periods=4, freq="M"))
    panel = to_panel(months)
    X = pd.DataFrame(
        {"x": [1.0, 2, 3, 4, 5]}, index=pd.date_range("2020-01-01", periods=5, freq="MS")
    )
    assert align_covariates(X, panel, panel.future_index(1))[1][0].tolist() == [[5.0]]
    steps = to_panel(pd.Series(np.arange(3.0)))
    X = pd.DataFrame({"x": [7.0, 8, 9]})
    assert align_covariates(X, steps, steps.index)[1][0][:, 0].tolist() == [7.0, 8.0, 9.0]


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (_long_x(n=4), r"X has no row for series 'a' at 2021-03-05"),
        (_long_x().query("unique_id == 'a'"), r"X has no rows for series 'b'"),
        (
            _long_x(extra={"promo": "yes"}),
            r"X has the non-numeric value 'yes' in column 'promo' for series 'a' at 2021-03-01",
        ),
        (
            _long_x().assign(price=lambda f: f["price"].where(f.index != 9)),
            r"X has a missing value in column 'price' for series 'b' at 2021-03-03",
        ),
        (
            pd.concat([_long_x(), _long_x().iloc[[3]]]),
            r"duplicate rows for series 'a' at 2021-03-04",
        ),
        (_long_x().drop(columns="ds"), r"has the id column 'unique_id' but no time column 'ds'"),
        (_long_x()[["unique_id", "ds"]], r"X has no covariate column"),
    ],
)
def test_bad_covariates_get_one_line_errors(X, message):
    panel = _panel()
    with pytest.raises(DataError, match=message) as info:
        align_covariates(X, panel, panel.index)
    assert "\n" not in str(info.value)


def test_a_missing_named_column_is_named():
    panel = _panel()
    with pytest.raises(DataError, match=r"X_future has no column 'promo'"):
        align_covariates(
            _long_x().drop(columns="promo"), panel, panel.index, names=["promo"], label="X_future"
        )
