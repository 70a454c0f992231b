"""Shared fixtures: small seeded synthetic panels, CPU-only torch settings, and the benchmark
scripts as modules."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(name: str):
    """Import ``benchmarks/<name>.py`` as a module (it puts ``benchmarks/`` on the path for its
    siblings; registered in ``sys.modules``, where its dataclasses look their module up)."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def seasonal_panel(n_series: int = 2, length: int = 120, season: int = 24, seed: int = 0):
    """A long frame of hourly seasonal series with trend and noise, fully seeded."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    frames = []
    for k in range(n_series):
        y = (
            10.0
            + 2.0 * k
            + 3.0 * np.sin(2 * np.pi * t / season + k)
            + 0.01 * t
            + rng.normal(scale=0.3, size=length)
        )
        ds = pd.date_range("2021-01-01", periods=length, freq="h")
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def small_spec(**changes):
    """A small GLU network's sizes (4 channels, 2 blocks of 2 taps), with ``changes``."""
    from gluts.nn import NetworkSpec

    base = dict(
        in_features=1,
        horizon=3,
        quantiles=(0.1, 0.5, 0.9),
        context_length=8,
        season_length=1,
        n_channels=4,
        n_blocks=2,
        kernel_size=2,
        dilation_base=2,
        gate="sigmoid",
        dropout=0.0,
        use_weight_norm=True,
    )
    return NetworkSpec(**{**base, **changes})


def training_plan(**changes):
    """A one-step training plan without a validation tail, with ``changes``."""
    from gluts.forecasting.glu.training import TrainingPlan

    base = dict(
        n_steps=1,
        batch_size=1,
        window=8,
        learning_rate=1e-3,
        warm=3,
        validation=0,
        early_stopping=False,
    )
    return TrainingPlan(**{**base, **changes})


def frame_ending_together(series: dict, freq: str, end: str = "2024-01-01") -> pd.DataFrame:
    """A long frame of ``series`` (id -> values; lengths may differ) that all end at ``end``."""
    frames = [
        pd.DataFrame(
            {"unique_id": sid, "ds": pd.date_range(end=end, periods=len(y), freq=freq), "y": y}
        )
        for sid, y in series.items()
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def frame_of():
    """The :func:`frame_ending_together` factory: ``frame_of({"a": values}, freq="MS")``."""
    return frame_ending_together


@pytest.fixture
def make_panel():
    """The :func:`seasonal_panel` factory, for tests that need several panels."""
    return seasonal_panel


@pytest.fixture(autouse=True, scope="session")
def _cpu_threads():
    """Keep torch (when installed) to the machine's two cores and off any GPU."""
    try:
        import torch
    except ImportError:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(min(2, previous))
    yield
    torch.set_num_threads(previous)
