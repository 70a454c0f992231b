"""Reading a detector file without trusting it (the format: :mod:`gluts.anomaly.persistence`).

Entries and sizes are checked before anything is read, every array against the shape and
dtype its metadata gives (float arrays finite, all arrays together bounded), the parameters
against the class's constraint table, and every state is rebuilt through its class, which
checks it (a forest's trees, a tail's parameters, a stream's positions); the GLU forecaster
inside is checked as its own model file would be. Any failure is one
:class:`~gluts.exceptions.DataError` line naming the file.
"""

from __future__ import annotations

import dataclasses
import math
import typing
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints

from gluts import __version__
from gluts._archive import META, first_line, open_archive, read_array, read_json
from gluts.anomaly.calibration import TailCalibrator
from gluts.anomaly.events import AlertCarry
from gluts.anomaly.persistence import (
    DTYPES,
    FORECASTER,
    FORMAT,
    FORMAT_VERSION,
    MAX_ELEMENTS,
    MAX_META,
    detector_classes,
    object_class,
    state_type,
)
from gluts.anomaly.stream import SeriesStream
from gluts.anomaly.tails import GPDTail
from gluts.data import Layout, Panel, ReadOptions, TimeGrid
from gluts.exceptions import DataError

__all__ = ["read_detector"]


def read_detector(path):
    """Read a detector file written by :func:`write_detector`.

    Raises
    ------
    DataError
        When the file is not a gluts detector file, is damaged, or was written by another
        format version; the message names the file.
    """
    path = Path(path)
    return open_archive(path, lambda archive: _read(path, archive), what="detector")


class _Reader:
    """Rebuilds a detector from checked metadata, reading each array it names."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self.path, self.archive = path, archive
        self.infos = {info.filename: info for info in archive.infolist()}
        self.used: set[str] = set()
        self.elements = 0

    def fail(self, what: str):
        raise DataError(f"{self.path} is a damaged gluts detector file: {what}.")

    def get(self, mapping, key: str, kind, where: str = META):
        if not isinstance(mapping, dict) or key not in mapping:
            self.fail(f"{where} lacks {key!r}")
        value = mapping[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind not in (bool, object)):
            self.fail(f"{where}.{key} is {type(value).__name__}, not {kind}")
        return value

    def array(self, raw, where: str) -> np.ndarray:
        name = self.get(raw, "npy", str, where)
        shape = self.get(raw, "shape", list, where)
        dtype = DTYPES.get(self.get(raw, "dtype", str, where))
        if name not in self.infos or name in self.used or dtype is None:
            self.fail(f"{where} names the entry {name!r} amiss")
        if not all(isinstance(n, int) and 0 <= n <= MAX_ELEMENTS for n in shape):
            self.fail(f"{where} has the shape {shape!r}")
        self.elements += math.prod(shape)
        if self.elements > MAX_ELEMENTS:
            self.fail(f"its arrays hold more than {MAX_ELEMENTS} values")
        self.used.add(name)
        info = self.infos[name]
        return read_array(self.path, self.archive, info, tuple(shape), dtype, what="detector")

    def prefixed(self, expected: dict[str, tuple]) -> dict[str, np.ndarray]:
        """The forecaster's arrays (``expected``: name to shape and dtype), under its prefix."""
        found = {n.removeprefix(FORECASTER) for n in self.infos if n.startswith(FORECASTER)}
        if found != set(expected):
            self.fail(f"the forecaster's entries are amiss ({sorted(found ^ set(expected))[:1]})")
        out = {}
        for name, (shape, dtype) in expected.items():
            self.used.add(FORECASTER + name)
            info = self.infos[FORECASTER + name]
            out[name] = read_array(self.path, self.archive, info, shape, dtype, what="detector")
        return out

    def value(self, raw, hint, where: str):
        if dataclasses.is_dataclass(hint):
            hints = typing.get_type_hints(hint)
            fields = {
                f.name: self.value(
                    self.get(raw, f.name, object, where), hints[f.name], f"{where}.{f.name}"
                )
                for f in dataclasses.fields(hint)
                # a field added since the file was written takes its default
                if f.default is dataclasses.MISSING or (isinstance(raw, dict) and f.name in raw)
            }
            return hint(**fields)
        if hint is np.ndarray:
            return self.array(raw, where)
        kinds = {float: (int, float), int: int, str: str, bool: bool}
        wrong_bool = isinstance(raw, bool) and hint is not bool  # a bool is an int to Python
        if hint not in kinds or not isinstance(raw, kinds[hint]) or wrong_bool:
            self.fail(f"{where} is {raw!r}")
        if hint is float and not math.isfinite(raw):
            self.fail(f"{where} is {raw!r}")
        return hint(raw)

    def params(self, cls: type, raw: dict) -> dict:
        params = {}
        for key, value in raw.items():
            if isinstance(value, dict):
                nested = object_class(self.get(value, "class", str, f"params.{key}"))
                if nested is None:
                    self.fail(f"params.{key} names an unknown class")
                value = nested(**self.params(nested, self.get(value, "params", dict, key)))
            elif isinstance(value, list):
                value = tuple(value)
            params[key] = value
        if not set(params) <= set(cls._parameter_constraints):
            self.fail(f"params are not those of {cls.__name__}: {sorted(params)[:5]}")
        try:
            validate_parameter_constraints(cls._parameter_constraints, params, cls.__name__)
        except InvalidParameterError as exc:
            self.fail(f"params: {first_line(exc)}")
        return params


def _read(path: Path, archive: zipfile.ZipFile):
    infos = archive.infolist()
    if len(infos) > 100_000 + 10 * 100_000:
        raise ValueError(f"{len(infos)} entries, more than a detector file holds")
    if len({i.filename for i in infos}) != len(infos):
        raise ValueError("duplicate entries")
    meta = read_json(archive, MAX_META)
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"{path} holds format {meta.get('format')!r} version "
            f"{meta.get('format_version')!r}; this gluts ({__version__}) reads detector files "
            f"{FORMAT!r} version {FORMAT_VERSION}: refit and save the detector again."
        )
    reader = _Reader(path, archive)
    try:
        detector = _build(reader, meta)
    except DataError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise DataError(f"{path} is a damaged gluts detector file: {first_line(exc)}") from None
    stray = set(reader.infos) - reader.used - {META}
    if stray:
        reader.fail(f"the entry {sorted(stray)[0]!r} is amiss")
    return detector


def _build(reader: _Reader, meta: dict):
    cls = detector_classes().get(reader.get(meta, "class", str))
    if cls is None:
        reader.fail(f"class {meta['class'][:40]!r} is not a gluts detector")
    params = reader.params(cls, reader.get(meta, "params", dict))
    options = ReadOptions(**reader.get(meta, "read_options", dict))
    grid_meta = reader.get(meta, "grid", dict)
    kind = reader.get(grid_meta, "kind", str, "grid")
    freq = grid_meta.get("freq")
    grid = TimeGrid(kind, int(freq) if kind == "integer" else to_offset(freq))
    dtype = reader.get(grid_meta, "dtype", str, "grid")
    ids = reader.get(meta, "ids", list)
    series = reader.get(meta, "series", list)
    if len(series) != len(ids) or not ids:
        reader.fail("series and ids differ in number")
    hint = state_type(cls)
    values, index, states, calibrators, streams = [], [], [], [], []
    for k, raw in enumerate(series):
        where = f"series[{k}]"
        values.append(reader.array(reader.get(raw, "history", dict, where), f"{where}.history"))
        first = _stamp(grid, reader.get(raw, "start", str, where))
        index.append(_span(grid, first, len(values[-1]), dtype))
        states.append(reader.value(reader.get(raw, "state", object, where), hint, f"{where}.state"))
        tails = [
            None if t is None else reader.value(t, GPDTail, f"{where}.tails")
            for t in reader.get(raw, "tails", list, where)
        ]
        calibrators.append(TailCalibrator(tuple(tails), _density(reader, raw, where)))
        streams.append(_stream(reader, grid, reader.get(raw, "stream", dict, where), where))
    layout = Layout(**reader.get(meta, "layout", dict))
    history = Panel(ids=list(ids), values=values, index=index, grid=grid, layout=layout)
    threshold = _threshold(reader, reader.get(meta, "threshold", dict))
    state = {
        "read_options_": options,
        "season_length_": reader.get(meta, "season_length", int),
        "history_": history,
        "series_ids_": list(ids),
        "states_": states,
        "calibrators_": calibrators,
        "streams_": streams,
        "threshold_": threshold,
    }
    state.update(_extras(reader, reader.get(meta, "extra", dict), ids))
    if set(state) != set(cls._STATE):
        reader.fail(f"its fitted attributes are not those of {cls.__name__}")
    return cls._from_state(params, state)


def _stamp(grid: TimeGrid, text: str):
    if grid.kind == "integer":
        return int(text)
    if grid.kind == "period":
        return pd.Period(text, freq=grid.freq)
    return pd.Timestamp(text)


def _span(grid: TimeGrid, first, n: int, dtype: str | None = None) -> pd.Index:
    """The ``n`` grid timestamps from ``first`` on (as ``dtype``, the fitted index's)."""
    head = {"integer": pd.Index, "datetime": pd.DatetimeIndex, "period": pd.PeriodIndex}
    index = head[grid.kind]([first])
    if n > 1:
        index = index.append(grid.after(first, n - 1))
    return index.astype(dtype) if dtype is not None and grid.kind != "period" else index


def _density(reader: _Reader, raw: dict, where: str) -> tuple:
    """A series' density tails, ``(window, tail or None)`` each (none in older files)."""
    pairs, where = [], f"{where}.density"
    for pair in raw.get("density", []):
        ok = isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int)
        if not ok or isinstance(pair[0], bool) or pair[0] < 2:
            reader.fail(f"{where} holds {pair!r}, not a [window, tail] pair")
        tail = pair[1]
        pairs.append((pair[0], None if tail is None else reader.value(tail, GPDTail, where)))
    return tuple(pairs)


def _stream(reader: _Reader, grid: TimeGrid, raw: dict, where: str) -> SeriesStream:
    where = f"{where}.stream"
    numbers = {
        k: reader.get(raw, k, int, where) for k in ("position", "origin", "block", "context")
    }
    values = reader.array(reader.get(raw, "values", dict, where), f"{where}.values")
    flags = reader.array(reader.get(raw, "carry", dict, where), f"{where}.carry")
    last = raw.get("last")
    stream = SeriesStream(
        **numbers, values=values, last=None if last is None else _stamp(grid, str(last))
    )
    ok = 0 <= stream.origin <= stream.position and stream.block >= 1 and stream.context >= 0
    if not ok or len(values) != stream.position - stream.anchor(stream.position):
        reader.fail(f"{where} holds inconsistent positions")
    if flags.ndim != 1 or not np.isin(flags, (0, 1)).all():
        reader.fail(f"{where}.carry holds flags other than 0 and 1")
    start, last_end = raw.get("carry_start"), raw.get("carry_last_end")
    if (start is None) != (len(flags) == 0) or not isinstance(last_end, (int, type(None))):
        reader.fail(f"{where} holds an inconsistent alert carry")
    carry_index = _span(grid, _stamp(grid, str(start)), len(flags)) if len(flags) else pd.Index([])
    stream.carry = AlertCarry(flags, carry_index, last_end)
    return stream


def _threshold(reader: _Reader, raw: dict):
    cls = object_class(reader.get(raw, "class", str, "threshold"))
    if cls is None or not hasattr(cls, "flag"):
        reader.fail("threshold names an unknown class")
    params = reader.params(cls, reader.get(raw, "params", dict, "threshold"))
    state = {}
    for key, value in reader.get(raw, "state", dict, "threshold").items():
        hint = GPDTail if isinstance(value, dict) else (float if key == "threshold_" else int)
        state[key] = reader.value(value, hint, f"threshold.{key}")
    if set(state) != set(cls._STATE):
        reader.fail("threshold holds another fitted state")
    return cls._from_state(params, state)


def _extras(reader: _Reader, raw: dict, ids: list) -> dict:
    out = {}
    for name, value in raw.items():
        if "per_series" in value:
            per_series = reader.get(value, "per_series", list, f"extra.{name}")
            if len(per_series) != len(ids):
                reader.fail(f"extra.{name} does not hold one value per series")
            out[name] = dict(zip(ids, per_series))
        elif "forecaster" in value:
            from gluts.forecasting.glu.loading import forecaster_from_entries

            meta = reader.get(value, "forecaster", dict, f"extra.{name}")
            out[name] = forecaster_from_entries(reader.path, meta, reader.prefixed)
        else:
            out[name] = value.get("value")
    return out
