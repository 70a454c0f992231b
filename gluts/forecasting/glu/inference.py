"""The forecast of a trained GLU network from prepared series, in the values' model scale.

Forecasts are batch-invariant: a series' forecast does not depend on which series share its
batch, its task or its call. CPU kernels pick their reduction order by the shape of the whole
batch (a convolution over 60 series and the same one over a single series differ by up to
1e-6 in float32), so every forward pass here has the same shape: :data:`BATCH` series, the
last batch padded with copies of its first series. With one shape, each series' arithmetic
is the same wherever it sits in the batch, whatever the number of threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gluts._threads import in_task
from gluts.forecasting.glu.covariates import Covariates
from gluts.forecasting.glu.persistence import pickle_state, unpickle_state
from gluts.forecasting.glu.runtime import device_for, torch_threads
from gluts.forecasting.glu.windows import SequenceData, prepare
from gluts.nn import GLUNetwork

__all__ = [
    "BATCH",
    "SECONDS_PER_VALUE",
    "Predictor",
    "forecast_chunk",
    "forecast_last",
    "series_items",
]

# Series per forward pass. Small batches are as fast per series as large ones on CPUs (1.5 ms
# per series at 8, 16 or 32 with the default network, slower at 256), and pad little.
BATCH = 16
# Estimated seconds of prediction per series and value read (sizes parallel tasks).
SECONDS_PER_VALUE = 4e-6


def forecast_last(
    network: GLUNetwork,
    data: SequenceData,
    future: torch.Tensor | None,
    h: int,
    device: torch.device,
) -> np.ndarray:
    """Forecast ``h`` steps from the last position of each series.

    Parameters
    ----------
    network : GLUNetwork
        The trained network, on ``device``.
    data : SequenceData
        The series, right-aligned (see :func:`~gluts.forecasting.glu.windows.prepare`).
    future : Tensor of shape (n_series, n_future, time + horizon) or None
        The known-future covariates over the history and the forecast steps.
    h : int
        Steps to keep, at most the network's horizon.
    device : torch.device
        Where to compute.

    Returns
    -------
    ndarray of shape (n_series, h, n_quantiles)
        The forecast quantiles, mapped back from the scaled space to the modelled values
        (logs when the forecaster models logs).
    """
    n = data.values.shape[0]
    tensors = (data.features, data.values, data.loc, data.scale, future)
    last = torch.tensor([data.values.shape[1] - 1], device=device)
    parts = []
    for start in range(0, n, BATCH):
        rows = torch.arange(start, start + BATCH)
        rows[rows >= n] = start  # padding: copies of the batch's first series
        features, values, loc, scale, ahead = (
            None if t is None else t[rows].to(device) for t in tensors
        )
        out = network(features, values, loc, scale, positions=last, future=ahead)  # (B, 1, H, Q)
        parts.append(out[: min(BATCH, n - start), -1, :h].double().cpu().numpy())  # (b, h, Q)
    out = np.concatenate(parts) if parts else np.empty((0, h, len(network.spec.quantiles)))
    loc, scale = data.loc_raw[:, -1, None, None], data.scale_raw[:, -1, None, None]
    return loc + scale * out


@dataclass
class Predictor:
    """What forecasting series with a fitted GLU network needs, without the fitted series.

    :class:`~gluts.forecasting.glu.GLUForecaster` builds it for every prediction; it is
    what a parallel prediction task receives (with its own chunk of series).

    Attributes
    ----------
    network : GLUNetwork
        The trained network.
    levels : tuple of float
        The quantile levels the network predicts (the median among them).
    quantiles : tuple of float
        The levels to return.
    covariates : Covariates
        The fitted covariates (names and standardisation; no history).
    calendar : list of str
        Calendar features.
    scaler : str
        The scaler.
    season_length, scale_window, length : int
        Season, scale window and values read per series (see ``windows.prepare``).
    log_transform : bool
        Whether the network models logs.
    device : str
        Where to compute.
    n_threads : int or None
        torch threads (one inside a parallel task).
    """

    network: GLUNetwork
    levels: tuple[float, ...]
    quantiles: tuple[float, ...]
    covariates: Covariates
    calendar: list[str]
    scaler: str
    season_length: int
    scale_window: int
    length: int
    log_transform: bool
    device: str
    n_threads: int | None

    def __getstate__(self) -> dict:
        """Pickle the network as its state dict (a weight-normed module does not pickle)."""
        state = {**vars(self), "network_": self.network, "spec_": self.network.spec}
        del state["network"]
        return pickle_state(state)

    def __setstate__(self, state: dict) -> None:
        state = unpickle_state(state)
        del state["spec_"]
        vars(self).update(state, network=state.pop("network_"))

    def forecast(self, items: list, h: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Forecast ``h`` steps of each series.

        Parameters
        ----------
        items : list of tuple
            Per series ``(values, index, past, ahead)``: its values in model scale (logs
            when ``log_transform``), their index and, with covariates, their values over
            the history ``(n, n_covariates)`` and over the ``h`` steps (None without).
        h : int
            Steps, at most the network's horizon.

        Returns
        -------
        list of (ndarray of shape (h,), ndarray of shape (h, len(quantiles)))
            Per series, the point forecast (the median) and the quantiles.
        """
        columns = [self.levels.index(q) for q in self.quantiles]
        median, device, out = self.levels.index(0.5), device_for(self.device), []
        fitted, future_columns = self.covariates, self.covariates.future_columns
        with torch_threads(1 if in_task() else self.n_threads), torch.inference_mode():
            network = self.network.to(device)
            for start in range(0, len(items), 16 * BATCH):  # inputs of 256 series at a time
                values, index, past, ahead = zip(*items[start : start + 16 * BATCH])
                past = None if past[0] is None else fitted.standardise(list(past))
                data = prepare(
                    list(values), list(index), self.calendar, self.length, self.scaler,
                    self.season_length, self.scale_window, past, future_columns,
                )  # fmt: skip
                future = None
                if data.future is not None:
                    horizon = network.spec.horizon
                    future = fitted.future_tensor(data.future, list(ahead), horizon)
                raw = forecast_last(network, data, future, h, device)  # (n, h, Q)
                raw = np.exp(raw) if self.log_transform else raw
                if not np.isfinite(raw).all():
                    raise FloatingPointError(
                        "GLU forecasts overflow (inf or NaN): the training diverged; refit with "
                        "a lower learning_rate."
                    )
                out += [(r[:, median], r[:, columns]) for r in raw]
            network.cpu()
        return out


def forecast_chunk(worker, items: list, shared: tuple) -> list:
    """A prediction task (see :func:`gluts._parallel.map_series`): ``shared`` holds the
    :class:`Predictor` and ``h``; the estimator's clone ``worker`` is not needed."""
    predictor, h = shared
    return predictor.forecast(items, h)


def series_items(values: list[np.ndarray], index: list, covariates) -> list[tuple]:
    """The items of :meth:`Predictor.forecast` from values, indexes and the covariates of
    ``predict_covariates`` (``(past, ahead)`` per-series lists, or None)."""
    past, ahead = (None, None) if covariates is None else covariates
    return [
        (y, idx, None if past is None else past[i], None if ahead is None else ahead[i])
        for i, (y, idx) in enumerate(zip(values, index))
    ]
