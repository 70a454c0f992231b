"""Synthetic panels with labelled anomalies, and their clean twins, for detector tests."""

import pytest

from gluts.datasets import make_synthetic


@pytest.fixture(scope="module")
def panels():
    """(anomalous long frame with is_anomaly, clean long frame) of 2 hourly series."""
    kwargs = dict(n_series=2, length=700, random_state=0)
    dirty = make_synthetic(**kwargs)
    clean = make_synthetic(**kwargs, n_anomalies=0).drop(columns="is_anomaly")
    return dirty, clean
