"""The GLU forecaster, one module per job, listed from the bottom up.

* ``runtime``: torch's device and threads;
* ``parameters``: the constraints of the parameters and the network sizes derived from them;
* ``windows``: the series as the tensors the network reads (scaling, calendar features);
* ``covariates``: ``X`` aligned with the series and standardised;
* ``training``: the training budget and loop;
* ``inference``: the network's forecast from prepared series;
* ``persistence``: the model file format, and the pickled form of the network;
* ``estimator``: :class:`GLUForecaster`, which uses all of the above;
* ``loading``: a forecaster rebuilt from its model file.

A module imports only modules above it here, and ``gluts.nn``, ``gluts.data`` and the
top-level helpers (``gluts.base``, ``gluts.exceptions``, ``gluts._progress``).
"""

from gluts.forecasting.glu.estimator import GLUForecaster
from gluts.forecasting.glu.loading import load
from gluts.forecasting.glu.persistence import read_metadata

__all__ = ["GLUForecaster", "load", "read_metadata"]
