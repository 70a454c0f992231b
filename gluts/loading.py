"""``gluts.load``: a forecaster or a detector, from the file its ``save`` wrote."""

from __future__ import annotations

from pathlib import Path

from gluts._archive import open_archive, read_json

__all__ = ["load"]

_DETECTOR = "gluts.AnomalyDetector"
_PEEK_BYTES = 64 << 20


def load(path: str | Path):
    """Load a fitted forecaster or detector from the file its ``save`` method wrote.

    Parameters
    ----------
    path : str or pathlib.Path
        A model file (:meth:`GLUForecaster.save <gluts.GLUForecaster.save>`) or a detector
        file (``save`` of any detector, with its stream state).

    Returns
    -------
    GLUForecaster or detector
        The fitted estimator: a forecaster ready to predict (on the CPU), a detector ready
        to ``score`` and ``update`` where its stream stopped.

    Raises
    ------
    DataError
        When the path is not a regular file or not a gluts model or detector file, when
        any size or field in it is out of range or inconsistent, or when it was written by
        an incompatible version; the message names the file. Nothing in the file is
        executed.
    """
    path = Path(path)
    kind = open_archive(path, lambda archive: read_json(archive, _PEEK_BYTES).get("format"))
    if kind == _DETECTOR:
        from gluts.anomaly.loading import read_detector

        return read_detector(path)
    from gluts.forecasting.glu.loading import load as load_forecaster

    return load_forecaster(path)
