"""Save and load fitted GLU forecasters without pickle.

A model file is a zip archive of plain data: ``meta.json`` (format version, gluts and torch
versions, the estimator's parameters, the network spec, the data schema and a fingerprint of
the training data) and one ``.npy`` array per network weight, per stored series tail and per
stored covariate tail. It
is read with :mod:`zipfile`, :mod:`json` and ``numpy.load(allow_pickle=False)``, so nothing
in a file, tampered or not, can run code when it is loaded. Weights are copied to the CPU
when saved, so a model trained on a GPU loads on a machine without one.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import gluts
from gluts.data import Layout, ReadOptions, to_panel
from gluts.exceptions import DataError

__all__ = ["load", "read_metadata", "save"]

FORMAT = "gluts.GLUForecaster"
FORMAT_VERSION = 2
META = "meta.json"
WEIGHTS = "weights/"
VALUES = "values/"
COVARIATES = "covariates/"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip entry times: the same model gives the same bytes


def save(model, path: str | Path) -> None:
    """Write a fitted :class:`~gluts.GLUForecaster` to ``path``.

    Parameters
    ----------
    model : GLUForecaster
        A fitted forecaster.
    path : str or pathlib.Path
        The file to write (a zip archive of JSON and ``.npy`` arrays).
    """
    history = model.history_
    keep = model._history_length()
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "gluts_version": gluts.__version__,
        "torch_version": torch.__version__,
        "params": _params(model),
        "spec": model.spec_.to_dict(),
        "season_length": model.season_length_,
        "log_transform": model.log_transform_,
        "calendar": model.calendar_,
        "covariates": _covariate_meta(model),
        "adapter": model.read_options_.as_dict(),
        "schema": _schema(model),
        "training_fingerprint": _training_fingerprint(model),
        "layout": {k: _jsonable(v) for k, v in vars(history.layout).items()},
        "ids": [_jsonable(i) for i in history.ids],
        "stamps": [[str(s) for s in idx[-keep:]] for idx in history.index],
    }
    weights = model.network_.state_dict()
    with zipfile.ZipFile(Path(path), "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, META, json.dumps(meta, indent=1).encode("utf-8"))
        for name, tensor in weights.items():
            _write(archive, f"{WEIGHTS}{name}.npy", _npy(tensor.detach().cpu().numpy()))
        for k, values in enumerate(history.values):
            _write(archive, f"{VALUES}{k}.npy", _npy(np.asarray(values[-keep:], np.float64)))
        for k, values in enumerate(model.covariate_history_ or []):
            _write(archive, f"{COVARIATES}{k}.npy", _npy(values[-keep:]))


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
    return _read(Path(path), arrays=False)[0]


def load(path: str | Path):
    """Load a forecaster written by :meth:`GLUForecaster.save`, onto the CPU.

    Parameters
    ----------
    path : str or pathlib.Path
        The model file.

    Returns
    -------
    GLUForecaster
        The fitted forecaster, ready to predict. A model fitted with ``device="cuda"``
        predicts on the CPU (``device="cpu"``) where torch sees no CUDA device.

    Raises
    ------
    DataError
        When the file is not a gluts model file, is damaged, or was written by an
        incompatible version. Nothing in the file is executed.
    """
    path = Path(path)
    meta, arrays = _read(path, arrays=True)
    try:
        return _rebuild(meta, arrays)
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise DataError(f"{path} is a damaged gluts model file: {_first_line(exc)}") from None


def _read(path: Path, arrays: bool) -> tuple[dict, dict[str, np.ndarray]]:
    if not path.exists():
        raise FileNotFoundError(f"No model file {str(path)!r}.")
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read(META).decode("utf-8"))
            if not isinstance(meta, dict):
                raise ValueError(f"{META} is not a JSON object")
            _check_version(path, meta)
            names = archive.namelist()
            stray = [n for n in names if n != META and not _is_array_entry(n)]
            if stray:
                raise ValueError(f"unexpected entry {stray[0]!r}")
            found = {
                name: np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
                for name in (names if arrays else ())
                if name != META
            }
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse means a bad file
        raise DataError(f"{path} is not a readable gluts model file: {_first_line(exc)}") from None
    return meta, found


def _is_array_entry(name: str) -> bool:
    return name.endswith(".npy") and name.startswith((WEIGHTS, VALUES, COVARIATES))


def _check_version(path: Path, meta: dict) -> None:
    fmt, version = meta.get("format"), meta.get("format_version")
    if fmt == FORMAT and version == FORMAT_VERSION:
        return
    written = meta.get("gluts_version", "an unknown version")
    hint = (
        "upgrade gluts to load it"
        if isinstance(version, int) and version > FORMAT_VERSION
        else "refit and save the model again"
    )
    raise DataError(
        f"{path} holds format {fmt!r} version {version!r} (written by gluts {written}); "
        f"this gluts ({gluts.__version__}) reads {FORMAT!r} version {FORMAT_VERSION}: {hint}."
    )


def _rebuild(meta: dict, arrays: dict[str, np.ndarray]):
    from gluts.forecasting.glu.estimator import GLUForecaster
    from gluts.nn import GLUNetwork, NetworkSpec

    params = {**meta["params"], "quantiles": tuple(meta["params"]["quantiles"])}
    if params.get("device") == "cuda" and not torch.cuda.is_available():
        params["device"] = "cpu"  # trained on a GPU, predicting on a machine without one
    model = GLUForecaster(**params)
    spec = NetworkSpec(**{**meta["spec"], "quantiles": tuple(meta["spec"]["quantiles"])})
    network = GLUNetwork(spec)
    weights = {
        name.removeprefix(WEIGHTS).removesuffix(".npy"): torch.tensor(array)
        for name, array in arrays.items()
        if name.startswith(WEIGHTS)
    }
    network.load_state_dict(weights, strict=True)
    model.network_ = network.eval()
    model.spec_ = spec
    model.season_length_ = meta["season_length"]
    model.log_transform_ = bool(meta["log_transform"])
    model.calendar_ = meta["calendar"]
    _rebuild_covariates(model, meta["covariates"], arrays, len(meta["ids"]))
    model.read_options_ = ReadOptions(**meta["adapter"])
    values = [arrays[f"{VALUES}{k}.npy"] for k in range(len(meta["ids"]))]
    panel = _rebuild_panel(meta, values)
    model.history_ = panel
    model._loaded_from = (panel, meta["training_fingerprint"])
    model.series_ids_ = list(panel.ids)
    model.n_series_ = len(panel)
    return model


def _covariate_meta(model) -> dict:
    if not model.covariates_:
        return {"names": [], "future": []}
    return {
        "names": model.covariates_,
        "future": model.future_covariates_,
        "mean": model.covariate_mean_.tolist(),
        "scale": model.covariate_scale_.tolist(),
    }


def _rebuild_covariates(model, meta: dict, arrays: dict[str, np.ndarray], n_series: int):
    model.covariates_, model.future_covariates_ = list(meta["names"]), list(meta["future"])
    model.covariate_history_ = None
    if model.covariates_:
        model.covariate_mean_ = np.array(meta["mean"], dtype=np.float64)
        model.covariate_scale_ = np.array(meta["scale"], dtype=np.float64)
        model.covariate_history_ = [arrays[f"{COVARIATES}{k}.npy"] for k in range(n_series)]


def _rebuild_panel(meta: dict, values: list[np.ndarray]):
    schema = meta["schema"]
    kind = schema["time_kind"]
    parse = {
        "integer": lambda s: pd.Index([int(x) for x in s]),
        "datetime": lambda s: pd.DatetimeIndex(pd.to_datetime(s)),
        "period": lambda s: pd.PeriodIndex(s, freq=schema["freq"]),
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


def _schema(model) -> dict:
    """The columns, time kind and frequency of the training data, and its series."""
    history, options = model.history_, model.read_options_
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


def _training_fingerprint(model) -> dict:
    """The fingerprint of the data the model was fitted on (kept from the file it came from)."""
    panel, fingerprint = getattr(model, "_loaded_from", (None, None))
    return fingerprint if panel is model.history_ else _fingerprint(model.history_)


def _fingerprint(history) -> dict:
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


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _params(model) -> dict:
    params = model.get_params()
    if not isinstance(params["random_state"], (int, np.integer, type(None))):
        params["random_state"] = None  # a RandomState's position cannot be stored as JSON
    return {k: _jsonable(v) for k, v in params.items()}


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    raise DataError(f"Cannot save the value {value!r} in a model file.")
