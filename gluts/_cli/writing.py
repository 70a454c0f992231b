"""Write output files atomically: to a temporary file beside the target, then rename.

A failure half-way (a full disk, an exception while rendering a plot) leaves the target
untouched and removes the temporary file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from gluts.exceptions import DataError

__all__ = ["atomic_path", "write_figure", "write_json", "write_table"]


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
    if not path.parent.is_dir():
        raise DataError(
            f"Cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist."
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write a frame as CSV, JSON (records) or Parquet, chosen by the file extension.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write.
    path : str or pathlib.Path
        Target file: ``.json`` gives a JSON list of records, ``.parquet`` / ``.pq`` Parquet
        (needs pyarrow), anything else CSV.
    index : bool, default=False
        Whether to write the frame's index as a column.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        records = frame.reset_index() if index else frame
        write_json(json.loads(records.to_json(orient="records", date_format="iso")), path)
        return
    parquet = suffix in (".parquet", ".pq")
    if parquet:
        _require_pyarrow(path)
    with atomic_path(path) as tmp:
        if parquet:
            frame.to_parquet(tmp, index=index)
        else:
            frame.to_csv(tmp, index=index)


def write_json(obj: Any, path: str | Path) -> None:
    """Write a JSON document (indented, UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n", encoding="utf-8")


def write_figure(figure, path: str | Path) -> None:
    """Save a matplotlib figure; the format follows the extension (PNG when there is none)."""
    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight")


def _require_pyarrow(path: str | Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataError(
            f"Writing {Path(path).name!r} as Parquet needs pyarrow; "
            "install it with: pip install pyarrow"
        ) from None
