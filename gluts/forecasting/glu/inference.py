"""The forecast of a trained GLU network from prepared series, in the values' model scale."""

from __future__ import annotations

import numpy as np
import torch

from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import GLUNetwork

__all__ = ["forecast_last"]


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
    tensors = (data.features, data.values, data.loc, data.scale)
    last = torch.tensor([data.values.shape[1] - 1], device=device)
    out = network(*(t.to(device) for t in tensors), positions=last, future=future)  # (n, 1, H, Q)
    out = out[:, -1, :h].double().cpu().numpy()  # (n, h, Q)
    loc, scale = data.loc_raw[:, -1, None, None], data.scale_raw[:, -1, None, None]
    return loc + scale * out
