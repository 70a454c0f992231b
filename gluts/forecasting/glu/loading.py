"""Loading a GLU forecaster from its model file."""

from __future__ import annotations

from pathlib import Path

from gluts.forecasting.glu.estimator import GLUForecaster
from gluts.forecasting.glu.persistence import read_model

__all__ = ["load"]


def load(path: str | Path) -> GLUForecaster:
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
        When the path is not a regular file or not a gluts model file, when any size or
        field in it is out of range or inconsistent (weights must be finite), or when it was
        written by an incompatible version; the message names the file and the field.
        Nothing in the file is executed.
    """
    return read_model(path, GLUForecaster._from_state)
