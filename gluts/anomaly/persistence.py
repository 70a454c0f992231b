"""Detector files: a fitted detector and its stream state, in the forecasters' safe format.

A detector file is a zip archive of ``meta.json`` and ``.npy`` arrays (:mod:`gluts._archive`,
as the GLU forecaster's model files): the class and parameters, the reading options, the
fitted history (its values, first timestamps and grid), and per series the detector's own
state, its calibration tails (of its surprises and of their densities) and its
:class:`~gluts.anomaly.stream.SeriesStream`; the fitted threshold; the GLU forecaster of a
:class:`~gluts.GLUAnomalyDetector`, under ``forecaster/``, exactly as its own model file
holds it. The detector gives and takes its fitted attributes (``_get_state`` /
``_from_state``); the per-series states are dataclasses whose fields (numbers, text,
arrays, nested dataclasses) are read from their type hints.
:mod:`gluts.anomaly.loading` reads a file back, trusting nothing in it.
"""

from __future__ import annotations

import dataclasses
import typing

import numpy as np

from gluts import __version__
from gluts._archive import jsonable, write_archive
from gluts.anomaly.base import BaseAnomalyDetector
from gluts.anomaly.stream import SeriesStream
from gluts.anomaly.tails import GPDTail
from gluts.data import Panel, TimeGrid
from gluts.exceptions import DataError

__all__ = [
    "DTYPES",
    "FORECASTER",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_ELEMENTS",
    "MAX_META",
    "detector_classes",
    "object_class",
    "state_type",
    "write_detector",
]

FORMAT = "gluts.AnomalyDetector"
FORMAT_VERSION = 1
FORECASTER = "forecaster/"
MAX_META = (1 << 20) + (16 << 10) * 100_000  # 1 MiB plus 16 KiB per series, at most
MAX_ELEMENTS = 1 << 28  # all arrays together
DTYPES = {"<f8": np.dtype("<f8"), "<i8": np.dtype("<i8"), "|i1": np.dtype("|i1")}


def write_detector(detector, path) -> None:
    """Write the fitted ``detector`` to the file ``path`` (replaced atomically)."""
    meta, arrays = _Writer().detector(detector)
    write_archive(path, jsonable(meta), arrays)


def detector_classes() -> dict[str, type]:
    """The detector classes a file may name."""
    import gluts.anomaly

    found = {}
    for obj in vars(gluts.anomaly).values():
        if isinstance(obj, type) and issubclass(obj, BaseAnomalyDetector):
            found[obj.__name__] = obj
    found.pop("BaseAnomalyDetector")
    return found


_OBJECTS = ("FixedThreshold", "QuantileThreshold", "SPOTThreshold", "GLUForecaster")


def object_class(name: str) -> type | None:
    """The class of a parameter or fitted threshold, by name (torch only for the GLU)."""
    if name == "GLUForecaster":
        from gluts.forecasting.glu import GLUForecaster

        return GLUForecaster
    from gluts.anomaly import thresholds

    return getattr(thresholds, name) if name in _OBJECTS else None


def state_type(cls: type):
    """The type of a detector's per-series state: the return annotation of ``_fit_series``."""
    return typing.get_type_hints(cls._fit_series)["return"]


class _Writer:
    """Turns a detector into metadata and named arrays."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, name: str, value: np.ndarray) -> dict:
        value = np.ascontiguousarray(value)
        self.arrays[name] = value
        return {"npy": name, "shape": list(value.shape), "dtype": value.dtype.str}

    def value(self, value, hint, name: str):
        if dataclasses.is_dataclass(hint):
            hints = typing.get_type_hints(hint)
            return {
                f.name: self.value(getattr(value, f.name), hints[f.name], f"{name}/{f.name}")
                for f in dataclasses.fields(hint)
            }
        if hint is np.ndarray:
            return self.array(f"{name}.npy", value)
        return jsonable(value)

    def params(self, params: dict) -> dict:
        out = {}
        for key, value in params.items():
            if key == "random_state" and not isinstance(value, (int, np.integer, type(None))):
                value = None  # a RandomState's position is not JSON
            if hasattr(value, "get_params"):
                if type(value).__name__ not in _OBJECTS:
                    raise DataError(
                        f"Cannot save a detector whose {key!r} is a {type(value).__name__}; "
                        f"only {', '.join(_OBJECTS)} have a file format."
                    )
                value = {"class": type(value).__name__, "params": self.params(value.get_params())}
            out[key] = jsonable(value)
        return out

    def detector(self, detector) -> tuple[dict, dict]:
        state = detector._get_state()
        history: Panel = state["history_"]
        grid = history.grid
        hint = state_type(type(detector))
        series = []
        for k, (values, calibrator) in enumerate(zip(history.values, state["calibrators_"])):
            tails = [
                None if t is None else self.value(t, GPDTail, f"tails/{k}/{j}")
                for j, t in enumerate(calibrator.tails)
            ]
            density = [
                [size, None if t is None else self.value(t, GPDTail, f"density/{k}/{size}")]
                for size, t in calibrator.density
            ]
            stream = state["streams_"][k]
            series.append(
                {
                    "history": self.array(f"history/{k}.npy", np.asarray(values, np.float64)),
                    "start": str(history.index[k][0]),
                    "state": self.value(state["states_"][k], hint, f"states/{k}"),
                    "tails": tails,
                    "density": density,
                    "stream": self.stream(stream, k),
                }
            )
        threshold = state["threshold_"]
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "gluts_version": __version__,
            "class": type(detector).__name__,
            "params": self.params(detector.get_params(deep=False)),
            "read_options": state["read_options_"].as_dict(),
            "season_length": state["season_length_"],
            "grid": {
                "kind": grid.kind,
                "freq": _freq_text(grid),
                "dtype": str(history.index[0].dtype),
            },
            "layout": {k: jsonable(v) for k, v in vars(history.layout).items()},
            "ids": [jsonable(i) for i in history.ids],
            "series": series,
            "threshold": {
                "class": type(threshold).__name__,
                "params": self.params(threshold.get_params()),
                "state": {
                    key: self.value(
                        v, GPDTail if isinstance(v, GPDTail) else None, f"threshold/{key}"
                    )
                    for key, v in threshold._get_state().items()
                },
            },
        }
        meta.update(self.extras(detector, state, history.ids))
        return meta, self.arrays

    def stream(self, stream: SeriesStream, k: int) -> dict:
        carry = stream.carry
        return {
            "position": stream.position,
            "origin": stream.origin,
            "block": stream.block,
            "context": stream.context,
            "values": self.array(f"streams/{k}/values.npy", np.asarray(stream.values, np.float64)),
            "last": None if stream.last is None else str(stream.last),
            "carry": self.array(f"streams/{k}/carry.npy", np.asarray(carry.flags, np.int8)),
            "carry_start": str(carry.index[0]) if len(carry.index) else None,
            "carry_last_end": carry.last_end,
        }

    def extras(self, detector, state: dict, ids: list) -> dict:
        """Fitted attributes of a subclass: per-series dicts and a GLU forecaster."""
        extra = {}
        for name in detector._STATE:
            if name in BaseAnomalyDetector._STATE:
                continue
            value = state[name]
            if isinstance(value, dict) and list(value) == list(ids):
                extra[name] = {"per_series": [jsonable(value[i]) for i in ids]}
            elif hasattr(value, "network_"):
                from gluts.forecasting.glu.loading import forecaster_entries

                meta, arrays = forecaster_entries(value)
                self.arrays.update({FORECASTER + n: a for n, a in arrays.items()})
                extra[name] = {"forecaster": meta}
            else:
                extra[name] = {"value": jsonable(value)}
        return {"extra": extra}


def _freq_text(grid: TimeGrid):
    return grid.freq if grid.kind == "integer" else grid.freq.freqstr
