"""Save and load fitted GLU forecasters without pickle.

A model file is written with ``torch.save`` but holds only tensors, strings and numbers: the
estimator's parameters and the data schema as a JSON string, the network weights, and the
tail of each fitted series that prediction needs. It is read back with
``torch.load(weights_only=True)``, which refuses anything that would execute code, and always
onto the CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import gluts
from gluts.data import Layout, to_panel
from gluts.exceptions import DataError

__all__ = ["load", "save"]

FORMAT = "gluts.GLUForecaster"
FORMAT_VERSION = 1


def save(model, path: str | Path) -> None:
    """Write a fitted :class:`~gluts.GLUForecaster` to ``path``.

    Parameters
    ----------
    model : GLUForecaster
        A fitted forecaster.
    path : str or pathlib.Path
        The file to write.
    """
    history = model.history_
    keep = model._history_length()
    tails = [v[-keep:] for v in history.values]
    stamps = [idx[-keep:] for idx in history.index]
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "gluts_version": gluts.__version__,
        "params": _params(model),
        "spec": model.spec_.to_dict(),
        "season_length": model.season_length_,
        "log_transform": model.log_transform_,
        "calendar": model.calendar_,
        "adapter": model._adapter_kwargs_,
        "layout": {k: _jsonable(v) for k, v in vars(history.layout).items()},
        "ids": [_jsonable(i) for i in history.ids],
        "time_kind": history.grid.kind,
        "freq": history.grid.freq if history.grid.kind == "integer" else history.grid.freq.freqstr,
        "stamps": [[str(s) for s in idx] for idx in stamps],
    }
    payload = {
        "meta": json.dumps(meta),
        "state_dict": model.network_.state_dict(),
        "values": [torch.tensor(np.asarray(t, dtype=np.float64)) for t in tails],
    }
    torch.save(payload, Path(path))


def load(path: str | Path):
    """Load a forecaster written by :meth:`GLUForecaster.save`, onto the CPU.

    Parameters
    ----------
    path : str or pathlib.Path
        The model file.

    Returns
    -------
    GLUForecaster
        The fitted forecaster, ready to predict.

    Raises
    ------
    DataError
        When the file is not a gluts model file, is damaged, or was written by an
        incompatible version. Nothing in the file is executed.
    """
    from gluts.forecasting.glu import GLUForecaster
    from gluts.nn import GLUNetwork, NetworkSpec

    try:
        payload = torch.load(Path(path), map_location="cpu", weights_only=True)
        meta = json.loads(payload["meta"])
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to parse means a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path} is not a readable gluts model file: {first[:200]}") from None
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"{path} holds format {meta.get('format')!r} version {meta.get('format_version')!r}; "
            f"this gluts ({gluts.__version__}) reads {FORMAT!r} version {FORMAT_VERSION}."
        )
    params = meta["params"]
    model = GLUForecaster(**{**params, "quantiles": tuple(params["quantiles"])})
    spec = NetworkSpec(**{**meta["spec"], "quantiles": tuple(meta["spec"]["quantiles"])})
    network = GLUNetwork(spec)
    network.load_state_dict(payload["state_dict"])
    model.network_ = network.eval()
    model.spec_ = spec
    model.season_length_ = meta["season_length"]
    model.log_transform_ = bool(meta["log_transform"])
    model.calendar_ = meta["calendar"]
    model._adapter_kwargs_ = meta["adapter"]
    panel = _rebuild_panel(meta, payload["values"])
    model.history_ = panel
    model.series_ids_ = list(panel.ids)
    model.n_series_ = len(panel)
    return model


def _rebuild_panel(meta: dict, values: list[torch.Tensor]):
    parse = {
        "integer": lambda s: pd.Index([int(x) for x in s]),
        "datetime": lambda s: pd.DatetimeIndex(pd.to_datetime(s)),
        "period": lambda s: pd.PeriodIndex(s, freq=meta["freq"]),
    }[meta["time_kind"]]
    frames = [
        pd.DataFrame({"unique_id": sid, "ds": parse(stamps), "y": v.numpy()})
        for sid, stamps, v in zip(meta["ids"], meta["stamps"], values)
    ]
    long = pd.concat(frames, ignore_index=True)
    freq = None if meta["time_kind"] != "datetime" else meta["freq"]
    panel = to_panel(long, freq=freq)
    panel.ids = list(meta["ids"])
    panel.layout = Layout(**meta["layout"])
    return panel


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
