"""Bundled real datasets and a seeded synthetic panel generator with labelled anomalies.

The CSVs live in the repository's top-level ``datasets/`` folder, which the wheel ships as
``gluts/_datasets``; ``datasets/README.md`` gives the provenance and licence of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from sklearn.utils import check_random_state

from gluts.data import read_table

__all__ = ["ANOMALY_KINDS", "list_datasets", "load_dataset", "make_synthetic"]


@dataclass(frozen=True)
class _Dataset:
    description: str
    frequency: str
    files: tuple[str, ...]


_DATASETS = {
    "elnino": _Dataset(
        "Nino 1+2 sea surface temperature (deg C), NOAA, 1950-2010", "MS", ("elnino.csv",)
    ),
    "co2": _Dataset(
        "Mauna Loa atmospheric CO2 (ppmv), monthly means, 1965-2001", "MS", ("co2.csv",)
    ),
    "elec_equip": _Dataset(
        "Euro-area electrical equipment turnover index, Eurostat, 1995-2016",
        "MS",
        ("elec_equip.csv",),
    ),
    "monthly_seasonal": _Dataset(
        "elnino, co2 and elec_equip together: three seasonal monthly series",
        "MS",
        ("elnino.csv", "co2.csv", "elec_equip.csv"),
    ),
    "us_macro": _Dataset(
        "Ten US macroeconomic series (GDP, CPI, M1, unemployment, ...), 1959Q1-2009Q3",
        "QS",
        ("us_macro.csv",),
    ),
    "nile": _Dataset("Annual Nile flow at Aswan (10^8 m^3), 1871-1970", "YS", ("nile.csv",)),
    "sunspots": _Dataset("Yearly mean sunspot numbers, 1700-2008", "YS", ("sunspots.csv",)),
}

ANOMALY_KINDS = (
    "spike",
    "dip",
    "level_shift",
    "dropout",
    "variance_burst",
    "stuck",
    "trend_change",
)
_DEFAULT_KINDS = ("spike", "level_shift", "dropout")  # the panels of earlier versions


def _data_dir() -> Traversable:
    """The folder holding the CSVs: inside the installed wheel, else the repository's."""
    packaged = resources.files("gluts") / "_datasets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "datasets"


def list_datasets() -> pd.DataFrame:
    """List the bundled datasets.

    Returns
    -------
    pandas.DataFrame
        One row per dataset with columns ``name``, ``description``, ``frequency`` (a pandas
        offset alias), ``n_series`` and ``n_rows``.

    See Also
    --------
    load_dataset : Load one of them as a long frame.

    Examples
    --------
    >>> from gluts import list_datasets
    >>> "elnino" in set(list_datasets()["name"])
    True
    """
    rows = []
    for name, info in _DATASETS.items():
        frame = load_dataset(name)
        rows.append(
            {
                "name": name,
                "description": info.description,
                "frequency": info.frequency,
                "n_series": frame["unique_id"].nunique(),
                "n_rows": len(frame),
            }
        )
    return pd.DataFrame(rows)


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled dataset as a long frame.

    Parameters
    ----------
    name : str
        One of the names in :func:`list_datasets`.

    Returns
    -------
    pandas.DataFrame
        Columns ``unique_id`` (str), ``ds`` (datetime64) and ``y`` (float64), sorted by
        series and time, without missing values.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled dataset.

    See Also
    --------
    list_datasets : The available names, with their frequency and size.
    make_synthetic : Seeded synthetic panels with labelled anomalies.

    Examples
    --------
    >>> from gluts import load_dataset
    >>> df = load_dataset("elnino")
    >>> df.shape
    (732, 3)
    >>> str(df["ds"].iloc[0].date())
    '1950-01-01'
    """
    if name not in _DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; valid names are: {', '.join(_DATASETS)}.")
    root = _data_dir()
    frames = []
    for file in _DATASETS[name].files:
        with resources.as_file(root.joinpath(file)) as path:
            frames.append(read_table(path, dtype={"unique_id": str, "y": "float64"}))
    frame = pd.concat(frames, ignore_index=True)
    frame["ds"] = pd.to_datetime(frame["ds"], format="%Y-%m-%d")
    return frame


def _check_int(name: str, value: object, low: int) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
        raise ValueError(
            f"The {name!r} parameter of make_synthetic must be an int >= {low}. Got {value!r}."
        )
    return int(value)


def _check_real(name: str, value: object, low: float | None = None) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or (low is not None and value < low):
        bound = "a finite float" if low is None else f"a finite float >= {low}"
        raise ValueError(
            f"The {name!r} parameter of make_synthetic must be {bound}. Got {value!r}."
        )
    return float(value)


def _inject(
    y: np.ndarray,
    labels: np.ndarray,
    n_anomalies: int,
    season_length: int,
    scale: float,
    kinds: tuple[str, ...],
    rng: np.random.Generator,
) -> None:
    """Inject ``n_anomalies`` non-overlapping anomalies after two seasons, in place.

    The span after the warm-up is cut into equal slots; each anomaly lies in its own slot,
    covers at most half of it (and at most one season) and ends before the slot's last step,
    so anomalies never touch. The first draws of each anomaly (kind, width, place, sign) are
    those of earlier versions, so the default kinds give the same panels.
    """
    warmup = 2 * season_length
    slot = (len(y) - warmup) // n_anomalies
    for k in range(n_anomalies):
        kind = kinds[rng.integers(len(kinds))]
        max_width = max(2, min(slot // 2, season_length))
        if kind == "spike":
            width = 1
        elif kind in _DEFAULT_KINDS:
            width = int(rng.integers(2, max_width + 1))
        else:  # long enough to be an incident rather than a blip
            width = int(rng.integers(max(2, max_width // 2), max_width + 1))
        begin = warmup + k * slot + int(rng.integers(0, slot - width))
        segment = slice(begin, begin + width)
        sign = rng.choice([-1.0, 1.0])
        ramp = np.arange(1, width + 1) / width
        if kind == "spike":
            y[segment] += sign * rng.uniform(5.0, 8.0) * scale
        elif kind == "level_shift":
            y[segment] += sign * rng.uniform(3.0, 5.0) * scale
        elif kind == "dropout":  # the sensor reads zero
            y[segment] = 0.0
        elif kind == "dip":  # a smooth sag down and back
            y[segment] -= rng.uniform(3.0, 5.0) * scale * np.sin(np.pi * ramp * width / (width + 1))
        elif kind == "variance_burst":
            y[segment] += rng.normal(0.0, rng.uniform(1.5, 3.0) * scale, size=width)
        elif kind == "stuck":  # the reading freezes at its last value
            y[segment] = y[begin - 1]
        else:  # trend_change: a ramp away from the normal level, then back
            y[segment] += sign * rng.uniform(3.0, 5.0) * scale * ramp
        labels[segment] = 1


def _check_kinds(kinds) -> tuple[str, ...]:
    if kinds is None:
        return _DEFAULT_KINDS
    if isinstance(kinds, str) or not isinstance(kinds, (tuple, list)) or not kinds:
        raise ValueError(
            "The 'anomaly_kinds' parameter of make_synthetic must be a non-empty tuple of "
            f"kinds from {ANOMALY_KINDS}. Got {kinds!r}."
        )
    unknown = [k for k in kinds if k not in ANOMALY_KINDS]
    if unknown:
        raise ValueError(
            f"make_synthetic has no anomaly kind {unknown[0]!r}; choose from {ANOMALY_KINDS}."
        )
    return tuple(kinds)


def make_synthetic(
    n_series: int = 3,
    length: int = 500,
    freq: str = "h",
    season_length: int = 24,
    trend: float = 0.002,
    noise: float = 0.2,
    n_anomalies: int = 3,
    random_state: int | np.random.RandomState | None = None,
    start: str | pd.Timestamp = "2024-01-01",
    anomaly_kinds: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Generate a panel of seasonal series with labelled injected anomalies.

    Each series is ``level + slope * t + seasonal(t) + noise``, where ``seasonal`` is a
    sinusoid of period ``season_length`` plus its second harmonic, with an amplitude drawn in
    [1, 10] per series; ``level``, ``slope`` and ``noise`` are expressed in units of that
    amplitude. Anomalies are placed after the first two seasons without overlapping; every
    affected step has ``is_anomaly == 1``. Their kinds (``anomaly_kinds``, drawn at random
    for each anomaly):

    * ``"spike"``: one step 5-8 amplitudes up or down;
    * ``"dip"``: a smooth sag down to 3-5 amplitudes below normal and back;
    * ``"level_shift"``: a temporary shift of 3-5 amplitudes up or down;
    * ``"dropout"``: the value drops to zero;
    * ``"variance_burst"``: noise of 1.5-3 amplitudes standard deviation added;
    * ``"stuck"``: the value freezes at its last normal reading;
    * ``"trend_change"``: a ramp away from the normal level, to 3-5 amplitudes, then back.

    All but the spike last from half a season (or two steps) to a season, at most half of
    an anomaly's share of the series.

    Parameters
    ----------
    n_series : int, default=3
        Number of series (``unique_id`` values ``"series_0"``, ``"series_1"``, ...).
    length : int, default=500
        Number of time steps per series; at least ``2 * season_length + 4 * n_anomalies``.
    freq : str, default="h"
        pandas offset alias of the time grid.
    season_length : int, default=24
        Period of the seasonal pattern, in steps (1 for no seasonality).
    trend : float, default=0.002
        Mean slope per step, in amplitudes; each series draws its own slope in
        [0.5, 1.5] times this value.
    noise : float, default=0.2
        Standard deviation of the Gaussian noise, in amplitudes.
    n_anomalies : int, default=3
        Number of anomalies injected into each series (0 for a clean panel).
    random_state : int, RandomState instance or None, default=None
        Seed for the draws. An int gives the same panel on every call; the clean signal
        does not depend on ``n_anomalies``, so ``n_anomalies=0`` with the same seed gives
        the panel before injection.
    start : str or pandas.Timestamp, default="2024-01-01"
        First timestamp of every series.
    anomaly_kinds : tuple of str or None, default=None
        The kinds to draw from (see above); None draws spikes, level shifts and dropouts
        (the panels of earlier versions).

    Returns
    -------
    pandas.DataFrame
        Long frame with columns ``unique_id``, ``ds``, ``y`` (float64) and ``is_anomaly``
        (int64, 0 or 1).

    Raises
    ------
    ValueError
        If a parameter is out of range, or ``freq`` or ``start`` cannot be parsed.

    See Also
    --------
    load_dataset : Real datasets bundled with gluts.

    Examples
    --------
    >>> from gluts import make_synthetic
    >>> df = make_synthetic(n_series=2, length=200, random_state=0)
    >>> df.shape
    (400, 4)
    >>> int(df.groupby("unique_id")["is_anomaly"].max().min())
    1
    """
    n_series = _check_int("n_series", n_series, 1)
    season_length = _check_int("season_length", season_length, 1)
    n_anomalies = _check_int("n_anomalies", n_anomalies, 0)
    kinds = _check_kinds(anomaly_kinds)
    length = _check_int("length", length, 2)
    trend = _check_real("trend", trend)
    noise = _check_real("noise", noise, 0.0)
    warmup = 2 * season_length
    if length < warmup + 4 * n_anomalies:
        raise ValueError(
            f"make_synthetic needs length >= 2 * season_length + 4 * n_anomalies = "
            f"{warmup + 4 * n_anomalies}. Got length={length}."
        )
    try:
        ds = pd.date_range(pd.Timestamp(start), periods=length, freq=to_offset(freq))
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"make_synthetic cannot build a time grid from start={start!r}, freq={freq!r}: {err}"
        ) from None
    seeds = check_random_state(random_state).randint(0, 2**31 - 1, size=2)
    signal_rng, anomaly_rng = (np.random.default_rng(int(s)) for s in seeds)
    t = np.arange(length, dtype=float)
    frames = []
    for i in range(n_series):
        amplitude = signal_rng.uniform(1.0, 10.0)
        phase, phase2 = signal_rng.uniform(0.0, 2 * np.pi, size=2)
        angle = 2 * np.pi * t / season_length
        seasonal = np.sin(angle + phase) + 0.3 * np.sin(2 * angle + phase2)
        level = signal_rng.uniform(4.0, 8.0)
        slope = trend * signal_rng.uniform(0.5, 1.5)
        shape = level + slope * t + seasonal + noise * signal_rng.standard_normal(length)
        y = amplitude * shape
        labels = np.zeros(length, dtype=np.int64)
        if n_anomalies:
            _inject(y, labels, n_anomalies, season_length, amplitude, kinds, anomaly_rng)
        frames.append(
            pd.DataFrame({"unique_id": f"series_{i}", "ds": ds, "y": y, "is_anomaly": labels})
        )
    return pd.concat(frames, ignore_index=True)
