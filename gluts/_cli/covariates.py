"""Covariates on the command line: ``--covariates``, ``--past-covariates`` and ``--future``.

Covariates are columns of DATA. ``--covariates`` names those known in advance (prices,
promotions, holidays, weather forecasts), ``--past-covariates`` those observed only up to
the forecast origin (a measured temperature). ``forecast`` needs the values of the known
ones over the forecast steps, from ``--future FILE``; ``backtest`` reads them from DATA, where
every window's future lies. With an id column the values are per series; without one (a
single series, or a wide table) every series shares them. Only models that take exogenous
variables (``supports_exog``: GLU) accept covariates. Everything is checked before any model
is fitted, and a problem is one line naming the file, column, series and timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

__all__ = [
    "CovariateNames",
    "check_covariates",
    "check_future_option",
    "parse_covariates",
    "read_future",
    "refuse_unless_taken",
    "saved_covariates",
    "takes_covariates",
]


@dataclass(frozen=True)
class CovariateNames:
    """The covariate columns of DATA.

    Attributes
    ----------
    known : tuple of str
        Known in advance (``--covariates``).
    past : tuple of str
        Observed only up to the forecast origin (``--past-covariates``).
    """

    known: tuple[str, ...] = ()
    past: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.known or self.past)

    @property
    def by_option(self) -> dict[str, tuple[str, ...]]:
        """The columns by the option that names them, for :func:`~gluts._cli.reading.load_input`."""
        return {"--covariates": self.known, "--past-covariates": self.past}

    @property
    def option(self) -> str:
        """The option to name in a message about all of them."""
        return "--covariates" if self.known else "--past-covariates"

    def describe(self) -> str:
        """E.g. ``"promo (known in advance) and temperature (past only)"``."""
        parts = [
            f"{', '.join(cols)} ({kind})"
            for cols, kind in ((self.known, "known in advance"), (self.past, "past only"))
            if cols
        ]
        return " and ".join(parts) or "none"


def parse_covariates(known: str | None, past: str | None) -> CovariateNames:
    """Split the comma-separated column names of ``--covariates`` and ``--past-covariates``.

    Parameters
    ----------
    known, past : str or None
        The options' values.

    Returns
    -------
    CovariateNames
        The names, in order, without repeats.

    Raises
    ------
    typer.BadParameter
        When an option is given without a name (exit code 2).
    """
    names = []
    for text, option in ((known, "--covariates"), (past, "--past-covariates")):
        cols = () if text is None else tuple(dict.fromkeys(c.strip() for c in text.split(",")))
        cols = tuple(c for c in cols if c)
        if text is not None and not cols:
            raise typer.BadParameter("give at least one column name.", param_hint=option)
        names.append(cols)
    return CovariateNames(*names)


def takes_covariates(estimator) -> bool:
    """Whether ``estimator`` accepts exogenous variables (its ``supports_exog`` tag)."""
    tags = getattr(estimator, "get_tags", None)
    return bool(tags and tags().get("supports_exog"))


def refuse_unless_taken(names: CovariateNames, estimators: dict) -> list[str]:
    """Return the models that take the covariates; refuse them when none does (exit code 2).

    Parameters
    ----------
    names : CovariateNames
        The covariates asked for.
    estimators : dict of str to estimator
        The models, by their command-line name.

    Returns
    -------
    list of str
        The names of the models that take covariates (all of them without covariates).
    """
    if not names:
        return list(estimators)
    takers = [name for name, est in estimators.items() if takes_covariates(est)]
    if not takers:
        from gluts._cli.registry import MODELS, build

        able = [n for n in MODELS if takes_covariates(build(n, MODELS))]
        which = f"models that do: {', '.join(able)}" if able else "no model here does"
        listed = ", ".join(repr(n) for n in estimators)
        what = f"model {listed} takes no covariates"
        if len(estimators) > 1:
            what = f"none of the models {listed} takes covariates"
        raise typer.BadParameter(f"{what}; {which}.", param_hint=names.option)
    return takers


def saved_covariates(estimator, given: CovariateNames, path: Path) -> CovariateNames:
    """The covariates a saved model was fitted with; ``given`` must be those or none.

    Raises
    ------
    typer.BadParameter
        When ``given`` names other columns than the model's (exit code 2).
    """
    all_ = tuple(getattr(estimator, "covariates_", None) or ())
    known = tuple(getattr(estimator, "future_covariates_", None) or ())
    saved = CovariateNames(known, tuple(c for c in all_ if c not in known))
    if given and (set(given.known), set(given.past)) != (set(saved.known), set(saved.past)):
        fitted = f"with the covariates {saved.describe()}" if saved else "without covariates"
        raise typer.BadParameter(
            f"{path.name} was fitted {fitted}; got {given.describe()}. Leave the covariate "
            "options out to use the model's.",
            param_hint=given.option,
        )
    return saved


def check_future_option(names: CovariateNames, future: Path | None) -> None:
    """``--future`` goes with known-in-advance covariates, and they need it (exit code 2)."""
    if future is not None and not names.known:
        raise typer.BadParameter(
            "it gives the future values of the --covariates columns; name them with "
            "--covariates (past-only covariates need no future values).",
            param_hint="--future",
        )
    if future is None and names.known:
        raise typer.BadParameter(
            f"{', '.join(names.known)} (--covariates) are known in advance: give their "
            "values over the forecast steps with --future FILE, or name them with "
            "--past-covariates.",
            param_hint="--future",
        )


def read_future(path: Path, loaded, names: tuple[str, ...], decimal: str | None = None):
    """Read ``--future``: the time column (and id column) of DATA and the known covariates.

    Parameters
    ----------
    path : pathlib.Path
        The file (CSV or Parquet).
    loaded : InputData
        DATA, whose time and id column names the file must use.
    names : tuple of str
        The known-in-advance covariates.
    decimal : {".", ","} or None, default=None
        Decimal mark of a CSV file; detected when None.

    Returns
    -------
    pandas.DataFrame
        The id column (when the file has it), the parsed time column and ``names``; without
        the id column the values are shared by every series.

    Raises
    ------
    DataError
        When a column is absent, or the file lacks DATA's id column yet repeats a timestamp.
    """
    from gluts._cli.columns import read_times
    from gluts._cli.outputs import FileError
    from gluts.data import read_table
    from gluts.data.files import column_names
    from gluts.exceptions import DataError

    if loaded.time_col is None:
        raise DataError(
            f"{loaded.source} has no time column, so the rows of {path.name} (--future) "
            "cannot be matched with the forecast steps; give both files a time column."
        )
    id_col, time_col = loaded.id_col, loaded.time_col
    try:
        frame = read_table(path, dtype=None if id_col is None else {id_col: str}, decimal=decimal)
        roles = [(time_col, f"the time column of {loaded.source}")]
        roles += [(name, "--covariates") for name in names]
        for col, role in roles:
            if col not in frame.columns:
                raise FileError(
                    f"{path.name}: there is no column {col!r} ({role}); columns are "
                    f"{column_names(frame)}."
                )
        frame = frame.assign(**{time_col: read_times(path.name, frame[time_col])})
    except DataError as exc:
        raise FileError.about(path, exc) from None
    keys = [time_col]
    if id_col is not None and id_col in frame.columns:
        keys = [id_col, time_col]
    elif id_col is not None and frame[time_col].duplicated().any():
        raise FileError(
            f"{path.name}: there is no column {id_col!r} (the id column of {loaded.source}) "
            "and its timestamps repeat; give each series' rows with its id, or one row per "
            "timestamp for values that every series shares."
        )
    return frame[[*keys, *names]]


def check_covariates(X, panel, names, columns: dict, label: str, h: int | None = None) -> None:
    """Check that ``X`` has finite numbers for every series and timestamp a model reads.

    Parameters
    ----------
    X : pandas.DataFrame
        Covariates, as ``fit``'s ``X`` or ``predict``'s ``X_future``.
    panel : Panel
        The series.
    names : sequence of str
        The covariate columns to check.
    columns : dict
        ``id_col``, ``time_col`` and ``target_col`` of the series.
    label : str
        The file, for messages.
    h : int or None, default=None
        Forecast steps: check the ``h`` timestamps after each series instead of its history
        (``X`` is then ``--future``, and an error is a
        :class:`~gluts._cli.outputs.FileError`).

    Raises
    ------
    DataError
        Naming the file, series, column and timestamps at fault.
    """
    from gluts._cli.outputs import FileError
    from gluts.data import align_covariates
    from gluts.exceptions import DataError

    at = panel.index if h is None else panel.future_index(h)
    try:
        align_covariates(X, panel, at, names=list(names), **columns, label=label)
    except DataError as exc:
        if h is None:
            raise
        raise FileError(str(exc)) from None  # about --future, not DATA
