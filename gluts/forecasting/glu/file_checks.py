"""Reading a GLU model file without trusting it: every size and value is checked first.

A model file may come from anywhere, so nothing in it is believed before it is checked:

- only a regular file is opened (a FIFO, a device such as ``/dev/zero`` or a directory is
  refused before anything is read);
- the zip's entry count and each entry's declared size are checked before any entry is
  read (``meta.json`` at most :data:`META_BYTES` plus a little per series), and the sizes
  are enforced while reading, so a zip bomb costs nothing;
- every field of ``meta.json`` is checked for its type and range, and for its consistency
  with the others (the parameters against the estimator's constraint table and against the
  network spec);
- the shape and dtype of every array is read from its ``.npy`` header and compared with
  what the spec implies before its data is read, and the weights must be finite.

Any failure is one :class:`~gluts.exceptions.DataError` line naming the file and the field.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import MISSING, fields
from numbers import Real
from pathlib import Path

import numpy as np
import torch
from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints

from gluts import __version__
from gluts._archive import META, first_line, open_archive, read_array, read_json
from gluts.data import Layout
from gluts.exceptions import DataError
from gluts.forecasting.glu.parameters import PARAMETER_CONSTRAINTS
from gluts.forecasting.glu.selection import CANDIDATES, Selection
from gluts.forecasting.glu.windows import _CALENDAR, scale_window
from gluts.nn import ENCODERS, GATES, NetworkSpec, build_network

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "META",
    "SEASONAL",
    "expected_entries",
    "first_line",
    "open_model",
]

FORMAT = "gluts.GLUForecaster"
FORMAT_VERSION = 2
WEIGHTS = "weights/"
VALUES = "values/"
COVARIATES = "covariates/"
SEASONAL = "seasonal/indices.npy"  # the seasonal indices of the series that ``seasonal`` names

META_BYTES = 1 << 20  # meta.json: 1 MiB, plus META_PER_SERIES per stored series
META_PER_SERIES = 64 << 10
MAX_SERIES = 100_000
MAX_WEIGHTS = 128 << 20  # network parameters (512 MiB of float32)
_INT_BOUNDS = {  # spec field: (low, high)
    "in_features": (1, 8192),
    "horizon": (1, 100_000),
    "context_length": (2, 100_000),
    "season_length": (1, 100_000),
    "n_channels": (1, 4096),
    "n_blocks": (1, 64),
    "kernel_size": (2, 64),
    "dilation_base": (2, 2),
    "head_hidden": (0, 16384),
    "n_future": (0, 4096),
    "members": (1, 64),
}
_MAX_FIELD = 1_000_000  # receptive field of the stack


def open_model(path: Path, arrays: bool) -> tuple[dict, dict[str, np.ndarray]]:
    """Read and check the metadata (and, if ``arrays``, the arrays) of the model file ``path``.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    DataError
        When it is not a regular file, not a gluts model file, or any part of it is damaged
        or out of range.
    """
    return open_archive(path, lambda archive: _read(path, archive, arrays))


def expected_entries(path: Path, meta: dict) -> dict[str, tuple]:
    """Check a model's metadata and return each array entry's expected (shape, dtype).

    Raises
    ------
    DataError
        When the format version or any field is wrong (one line naming ``path``).
    """
    _check_version(path, meta)
    return _Checker(path).meta(meta)


def _read(path: Path, archive: zipfile.ZipFile, arrays: bool):
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(infos) > 2 * MAX_SERIES + 10_000:
        raise ValueError(f"{len(infos)} entries, more than a model file holds")
    if len(set(names)) != len(names):
        raise ValueError("duplicate entries")
    stray = [n for n in names if n != META and not _is_array_entry(n)]
    if stray:
        raise ValueError(f"unexpected entry {stray[0]!r}")
    n_values = sum(n.startswith(VALUES) for n in names)
    meta = read_json(archive, META_BYTES + META_PER_SERIES * n_values)
    expected = expected_entries(path, meta)
    if set(names) - {META} != set(expected):
        missing = sorted(set(expected) - set(names)) or sorted(set(names) - set(expected) - {META})
        raise DataError(f"{path} is a damaged gluts model file: entry {missing[0]!r} is amiss.")
    found = {}
    for info in infos if arrays else ():
        if info.filename != META:
            found[info.filename] = read_array(path, archive, info, *expected[info.filename])
    return meta, found


def _is_array_entry(name: str) -> bool:
    return name == SEASONAL or (
        name.endswith(".npy") and name.startswith((WEIGHTS, VALUES, COVARIATES))
    )


def _check_version(path: Path, meta: dict) -> None:
    fmt, version = meta.get("format"), meta.get("format_version")
    if fmt == FORMAT and version == FORMAT_VERSION:
        return
    written = meta.get("gluts_version", "an unknown version")
    written = written if isinstance(written, str) and written.isprintable() else repr(written)
    hint = (
        "upgrade gluts to load it"
        if isinstance(version, int) and version > FORMAT_VERSION
        else "refit and save the model again"
    )
    raise DataError(
        f"{path} holds format {fmt!r} version {version!r} (written by gluts {written[:40]}); "
        f"this gluts ({__version__}) reads {FORMAT!r} version {FORMAT_VERSION}: {hint}."
    )


class _Checker:
    """Checks the fields of ``meta.json``; each failure names the file and the field."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, field: str, rule: str, value=None):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise DataError(
            f"{self.path} is a damaged gluts model file: {field} must be {rule}; got {shown}."
        )

    def get(self, mapping: dict, key: str, kind, where: str):
        if key not in mapping:
            raise DataError(f"{self.path} is a damaged gluts model file: {where} lacks {key!r}.")
        value = mapping[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(f"{where}.{key}", f"a {names}", value)
        return value

    def integer(self, mapping: dict, key: str, low: int, high: int, where: str) -> int:
        value = self.get(mapping, key, int, where)
        if not low <= value <= high:
            self.fail(f"{where}.{key}", f"an int in [{low}, {high}]", value)
        return value

    def strings(self, value, field: str, limit: int = MAX_SERIES) -> list:
        if not isinstance(value, list) or len(value) > limit:
            self.fail(field, f"a list of at most {limit} strings", value)
        if not all(isinstance(v, str) for v in value) or len(set(value)) != len(value):
            self.fail(field, "a list of distinct strings", value)
        return value

    def meta(self, meta: dict) -> dict[str, tuple]:
        """Check ``meta`` and return each array entry's expected (shape, dtype)."""
        spec = self.spec(self.get(meta, "spec", dict, META))
        season = self.integer(meta, "season_length", 1, 100_000, META)
        if season != spec.season_length:
            self.fail("season_length", f"spec.season_length ({spec.season_length})", season)
        log = self.get(meta, "log_transform", bool, META)
        calendar = self.strings(self.get(meta, "calendar", list, META), "calendar", 8)
        if not set(calendar) <= {name for name, _, _ in _CALENDAR}:
            self.fail("calendar", "a list of calendar cycles", calendar)
        names, future = self.covariates(self.get(meta, "covariates", dict, META), spec)
        if spec.in_features != 1 + 2 * len(calendar) + len(names):
            self.fail("spec.in_features", "1 + 2 * calendars + covariates", spec.in_features)
        changes = {} if meta.get("selection") is None else self.selection(meta["selection"])
        self.params(self.get(meta, "params", dict, META), spec, season, log, changes)
        self.adapter(self.get(meta, "adapter", dict, META))
        self.get(meta, "training_fingerprint", dict, META)
        layout = self.get(meta, "layout", dict, META)
        if not set(layout) <= {f.name for f in fields(Layout)} or "kind" not in layout:
            self.fail("layout", "the fields of a gluts.data.Layout", sorted(layout))
        schema = self.get(meta, "schema", dict, META)
        kind = self.get(schema, "time_kind", str, "schema")
        if kind not in ("integer", "datetime", "period"):
            self.fail("schema.time_kind", "'integer', 'datetime' or 'period'", kind)
        self.get(schema, "freq", int if kind == "integer" else str, "schema")
        ids = self.get(meta, "ids", list, META)
        if not 1 <= len(ids) <= MAX_SERIES or not all(
            isinstance(i, (str, int, float)) for i in ids
        ):
            self.fail("ids", f"a list of 1 to {MAX_SERIES} strings, numbers or booleans", ids)
        if len({(type(i), i) for i in ids}) != len(ids):
            self.fail("ids", "distinct series ids", ids)
        if self.get(schema, "n_series", int, "schema") != len(ids):
            self.fail("schema.n_series", f"the number of ids ({len(ids)})", schema["n_series"])
        return self.entries(meta, spec, season, len(ids), len(names))

    def spec(self, raw: dict) -> NetworkSpec:
        known = {f.name for f in fields(NetworkSpec)}
        if not set(raw) <= known:
            self.fail("spec", "the fields of a NetworkSpec", sorted(set(raw) - known))
        later = {f.name: f.default for f in fields(NetworkSpec) if f.default is not MISSING}
        raw = {**later, **raw}  # fields added later, with their defaults, may be missing
        for key, (low, high) in _INT_BOUNDS.items():
            self.integer(raw, key, low, high, "spec")
        quantiles = self.get(raw, "quantiles", list, "spec")
        if not (
            0 < len(quantiles) <= 99
            and all(isinstance(q, float) and 0 < q < 1 for q in quantiles)
            and quantiles == sorted(set(quantiles))
            and 0.5 in quantiles
        ):
            self.fail("spec.quantiles", "increasing levels in (0, 1) with 0.5", quantiles)
        if self.get(raw, "gate", str, "spec") not in GATES:
            self.fail("spec.gate", f"one of {sorted(GATES)}", raw["gate"])
        if self.get(raw, "encoder", str, "spec") not in ENCODERS:
            self.fail("spec.encoder", f"one of {sorted(ENCODERS)}", raw["encoder"])
        dropout = self.get(raw, "dropout", (float, int), "spec")
        if not 0 <= dropout < 1:
            self.fail("spec.dropout", "a float in [0, 1)", dropout)
        self.get(raw, "use_weight_norm", bool, "spec")
        spec = NetworkSpec(**{**raw, "quantiles": tuple(quantiles)})
        conv = spec.encoder in ("glu", "tcn")
        if conv and (spec.kernel_size - 1) * (2**spec.n_blocks - 1) + 1 > _MAX_FIELD:
            self.fail("spec.n_blocks", "small enough for a receptive field of 1e6", spec.n_blocks)
        width, q = spec.n_channels, len(spec.quantiles)
        rough = (  # an upper bound of the weights, before the network's shapes are built
            spec.horizon * spec.context_length
            + spec.n_blocks * 8 * width * (width + spec.in_features) * spec.kernel_size
            + (spec.head_hidden + width + 1) * (spec.head_hidden + spec.horizon * q)
        )
        if rough > MAX_WEIGHTS:
            self.fail("spec", f"a network of at most {MAX_WEIGHTS} weights", rough)
        return spec

    def covariates(self, raw: dict, spec: NetworkSpec) -> tuple[list, list]:
        names = self.strings(self.get(raw, "names", list, "covariates"), "covariates.names", 4096)
        future = self.strings(self.get(raw, "future", list, "covariates"), "covariates.future")
        if not set(future) <= set(names) or len(future) != spec.n_future:
            self.fail("covariates.future", f"{spec.n_future} of the covariates", future)
        if names:
            for key in ("mean", "scale"):
                value = self.get(raw, key, list, "covariates")
                if len(value) != len(names) or not all(
                    isinstance(v, (int, float)) and math.isfinite(v) for v in value
                ):
                    self.fail(f"covariates.{key}", f"{len(names)} finite numbers", value)
            if min(raw["scale"]) <= 0:
                self.fail("covariates.scale", "positive", raw["scale"])
        return names, future

    def selection(self, raw) -> dict:
        """Check the record of the size selection; return the chosen candidate's changes."""
        names = {f.name for f in fields(Selection)}
        later = {"context_length", "context_scores", "start"}  # files written before lack them
        if not isinstance(raw, dict) or not names - later <= set(raw) <= names:
            self.fail("selection", "the fields of a Selection", raw)
        chosen = self.get(raw, "chosen", str, "selection")
        if chosen not in CANDIDATES:
            self.fail("selection.chosen", f"one of {sorted(CANDIDATES)}", chosen)
        for key, kind in (("scores", Real), ("steps", int)):
            value = self.get(raw, key, dict, "selection")
            if not set(value) <= set(CANDIDATES) or not all(
                isinstance(v, kind) and not isinstance(v, bool) and math.isfinite(v)
                for v in value.values()
            ):
                self.fail(f"selection.{key}", "a number per candidate", value)
        for key in ("trial_steps", "n_steps", "validation"):
            self.integer(raw, key, 0, 10**9, "selection")
        self.get(raw, "resumed", bool, "selection")
        if raw.get("start") not in (None, "network", "network_lsq"):
            self.fail("selection.start", "None, 'network' or 'network_lsq'", raw["start"])
        scores = raw.get("context_scores", {})
        if not isinstance(scores, dict) or not all(
            key.isdigit() and isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)
            for key, v in scores.items()
        ):
            self.fail("selection.context_scores", "a number per context", scores)
        if raw.get("context_length") is None:
            return CANDIDATES[chosen]
        context = self.integer(raw, "context_length", 2, 10**9, "selection")
        return {**CANDIDATES[chosen], "context_length": context}

    def params(
        self, params: dict, spec: NetworkSpec, season: int, log: bool, changes: dict
    ) -> None:
        known = set(PARAMETER_CONSTRAINTS)  # those added later may be missing: the defaults
        if not set(params) <= known or "quantiles" not in params:
            odd = sorted(set(params) - known) or ["quantiles"]
            self.fail("params", "the parameters of GLUForecaster", odd[0])
        try:
            validate_parameter_constraints(
                PARAMETER_CONSTRAINTS, params, caller_name="GLUForecaster"
            )
        except InvalidParameterError as exc:
            raise DataError(f"{self.path} is a damaged gluts model file: params: {exc}") from None
        if params.get("alias") is not None and not params["alias"].isprintable():
            self.fail("params.alias", "printable text", params["alias"])
        qs = params["quantiles"]
        if not isinstance(qs, list) or not all(
            isinstance(q, Real) and not isinstance(q, bool) and 0 < q < 1 for q in qs
        ):
            self.fail("params.quantiles", "a list of levels in (0, 1)", qs)
        if tuple(sorted(set(qs) | {0.5})) != spec.quantiles:
            self.fail("params.quantiles", f"the levels of spec.quantiles {spec.quantiles}", qs)
        chosen = {**params, **changes}  # the parameters of the selected candidate
        same = ["horizon", "n_channels", "head_hidden", "gate", "encoder"]
        # None leaves these to the data: compared only when set
        data_sized = ("context_length", "n_blocks", "kernel_size", "dropout")
        same += [k for k in data_sized if chosen.get(k) is not None]
        for key in same:
            if chosen.get(key, getattr(spec, key)) != getattr(spec, key):
                self.fail(f"params.{key}", f"spec.{key} ({getattr(spec, key)!r})", chosen[key])
        if params.get("n_estimators") not in (None, spec.members):
            self.fail(
                "params.n_estimators", f"spec.members ({spec.members})", params["n_estimators"]
            )
        if params.get("season_length") not in (None, season):
            self.fail("params.season_length", f"season_length ({season})", params["season_length"])
        transform = params.get("transform", "auto")
        if (transform == "log" and not log) or (transform is None and log):
            self.fail("log_transform", f"what transform={transform!r} gives", log)

    def adapter(self, raw: dict) -> None:
        for key in ("id_col", "time_col", "target_col"):
            self.get(raw, key, str, "adapter")
        if self.get(raw, "missing", str, "adapter") not in ("interpolate", "error"):
            self.fail("adapter.missing", "'interpolate' or 'error'", raw["missing"])
        if raw.get("freq") is not None:
            self.get(raw, "freq", str, "adapter")
        if set(raw) != {"id_col", "time_col", "target_col", "missing", "freq"}:
            self.fail("adapter", "the fields of ReadOptions", sorted(raw))

    def entries(self, meta, spec: NetworkSpec, season: int, n_series: int, n_cov: int) -> dict:
        with torch.device("meta"):  # shapes only: nothing is allocated
            network = build_network(spec)
        expected = {
            f"{WEIGHTS}{name}.npy": (tuple(w.shape), np.dtype(str(w.dtype).removeprefix("torch.")))
            for name, w in network.state_dict().items()
        }
        if sum(math.prod(shape) for shape, _ in expected.values()) > MAX_WEIGHTS:
            self.fail("spec", f"a network of at most {MAX_WEIGHTS} weights", "more")
        keep = max(spec.context_length, network.receptive_field)
        keep += scale_window(season, spec.horizon) + season
        stamps = self.get(meta, "stamps", list, META)
        if len(stamps) != n_series:
            self.fail("stamps", f"one list per series ({n_series})", len(stamps))
        for k, s in enumerate(stamps):
            if not isinstance(s, list) or not 1 <= len(s) <= keep:
                self.fail(f"stamps[{k}]", f"a list of 1 to {keep} timestamps", s)
            if not all(isinstance(t, str) and len(t) <= 64 for t in s):
                self.fail(f"stamps[{k}]", "a list of timestamps", s)
            expected[f"{VALUES}{k}.npy"] = ((len(s),), np.dtype(np.float64))
            if n_cov:
                expected[f"{COVARIATES}{k}.npy"] = ((len(s), n_cov), np.dtype(np.float64))
        seasonal = meta.get("seasonal", [])  # files written before the adjustment have none
        if not isinstance(seasonal, list) or not all(
            isinstance(k, int) and not isinstance(k, bool) and 0 <= k < n_series for k in seasonal
        ):
            self.fail("seasonal", f"a list of series positions below {n_series}", seasonal)
        adjustment = meta.get("seasonal_adjustment")
        if adjustment not in (None, "multiplicative"):
            self.fail("seasonal_adjustment", "'multiplicative' or null", adjustment)
        if seasonal != sorted(set(seasonal)) or (seasonal and (season < 2 or not adjustment)):
            self.fail("seasonal", "increasing positions, with an adjustment", seasonal)
        if seasonal:
            expected[SEASONAL] = ((len(seasonal), season), np.dtype(np.float64))
        return expected
