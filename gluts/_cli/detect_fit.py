"""The rows a detector of ``gluts detect`` learns from, and its fit with advice on short series."""

from __future__ import annotations

import typer

__all__ = ["DEFAULT_MIN_TRAIN_ROWS", "DEFAULT_TRAIN_FRACTION", "fit_detector", "training_rows"]

DEFAULT_TRAIN_FRACTION = 0.15
DEFAULT_MIN_TRAIN_ROWS = 300


def training_rows(y, columns, train_until: str | None, train_fraction: float | None, by_row: bool):
    """The first rows of each series: up to a timestamp, or a fraction of its length (in
    time order, or in file order with ``--by-row``, where the rows are the steps)."""
    import pandas as pd

    from gluts.exceptions import DataError

    times = y[columns["time_col"]]
    if train_until is not None:
        if not pd.api.types.is_datetime64_any_dtype(times):
            raise typer.BadParameter(
                "the data has no datetime column; use --train-fraction.",
                param_hint="--train-until",
            )
        try:
            cut = pd.Timestamp(train_until)
        except ValueError:
            raise typer.BadParameter(
                f"not a timestamp: {train_until!r}.", param_hint="--train-until"
            ) from None
        if times.dt.tz is not None and cut.tzinfo is None:
            cut = cut.tz_localize(times.dt.tz)
        keep = times <= cut
        if not keep.any():
            raise DataError(
                f"No rows at or before --train-until {train_until}; the first is {times.min()}."
            )
        return y[keep]
    groups = y.groupby(columns["id_col"], sort=False)
    position = groups.cumcount() if by_row else groups[columns["time_col"]].rank("first") - 1
    length = groups[columns["id_col"]].transform("size")
    if train_fraction is not None:
        return y[position < (train_fraction * length).round().clip(lower=1)]
    rows = (DEFAULT_TRAIN_FRACTION * length).round().clip(lower=DEFAULT_MIN_TRAIN_ROWS)
    return y[position < rows]


def fit_detector(detector, train, options, y) -> None:
    """Fit ``detector`` on ``train`` (rows of ``y``); a too short series gets the advice that
    can lengthen it: more fit rows where it has more, else leaving it out."""
    from gluts.exceptions import InsufficientHistoryError

    try:
        detector.fit(train, **options)
    except InsufficientHistoryError as exc:
        n_rows = len(y)
        hint = _short_series_hint(exc, train, y, options["id_col"])
        if hint is None and len(train) < n_rows:
            hint = (
                f"Fit on more than {len(train)} of the {n_rows} rows (--train-fraction, "
                "--train-until) or give a shorter --season-length."
            )
        elif hint is None:
            hint = (
                f"All {n_rows} rows are already used for fitting: give longer series or a "
                "shorter --season-length."
            )
        raise InsufficientHistoryError(f"{exc} {hint}", exc.series, exc.needed) from None


def _short_series_hint(exc, train, y, id_col: str) -> str | None:
    """Advice for the series of ``exc`` when no choice of fit rows can make it long enough."""
    if exc.series is None:
        return None
    rows = y[id_col] == exc.series
    total, fitted = int(rows.sum()), int((train[id_col] == exc.series).sum())
    if fitted < total and (exc.needed is None or total >= exc.needed):
        return None  # more fit rows help
    if not rows.all():
        remedy = "leave it out of DATA or give a shorter --season-length"
    elif exc.needed is not None:
        remedy = "give a longer series or a shorter --season-length"
    else:
        return None  # the only series, with every row fitted: said by the caller
    return f"Series {exc.series!r} has {total} rows in all: {remedy}."
