"""``gluts detect --state``: the cron-job use, scoring only the rows a state file has not seen.

The first run (no state file yet) fits and scores as ``gluts detect`` always does and writes
the fitted detector with each series' stream state after its last row. A later run on the
grown file loads it, scores only the rows after each series' last seen timestamp (the
detector's ``update``), appends only the new alerts to ``--alerts`` and rewrites the state. A
run on an unchanged file prints one line, "No new rows ...", and changes no file.

An alert still open at the end of one run is not repeated by the next when its new rows
continue it (flagged within ``merge_gap`` rows): it was appended when it started, with the
``end`` it had then. Rows after a gap in the timestamps restart the detector's context (a
warning says so). The alerts file and the state are committed together: an interrupted or
failing run changes neither.
"""

from __future__ import annotations

from pathlib import Path

import typer

from gluts._cli.outputs import FileError

__all__ = ["append_alerts", "load_state", "refuse_fit_options", "rows_after", "save_state"]


def refuse_fit_options(given: dict[str, object], state: Path) -> None:
    """Refuse options that only apply to fitting when ``state`` already holds a detector."""
    for option, value in given.items():
        if value is not None and value is not False:
            raise typer.BadParameter(
                f"applies when fitting; {state.name} holds a fitted detector (delete it to "
                "fit anew).",
                param_hint=option,
            )


def load_state(path: Path):
    """The detector saved in ``path``, ready to continue its stream."""
    import gluts
    from gluts.anomaly import BaseAnomalyDetector

    detector = gluts.load(path)
    if not isinstance(detector, BaseAnomalyDetector):
        raise FileError(f"{path}: --state holds a {type(detector).__name__}, not a detector.")
    return detector


def rows_after(y, columns: dict[str, str], detector):
    """The rows of each series after the last row ``detector`` has seen of it.

    Raises
    ------
    DataError
        When a series of ``y`` is not in the detector's state.
    """
    from gluts.exceptions import DataError

    id_col, time_col = columns["id_col"], columns["time_col"]
    last = detector.last_seen_
    keep = []
    for sid, group in y.groupby(id_col, sort=False)[time_col]:
        if sid not in last:
            known = ", ".join(repr(k) for k in list(last)[:5])
            raise DataError(
                f"Series {sid!r} is not in the detector state (its series: {known}); "
                "delete the --state file to fit on every series."
            )
        try:
            keep.append(group.index[(group > last[sid]).to_numpy()])
        except TypeError:
            raise DataError(
                f"Series {sid!r}: the timestamps ({group.iloc[0]!r}) are not of the kind the "
                f"detector state holds ({last[sid]!r}); was it written with(out) --by-row?"
            ) from None
    return y.loc[[i for part in keep for i in part]]


def append_alerts(events, path: Path) -> int:
    """Append ``events`` to the alerts table ``path`` (CSV, JSON or Parquet by extension).

    A missing or empty file is created with the events (and a CSV header); an existing one
    keeps its rows, and must have the same columns.

    Returns
    -------
    int
        Rows appended.
    """
    import pandas as pd

    from gluts._cli.writing import atomic_path, csv_safe, write_json, write_table

    suffix = path.suffix.lower()
    if not path.exists() or path.stat().st_size == 0:
        write_table(events, path)
        return len(events)
    if events.empty:
        return 0
    if suffix == ".json":
        import json

        old = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(old, list):
            raise FileError(f"{path}: --alerts holds no list of alerts to append to.")
        new = json.loads(events.to_json(orient="records", date_format="iso"))
        write_json(old + new, path)
    elif suffix in (".parquet", ".pq"):
        old = pd.read_parquet(path)
        _same_columns(path, list(old.columns), list(events.columns))
        write_table(pd.concat([old, events], ignore_index=True), path)
    else:
        text = path.read_text(encoding="utf-8")
        lines = csv_safe(events).to_csv(index=False).splitlines(keepends=True)
        _same_columns(path, text.splitlines()[0].split(","), lines[0].strip().split(","))
        with atomic_path(path) as tmp:
            tmp.write_text(text + ("" if text.endswith("\n") else "\n") + "".join(lines[1:]))
    return len(events)


def _same_columns(path: Path, old: list, new: list) -> None:
    if old != new:
        raise FileError(
            f"{path}: the alerts file has the columns {', '.join(map(str, old))}, not "
            f"{', '.join(map(str, new))}; give a new --alerts file."
        )


def save_state(detector, path: Path) -> None:
    """Write ``detector`` to ``path``, committed with the command's other outputs."""
    from gluts._cli.writing import atomic_path

    with atomic_path(path) as tmp:
        detector.save(tmp)
