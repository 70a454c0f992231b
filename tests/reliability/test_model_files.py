"""Model files: plain JSON plus arrays; tampered, truncated or foreign files load nothing."""

from __future__ import annotations

import io
import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

import gluts
from gluts import GLUForecaster
from gluts.cli import app
from gluts.exceptions import DataError
from gluts.forecasting.glu import read_metadata

from .corpus import seasonal

TINY = dict(n_channels=4, n_blocks=2, n_steps=4, batch_size=4, context_length=24, n_threads=1)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A small fitted GLUForecaster saved to disk, and the data it was fitted on."""
    y = seasonal(2, 120)
    path = tmp_path_factory.mktemp("model") / "model.gluts"
    GLUForecaster(3, random_state=0, **TINY).fit(y).save(path)
    return path, y


class Payload:
    """Unpickling this object creates ``marker``: proof that loading ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _entries(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _object_npy(obj) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([obj], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def _torch_pickle(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save({"meta": obj}, buffer)
    return buffer.getvalue()


def _with_meta(entries, **changes) -> bytes:
    meta = {**json.loads(entries["meta.json"]), **changes}
    return _zip({**entries, "meta.json": json.dumps(meta).encode()})


def _first_weight(entries) -> str:
    return next(n for n in entries if n.startswith("weights/"))


# name -> (how to build the bad file from a good one's entries and a marker, message pattern)
BAD_FILES = {
    "raw_pickle": (lambda e, m: pickle.dumps({"meta": Payload(m)}), "not a readable gluts"),
    "torch_pickle": (lambda e, m: _torch_pickle(Payload(m)), "not a readable gluts"),
    "pickle_entry_added": (
        lambda e, m: _zip({**e, "data.pkl": pickle.dumps(Payload(m))}),
        "unexpected entry 'data.pkl'",
    ),
    "object_array_weight": (
        lambda e, m: _zip({**e, _first_weight(e): _object_npy(Payload(m))}),
        "not a readable gluts.*allow_pickle",
    ),
    "truncated": (lambda e, m: _zip(e)[: len(_zip(e)) // 2], "not a readable gluts"),
    "empty": (lambda e, m: b"", "not a readable gluts"),
    "newer_format": (
        lambda e, m: _with_meta(e, format_version=99, gluts_version="9.0"),
        r"version 99 \(written by gluts 9.0\).*upgrade gluts",
    ),
    "older_format": (lambda e, m: _with_meta(e, format_version=1), "refit and save"),
    "other_format": (lambda e, m: _with_meta(e, format="sklearn.pickle"), "'sklearn.pickle'"),
    "wrong_weight_shape": (
        lambda e, m: _zip({**e, _first_weight(e): _npy(np.zeros(3, dtype=np.float32))}),
        "damaged gluts model file",
    ),
    "unknown_parameter": (
        lambda e, m: _with_meta(e, params={"__class__": "os.system"}),
        "damaged gluts model file",
    ),
}


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_model_file_fails_cleanly_and_runs_nothing(case, model_file, tmp_path):
    build, pattern = BAD_FILES[case]
    marker = tmp_path / "payload-ran"
    bad = tmp_path / "bad.gluts"
    bad.write_bytes(build(_entries(model_file[0]), marker))
    with pytest.raises(DataError, match=pattern) as info:
        gluts.load(bad)
    assert "\n" not in str(info.value) and str(bad) in str(info.value)
    assert not marker.exists(), "loading the file executed its payload"


@pytest.mark.parametrize("case", ["raw_pickle", "pickle_entry_added", "truncated"])
def test_cli_refuses_bad_model_file_in_one_line(case, model_file, tmp_path):
    build, pattern = BAD_FILES[case]
    marker = tmp_path / "payload-ran"
    bad = tmp_path / "bad.gluts"
    bad.write_bytes(build(_entries(model_file[0]), marker))
    data = tmp_path / "data.csv"
    model_file[1].to_csv(data, index=False)
    args = ["forecast", str(data), "--horizon", "2", "--model-path", str(bad)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert not marker.exists()


def test_file_holds_only_json_and_plain_arrays(model_file):
    entries = _entries(model_file[0])
    assert set(entries) == {"meta.json"} | {n for n in entries if n.endswith(".npy")}
    for name, data in entries.items():
        if name.endswith(".npy"):
            array = np.load(io.BytesIO(data), allow_pickle=False)
            assert array.dtype != object


def test_metadata_records_versions_parameters_schema_and_fingerprint(model_file):
    path, y = model_file
    meta = read_metadata(path)
    loaded = gluts.load(path)
    assert meta["gluts_version"] == gluts.__version__
    assert meta["torch_version"] == torch.__version__
    assert meta["params"] == json.loads(json.dumps(loaded.get_params()))
    assert meta["params"]["random_state"] == 0 and meta["params"]["horizon"] == 3
    assert meta["schema"] == {
        "id_col": "unique_id",
        "time_col": "ds",
        "target_col": "y",
        "input_layout": "long",
        "time_kind": "datetime",
        "freq": "h",
        "n_series": 2,
        "dtype": "float64",
    }
    fingerprint = meta["training_fingerprint"]
    assert len(fingerprint["sha256"]) == 64
    assert fingerprint["n_observations"] == len(y)
    assert pd.Timestamp(fingerprint["end"]) == y["ds"].max()


def test_fingerprint_follows_the_data_and_survives_a_resave(model_file, tmp_path):
    path, y = model_file
    again = tmp_path / "again.gluts"
    GLUForecaster(3, random_state=0, **TINY).fit(y).save(again)
    assert again.read_bytes() == path.read_bytes()  # same data and seed: same bytes
    changed = tmp_path / "changed.gluts"
    y2 = y.assign(y=y["y"] + 1e-9)
    GLUForecaster(3, random_state=0, **TINY).fit(y2).save(changed)
    first = read_metadata(path)["training_fingerprint"]
    assert read_metadata(changed)["training_fingerprint"]["sha256"] != first["sha256"]
    resaved = tmp_path / "resaved.gluts"
    gluts.load(path).save(resaved)
    assert read_metadata(resaved)["training_fingerprint"] == first


def test_loaded_model_forecasts_identically(model_file):
    path, y = model_file
    original = GLUForecaster(3, random_state=0, **TINY).fit(y)
    pd.testing.assert_frame_equal(gluts.load(path).predict(3), original.predict(3))


@pytest.mark.parametrize("freq", ["M", "Q", "W-SUN"])
def test_models_fitted_on_periods_save_and_load(tmp_path, freq):
    """A monthly PeriodIndex's grid reads as "ME", which a Period does not take."""
    y = pd.Series(
        10 + np.sin(np.arange(60)), index=pd.period_range("2001-01", periods=60, freq=freq)
    )
    model = GLUForecaster(3, n_channels=4, n_blocks=2, n_steps=3, random_state=0).fit(y)
    model.save(tmp_path / "p.gluts")
    pd.testing.assert_frame_equal(gluts.load(tmp_path / "p.gluts").predict(3), model.predict(3))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_gpu_trained_file_predicts_on_a_cpu_only_machine(model_file, tmp_path):
    path, y = model_file
    entries = _entries(path)
    params = {**json.loads(entries["meta.json"])["params"], "device": "cuda"}
    gpu_file = tmp_path / "gpu.gluts"  # what a GPU fit writes: weights are saved from the CPU
    gpu_file.write_bytes(_with_meta(entries, params=params))
    loaded = gluts.load(gpu_file)
    assert loaded.device == "cpu"
    pd.testing.assert_frame_equal(loaded.predict(3), gluts.load(path).predict(3))
