"""Hostile model files and saving (issue 16): nothing in a file is trusted before it is checked.

A hostile file fails fast (well under a second) with one DataError line naming the file and
the field, before any large read or allocation; ``save`` writes numpy values faithfully and
atomically.
"""

from __future__ import annotations

import io
import json
import os
import stat
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import gluts
from gluts import GLUForecaster
from gluts.cli import app
from gluts.exceptions import DataError

from .corpus import seasonal

TINY = dict(n_channels=4, n_blocks=2, n_steps=3, batch_size=4, context_length=24, n_threads=1)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A small model file, its entries and the data it was fitted on."""
    y = seasonal(2, 120)
    path = tmp_path_factory.mktemp("good") / "model.gluts"
    GLUForecaster(3, random_state=0, **TINY).fit(y).save(path)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    return path, entries, y


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _edit(entries, section=None, **changes) -> bytes:
    meta = json.loads(entries["meta.json"])
    target = meta if section is None else meta[section]
    target.update(changes)
    return _zip({**entries, "meta.json": json.dumps(meta).encode()})


def _weight(entries) -> str:
    return next(n for n in entries if n.startswith("weights/") and n.endswith("weight.npy"))


def _nan_weight(entries) -> bytes:
    name = _weight(entries)
    array = np.load(io.BytesIO(entries[name])).copy()
    array.flat[0] = np.nan
    return _zip({**entries, name: _npy(array)})


BIG = 20 << 20  # over every limit, compresses to a few KB
HOSTILE = {
    "huge_horizon": (lambda e: _edit(e, "spec", horizon=2_000_000), "spec.horizon"),
    "huge_kernel": (lambda e: _edit(e, "spec", kernel_size=5_000_000), "spec.kernel_size"),
    "huge_channels": (lambda e: _edit(e, "spec", n_channels=10**9), "spec.n_channels"),
    "season_zero": (lambda e: _edit(e, "spec", season_length=0), "spec.season_length"),
    "season_string": (lambda e: _edit(e, season_length="12"), "season_length"),
    "params_horizon": (lambda e: _edit(e, "params", horizon=7), "params.horizon"),
    "device_cuda1": (lambda e: _edit(e, "params", device="cuda:1"), "device"),
    "device_meta": (lambda e: _edit(e, "params", device="meta"), "device"),
    "quantile_two": (lambda e: _edit(e, "params", quantiles=[0.1, 0.5, 2.0]), "quantiles"),
    "alias_escape": (lambda e: _edit(e, "params", alias="\x1b[31mX"), "params.alias"),
    "nan_weight": (_nan_weight, "NaN"),
    "meta_bomb": (
        lambda e: _zip({**e, "meta.json": e["meta.json"][:-1] + b" " * BIG + b"}"}),
        "meta.json declares",
    ),
    "array_bomb": (
        lambda e: _zip({**e, "values/0.npy": _npy(np.zeros(BIG // 8))}),
        "values/0.npy is too large",
    ),
    "weight_shape": (
        lambda e: _zip({**e, _weight(e): _npy(np.zeros((3, 3), np.float32))}),
        "of shape",
    ),
    "missing_weight": (
        lambda e: _zip({k: v for k, v in e.items() if k != _weight(e)}),
        "entry 'weights/",
    ),
    "seasonal_position": (lambda e: _edit(e, seasonal=[0, 7]), "seasonal"),
    "seasonal_order": (lambda e: _edit(e, seasonal=[1, 0]), "seasonal"),
    "seasonal_kind": (lambda e: _edit(e, seasonal_adjustment="additive"), "seasonal_adjustment"),
    "seasonal_off": (lambda e: _edit(e, seasonal_adjustment=None), "seasonal"),
    "seasonal_shape": (
        lambda e: _zip({**e, "seasonal/indices.npy": _npy(np.ones((2, 5)))}),
        "of shape",
    ),
    "seasonal_zero": (
        lambda e: _zip({**e, "seasonal/indices.npy": _npy(np.zeros((2, 24)))}),
        "seasonal index",
    ),
    "missing_seasonal": (
        lambda e: _zip({k: v for k, v in e.items() if k != "seasonal/indices.npy"}),
        "seasonal/indices.npy",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_model_file_fails_fast_in_one_line(case, good, tmp_path):
    build, field = HOSTILE[case]
    bad = tmp_path / "bad.gluts"
    bad.write_bytes(build(good[1]))
    start = time.perf_counter()
    with pytest.raises(DataError) as info:
        gluts.load(bad)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert field in message and str(bad) in message and "\n" not in message
    assert "\x1b" not in message


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_only_regular_files_are_opened(kind, tmp_path):
    if kind == "fifo":
        path = tmp_path / "pipe.gluts"
        os.mkfifo(path)
    elif kind == "device":
        path = "/dev/zero"
    else:
        path = tmp_path
    start = time.perf_counter()
    with pytest.raises(DataError, match="not a regular file"):
        gluts.load(path)
    assert time.perf_counter() - start < 1.0


def test_numpy_parameters_are_saved_as_plain_values(tmp_path):
    est = GLUForecaster(
        np.int64(3),
        quantiles=np.array([0.1, 0.5, 0.9]),
        n_channels=np.int64(4),
        dropout=np.float64(0.0),
        early_stopping=np.bool_(False),
        **{k: v for k, v in TINY.items() if k != "n_channels"},
        random_state=np.int64(0),
    ).fit(seasonal(2, 120))
    path = tmp_path / "numpy.gluts"
    est.save(path)
    loaded = gluts.load(path)
    params = loaded.get_params()
    assert type(params["n_channels"]) is int and params["n_channels"] == 4
    assert type(params["horizon"]) is int and params["random_state"] == 0
    assert params["quantiles"] == (0.1, 0.5, 0.9)
    assert all(type(q) is float for q in params["quantiles"])
    pd.testing.assert_frame_equal(loaded.predict(), est.predict())


def test_failed_save_leaves_the_old_file_untouched(good, tmp_path, monkeypatch):
    from gluts import _archive

    target = tmp_path / "victim.gluts"
    target.write_bytes(good[0].read_bytes())
    est = gluts.load(good[0])

    def boom(array):
        raise TypeError("cannot serialise")

    monkeypatch.setattr(_archive, "npy_bytes", boom)
    with pytest.raises(TypeError):
        est.save(target)
    assert target.read_bytes() == good[0].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim.gluts"]


def test_save_replaces_atomically_with_the_umask_mode(good, tmp_path):
    target = tmp_path / "model.gluts"
    target.write_bytes(b"old")
    previous = os.umask(0o027)
    try:
        gluts.load(good[0]).save(target)
        fresh = tmp_path / "fresh.gluts"
        gluts.load(good[0]).save(fresh)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    assert target.read_bytes() == good[0].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.gluts", "model.gluts"]


def test_cli_refuses_data_of_another_frequency(good, tmp_path):
    daily = good[2].copy()
    daily["ds"] = list(pd.date_range("2020-01-01", periods=120, freq="D")) * 2
    data = tmp_path / "daily.csv"
    daily.to_csv(data, index=False)
    args = ["forecast", str(data), "--horizon", "2", "--model-path", str(good[0])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "frequency 'h'" in result.stderr and "'D'" in result.stderr


def test_cli_strips_control_characters_from_model_messages(good, tmp_path):
    bad = tmp_path / "bad.gluts"
    bad.write_bytes(_edit(good[1], format_version=99, gluts_version="\x1b]0;pwned\x07\x1b[31m9"))
    data = tmp_path / "data.csv"
    good[2].to_csv(data, index=False)
    args = ["forecast", str(data), "--horizon", "2", "--model-path", str(bad)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "version 99" in result.stderr


def test_printable_strips_escapes():
    from gluts._cli.console import printable

    assert printable("a\x1b[31mred\x1b[0m\x07 b\x1b]0;t\x07c") == "ared bc"
