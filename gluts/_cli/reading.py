"""Read a user's CSV or Parquet file and work out which columns hold time, ids and values.

Column auto-detection, when the user names no column: a single datetime-like column is the
time, a single non-numeric column the series id, and the remaining numeric column the target.
When the timestamps repeat and no text column can be the id, a single whole-number column
under which none repeats is the id (numbered series: store 101, 102, ...; said in a warning
unless it is named ``unique_id``).
Several numeric columns without a target mean several series in wide layout (one column per
series). A text column with several values beside a time column in which every time
appears once (notes, flags) names no series and is ignored, with a warning. Numbers written
with thousands separators (``"1,234.5"``) are read as numbers (see :func:`gluts.data.read_table`).
Every problem is a :class:`~gluts.exceptions.DataError` whose one-line message names
the file and the column.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gluts._cli.columns import (
    check_columns_hold_values,
    check_freq,
    check_target_holds_numbers,
    mostly_numeric,
    numbered_id,
    numeric_time_column,
    read_times,
    single_column,
    text_example,
    text_notes,
    time_candidates,
)
from gluts._cli.duplicates import merge_duplicates
from gluts.data import read_table
from gluts.data.files import column_names
from gluts.exceptions import DataError, GlutsWarning

__all__ = ["InputData", "load_bundled", "load_input", "silent_panel"]

ID_COLUMN = "unique_id"
STEP_COLUMN = "step"
VALUE_COLUMN = "y"


@dataclass(frozen=True)
class InputData:
    """A table read from a file, with its roles assigned.

    Attributes
    ----------
    source : str
        The file name, for messages.
    frame : pandas.DataFrame
        The rows, with the time column parsed.
    id_col : str or None
        Column of series ids; None for a single series or wide layout.
    time_col : str or None
        Column of timestamps; None when the row order is the time.
    targets : tuple of str
        The value column (long layout) or one column per series (wide layout).
    duplicates : str or None
        The ``--duplicates`` rule applied to repeated timestamps; None when none was.
    merged : int
        Rows removed by merging repeated timestamps.
    value_columns : tuple of str
        Every column that could be a series (numeric, with no other role); empty: ``targets``.
    covariates : tuple of str
        Covariate columns (``--covariates`` and ``--past-covariates``).
    freq : str or None
        The time grid's frequency (``--freq``); None infers it.
    """

    source: str
    frame: pd.DataFrame
    id_col: str | None
    time_col: str | None
    targets: tuple[str, ...]
    duplicates: str | None = None
    merged: int = 0
    value_columns: tuple[str, ...] = ()
    covariates: tuple[str, ...] = ()
    freq: str | None = None

    @property
    def wide(self) -> bool:
        """Whether the file is a wide table: no id column, several columns of values.

        The series are the target columns (all of them, or the one ``--target`` picked),
        and outputs keep their names (see :meth:`restore`).
        """
        return self.id_col is None and len(self.value_columns or self.targets) > 1

    @property
    def columns(self) -> dict[str, str]:
        """``id_col``, ``time_col`` and ``target_col`` of :meth:`long`, for ``fit``."""
        taken = (*self.targets, *self.covariates)
        return {
            "id_col": self.id_col or ID_COLUMN,
            "time_col": self.time_col or STEP_COLUMN,
            "target_col": _free_name(VALUE_COLUMN, taken) if self._melted else self.targets[0],
        }

    @property
    def read_options(self) -> dict[str, str | None]:
        """:attr:`columns` and ``freq``: how ``fit`` and ``to_panel`` read :meth:`long`."""
        return {**self.columns, "freq": self.freq}

    @property
    def _melted(self) -> bool:
        return len(self.targets) > 1

    def long(self) -> pd.DataFrame:
        """Return the series as a long frame with the column names of :attr:`columns`.

        A single series gets an id column; without a time column the row order within
        each series is the time (column ``step``); wide input is melted, leaving out its
        missing cells.
        """
        cols = self.columns
        frame = self._timed()
        if self._melted:
            melted = frame.melt(
                id_vars=[cols["time_col"]],
                value_vars=list(self.targets),
                var_name=cols["id_col"],
                value_name=cols["target_col"],
            )
            return melted.dropna(subset=[cols["target_col"]])[list(cols.values())]
        if self.id_col is None:
            frame = frame.assign(**{cols["id_col"]: self.targets[0]})
        return frame[list(cols.values())]

    def covariate_frame(self) -> pd.DataFrame | None:
        """Return the covariate columns as ``fit``'s ``X``; None without covariates.

        With an id column, a long frame (id, time, covariates): values per series; without
        one (a single series, or a wide table), a frame of time and covariates that every
        series shares.
        """
        if not self.covariates:
            return None
        cols = self.columns
        keys = [cols["time_col"]] if self.id_col is None else [cols["id_col"], cols["time_col"]]
        return self._timed()[[*keys, *self.covariates]]

    def _timed(self) -> pd.DataFrame:
        """The rows, with a step column (the row order of each series) when there is no time."""
        if self.time_col is not None:
            return self.frame
        keys = self.frame[self.id_col] if self.id_col else pd.Series(0, index=self.frame.index)
        return self.frame.assign(**{STEP_COLUMN: keys.groupby(keys).cumcount()})

    def restore(self, forecast: pd.DataFrame) -> pd.DataFrame:
        """Lay out a long forecast (from a model fitted on :meth:`long`) like the input.

        Parameters
        ----------
        forecast : pandas.DataFrame
            Long frame with the id and time columns of :attr:`columns` and value columns.

        Returns
        -------
        pandas.DataFrame
            Long input: the same frame, without the id column when the input had none.
            Wide input (:attr:`wide`): the layout of the Python API's forecasts of a wide
            frame (:func:`gluts.data.panel.to_wide`), indexed by time, with a
            ``(series, column)`` column index (one column per series when the forecast has
            a single value column).
        """
        from gluts.data.panel import to_wide

        cols = self.columns
        if not self.wide:
            return forecast if self.id_col else forecast.drop(columns=cols["id_col"])
        return to_wide(
            forecast,
            cols["id_col"],
            cols["time_col"],
            ids=self.targets,
            index_name=cols["time_col"],
        )


def _free_name(name: str, taken: tuple[str, ...]) -> str:
    """``name``, or ``name_`` (``name__`` ...) when a series of wide input is called so."""
    while name in taken:
        name += "_"
    return name


def silent_panel(y: pd.DataFrame, options: dict[str, str | None]):
    """Return ``to_panel(y, **options)`` without its warnings (the estimators repeat them)."""
    import warnings

    from gluts.data import to_panel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return to_panel(y, **options)


def load_input(
    path: str | Path,
    *,
    id_col: str | None = None,
    time_col: str | None = None,
    target_col: str | None = None,
    duplicates: str | None = None,
    decimal: str | None = None,
    covariates: Mapping[str, Sequence[str]] | None = None,
    freq: str | None = None,
) -> InputData:
    """Read a file and assign the id, time and target columns, detecting those not given.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV or Parquet file, or the name of a bundled dataset.
    id_col, time_col, target_col : str or None, default=None
        Column names; detected from the data when None.
    duplicates : {"error", "first", "last", "mean"} or None, default=None
        Rows that repeat a timestamp of their series: an error naming the option, or merged
        into one row keeping the first or the last, or averaging the values (the merge is
        announced by a :class:`~gluts.exceptions.GlutsWarning`). None leaves them as they
        are (for ``detect --by-row``, where the row order is the time).
    decimal : {".", ","} or None, default=None
        Decimal mark of a CSV file's numbers; detected when None (see
        :func:`gluts.data.read_table`).
    covariates : mapping of str to sequence of str or None, default=None
        Covariate columns, by the option that named them (``--covariates``, ...); they take
        no other role, and the series are read from the other columns.
    freq : str or None, default=None
        Frequency of the time grid (``--freq``, a pandas offset alias); None infers it.

    Returns
    -------
    InputData
        The table with the time column parsed and its roles assigned.

    Raises
    ------
    DataError
        When a named column is absent, there is no numeric column, a role is ambiguous, or
        a timestamp repeats and ``duplicates="error"``.
    """
    path = Path(path)
    if path.is_dir():
        import typer

        raise typer.BadParameter(f"{str(path)!r} is a folder, not a file.", param_hint="DATA")
    if path.exists():
        # Ids are names, not numbers: "001" stays "001".
        dtype = None if id_col is None else {id_col: str}
        name, frame = path.name, read_table(path, dtype=dtype, decimal=decimal)
    else:
        name, frame = str(path), load_bundled(str(path), missing_file=True)
    roles = [("--id-col", id_col), ("--time-col", time_col), ("--target", target_col)]
    roles += [(option, c) for option, cols in (covariates or {}).items() for c in cols]
    roles = [(role, col) for role, col in roles if col is not None]
    for role, col in roles:
        if col not in frame.columns:
            raise DataError(
                f"{name}: there is no column {col!r} ({role}); columns are {column_names(frame)}."
            )
    named = {c for _, c in roles}
    _check_one_role(roles)
    if time_col is None:
        time_col = single_column(name, "datetime-like", "--time-col", time_candidates(frame, named))
        time_col = time_col if time_col is not None else numeric_time_column(name, frame, named)
    if time_col is not None:
        frame = frame.assign(**{time_col: read_times(name, frame[time_col])})
        named.add(time_col)
    if freq is not None:
        check_freq(name, freq, None if time_col is None else frame[time_col])
    if target_col is not None:
        check_target_holds_numbers(name, frame, target_col)
    numeric = [c for c in frame.columns if c not in named and mostly_numeric(frame[c])]
    notes = []
    if id_col is None:
        others = [c for c in frame.columns if c not in named and c not in numeric]
        notes = text_notes(frame, time_col, others)
        id_col = single_column(
            name, "non-numeric", "--id-col", [c for c in others if c not in notes]
        )
    if id_col is None and len(numeric) > 1:
        id_col = numbered_id(name, frame, time_col, numeric)
        if id_col is not None:
            numeric.remove(id_col)
            if path.exists():  # ids are names: "007" stays "007"
                frame[id_col] = read_table(path, dtype={id_col: str}, decimal=decimal)[id_col]
    targets = (target_col,) if target_col is not None else tuple(numeric)
    if not targets:
        raise DataError(
            f"{name}: no numeric column to use as the target; columns are {column_names(frame)}"
            f"{text_example(frame, named | {id_col})}."
        )
    if len(targets) > 1:
        check_columns_hold_values(name, frame, targets)
    if len(targets) > 1 and id_col is not None:
        raise DataError(
            f"{name}: several numeric columns ({column_names(targets)}) beside the id column "
            f"{id_col!r}; name the target with --target."
        )
    if notes:
        warnings.warn(
            f"{name}: ignoring the text column(s) {column_names(notes)}: each time appears once, "
            "so they name no series; pass --id-col to split the rows by one.",
            GlutsWarning,
            stacklevel=2,
        )
    n_rows = len(frame)
    if duplicates is not None and time_col is not None:
        frame = merge_duplicates(name, frame, id_col, time_col, targets, duplicates)
    else:
        duplicates = None
    merged = n_rows - len(frame)
    values = tuple(numeric) if target_col is None else (target_col, *numeric)
    covs = tuple(c for cols in (covariates or {}).values() for c in cols)
    return InputData(name, frame, id_col, time_col, targets, duplicates, merged, values, covs, freq)


def _check_one_role(roles: list[tuple[str, str]]) -> None:
    """Refuse a column named by two options (exit code 2)."""
    seen: dict[str, str] = {}
    for role, col in roles:
        if col in seen:
            import typer

            raise typer.BadParameter(
                f"column {col!r} is named by {seen[col]} and {role}; give it one role.",
                param_hint=role,
            )
        seen[col] = role


def load_bundled(name: str, missing_file: bool = False) -> pd.DataFrame:
    """Load a bundled dataset, turning an unknown name into a usage error (exit code 2).

    Parameters
    ----------
    name : str
        Dataset name.
    missing_file : bool, default=False
        Whether ``name`` was given as a file that does not exist, for the message.

    Returns
    -------
    pandas.DataFrame
        The long frame of :func:`gluts.datasets.load_dataset`.
    """
    import typer

    from gluts.datasets import load_dataset

    try:
        return load_dataset(name)
    except ValueError as exc:
        prefix = f"there is no file {name!r}, nor a dataset of that name. " if missing_file else ""
        raise typer.BadParameter(
            prefix + str(exc), param_hint="DATA" if missing_file else "NAME"
        ) from None
