"""The GLU forecaster, one module per job.

``estimator`` holds :class:`GLUForecaster`; ``windows`` turns series into the tensors the
network reads; ``covariates`` aligns and standardises ``X``; ``training`` sizes and runs the
training loop; ``runtime`` picks the device and thread count; ``persistence`` is the model
file format, and ``loading`` rebuilds a forecaster from a file.
"""

from gluts.forecasting.glu.estimator import GLUForecaster
from gluts.forecasting.glu.persistence import load, read_metadata

__all__ = ["GLUForecaster", "load", "read_metadata"]
