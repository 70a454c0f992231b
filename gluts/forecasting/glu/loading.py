"""Loading a GLU forecaster from its model file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from gluts._archive import first_line
from gluts.exceptions import DataError
from gluts.forecasting.glu.estimator import GLUForecaster
from gluts.forecasting.glu.file_checks import expected_entries
from gluts.forecasting.glu.persistence import entries, model_state, read_model

__all__ = ["forecaster_entries", "forecaster_from_entries", "load"]


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


def forecaster_entries(model: GLUForecaster) -> tuple[dict, dict[str, np.ndarray]]:
    """The metadata and arrays of ``model``'s file, for a file that holds it inside.

    Parameters
    ----------
    model : GLUForecaster
        A fitted forecaster.

    Returns
    -------
    meta : dict
        The metadata of its model file.
    arrays : dict of str to ndarray
        Its arrays, by entry name.
    """
    fitted = model._as_fitted()
    return entries(fitted._get_state(), keep=fitted._history_length())


def forecaster_from_entries(
    path: Path, meta: dict, read: Callable[[dict[str, tuple]], dict[str, np.ndarray]]
) -> GLUForecaster:
    """The forecaster that a file holds inside, checked as its own model file would be.

    Parameters
    ----------
    path : pathlib.Path
        The file, for messages.
    meta : dict
        The forecaster's metadata, as :func:`forecaster_entries` made it.
    read : callable
        Reads the arrays given their expected shapes and dtypes (entry name to
        ``(shape, dtype)``), checking each before reading it.

    Returns
    -------
    GLUForecaster
        The fitted forecaster, on the CPU.

    Raises
    ------
    DataError
        When any field or array is out of range or inconsistent.
    """
    arrays = read(expected_entries(path, meta))
    try:
        return GLUForecaster._from_state(model_state(meta, arrays))
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise DataError(f"{path} is a damaged gluts model file: {first_line(exc)}") from None
