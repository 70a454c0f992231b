"""read_table: delimiters, encodings, thousands separators, Parquet, and one-line errors."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from gluts.data import read_table
from gluts.data.files import column_names
from gluts.exceptions import DataError

ROWS = [["id", "ds", "y"], ["a", "2024-01-01", "1.5"], ["a", "2024-01-02", "2.5"]]


def write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path, sep):
    path = write(tmp_path, "\n".join(sep.join(r) for r in ROWS) + "\n")
    frame = read_table(path)
    assert list(frame.columns) == ["id", "ds", "y"]
    assert frame["y"].tolist() == [1.5, 2.5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1"])
def test_encodings_are_detected(tmp_path, encoding):
    text = "store,ds,y\nMünchen,2024-01-01,1\nMünchen,2024-01-02,2\n"
    frame = read_table(write(tmp_path, text, encoding=encoding))
    assert list(frame.columns) == ["store", "ds", "y"]
    assert frame["store"].tolist() == ["München", "München"]


def test_quoted_fields_and_thousands_separators(tmp_path):
    text = 'store;ds;y\n"Paris; 1st";2024-01-01;"1,234.5"\n"Paris; 1st";2024-01-02;7\n'
    frame = read_table(write(tmp_path, text))
    assert frame["store"].unique().tolist() == ["Paris; 1st"]
    assert frame["y"].tolist() == [1234.5, 7.0]


def test_columns_a_writer_adds_without_a_header_are_left_out(tmp_path):
    frame = pd.DataFrame({"ds": ["2024-01-01", "2024-01-02", "2024-01-03"], "y": [1.0, 2, 3]})
    frame.to_csv(tmp_path / "indexed.csv")  # pandas writes its row labels first
    assert list(read_table(tmp_path / "indexed.csv").columns) == ["ds", "y"]
    frame.iloc[::-1].to_csv(tmp_path / "sorted.csv")  # labels 2, 1, 0
    assert read_table(tmp_path / "sorted.csv")["y"].tolist() == [3.0, 2.0, 1.0]
    trailing = write(tmp_path, "ds,y,\n2024-01-01,1,\n2024-01-02,2,\n", name="trailing.csv")
    assert list(read_table(trailing).columns) == ["ds", "y"]


def test_header_less_columns_that_hold_data_are_kept(tmp_path):
    # A header-less column of values other than row labels, or one that is not first.
    path = write(tmp_path, ",ds,\n1.5,2024-01-01,7\n2.5,2024-01-02,8\n")
    assert list(read_table(path).columns) == ["Unnamed: 0", "ds", "Unnamed: 2"]
    dates = write(tmp_path, ",y\n2024-01-01,1\n2024-01-02,2\n", name="dates.csv")
    assert list(read_table(dates).columns) == ["Unnamed: 0", "y"]


def test_dtype_applies_to_the_named_columns_only(tmp_path):
    text = "unique_id,ds,y\n1,2024-01-01,3\n1,2024-01-02,4\n"
    frame = read_table(write(tmp_path, text), dtype={"unique_id": str, "y": "float64", "x": int})
    assert frame["unique_id"].tolist() == ["1", "1"]
    assert frame["y"].dtype == np.float64


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"^data.csv: the file is empty\.$"),
        (b"  \n", r"^data.csv: the file is empty\.$"),
        (b"ds,y\n", r"^data.csv: the file has a header \('ds', 'y'\) but no rows\.$"),
        (b"PK\x03\x04\x00\x00binary", r"^data.csv: not a CSV file \(it holds binary data\)"),
        (b"a,b\n1,2\n3,4,5,6\n", r"^data.csv: not a readable CSV file \(.*fields.*\)\.$"),
        # pandas would rename the second 'a' to 'a.1', a series the file does not name
        (b"ds,a,a\n2024-01-01,1,2\n", r"^data.csv: the header names column 'a' twice; "),
        (b'ds;"a";a\n2024-01-01;1;2\n', r"^data.csv: the header names column 'a' twice; "),
    ],
)
def test_bad_files_raise_one_line_naming_the_file(tmp_path, content, match):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=match) as info:
        read_table(path)
    assert "\n" not in str(info.value)


def test_a_value_that_does_not_fit_dtype_names_the_file(tmp_path):
    path = write(tmp_path, "ds,y\n2024-01-01,high\n")
    with pytest.raises(DataError, match=r"^data.csv: not a readable CSV file"):
        read_table(path, dtype={"y": "float64"})


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is not None, reason="pyarrow present")
def test_parquet_without_pyarrow_says_what_to_install(tmp_path):
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(DataError, match=r"^data.parquet: .*pip install pyarrow"):
        read_table(path)


def test_parquet_round_trip_with_dtype(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.pq"
    frame = pd.DataFrame({"ds": pd.date_range("2024", periods=3, freq="D"), "y": [1, 2, 3]})
    frame.to_parquet(path)
    read = read_table(path, dtype={"y": "float64", "absent": str})
    pd.testing.assert_frame_equal(read, frame.astype({"y": "float64"}))


def test_unreadable_parquet_names_the_file(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"^data.parquet: not a readable Parquet file"):
        read_table(path)


def test_column_names_shows_eight_names_and_counts_the_rest():
    assert column_names(pd.DataFrame(columns=["ds", "y"])) == "'ds', 'y'"
    names = [f"c{k}" for k in range(10)]
    assert column_names(names) == ", ".join(repr(n) for n in names[:8]) + " and 2 more"


def test_decimal_commas_in_a_semicolon_file_are_read_as_numbers(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("datum;filiale;umsatz\n2024-01-01;A;101,4\n2024-01-02;A;-7,25\n")
    frame = read_table(path)
    assert frame["umsatz"].tolist() == [101.4, -7.25]


def test_a_decimal_point_anywhere_keeps_the_point(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("ds;a;b\n2024-01-01;1,234.5;3.5\n2024-01-02;2,000.0;4.5\n")
    frame = read_table(path)
    assert frame["a"].tolist() == [1234.5, 2000.0]


def test_decimal_can_be_given(tmp_path):
    path = tmp_path / "eu.tsv"
    path.write_text("ds\ty\n2024-01-01\t3,5\n2024-01-02\t4,5\n")
    assert read_table(path, decimal=".")["y"].tolist() == ["3,5", "4,5"]
    assert read_table(path, decimal=",")["y"].tolist() == [3.5, 4.5]


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz", ".zip"])
def test_compressed_csv_files_are_read(tmp_path, suffix):
    frame = pd.DataFrame({"store": ["a", "a"], "ds": ["2024-01-01", "2024-01-02"], "y": [1.5, 2]})
    path = tmp_path / f"sales{suffix}"
    frame.to_csv(path, sep=";", index=False)  # pandas compresses by the suffix
    pd.testing.assert_frame_equal(read_table(path), frame)


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("plain.csv.gz", r"plain.csv.gz: not a readable gz file"),
        ("data.json", r"data.json: gluts reads CSV and Parquet files, not JSON"),
        ("book.xlsx", r"book.xlsx: gluts reads CSV and Parquet files, not Excel"),
    ],
)
def test_other_formats_are_one_line_errors(tmp_path, name, match):
    path = write(tmp_path, "ds,y\n2024-01-01,1\n", name=name)
    with pytest.raises(DataError, match=match) as info:
        read_table(path)
    assert "\n" not in str(info.value)


def test_a_zip_of_several_files_is_refused(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.csv", "ds,y\n2024-01-01,1\n")
        archive.writestr("b.csv", "ds,y\n2024-01-01,2\n")
    with pytest.raises(DataError, match="two.zip: a zip file must hold one CSV file; it holds 2"):
        read_table(tmp_path / "two.zip")


def test_notes_above_the_header_are_skipped(tmp_path):
    text = "# exported by a dashboard\n#datatype,string,double\n\nds;y\n2024-01-01;1,5\n"
    frame = read_table(write(tmp_path, text))
    assert list(frame.columns) == ["ds", "y"] and frame["y"].tolist() == [1.5]


def test_a_commented_out_header_stays_the_header(tmp_path):
    frame = read_table(write(tmp_path, "#ds,y\n2024-01-01,1\n2024-01-02,2\n"))
    assert list(frame.columns) == ["#ds", "y"] and len(frame) == 2
