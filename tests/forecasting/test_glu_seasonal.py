"""The GLU's seasonal adjustment (``deseasonalize``): seasonal series are modelled divided by
their multiplicative indices, which multiply the forecasts back."""

import dataclasses
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import gluts
from gluts import GLUForecaster
from gluts.data import to_panel
from gluts.forecasting._seasonality import Deseasonalizer
from gluts.forecasting.glu import seasonal

TINY = dict(n_channels=4, n_blocks=2, head_hidden=8, context_length=24, n_steps=20, n_threads=1)
PATTERN = 1 + 0.4 * np.sin(2 * np.pi * np.arange(12) / 12)


def _wide(length: int = 96, seed: int = 0) -> pd.DataFrame:
    """Monthly columns: two multiplicative-seasonal series, a flat one, a short seasonal one
    (under three seasons: NaN before it starts) and a seasonal one crossing zero."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    season = PATTERN[t % 12]
    frame = pd.DataFrame(
        {
            "a": (20 + 0.1 * t) * season * np.exp(rng.normal(0, 0.02, length)),
            "b": 50 * season * np.exp(rng.normal(0, 0.02, length)),
            "flat": 30 + rng.normal(0, 0.3, length),
            "short": 10 * season * np.exp(rng.normal(0, 0.02, length)),
            "crossing": 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.2, length),
        },
        index=pd.period_range("2000-01", periods=length, freq="M"),
    )
    frame.loc[frame.index[: length - 30], "short"] = np.nan
    return frame


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.rename_axis("ds").reset_index().melt("ds", var_name="unique_id", value_name="y")
    return out.dropna()[["unique_id", "ds", "y"]]


def test_only_positive_series_found_seasonal_are_adjusted():
    frame = _wide()[["a", "b", "flat"]]
    model = GLUForecaster(4, random_state=0, **TINY).fit(_long(frame))
    assert model.seasonal_adjustment_ == "multiplicative"
    adjusted = dict(zip(model.series_ids_, model.seasonal_indices_, strict=True))
    assert {k for k, s in adjusted.items() if s is not None} == {"a", "b"}  # not "flat"
    expected = Deseasonalizer(frame["b"].to_numpy(), 12)
    assert expected.seasonal
    # counted from the end: index k belongs to the (k + 1)-th step after the series
    np.testing.assert_allclose(adjusted["b"], expected.future_indices(12))


@pytest.mark.parametrize("odd", ["short", "crossing"])
def test_a_series_that_cannot_be_adjusted_turns_it_off_for_the_panel(odd):
    """Under three seasons, or a value <= 0: the network sees every series unadjusted."""
    frame = _wide()[["a", "b", odd]]
    model = GLUForecaster(4, transform=None, random_state=0, **TINY).fit(frame)
    assert model.seasonal_adjustment_ is None
    assert model.seasonal_indices_ == [None, None, None]
    plain = GLUForecaster(4, transform=None, random_state=0, deseasonalize=None, **TINY)
    plain = plain.fit(frame)
    pd.testing.assert_frame_equal(model.predict(4), plain.predict(4))
    # new histories are forecast as the fit modelled its series: unadjusted
    long_enough = frame[["a", "b"]]
    pd.testing.assert_frame_equal(model.predict(4, y=long_enough), plain.predict(4, y=long_enough))


def test_indices_counted_from_the_end_align_any_tail():
    panel = to_panel(_long(_wide()))
    indices = seasonal.estimate(panel, 12, "multiplicative")
    full = seasonal.adjusted(panel, indices)
    tail = dataclasses.replace(
        panel, values=[y[-17:] for y in panel.values], index=[i[-17:] for i in panel.index]
    )
    for got, want in zip(seasonal.adjusted(tail, indices).values, full.values, strict=True):
        np.testing.assert_array_equal(got, want[-17:])
    flat = panel.ids.index("flat")
    np.testing.assert_array_equal(full.values[flat], panel.values[flat])
    # a pure seasonal pattern adjusts to about a constant, and a constant forecast restores it
    b = panel.ids.index("b")
    assert np.std(full.values[b]) < 0.1 * np.std(panel.values[b])
    [(point, quantiles)] = seasonal.restored([(np.ones(14), np.ones((14, 2)))], [indices[b]])
    phase = len(panel.values[b]) % 12
    np.testing.assert_allclose(point[:12], np.roll(PATTERN, -phase), rtol=0.05)
    np.testing.assert_array_equal(quantiles[:, 1], point)
    assert seasonal.estimate(panel, 12, None) == [None] * len(panel)


def test_forecasts_are_the_adjusted_model_times_the_indices():
    """The same fit as ``deseasonalize=None`` on the series divided by their indices, with the
    forecasts multiplied by the indices of their steps: the adjustment is all that changes."""
    y = _long(_wide()[["a", "b", "flat"]])
    model = GLUForecaster(6, random_state=0, **{**TINY, "transform": None}).fit(y)
    panel = to_panel(y)
    by_id = dict(zip(model.series_ids_, model.seasonal_indices_, strict=True))
    divided = seasonal.adjusted(panel, [by_id[k] for k in panel.ids])
    frame = pd.concat(
        pd.DataFrame({"unique_id": k, "ds": idx, "y": v})
        for k, idx, v in zip(panel.ids, panel.index, divided.values, strict=True)
    )
    plain = GLUForecaster(6, random_state=0, deseasonalize=None, **{**TINY, "transform": None})
    plain = plain.fit(frame)
    assert plain.seasonal_indices_ == [None] * len(panel)
    ours, theirs = model.predict(6), plain.predict(6)
    for k in model.series_ids_:
        s = by_id[k]
        factor = np.ones(6) if s is None else s[np.arange(6) % 12]
        got = ours[ours.unique_id == k]
        want = theirs[theirs.unique_id == k]
        for column in ("GLU", "GLU-q0.1", "GLU-q0.9"):
            np.testing.assert_allclose(got[column], want[column].to_numpy() * factor, rtol=1e-9)
    assert not np.allclose(ours.GLU, theirs.GLU)


def test_new_histories_are_adjusted_with_their_own_indices():
    frame = _wide()[["a", "b", "flat"]]
    model = GLUForecaster(12, random_state=0, **TINY).fit(frame)
    pd.testing.assert_frame_equal(model.predict(12, y=frame), model.predict(12))
    for cut in (0, 5):  # another phase at the end: the seasonal shape follows the new end
        history = frame.iloc[: len(frame) - cut]
        forecast = model.predict(12, y=history)["b"]["GLU"].to_numpy()
        expected = PATTERN[(len(history) + np.arange(12)) % 12]
        assert np.corrcoef(forecast, expected)[0, 1] > 0.95


def test_saved_model_keeps_the_indices_and_forecasts_the_same(tmp_path):
    frame = _wide()
    model = GLUForecaster(5, random_state=0, **TINY).fit(frame[["a", "b", "flat"]])
    path = tmp_path / "m.gluts"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("meta.json"))
        assert meta["seasonal"] == [0, 1]
        assert "seasonal/indices.npy" in archive.namelist()
    loaded = gluts.load(path)
    pd.testing.assert_frame_equal(loaded.predict(5), model.predict(5))
    for got, want in zip(loaded.seasonal_indices_, model.seasonal_indices_, strict=True):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_array_equal(got, want)


def test_files_from_before_the_adjustment_load_without_it(tmp_path):
    frame = _wide()[["a", "b"]]
    model = GLUForecaster(5, random_state=0, deseasonalize=None, **TINY).fit(frame)
    path = tmp_path / "old.gluts"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    meta = json.loads(entries["meta.json"])
    del meta["params"]["deseasonalize"], meta["seasonal"], meta["seasonal_adjustment"]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in {**entries, "meta.json": json.dumps(meta).encode()}.items():
            archive.writestr(name, data)
    loaded = gluts.load(path)
    assert loaded.seasonal_adjustment_ is None and loaded.seasonal_indices_ == [None, None]
    pd.testing.assert_frame_equal(loaded.predict(5), model.predict(5))
    pd.testing.assert_frame_equal(loaded.predict(5, y=frame), model.predict(5, y=frame))
