"""Detector files (issue 15, item 3): every detector saves its fitted and stream state without
pickle, ``gluts.load`` brings it back exactly, and a damaged file is one DataError line."""

import copy
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import gluts
from gluts import MADDetector, make_synthetic
from gluts.exceptions import DataError

from .test_stream import FIT, _cases, _chunks, _fitted_detector


@pytest.fixture(scope="module")
def rows():
    frame = make_synthetic(n_series=2, length=900, n_anomalies=5, random_state=4)
    frame = frame.drop(columns="is_anomaly")
    position = frame.groupby("unique_id").cumcount()
    return frame[position < FIT], frame[position >= FIT].reset_index(drop=True)


@pytest.mark.parametrize("est", _cases())
def test_a_saved_detector_continues_its_stream_exactly(est, rows, tmp_path):
    fit_rows, new_rows = rows
    first, second = _chunks(new_rows, [0.4])
    det = _fitted_detector(est, fit_rows)
    det.update(first)
    path = tmp_path / "det.gluts"
    det.save(path)
    loaded = gluts.load(path)
    assert type(loaded) is type(det) and loaded.last_seen_ == det.last_seen_
    assert repr(loaded.get_params()) == repr(det.get_params())
    pd.testing.assert_frame_equal(loaded.alerts(second), det.alerts(second))
    np.testing.assert_array_equal(loaded.update(second)["score"], det.update(second)["score"])
    pd.testing.assert_frame_equal(loaded.score(None), det.score(None))
    with zipfile.ZipFile(path) as archive:  # JSON and plain arrays, nothing pickled
        for name in archive.namelist():
            assert name == "meta.json" or name.endswith(".npy")
            if name.endswith(".npy"):
                np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
    det.save(tmp_path / "again.gluts")
    loaded.save(tmp_path / "loaded.gluts")
    assert (tmp_path / "again.gluts").read_bytes() == (tmp_path / "loaded.gluts").read_bytes()


def test_a_detector_with_a_forecaster_without_a_file_format_is_not_saved(rows, tmp_path):
    from gluts import GLUAnomalyDetector
    from gluts.forecasting import NaiveForecaster

    det = GLUAnomalyDetector(NaiveForecaster(), windows=(20, 50)).fit(rows[0])
    with pytest.raises(DataError, match=r"whose 'forecaster' is a NaiveForecaster; only "):
        det.save(tmp_path / "det.gluts")


@pytest.fixture(scope="module")
def saved(rows, tmp_path_factory):
    from gluts import IsolationForestDetector

    det = IsolationForestDetector(window=8, n_estimators=5, random_state=0).fit(rows[0])
    path = tmp_path_factory.mktemp("saved") / "forest.gluts"
    det.save(path)
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _write(tmp_path, entries):
    path = tmp_path / "tampered.gluts"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def _entries(det, tmp_path) -> dict:
    """The entries of the file ``det`` saves."""
    det.save(tmp_path / "det.gluts")
    with zipfile.ZipFile(tmp_path / "det.gluts") as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _every_state(change):
    """A change of the metadata that applies ``change`` to the state of every series."""

    def apply(meta):
        for series in meta["series"]:
            change(series["state"])

    return apply


def _meta(entries, change):
    meta = json.loads(entries["meta.json"])
    change(meta)
    return {**entries, "meta.json": json.dumps(meta).encode()}


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _looping_tree(entries):
    left = np.load(io.BytesIO(entries["states/0/trees/left.npy"]))
    left[0] = 0  # the root's left child is the root: scoring would never end
    return {**entries, "states/0/trees/left.npy": _npy(left)}


def _set(path, value):
    def change(meta):
        node = meta
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


TAMPERED = {
    "a threshold that cannot fire": (
        lambda e: _meta(e, _set(["params", "threshold"], 2.0)),
        r"params: The 'threshold' parameter of IsolationForestDetector must be",
    ),
    "an unknown class": (
        lambda e: _meta(e, _set(["class"], "os.system")),
        r"class 'os.system' is not a gluts detector",
    ),
    "a newer format": (
        lambda e: _meta(e, _set(["format_version"], 99)),
        r"holds format 'gluts.AnomalyDetector' version 99; this gluts .* reads detector",
    ),
    "a looping tree": (_looping_tree, r"damaged gluts detector file: IsolationTrees holds trees"),
    "pickled objects": (
        lambda e: {**e, "history/0.npy": _npy(np.array([object()] * 300))},
        r"history/0.npy holds Python objects",
    ),
    "a stream cut short": (
        lambda e: _meta(e, _set(["series", 0, "stream", "position"], 5000)),
        r"series\[0\].stream holds inconsistent positions",
    ),
    "a stray entry": (lambda e: {**e, "payload.npy": _npy(np.zeros(3))}, r"'payload.npy' is amiss"),
    "a density window of one row": (
        lambda e: _meta(e, _set(["series", 0, "density"], [[1, None]])),
        r"series\[0\].density holds \[1, None\], not a \[window, tail\] pair",
    ),
    "NaN in a tail": (
        lambda e: _meta(e, _set(["series", 0, "tails", 0, "scale"], "nan")),
        r"series\[0\].tails.scale is 'nan'",
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_a_damaged_detector_file_is_one_line_naming_it(case, saved, tmp_path):
    tamper, message = TAMPERED[case]
    path = _write(tmp_path, tamper(dict(saved)))
    with pytest.raises(DataError, match=message) as caught:
        gluts.load(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_loading_a_mad_detector_needs_no_torch(rows, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "mad.gluts"
    MADDetector(window=20).fit(rows[0]).save(path)
    code = (
        "import sys, gluts; d = gluts.load(sys.argv[1]); "
        "assert 'torch' not in sys.modules, 'torch was imported'; print(type(d).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "MADDetector"


def test_updating_a_loaded_copy_leaves_the_saved_detector_alone(rows, tmp_path):
    det = MADDetector(window=20).fit(rows[0])
    path = tmp_path / "mad.gluts"
    det.save(path)
    before = copy.deepcopy(det)
    gluts.load(path).update(rows[1])
    pd.testing.assert_frame_equal(det.score(rows[1]), before.score(rows[1]))


def test_a_file_from_before_density_tails_loads_without_them(rows, tmp_path):
    from gluts import GLUAnomalyDetector

    fit_rows, new_rows = rows
    det = GLUAnomalyDetector(references=("level",)).fit(fit_rows)
    assert all(c.density for c in det.calibrators_)
    entries = _entries(det, tmp_path)

    def drop_density(meta):
        for series in meta["series"]:
            del series["density"]

    entries = {n: data for n, data in entries.items() if not n.startswith("density/")}
    old = gluts.load(_write(tmp_path, _meta(entries, drop_density)))
    assert all(c.density == () for c in old.calibrators_)
    assert np.isfinite(old.score(new_rows)["score"]).all()


def test_a_file_from_before_frozen_readings_were_scored_loads_without_them(rows, tmp_path):
    from gluts import GLUAnomalyDetector

    fit_rows, new_rows = rows
    det = GLUAnomalyDetector(references=("level",)).fit(fit_rows)
    assert all(state.repeat > 0 for state in det.states_)  # measured values never repeat
    entries = _entries(det, tmp_path)
    old = gluts.load(_write(tmp_path, _meta(entries, _every_state(lambda s: s.pop("repeat")))))
    assert all(state.repeat == 0.0 for state in old.states_)
    assert np.isfinite(old.score(new_rows)["score"]).all()


def test_a_file_from_before_incidents_were_sustained_loads_sustaining_them(rows, tmp_path):
    """Its states lack ``sustain``: they take the default (incidents go on); a ``sustain``
    that is not a bool is refused."""
    from gluts import GLUAnomalyDetector

    fit_rows, new_rows = rows
    det = GLUAnomalyDetector(references=("level",)).fit(fit_rows)
    assert all(state.sustain for state in det.states_)  # the fit rows' False is not kept
    entries = _entries(det, tmp_path)
    old = gluts.load(_write(tmp_path, _meta(entries, _every_state(lambda s: s.pop("sustain")))))
    assert all(state.sustain for state in old.states_)
    assert np.array_equal(old.score(new_rows)["score"], det.score(new_rows)["score"])
    as_integer = _every_state(lambda s: s.update(sustain=1))
    with pytest.raises(DataError, match="sustain"):
        gluts.load(_write(tmp_path, _meta(entries, as_integer)))
