"""The GLU forecaster's model file, written and read without pickle, and its pickled form.

A model file is a zip archive of plain data: ``meta.json`` (format version, gluts and torch
versions, the estimator's parameters, the network spec, the data schema and a fingerprint of
the training data) and one ``.npy`` array per network weight, per stored series tail and per
stored covariate tail. It
is read with :mod:`zipfile`, :mod:`json` and ``numpy.load(allow_pickle=False)``, so nothing
in a file, tampered or not, can run code when it is loaded; every size and field is checked
before it is used (:mod:`gluts.forecasting.glu.file_checks`). Weights are copied to the CPU
when saved, so a model trained on a GPU loads on a machine without one. A file is written
atomically: its bytes are built first, then written beside it and renamed over it.

The forecaster gives its state as a :class:`ModelState` (``GLUForecaster._get_state``) and is
rebuilt from one (``GLUForecaster._from_state``); this module only turns a state into a file
and back. Pickles hold the network as its state dict (a weight-normed module does not pickle),
rebuilt from the spec when unpickled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import torch
from pandas.tseries.frequencies import to_offset

from gluts import __version__
from gluts._archive import jsonable, write_archive
from gluts.data import Layout, Panel, ReadOptions, to_panel
from gluts.exceptions import DataError
from gluts.forecasting.glu.covariates import Covariates
from gluts.forecasting.glu.file_checks import (
    COVARIATES,
    FORMAT,
    FORMAT_VERSION,
    SEASONAL,
    VALUES,
    WEIGHTS,
    first_line,
    open_model,
)
from gluts.forecasting.glu.selection import Selection
from gluts.nn import NetworkSpec, build_network

__all__ = [
    "ModelState",
    "entries",
    "model_state",
    "pickle_state",
    "read_metadata",
    "read_model",
    "restore_network",
    "unpickle_state",
    "write",
]

Model = TypeVar("Model")


@dataclass
class ModelState:
    """What a model file holds: the state of a fitted forecaster, as plain values.

    Attributes
    ----------
    params : dict
        The estimator's parameters (``get_params()``).
    spec : NetworkSpec
        The network's sizes.
    weights : dict of str to ndarray
        The network's state dict, on the CPU, in its order.
    season_length : int
        Season length used.
    log_transform : bool
        Whether the network models log values.
    calendar : list of str
        Calendar cycles used as features.
    covariates : Covariates
        The fitted covariates.
    read_options : ReadOptions
        How the training data was read.
    history : Panel
        The fitted series (a file keeps the tail that a forecast reads).
    fingerprint : dict or None, default=None
        Fingerprint of the training data, kept from the file the model came from; None
        computes it from ``history``.
    selection : Selection or None, default=None
        How the network's size was chosen (None: as the parameters say; files written
        before selection existed have none).
    seasonal_adjustment : str or None, default=None
        The seasonal adjustment of the fit, which new histories get too (:mod:`~.seasonal`;
        files written before it existed have none).
    seasonal_indices : list of (ndarray or None) or None, default=None
        Each series' seasonal indices, counted from its end; None: no series is adjusted.
    """

    params: dict
    spec: NetworkSpec
    weights: dict[str, np.ndarray]
    season_length: int
    log_transform: bool
    calendar: list[str]
    covariates: Covariates
    read_options: ReadOptions
    history: Panel
    fingerprint: dict | None = None
    selection: Selection | None = None
    seasonal_adjustment: str | None = None
    seasonal_indices: list[np.ndarray | None] | None = None


def write(path: str | Path, state: ModelState, keep: int) -> None:
    """Write ``state`` to the model file ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (a zip archive of JSON and ``.npy`` arrays), replaced atomically.
    state : ModelState
        The fitted forecaster's state.
    keep : int
        Values kept of each series and its covariates: those a forecast reads.
    """
    write_archive(path, *entries(state, keep))


def entries(state: ModelState, keep: int) -> tuple[dict, dict[str, np.ndarray]]:
    """The metadata and the named arrays of a model file holding ``state``.

    Parameters
    ----------
    state : ModelState
        The fitted forecaster's state.
    keep : int
        Values kept of each series and its covariates.

    Returns
    -------
    meta : dict
        Plain JSON values.
    arrays : dict of str to ndarray
        Entry name to array.
    """
    history = state.history
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "gluts_version": __version__,
        "torch_version": torch.__version__,
        "params": _params(state.params),
        "spec": state.spec.to_dict(),
        "season_length": state.season_length,
        "log_transform": state.log_transform,
        "calendar": state.calendar,
        "covariates": _covariate_meta(state.covariates),
        "adapter": state.read_options.as_dict(),
        "schema": _schema(history, state.read_options),
        "training_fingerprint": (
            _fingerprint(history) if state.fingerprint is None else state.fingerprint
        ),
        "layout": {k: jsonable(v) for k, v in vars(history.layout).items()},
        "ids": [jsonable(i) for i in history.ids],
        "stamps": [[str(s) for s in idx[-keep:]] for idx in history.index],
        "selection": None if state.selection is None else asdict(state.selection),
    }
    arrays = {f"{WEIGHTS}{name}.npy": array for name, array in state.weights.items()}
    for k, values in enumerate(history.values):
        arrays[f"{VALUES}{k}.npy"] = np.asarray(values[-keep:], np.float64)
    for k, values in enumerate(state.covariates.history or []):
        arrays[f"{COVARIATES}{k}.npy"] = values[-keep:]
    meta["seasonal_adjustment"] = state.seasonal_adjustment
    indices = state.seasonal_indices or [None] * len(history)
    meta["seasonal"] = [k for k, s in enumerate(indices) if s is not None]
    if meta["seasonal"]:
        arrays[SEASONAL] = np.stack([indices[k] for k in meta["seasonal"]]).astype(np.float64)
    return jsonable(meta), arrays  # numpy scalars and arrays (from set_params) as JSON


def read_metadata(path: str | Path) -> dict:
    """Return the JSON metadata of a model file, without loading the model.

    Parameters
    ----------
    path : str or pathlib.Path
        The model file.

    Returns
    -------
    dict
        Format and versions, ``params``, ``schema``, ``training_fingerprint`` and the
        network ``spec``, among others.

    Raises
    ------
    DataError
        When the file is not a readable gluts model file.
    """
    return open_model(Path(path), arrays=False)[0]


def read_model(path: str | Path, build: Callable[[ModelState], Model]) -> Model:
    """Read the model file ``path`` and build the model from its state.

    Parameters
    ----------
    path : str or pathlib.Path
        The model file.
    build : callable
        Makes the model from a :class:`ModelState`.

    Returns
    -------
    object
        What ``build`` returns.

    Raises
    ------
    DataError
        When the file is not a gluts model file, is damaged (also when ``build`` fails on
        its state), or was written by an incompatible version. Nothing in the file is
        executed.
    """
    path = Path(path)
    meta, arrays = open_model(path, arrays=True)
    try:
        return build(model_state(meta, arrays))
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise DataError(f"{path} is a damaged gluts model file: {first_line(exc)}") from None


class PicklesNetwork:
    """Pickles ``network_`` as its state dict (a weight-normed module does not pickle) and
    rebuilds it from ``spec_`` (for the copies that joblib and ``copy.deepcopy`` make)."""

    def __getstate__(self) -> dict:
        return pickle_state(self.__dict__)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(unpickle_state(state))


def pickle_state(attributes: dict) -> dict:
    """A fitted forecaster's ``__dict__`` to pickle, with ``network_`` as its state dict."""
    state = attributes.copy()
    network = state.pop("network_", None)
    if network is not None:
        state["_network_state"] = network.state_dict()
    return state


def unpickle_state(state: dict) -> dict:
    """The attributes of a pickled forecaster, with ``network_`` rebuilt from ``spec_``."""
    state = state.copy()
    weights = state.pop("_network_state", None)
    if weights is not None:
        state["network_"] = restore_network(state["spec_"], weights)
    return state


def restore_network(spec: NetworkSpec, weights: dict) -> torch.nn.Module:
    """The network of ``spec`` with ``weights`` (tensors or arrays by name), for inference."""
    network = build_network(spec)
    network.load_state_dict({k: torch.as_tensor(w) for k, w in weights.items()}, strict=True)
    return network.eval()


def model_state(meta: dict, arrays: dict[str, np.ndarray]) -> ModelState:
    """The :class:`ModelState` of checked metadata and arrays (as :func:`entries` made)."""
    n_series = len(meta["ids"])
    values = [arrays[f"{VALUES}{k}.npy"] for k in range(n_series)]
    seasonal = dict(zip(meta.get("seasonal", []), arrays.get(SEASONAL, [])))
    if any((s <= 0).any() for s in seasonal.values()):
        raise ValueError("a seasonal index is not positive")
    return ModelState(
        params={**meta["params"], "quantiles": tuple(meta["params"]["quantiles"])},
        spec=NetworkSpec(**{**meta["spec"], "quantiles": tuple(meta["spec"]["quantiles"])}),
        weights={
            name.removeprefix(WEIGHTS).removesuffix(".npy"): array
            for name, array in arrays.items()
            if name.startswith(WEIGHTS)
        },
        season_length=meta["season_length"],
        log_transform=bool(meta["log_transform"]),
        calendar=meta["calendar"],
        covariates=_covariates(meta["covariates"], arrays, n_series),
        read_options=ReadOptions(**meta["adapter"]),
        history=_rebuild_panel(meta, values),
        fingerprint=meta["training_fingerprint"],
        selection=None if meta.get("selection") is None else Selection(**meta["selection"]),
        seasonal_adjustment=meta.get("seasonal_adjustment"),
        seasonal_indices=[seasonal.get(k) for k in range(n_series)],
    )


def _covariate_meta(covariates: Covariates) -> dict:
    if not covariates.names:
        return {"names": [], "future": []}
    return {
        "names": covariates.names,
        "future": covariates.future,
        "mean": covariates.mean.tolist(),
        "scale": covariates.scale.tolist(),
    }


def _covariates(meta: dict, arrays: dict[str, np.ndarray], n_series: int) -> Covariates:
    names, future = list(meta["names"]), list(meta["future"])
    if not names:
        return Covariates(names, future)
    return Covariates(
        names,
        future,
        mean=np.array(meta["mean"], dtype=np.float64),
        scale=np.array(meta["scale"], dtype=np.float64),
        history=[arrays[f"{COVARIATES}{k}.npy"] for k in range(n_series)],
    )


def _rebuild_panel(meta: dict, values: list[np.ndarray]) -> Panel:
    schema = meta["schema"]
    kind = schema["time_kind"]
    parse = {
        "integer": lambda s: pd.Index([int(x) for x in s]),
        "datetime": lambda s: pd.DatetimeIndex(pd.to_datetime(s)),
        # as an offset: a Period takes "M" but not the "ME" that a monthly grid's freqstr is
        "period": lambda s: pd.PeriodIndex(s, freq=to_offset(schema["freq"])),
    }[kind]
    frames = [
        pd.DataFrame({"unique_id": k, "ds": parse(stamps), "y": v})
        for k, (stamps, v) in enumerate(zip(meta["stamps"], values, strict=True))
    ]
    long = pd.concat(frames, ignore_index=True)
    panel = to_panel(long, freq=schema["freq"] if kind == "datetime" else None)
    panel.ids = list(meta["ids"])
    panel.layout = Layout(**meta["layout"])
    return panel


def _schema(history: Panel, options: ReadOptions) -> dict:
    """The columns, time kind and frequency of the training data, and its series."""
    grid = history.grid
    return {
        "id_col": options.id_col,
        "time_col": options.time_col,
        "target_col": options.target_col,
        "input_layout": history.layout.kind,
        "time_kind": grid.kind,
        "freq": grid.freq if grid.kind == "integer" else grid.freq.freqstr,
        "n_series": len(history),
        "dtype": "float64",
    }


def _fingerprint(history: Panel) -> dict:
    """A SHA-256 of the training series (ids, first timestamp, values) and their extent."""
    digest = hashlib.sha256()
    for sid, index, values in zip(history.ids, history.index, history.values):
        digest.update(f"{sid!r}|{index[0]}|{len(values)}|".encode())
        digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return {
        "sha256": digest.hexdigest(),
        "n_series": len(history),
        "n_observations": int(sum(len(v) for v in history.values)),
        "start": str(min(idx[0] for idx in history.index)),
        "end": str(max(idx[-1] for idx in history.index)),
    }


def _params(params: dict) -> dict:
    if not isinstance(params["random_state"], (int, np.integer, type(None))):
        params = {**params, "random_state": None}  # a RandomState's position is not JSON
    return {k: jsonable(v) for k, v in params.items()}
