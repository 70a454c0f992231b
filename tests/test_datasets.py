"""Bundled datasets match their README, and make_synthetic is seeded and labels its anomalies."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gluts import list_datasets, load_dataset, make_synthetic

README = Path(__file__).resolve().parent.parent / "datasets" / "README.md"


def _readme_table() -> dict[str, dict[str, str]]:
    """The README's summary table, keyed by dataset name."""
    lines = [line for line in README.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return {row[0]: dict(zip(header, row)) for row in rows}


def test_readme_lists_exactly_the_bundled_datasets():
    assert set(_readme_table()) == set(list_datasets()["name"])


def test_list_datasets_columns_and_counts():
    listing = list_datasets()
    assert list(listing.columns) == ["name", "description", "frequency", "n_series", "n_rows"]
    for row in listing.itertuples():
        frame = load_dataset(row.name)
        assert (row.n_rows, row.n_series) == (len(frame), frame["unique_id"].nunique())


@pytest.mark.parametrize("name", sorted(_readme_table()))
def test_dataset_loads_and_matches_readme(name):
    stated = _readme_table()[name]
    frame = load_dataset(name)
    assert list(frame.columns) == ["unique_id", "ds", "y"]
    assert pd.api.types.is_datetime64_any_dtype(frame["ds"])
    assert frame["y"].dtype == np.float64
    assert not frame.isna().any().any()
    assert len(frame) == int(stated["rows"])
    assert frame["unique_id"].nunique() == int(stated["series"])
    first, last = stated["span"].split(" to ")
    assert frame["ds"].min() == pd.Timestamp(first)
    assert frame["ds"].max() == pd.Timestamp(last)
    frequency = list_datasets().set_index("name").loc[name, "frequency"]
    assert frequency == stated["frequency"]
    for uid, group in frame.groupby("unique_id"):
        grid = pd.date_range(group["ds"].iloc[0], periods=len(group), freq=frequency)
        assert (group["ds"].to_numpy() == grid.to_numpy()).all(), uid


def test_csv_files_are_small():
    for path in README.parent.glob("*.csv"):
        assert path.stat().st_size < 200_000, path.name


def test_unknown_dataset_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown dataset 'm5'; valid names are: .*elnino"):
        load_dataset("m5")


def test_make_synthetic_shape_and_columns():
    frame = make_synthetic(n_series=4, length=300, freq="D", season_length=7, random_state=1)
    assert list(frame.columns) == ["unique_id", "ds", "y", "is_anomaly"]
    assert frame.groupby("unique_id").size().tolist() == [300] * 4
    assert frame["y"].dtype == np.float64
    assert set(frame["is_anomaly"].unique()) == {0, 1}
    ds = frame.loc[frame["unique_id"] == "series_0", "ds"]
    expected = pd.date_range("2024-01-01", periods=300, freq="D")
    assert (ds.to_numpy() == expected.to_numpy()).all()


def test_make_synthetic_is_deterministic_for_an_int_seed():
    pd.testing.assert_frame_equal(make_synthetic(random_state=7), make_synthetic(random_state=7))
    assert not np.allclose(make_synthetic(random_state=7)["y"], make_synthetic(random_state=8)["y"])


def test_make_synthetic_labels_exactly_the_injected_steps():
    clean = make_synthetic(n_series=5, length=400, noise=0.0, n_anomalies=0, random_state=3)
    dirty = make_synthetic(n_series=5, length=400, noise=0.0, n_anomalies=4, random_state=3)
    assert clean["is_anomaly"].sum() == 0
    labelled = dirty["is_anomaly"].to_numpy() == 1
    np.testing.assert_array_equal(dirty["y"][~labelled], clean["y"][~labelled])
    deviation = (dirty["y"] - clean["y"]).abs()
    spread = clean.groupby("unique_id")["y"].transform(lambda y: y.max() - y.min())
    # Every injected step lies far outside the clean signal's own seasonal swing.
    assert (deviation[labelled] > 0.5 * spread[labelled]).all()
    # Four anomalies per series, never touching: four runs of labelled steps per series.
    for _, group in dirty.groupby("unique_id"):
        starts = np.diff(np.r_[0, group["is_anomaly"].to_numpy()]) == 1
        assert starts.sum() == 4
        assert group["is_anomaly"].iloc[:48].sum() == 0  # none in the first two seasons


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_series": 0}, "'n_series' parameter of make_synthetic must be an int >= 1. Got 0"),
        ({"length": 2.5}, "'length' parameter .* int >= 2. Got 2.5"),
        ({"season_length": 0}, "'season_length' .* int >= 1"),
        ({"n_anomalies": -1}, "'n_anomalies' .* int >= 0"),
        ({"noise": -0.1}, "'noise' .* finite float >= 0.0. Got -0.1"),
        ({"trend": float("nan")}, "'trend' .* finite float. Got nan"),
        ({"length": 50, "n_anomalies": 3}, "length >= 2 \\* season_length .* = 60. Got length=50"),
        ({"freq": "fortnight"}, "cannot build a time grid .*freq='fortnight'"),
        ({"start": "not a date"}, "cannot build a time grid from start='not a date'"),
    ],
)
def test_make_synthetic_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_synthetic(**kwargs)


def test_make_synthetic_default_panels_are_unchanged_by_the_new_kinds():
    # values of this seeded panel before anomaly_kinds existed
    frame = make_synthetic(n_series=2, length=300, random_state=11)
    assert frame["is_anomaly"].sum() == 60
    expected = [16.160546, 21.502732, 23.360632, 57.215278]
    assert frame["y"].round(6).iloc[[0, 100, 299, 599]].tolist() == expected


def _one_kind(kind):
    kwargs = dict(n_series=3, length=600, noise=0.0, n_anomalies=4, random_state=7)
    dirty = make_synthetic(**kwargs, anomaly_kinds=(kind,))
    clean = make_synthetic(**{**kwargs, "n_anomalies": 0})
    return dirty, clean


@pytest.mark.parametrize(
    "kind", ["spike", "dip", "level_shift", "dropout", "variance_burst", "stuck", "trend_change"]
)
def test_each_anomaly_kind_changes_exactly_its_labelled_steps_as_described(kind):
    from gluts.datasets import ANOMALY_KINDS

    assert kind in ANOMALY_KINDS
    dirty, clean = _one_kind(kind)
    labelled = dirty["is_anomaly"].to_numpy() == 1
    np.testing.assert_array_equal(dirty["y"][~labelled], clean["y"][~labelled])
    for _, group in dirty.groupby("unique_id"):
        flags = group["is_anomaly"].to_numpy()
        starts = np.flatnonzero(np.diff(np.r_[0, flags]) == 1)
        ends = np.flatnonzero(np.diff(np.r_[flags, 0]) == -1)
        assert len(starts) == 4
        base = clean.loc[group.index, "y"].to_numpy()
        y = group["y"].to_numpy()
        swing = np.ptp(base[:24])  # one season's swing: 2.3 to 2.6 amplitudes
        for a, b in zip(starts, ends + 1):
            d = y[a:b] - base[a:b]
            if kind == "spike":
                assert b - a == 1 and abs(d[0]) > 1.5 * swing
            elif kind == "dip":
                assert b - a >= 2 and (d < 0).all() and d.min() < -0.9 * swing
            elif kind == "level_shift":
                assert np.allclose(d, d[0]) and abs(d[0]) > 1.1 * swing
            elif kind == "dropout":
                assert (y[a:b] == 0).all()
            elif kind == "variance_burst":
                assert b - a >= 6 and d.std() > 0.2 * swing
            elif kind == "stuck":
                assert b - a >= 6 and (y[a:b] == y[a - 1]).all()
            else:  # trend_change: a straight ramp
                assert b - a >= 6 and abs(d[-1]) > 1.1 * swing
                np.testing.assert_allclose(d, d[-1] * np.arange(1, b - a + 1) / (b - a))


def test_make_synthetic_names_an_unknown_anomaly_kind():
    with pytest.raises(ValueError, match=r"has no anomaly kind 'tsunami'; choose from"):
        make_synthetic(anomaly_kinds=("spike", "tsunami"))
    with pytest.raises(ValueError, match=r"'anomaly_kinds' parameter .* non-empty tuple"):
        make_synthetic(anomaly_kinds="spike")
