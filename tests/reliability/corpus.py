"""The hostile-input corpus: files and frames that real users produce by accident.

Every case is generated here (nothing is downloaded). A case holds the bytes of a file for
the command line and, where the mistake can also be made in Python, the DataFrame a user
would pass to the API. Its expectation says, per channel, whether gluts must give a result
for every series of the input (:data:`OK`) or fail with one line matching a pattern.

Channels: ``forecast``, ``backtest`` and ``detect`` are the commands;
``api_forecast``, ``api_backtest`` and ``api_detect`` the Python calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["CASES", "CHANNELS", "COMMANDS", "OK", "Case", "seasonal"]

OK = "ok"
COMMANDS = ("forecast", "backtest", "detect")
CHANNELS = (*COMMANDS, "api_forecast", "api_backtest", "api_detect")
LENGTH = 200  # rows per series: enough for a 24-step season, a backtest window and zscore
SHORT = 20  # rows of the short series: less than a season


@dataclass(frozen=True)
class Case:
    """One hostile input and what gluts must do with it.

    Attributes
    ----------
    name : str
        Test id.
    n_series : int
        Series in the input; a result must hold exactly these.
    content : bytes
        The file given to the commands.
    frame : pandas.DataFrame or None
        The same mistake made in Python (long layout ``unique_id, ds, y``), or None when
        the case only exists as a file.
    expect : str
        :data:`OK`, or a regular expression the one-line error must match.
    overrides : dict of str to str
        Channel-specific expectations that replace ``expect``.
    first_forecast : pandas.Timestamp or None
        Where the correct reading of the input puts the first forecast of its first series,
        when the case is about reading time right.
    options : tuple of str
        Extra command-line options the commands get (e.g. ``--id-col``).
    ids : tuple of str or None
        The series ids the CSV outputs of the commands must hold, as text (leading zeros
        kept, spreadsheet formulas neutralised); None to skip that check.
    """

    name: str
    n_series: int
    content: bytes
    frame: pd.DataFrame | None = None
    expect: str = OK
    overrides: dict[str, str] = field(default_factory=dict)
    first_forecast: pd.Timestamp | None = None
    options: tuple[str, ...] = ()
    ids: tuple[str, ...] | None = None

    def expectation(self, channel: str) -> str:
        """Return :data:`OK` or the error pattern for ``channel``."""
        return self.overrides.get(channel, self.expect)


def seasonal(n_series: int = 2, length: int = LENGTH, freq: str = "h", start="2024-01-01"):
    """A long frame of noisy daily-seasonal series (columns unique_id, ds, y)."""
    rng = np.random.default_rng(0)
    t = np.arange(length)
    parts = []
    for k in range(n_series):
        y = 20 + 5 * k + 4 * np.sin(2 * np.pi * t / 24) + rng.normal(scale=0.5, size=length)
        ds = pd.date_range(start, periods=length, freq=freq)
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


def _csv(frame: pd.DataFrame, **kwargs) -> bytes:
    return frame.to_csv(index=False, **kwargs).encode("utf-8")


def _from_frame(
    name: str,
    frame: pd.DataFrame,
    expect: str = OK,
    first_forecast=None,
    options: tuple[str, ...] = (),
    ids: tuple[str, ...] | None = None,
    **overrides: str,
) -> Case:
    n = frame["unique_id"].nunique() if "unique_id" in frame else 1
    start = None if first_forecast is None else pd.Timestamp(first_forecast)
    return Case(name, n, _csv(frame), frame, expect, overrides, start, options, ids)


def _file_only(
    name: str, n_series: int, content: bytes, expect: str = OK, ids: tuple[str, ...] | None = None
) -> Case:
    return Case(name, n_series, content, None, expect, ids=ids)


def _with(frame: pd.DataFrame, rows, column: str, value) -> pd.DataFrame:
    out = frame.copy()
    out.loc[rows, column] = value
    return out


def _single_hourly(ds) -> pd.DataFrame:
    y = 10 + np.sin(np.arange(len(ds)) * 2 * np.pi / 24)
    return pd.DataFrame({"unique_id": "a", "ds": ds, "y": y})


def _dst(kind: str) -> pd.DataFrame:
    """Hourly Europe/Berlin wall-clock times around a DST change, without offsets."""
    start = "2024-03-30" if kind == "spring" else "2024-10-26"
    local = pd.date_range(start, periods=LENGTH, freq="h", tz="Europe/Berlin")
    return _single_hourly(local.tz_localize(None))


def _offsets() -> pd.DataFrame:
    """The same hours written with their (changing) UTC offsets, as ISO strings."""
    local = pd.date_range("2024-03-30", periods=LENGTH, freq="h", tz="Europe/Berlin")
    return _single_hourly([t.isoformat() for t in local])


def _day_first() -> pd.DataFrame:
    frame = seasonal(1, 120, freq="D")
    return frame.assign(ds=frame["ds"].dt.strftime("%d/%m/%Y"))


def _mixed_frequencies() -> pd.DataFrame:
    hourly = seasonal(1)
    daily = seasonal(1, freq="D").assign(unique_id="d")
    return pd.concat([hourly, daily], ignore_index=True)


def _one_short() -> pd.DataFrame:
    frame = seasonal(3)
    return frame.drop(frame.index[(frame["unique_id"] == "s1")][SHORT:])


def _shuffled() -> pd.DataFrame:
    frame = seasonal(2)
    return frame.sample(frac=1.0, random_state=0).reset_index(drop=True)


def _thousands() -> bytes:
    frame = seasonal(1).assign(y=lambda f: f["y"] * 1000)
    lines = ["ds,y"] + [f'{d},"{v:,.2f}"' for d, v in zip(frame["ds"], frame["y"])]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _renamed(ids: dict[str, str]) -> pd.DataFrame:
    frame = seasonal(len(ids))
    return frame.assign(
        unique_id=frame["unique_id"].map(dict(zip(frame["unique_id"].unique(), ids)))
    )


def _cities(encodings: tuple[str, ...]) -> bytes:
    """Two series, Zürich and Genève; each line encoded with the next of ``encodings``."""
    frame = seasonal(2).assign(
        unique_id=lambda f: f["unique_id"].map({"s0": "Zürich", "s1": "Genève"})
    )
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    return b"".join(line.encode(encodings[i % len(encodings)]) for i, line in enumerate(lines))


_FORMULAS = {
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+SUM(1;2)": "'+SUM(1;2)",
    "@x": "'@x",
    "-y": "'-y",
}
_BASE = seasonal(2)
# The CLI says "repeated timestamp(s) ... --duplicates"; the Python API "duplicate timestamp".
_REPEATED = r"repeated timestamp|duplicate timestamp"
_IDS = _BASE["unique_id"]
_SINGLE = seasonal(1).drop(columns="unique_id")
_ANOMALY = _BASE.index[(_IDS == "s0")][150]

CASES: list[Case] = [
    _from_frame(
        "zero_padded_ids",
        _renamed({"001": "001", "002": "002", "010": "010"}),
        options=("--id-col", "unique_id"),
        ids=("001", "002", "010"),
    ),
    _from_frame("formula_ids", _renamed(_FORMULAS), ids=tuple(_FORMULAS.values())),
    _file_only("latin1_only", 2, _cities(("latin-1",)), ids=("Zürich", "Genève")),
    _file_only("mixed_encodings", 2, _cities(("utf-8", "latin-1")), r"line 2 is not UTF-8"),
    _file_only("empty_file", 0, b"", "empty"),
    _file_only("whitespace_only", 0, b"\n \n\n", "empty"),
    _file_only("header_only", 0, b"unique_id,ds,y\n", "header .* but no rows"),
    _file_only(
        "binary_garbage",
        0,
        bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)),
        "not a readable CSV|no numeric column|not a time|binary",
    ),
    _file_only("utf16_with_bom", 2, _BASE.to_csv(index=False).encode("utf-16")),
    _file_only("utf8_bom", 2, b"\xef\xbb\xbf" + _csv(_BASE)),
    _file_only("semicolon_delimiter", 2, _csv(_BASE, sep=";")),
    _file_only("tab_delimiter", 2, _csv(_BASE, sep="\t")),
    _file_only("thousands_separators", 1, _thousands()),
    _from_frame("day_first_dates", _day_first(), first_forecast="2024-04-30"),
    _from_frame("utc_offsets_across_dst", _offsets(), first_forecast="2024-04-07 07:00Z"),
    _from_frame("local_times_missing_hour", _dst("spring"), first_forecast="2024-04-07 09:00"),
    _from_frame(
        "local_times_repeated_hour", _dst("autumn"), _REPEATED, detect=OK
    ),  # detect keeps the last row of a repeated stamp (--duplicates last)
    _from_frame(
        "duplicate_timestamps",
        pd.concat([_BASE, _BASE.iloc[[10]]], ignore_index=True),
        _REPEATED,
        detect=OK,
    ),
    _from_frame("unsorted_rows", _shuffled(), first_forecast="2024-01-09 08:00"),
    _from_frame("gaps", _BASE.drop(_BASE.index[40:45])),
    _from_frame("nan_values", _with(_BASE, [3, 50, 51, 320], "y", np.nan)),
    _from_frame("inf_value", _with(_BASE, [60], "y", np.inf), r"infinite value"),
    _from_frame("huge_value", _with(_BASE, [_ANOMALY], "y", 1e300), r"1e\+300 .* beyond"),
    _from_frame("large_spike", _with(_BASE, [_ANOMALY], "y", 1e12)),
    _from_frame(
        "all_nan_series", _with(_BASE, _IDS == "s1", "y", np.nan), r"'s1' has no observed values"
    ),
    _from_frame("constant_series", _with(_BASE, _IDS == "s1", "y", 7.0)),
    _from_frame("single_row", seasonal(1, 1), r"fewer than 2|needs at least|too short"),
    _from_frame(
        "two_rows",
        seasonal(1, 2),
        r"needs at least|too short",
        forecast=OK,
        api_forecast=OK,
    ),
    _from_frame(
        "one_series_much_shorter",
        _one_short(),
        backtest=r"Series 's1' has 20 observations; the backtest needs",
        api_backtest=r"Series 's1' has 20 observations; the backtest needs",
        detect=r"series 's1' has fewer",
        api_detect=r"series 's1' has fewer",
    ),
    _from_frame("mixed_frequencies", _mixed_frequencies(), r"mix frequencies"),
    _from_frame("text_column_beside_values", _SINGLE.assign(note="ok")),
    _from_frame(
        "text_notes_beside_values",
        _SINGLE.assign(note=np.where(_SINGLE.index % 7 == 0, "check", "ok")),
    ),
    _from_frame(
        "no_time_column",
        _BASE.drop(columns="ds"),
        OK,
        **{c: r"no column 'ds'" for c in ("api_forecast", "api_backtest", "api_detect")},
    ),
]
