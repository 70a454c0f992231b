"""Write output files atomically: to a temporary file beside the target, then rename.

A failure half-way (a full disk, an exception while rendering a plot) leaves the target
untouched and removes the temporary file. Inside a command the renames wait for the end of
the command (:mod:`gluts._cli.outputs`), so that all its outputs appear together or none.
Modes and symlinks are as :mod:`gluts._atomic` (the same writer as model files) has them: a
new file gets ``0o666`` less the umask, a replaced file keeps its mode, and a symlink is
written through to its target, keeping the link (as ``cp`` does). Text cells of CSV outputs
that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'``,
so that a spreadsheet shows them instead of running them as formulas (OWASP's advice against
CSV injection); JSON and Parquet keep raw values.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from gluts._atomic import replacing
from gluts._cli.outputs import FileError, current

__all__ = [
    "atomic_path",
    "csv_safe",
    "csv_text",
    "write_figure",
    "write_json",
    "write_table",
    "write_text",
]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path that replaces ``path`` when the block finishes without error.

    Parameters
    ----------
    path : str or pathlib.Path
        The final file; its folder must exist.

    Yields
    ------
    pathlib.Path
        Where to write; it is renamed onto ``path`` on success and deleted on failure.
    """
    path = Path(path)
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise FileError(f"{path}: cannot write it: the folder {folder!r} does not exist.")
    transaction = current()
    try:
        with replacing(path, os.replace if transaction is None else transaction.add) as tmp:
            yield tmp
    except OSError as exc:
        raise FileError(f"{path}: cannot write the file ({exc.strerror or exc}).") from None


def write_table(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write a frame as CSV, JSON (records) or Parquet, chosen by the file extension.

    A frame with two-level columns (the wide layout of forecasts, ``(series, column)``, see
    :func:`gluts.data.panel.to_wide`) is written as pandas writes it: CSV with two header
    rows (series, then column; ``pd.read_csv(path, header=[0, 1], index_col=0)`` reads it
    back), JSON records holding one object per series (``{"ds": ..., "store_1": {"GLU": ...,
    "GLU-q0.1": ...}}``), Parquet with the column index kept (``pd.read_parquet``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write.
    path : str or pathlib.Path
        Target file: ``.json`` gives a JSON list of records, ``.parquet`` / ``.pq`` Parquet
        (needs pyarrow), anything else CSV.
    index : bool, default=False
        Whether to write the frame's index as a column (the first).
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        write_json(_records(frame, index), path)
        return
    parquet = suffix in (".parquet", ".pq")
    if parquet:
        _require_pyarrow(path)
    with atomic_path(path) as tmp:
        if parquet:
            frame.to_parquet(tmp, index=index)
        else:
            _csv_ready(frame, index).to_csv(tmp, index=False)


def csv_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """Return ``frame`` as CSV text, formula-safe (see :func:`csv_safe`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows.
    index : bool, default=False
        Whether the index is written, as the first column.

    Returns
    -------
    str
        The CSV; two header rows for two-level columns.
    """
    return _csv_ready(frame, index).to_csv(index=False)


def _csv_ready(frame: pd.DataFrame, index: bool) -> pd.DataFrame:
    return csv_safe(frame.reset_index() if index else frame)


def _records(frame: pd.DataFrame, index: bool) -> list[dict]:
    """JSON records of ``frame``; one nested object per series for two-level columns."""
    if not isinstance(frame.columns, pd.MultiIndex):
        flat = frame.reset_index() if index else frame
        return json.loads(flat.to_json(orient="records", date_format="iso"))
    keys = frame.index.to_frame(index=False) if index else pd.DataFrame(index=range(len(frame)))
    rows = json.loads(keys.to_json(orient="records", date_format="iso"))
    for top in frame.columns.unique(0):
        part = frame[top].reset_index(drop=True)
        for row, values in zip(rows, json.loads(part.to_json(orient="records"))):
            row[str(top)] = values
    return rows


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with a ``'`` before text cells (and names) that a spreadsheet runs.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows about to be written as CSV (without the index).

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when no text cell or column name (at any level) starts with ``=``,
        ``+``, ``-``, ``@``, a tab or a carriage return; else a copy with those cells and
        names prefixed. Numbers are untouched.
    """
    out = frame
    columns = [tuple(map(_escaped, c)) if isinstance(c, tuple) else _escaped(c) for c in frame]
    if columns != list(frame.columns):
        multi = isinstance(frame.columns, pd.MultiIndex)
        out = out.set_axis(pd.MultiIndex.from_tuples(columns) if multi else columns, axis=1)
    for position in range(frame.shape[1]):
        escaped = _escape_column(frame.iloc[:, position])
        if escaped is not None:
            out = out.copy() if out is frame else out
            out.isetitem(position, escaped)
    return out


def _escaped(value):
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def _escape_column(values: pd.Series) -> pd.Series | None:
    """The escaped text column, or None when it needs no escaping (or holds no text)."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        if not isinstance(values.dtype, pd.CategoricalDtype):
            return None
        values = values.astype(object)
    unique = pd.unique(values)
    if not any(isinstance(v, str) and v.startswith(_FORMULA_STARTS) for v in unique):
        return None
    return values.map(_escaped)


def write_json(obj: Any, path: str | Path) -> None:
    """Write a JSON document (indented, UTF-8)."""
    write_text(json.dumps(obj, indent=2, default=str) + "\n", path)


def write_text(text: str, path: str | Path) -> None:
    """Write a text file (UTF-8), such as an HTML report."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_figure(figure, path: str | Path) -> None:
    """Save a matplotlib figure; the format follows the extension (PNG when there is none)."""
    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight")


def _require_pyarrow(path: str | Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise FileError(
            f"{path}: writing Parquet needs pyarrow; install it with: pip install pyarrow"
        ) from None
