"""Rows of a series that repeat a timestamp: an error naming the option, or merged into one."""

from __future__ import annotations

import warnings

import pandas as pd

from gluts._cli.columns import is_numeric
from gluts.exceptions import DataError, GlutsWarning

__all__ = ["merge_duplicates"]


def merge_duplicates(
    name: str, frame: pd.DataFrame, id_col, time_col: str, targets, how: str
) -> pd.DataFrame:
    """Merge the rows of a series that share a timestamp (see ``duplicates`` of load_input)."""
    keys = [time_col] if id_col is None else [id_col, time_col]
    wide = id_col is None and len(targets) > 1
    repeated = frame.duplicated(keys, keep="first")
    n_extra = int(repeated.sum())
    if not n_extra:
        return frame
    n_stamps = int(frame[repeated].drop_duplicates(keys).shape[0])
    where = frame.loc[repeated, keys].iloc[0]
    first = ", ".join(f"{k}={v}" for k, v in where.items())
    if how == "error":
        split = "if a column names the series, pass it with --id-col; else " if wide else ""
        raise DataError(
            f"{name}: {n_stamps} repeated timestamp(s) ({n_extra} extra row(s); the first at "
            f"{first}); {split}merge them with --duplicates first, last or mean."
        )
    if how == "mean":
        text = [t for t in targets if not is_numeric(frame[t])]
        if text:
            raise DataError(
                f"{name}: cannot average the repeated timestamps of the non-numeric column "
                f"{text[0]!r}; use --duplicates first or last."
            )
        grouped = frame.groupby(keys, sort=False, dropna=False)
        merged = grouped.first()
        merged[list(targets)] = grouped[list(targets)].mean()
        out = merged.reset_index()[list(frame.columns)]
        out.index = frame.index[~repeated]
    else:
        out = frame.drop_duplicates(keys, keep=how)
    warnings.warn(
        f"{name}: merged {n_extra + n_stamps} rows at {n_stamps} repeated timestamp(s) into "
        f"{n_stamps} ({_MERGED[how]}; --duplicates {how}).",
        GlutsWarning,
        stacklevel=3,
    )
    return out


_MERGED = {"first": "kept the first", "last": "kept the last", "mean": "averaged the values"}
