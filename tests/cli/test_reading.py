"""Reading user files: BOM, quoting, time zones, Parquet, column detection (see tests/data)."""

from __future__ import annotations

import importlib.util
import warnings

import pandas as pd
import pytest

from gluts._cli.reading import load_input
from gluts.exceptions import DataError, GlutsWarning


def write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_bom_and_quoted_fields(tmp_path):
    text = '\ufeffstore,ds,y\n"Paris, 1st",2024-01-01,1\n"Paris, 1st",2024-01-02,2\n'
    data = load_input(write(tmp_path, text, encoding="utf-8"))
    assert (data.id_col, data.time_col, data.targets) == ("store", "ds", ("y",))
    assert data.frame["store"].unique().tolist() == ["Paris, 1st"]


def test_mixed_utc_offsets_become_utc(tmp_path):
    text = "ds,y\n2024-03-31T00:00:00+01:00,1\n2024-03-31T01:00:00+01:00,2\n"
    text += "2024-03-31T03:00:00+02:00,3\n"
    data = load_input(write(tmp_path, text))
    times = data.frame["ds"]
    assert str(times.dt.tz) == "UTC"
    assert times.diff().dropna().eq(pd.Timedelta("1h")).all()


def test_one_utc_offset_is_kept(tmp_path):
    text = "ds,y\n2024-01-01T00:00:00+05:30,1\n2024-01-01T01:00:00+05:30,2\n"
    data = load_input(write(tmp_path, text))
    assert data.frame["ds"].iloc[0] == pd.Timestamp("2024-01-01T00:00:00+05:30")


def test_detects_wide_layout(tmp_path):
    text = "ds,a,b\n2024-01-01,1,2\n2024-01-02,3,\n2024-01-03,5,6\n"
    data = load_input(write(tmp_path, text))
    assert data.wide and data.targets == ("a", "b")
    long = data.long()
    assert list(long.columns) == ["unique_id", "ds", "y"]
    assert long.groupby("unique_id").size().to_dict() == {"a": 3, "b": 2}


def test_without_time_column_row_order_is_time(tmp_path):
    data = load_input(write(tmp_path, "id,y\na,1\nb,5\na,2\nb,6\n"))
    assert data.time_col is None
    long = data.long()
    assert long["step"].tolist() == [0, 0, 1, 1]


def test_named_columns_override_detection(tmp_path):
    text = "ds,temp,load\n2024-01-01,1,2\n2024-01-02,3,4\n"
    data = load_input(write(tmp_path, text), target_col="load")
    # one series picked from a wide table: outputs keep its name (issue 18, item 9)
    assert data.targets == ("load",) and data.wide
    assert data.long()["unique_id"].unique().tolist() == ["load"]
    covariate = load_input(write(tmp_path, text), covariates={"--covariates": ["temp"]})
    assert covariate.targets == ("load",) and not covariate.wide
    assert covariate.covariate_frame().columns.tolist() == ["ds", "temp"]


@pytest.mark.parametrize(
    ("text", "kwargs", "match"),
    [
        ("", {}, r"data.csv: the file is empty"),
        ("  \n", {}, r"data.csv: the file is empty"),
        ("ds,y\n", {}, r"data.csv: the file has a header \('ds', 'y'\) but no rows"),
        ("ds,name\n2024-01-01,a\n", {}, r"no numeric column .* columns are 'ds', 'name'"),
        ("ds,y\n2024-01-01,5%\n2024-01-02,7%\n", {}, r"\('y' holds text such as '5%'\)"),
        ("ds,y\n2024-01-01,1\n", {"target_col": "sales"}, r"no column 'sales' \(--target\)"),
        ("ds,y\n2024-01-01,1\n", {"id_col": "store"}, r"no column 'store' \(--id-col\)"),
        ("a,b,y\n2024-01-01,2024-01-02,1\n", {}, r"several datetime-like .* --time-col"),
        ("k,j,ds,y\nx,u,2024-01-01,1\n", {}, r"several non-numeric .* --id-col"),
        ("id,ds,y,z\na,2024-01-01,1,2\n", {}, r"several numeric .* 'id'.* --target"),
        # a wide table's empty column would be melted away: its series is named instead
        ("ds,a,b,c\n2024-01-01,1,,\n2024-01-02,2,,\n", {}, r"series 'b' has no values .*1 more"),
        (
            "ds,y\n2024-01-01,1\nlater,2\n",
            {"time_col": "ds"},
            r"column 'ds' .* not a time: 'later'",
        ),
        (
            "unique_id,ds,y\na,2024-01-01,1\na,2024-01-02,2\nb,2024-01-01,3\n",
            {"target_col": "unique_id"},
            r"--target column 'unique_id' holds text such as 'a', not numbers",
        ),
        # one impossible date: still the time column (not ids, one series per row)
        (
            "ds,y\n2024-01-01,1\n2024-01-02,2\n2024-02-30,3\n2024-01-04,4\n",
            {},
            r"column 'ds' .* not a time: '2024-02-30'",
        ),
        (
            "unique_id,ds,y\na,2024-01-01,1\na,2024-13-45,2\nb,2024-01-01,3\nb,2024-01-02,4\n",
            {"id_col": "unique_id"},
            r"column 'ds' .* not a time: '2024-13-45'",
        ),
    ],
)
def test_bad_files_raise_one_line_naming_the_culprit(tmp_path, text, kwargs, match):
    with pytest.raises(DataError, match=match) as info:
        load_input(write(tmp_path, text), **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="needs pyarrow")
def test_parquet_round_trip(tmp_path):
    path = tmp_path / "data.parquet"
    pd.DataFrame({"ds": pd.date_range("2024", periods=3, freq="D"), "y": [1.0, 2, 3]}).to_parquet(
        path
    )
    data = load_input(path)
    assert data.time_col == "ds" and data.targets == ("y",)


def _numbered(id_name: str = "store", ids=("007", "012")) -> str:
    rows = [f"{sid},2024-01-0{day},{day}.5" for sid in ids for day in (1, 2, 3)]
    return f"{id_name},date,sales\n" + "\n".join(rows) + "\n"


def test_numbered_series_ids_are_read_as_ids_and_said(tmp_path):
    """A long table with numbers for ids repeats every timestamp: the whole-number column
    that makes them unique names the series (one warning line), and "007" stays "007"."""
    with pytest.warns(GlutsWarning, match=r"data.csv: reading the whole-number column 'store'"):
        data = load_input(write(tmp_path, _numbered()), duplicates="error")
    assert (data.id_col, data.time_col, data.targets) == ("store", "date", ("sales",))
    assert data.frame["store"].unique().tolist() == ["007", "012"]


def test_numbered_ids_beside_whole_number_counts(tmp_path):
    # Counts can split the times as well as the ids do; the ids fill one run of rows each.
    rows = [f"{sid},{t},{sid * 10 + t % 3}" for sid in (1, 2, 3) for t in range(1, 9)]  # levels
    with pytest.warns(GlutsWarning, match="reading the whole-number column 'id'"):
        data = load_input(write(tmp_path, "id,ds,y\n" + "\n".join(rows) + "\n"))
    assert (data.id_col, data.time_col, data.targets) == ("id", "ds", ("y",))


def test_numbered_unique_id_column_needs_no_word(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_input(write(tmp_path, _numbered("unique_id")), duplicates="error")
    assert data.id_col == "unique_id" and data.targets == ("sales",)


def test_unique_id_of_other_numbers_is_the_id_column(tmp_path):
    # The documented id column holds 1.5 and 2.5: ids, not a second series of values.
    rows = [f"{sid},2024-01-0{day},{day}" for sid in ("1.5", "2.5") for day in (1, 2, 3)]
    data = load_input(write(tmp_path, "unique_id,ds,y\n" + "\n".join(rows) + "\n"))
    assert (data.id_col, data.targets) == ("unique_id", ("y",))
    assert data.frame["unique_id"].unique().tolist() == ["1.5", "2.5"]


def test_repeated_times_of_several_value_columns_suggest_an_id_column(tmp_path):
    # 'store' (1.5, 2.5) is read as a second value column, so the times repeat: the first
    # advice is --id-col (--duplicates would average two series).
    rows = [f"{sid},2024-01-0{day},{day}" for sid in ("1.5", "2.5") for day in (1, 2, 3)]
    path = write(tmp_path, "store,ds,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"names the series, pass it with --id-col; else merge"):
        load_input(path, duplicates="error")
    assert load_input(path, id_col="store").targets == ("y",)


def test_whole_number_series_with_unique_times_stay_wide(tmp_path):
    text = "ds,a,b\n2024-01-01,1,2\n2024-01-02,3,4\n2024-01-03,5,6\n2024-01-04,7,8\n"
    data = load_input(write(tmp_path, text))
    assert data.wide and data.id_col is None and data.targets == ("a", "b")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        # two whole-number columns could each split the times
        (
            "a,b,ds,y\n1,1,2024-01-01,0.5\n2,2,2024-01-01,0.5\n1,1,2024-01-02,0.5\n"
            "2,2,2024-01-02,0.5\n",
            r"several integer id columns \('a', 'b'\); choose one with --id-col",
        ),
        # a count column that leaves a timestamp repeated is no id: the repeat is named
        (
            "n,ds,y\n1,2024-01-01,0.5\n1,2024-01-01,0.7\n2,2024-01-02,0.5\n2,2024-01-03,0.5\n",
            r"repeated timestamp",
        ),
    ],
)
def test_unclear_numbered_ids_raise_one_line(tmp_path, text, match):
    with pytest.raises(DataError, match=match) as info:
        load_input(write(tmp_path, text), duplicates="error")
    assert "\n" not in str(info.value)


def test_statsforecast_long_table_with_step_numbers(tmp_path):
    # unique_id, ds, y with whole-number steps (the M4 files): ds is the time, not a series.
    text = "unique_id,ds,y\nH1,1,5.0\nH1,2,6.0\nH2,1,7.0\nH2,2,8.0\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_input(write(tmp_path, text))
    assert (data.id_col, data.time_col, data.targets) == ("unique_id", "ds", ("y",))
    assert data.frame["ds"].tolist() == [1, 2, 1, 2]


@pytest.mark.parametrize(
    ("first", "said"),
    [
        (1709251200, "Unix times in seconds"),
        (1709251200000, "Unix times in milliseconds"),
    ],
)
def test_unix_times_are_read_as_times_and_said(tmp_path, first, said):
    step = 3600 * (first // 1709251200)
    rows = "".join(f"{first + i * step},{i}.5,{i}\n" for i in range(3))
    with pytest.warns(
        GlutsWarning,
        match=rf"data.csv: reading the numbers in column 'timestamp' as {said} "
        r"\(2024-03-01 00:00:00 to 2024-03-01 02:00:00, UTC\)",
    ):
        data = load_input(write(tmp_path, "timestamp,load,errors\n" + rows))
    assert data.time_col == "timestamp" and data.targets == ("load", "errors")
    assert data.frame["timestamp"].tolist() == list(
        pd.date_range("2024-03-01", periods=3, freq="h")
    )


def test_yyyymmdd_numbers_are_dates_and_years_are_steps(tmp_path):
    with pytest.warns(GlutsWarning, match="as YYYYMMDD dates"):
        data = load_input(write(tmp_path, "date,y\n20240130,1\n20240131,2\n20240201,3\n"))
    assert data.frame["date"].tolist() == list(pd.date_range("2024-01-30", periods=3))
    data = load_input(write(tmp_path, "year,sales\n1990,1\n1991,2\n1992,3\n"))
    assert (data.time_col, data.targets) == ("year", ("sales",))
    assert data.frame["year"].tolist() == [1990, 1991, 1992]


def test_numbers_named_otherwise_stay_series(tmp_path):
    # Without a time-like name (or with fractions) a numeric column is a series.
    data = load_input(write(tmp_path, "count,y\n1709251200,1\n1709254800,2\n"))
    assert data.time_col is None and data.targets == ("count", "y")
    data = load_input(write(tmp_path, "time,y\n0.5,1\n1.5,2\n"))
    assert data.time_col is None and data.targets == ("time", "y")
