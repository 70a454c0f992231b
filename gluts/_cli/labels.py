"""Known anomaly windows (``gluts detect --labels``): read them, and compare alerts with them.

A labels file is a CSV (or Parquet) file with the columns ``start`` and ``end`` (inclusive
bounds, written like the data's time column) and optionally ``unique_id`` (or the data's id
column) naming the series; a window without a series applies to every series. A JSON file
holds a list of such records, a list of ``[start, end]`` pairs, or NAB's
``combined_windows.json`` layout: an object from data file path to a list of ``[start, end]``
pairs, of which the entry whose key ends with the data file's name is used.

An alert event *carries* a window when the two overlap; a window carrying at least one event
is detected, and the event recall is the share of windows detected.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from gluts.exceptions import DataError, LabelsError

__all__ = ["WINDOW_COLUMNS", "LabelMatch", "match_alerts", "read_labels"]

WINDOW_COLUMNS = ["unique_id", "start", "end"]
_SHOWN_KEYS = 3


@dataclass(frozen=True)
class LabelMatch:
    """How alert events and labelled windows overlap.

    Attributes
    ----------
    windows : int
        Labelled windows (one per series a window applies to).
    detected : int
        Windows that carry at least one alert event.
    in_training : int
        Windows that start within the rows the detector was fitted on.
    alerts : int
        Alert events.
    outside : int
        Alert events that overlap no window.
    """

    windows: int
    detected: int
    in_training: int
    alerts: int
    outside: int

    @property
    def recall(self) -> float:
        """Event recall: the share of windows that carry an alert (NaN without windows)."""
        return self.detected / self.windows if self.windows else float("nan")

    def summary(self, source: str) -> str:
        """Two lines for the terminal, naming the labels file ``source``."""
        text = f"Labelled windows ({source}): {self.detected} of {self.windows} carry an alert"
        if self.windows:
            text += f", event recall {self.recall:.2f}"
        if self.in_training:
            starts = "starts" if self.in_training == 1 else "start"
            text += f" ({self.in_training} {starts} in the training rows)"
        return text + f".\nAlert events outside every window: {self.outside} of {self.alerts}."


def read_labels(
    path: str | Path,
    data_name: str,
    times: pd.Series,
    ids: Sequence[Hashable],
    id_col: str = "unique_id",
) -> pd.DataFrame:
    """Read labelled windows and lay them out like the data they label.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV, Parquet or JSON file (see the module docstring).
    data_name : str
        File name of the data, to pick the entry of a NAB-style JSON file.
    times : pandas.Series
        The data's time column: the window bounds are parsed to match it (timestamps,
        including its time zone, or numbers).
    ids : sequence of hashable
        The data's series ids; a window without a series is repeated for each.
    id_col : str, default="unique_id"
        The data's id column, also accepted as the labels' series column.

    Returns
    -------
    pandas.DataFrame
        Columns ``unique_id, start, end``, one row per window and series, sorted.

    Raises
    ------
    LabelsError
        When the file cannot be read, has no entry for ``data_name``, lacks the ``start`` or
        ``end`` column, holds a bound that is not a time, a window that ends before it starts,
        or names a series that is not in the data.
    """
    path = Path(path)
    name = path.name
    if path.suffix.lower() == ".json":
        raw = _read_json(path, data_name)
    else:  # ids are text, as in the data: "001" stays "001"
        raw = _read_table(path, {c: str for c in ("unique_id", id_col) if c})
    raw = raw.rename(columns=lambda c: str(c).strip())
    if not {"start", "end"} <= set(raw.columns):
        shown = ", ".join(repr(c) for c in raw.columns) or "none"
        raise LabelsError(
            f"{name}: labels need the columns 'start' and 'end' (and optionally 'unique_id'); "
            f"its columns are {shown}."
        )
    frame = pd.DataFrame({c: _bounds(name, raw[c], times) for c in ("start", "end")})
    backwards = frame["end"] < frame["start"]
    if backwards.any():
        row = frame[backwards].iloc[0]
        raise LabelsError(
            f"{name}: a window ends before it starts: {row['start']} to {row['end']}."
        )
    series = next((c for c in ("unique_id", id_col) if c in raw.columns), None)
    frame["unique_id"] = raw[series].to_numpy() if series else None
    return _per_series(name, frame, data_name, ids)


def match_alerts(
    events: pd.DataFrame,
    windows: pd.DataFrame,
    train_end: Mapping[Hashable, object] | None = None,
) -> tuple[np.ndarray, LabelMatch]:
    """Compare alert events with labelled windows.

    Parameters
    ----------
    events : pandas.DataFrame
        Alert events with columns ``unique_id``, ``start`` and ``end``.
    windows : pandas.DataFrame
        Labelled windows as :func:`read_labels` returns them.
    train_end : mapping of hashable to time, or None, default=None
        The last training time of each series; windows starting at or before it count as
        in the training rows.

    Returns
    -------
    in_window : ndarray of bool of shape (n_events,)
        Whether each event overlaps some window of its series.
    match : LabelMatch
        The counts.
    """
    overlap = np.zeros((len(events), len(windows)), dtype=bool)
    if overlap.size:  # no comparison of empty columns, whose dtype may not be a time
        overlap = (
            (events["unique_id"].to_numpy()[:, None] == windows["unique_id"].to_numpy()[None, :])
            & (events["start"].to_numpy()[:, None] <= windows["end"].to_numpy()[None, :])
            & (events["end"].to_numpy()[:, None] >= windows["start"].to_numpy()[None, :])
        )
    in_window = overlap.any(axis=1)
    trained = 0
    if train_end is not None:
        ends = windows["unique_id"].map(train_end)
        trained = int((ends.notna() & (windows["start"] <= ends)).sum())
    match = LabelMatch(
        windows=len(windows),
        detected=int(overlap.any(axis=0).sum()),
        in_training=trained,
        alerts=len(events),
        outside=int((~in_window).sum()),
    )
    return in_window, match


def _read_table(path: Path, dtype: dict) -> pd.DataFrame:
    from gluts.data import read_table

    try:
        return read_table(path, dtype=dtype)
    except DataError as exc:
        raise LabelsError(str(exc)) from None


def _read_json(path: Path, data_name: str) -> pd.DataFrame:
    """Records, ``[start, end]`` pairs, or the NAB entry for ``data_name``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelsError(f"{path.name}: not a readable JSON file ({exc}).") from None
    if isinstance(doc, dict):
        doc = _nab_entry(path.name, doc, data_name)
    if doc == []:
        return pd.DataFrame(columns=["start", "end"])
    if isinstance(doc, list) and all(isinstance(r, dict) for r in doc):
        return pd.DataFrame.from_records(doc)
    if isinstance(doc, list) and all(isinstance(p, list) and len(p) == 2 for p in doc):
        return pd.DataFrame(doc, columns=["start", "end"])
    raise LabelsError(
        f"{path.name}: expected a list of windows ({{'start': ..., 'end': ...}} objects or "
        "[start, end] pairs) or an object from file name to such pairs."
    )


def _nab_entry(name: str, doc: dict, data_name: str) -> list:
    keys = [k for k in doc if PurePosixPath(str(k).replace("\\", "/")).name == data_name]
    if len(keys) == 1:
        return doc[keys[0]]
    if keys:
        raise LabelsError(f"{name}: several entries end with {data_name!r}: {keys}.")
    shown = ", ".join(repr(k) for k in list(doc)[:_SHOWN_KEYS])
    more = f" and {len(doc) - _SHOWN_KEYS} more" if len(doc) > _SHOWN_KEYS else ""
    raise LabelsError(f"{name}: no entry for {data_name!r}; its keys are {shown or 'none'}{more}.")


def _bounds(name: str, values: pd.Series, times: pd.Series) -> pd.Series:
    """Window bounds of one column, parsed like the data's time column."""
    if not pd.api.types.is_datetime64_any_dtype(times):
        parsed = pd.to_numeric(values, errors="coerce")
    else:
        from gluts.data import parse_datetimes

        try:
            parsed = parse_datetimes(values.astype(str))
        except ValueError:
            parsed = pd.Series(pd.NaT, index=values.index)
        parsed = _same_zone(parsed, times.dt.tz)
    bad = parsed.isna()
    if bad.any():
        kind = "a time" if pd.api.types.is_datetime64_any_dtype(times) else "a number"
        raise LabelsError(
            f"{name}: column {values.name!r} holds a value that is not {kind}: "
            f"{values[bad].iloc[0]!r}."
        )
    return parsed


def _same_zone(parsed: pd.Series, tz) -> pd.Series:
    """Naive bounds in the data's zone; zoned bounds converted to it (or to naive UTC)."""
    if parsed.dt.tz is None:
        return parsed if tz is None else parsed.dt.tz_localize(tz)
    return parsed.dt.tz_convert(tz) if tz is not None else parsed.dt.tz_convert(None)


def _per_series(
    name: str, frame: pd.DataFrame, data_name: str, ids: Sequence[Hashable]
) -> pd.DataFrame:
    """Repeat windows without a series for every series; check the named series exist."""
    ids = list(ids)
    named = frame["unique_id"].notna()
    known = {str(i): i for i in ids}
    unknown = [s for s in frame.loc[named, "unique_id"] if str(s) not in known]
    if unknown:
        raise LabelsError(
            f"{name}: series {unknown[0]!r} is not in {data_name}, whose series are "
            f"{', '.join(repr(i) for i in ids[:_SHOWN_KEYS])}{' ...' * (len(ids) > _SHOWN_KEYS)}."
        )
    own = frame[named].assign(unique_id=lambda f: f["unique_id"].astype(str).map(known))
    shared = (
        frame[~named].drop(columns="unique_id").merge(pd.DataFrame({"unique_id": ids}), how="cross")
    )
    parts = [part for part in (own, shared) if len(part)]
    out = pd.concat(parts, ignore_index=True) if parts else frame
    return out[WINDOW_COLUMNS].sort_values(["unique_id", "start"], ignore_index=True)
