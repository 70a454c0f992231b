"""``gluts detect``: fit a detector on the start of each series, then alert on all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gluts._cli import options as opt
from gluts._cli.console import EXIT_ALERTS, Quiet, Verbose, guarded, info, status, stdout
from gluts._cli.registry import DETECTORS, build, parse_names
from gluts._cli.scaling import Scheduler, scaled_out

__all__ = ["detect_command"]

DEFAULT_DETECTOR = "glu"
DEFAULT_TRAIN_FRACTION = 0.15
DEFAULT_MIN_TRAIN_ROWS = 300
DEFAULT_DUPLICATES = "last"
_SHOWN = [
    "unique_id",
    "start",
    "end",
    "peak_score",
    "severity",
    "observed",
    "expected",
    "in_window",
]


@guarded
@scaled_out
def detect_command(
    data: opt.Data,
    model: Annotated[
        str, typer.Option(help=f"Detector, one of: {', '.join(DETECTORS)}.")
    ] = DEFAULT_DETECTOR,
    train_until: Annotated[
        str | None,
        typer.Option(help="Fit on the rows up to this timestamp (inclusive) of each series."),
    ] = None,
    train_fraction: Annotated[
        float | None,
        typer.Option(
            callback=lambda v: _open_unit(v, "--train-fraction"),
            help="Fit on this first fraction of each series. [default: "
            f"{DEFAULT_TRAIN_FRACTION}, at least {DEFAULT_MIN_TRAIN_ROWS} rows]",
        ),
    ] = None,
    risk: Annotated[
        float | None,
        typer.Option(
            callback=lambda v: _open_unit(v, "--risk"),
            help="Peaks-over-threshold false-alarm risk per row (e.g. 1e-4).",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Fixed score threshold in [0, 1]."),
    ] = None,
    season_length: opt.SeasonLength = None,
    id_col: opt.IdCol = None,
    time_col: opt.TimeCol = None,
    target: opt.Target = None,
    alerts: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False, help="Write one row per alert event (CSV, or JSON by extension)."
        ),
    ] = None,
    scores: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write the score and 0/1 label of every row."),
    ] = None,
    plot: opt.Plot = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Known anomaly windows to compare the alerts with: CSV with columns start, "
            "end (and optionally unique_id), or JSON, NAB's combined_windows.json included.",
        ),
    ] = None,
    duplicates: Annotated[
        opt.DuplicateRule | None,
        typer.Option(
            show_default=False,
            help="Rows that repeat a timestamp of their series: stop with an error, or merge "
            "them keeping the first or the last row, or averaging the values; a notice on "
            "stderr says how many rows were merged. [default: last, as monitoring exports "
            "repeat a stamp on retries and clock changes and the last write is the one a "
            "store keeps; with --by-row: keep every row]",
        ),
    ] = None,
    decimal: opt.Decimal = None,
    by_row: Annotated[
        bool,
        typer.Option(
            "--by-row",
            help="Treat each series' rows as equally spaced, for irregular timestamps (gaps, "
            "duplicates, jitter); outputs keep the original timestamps.",
        ),
    ] = False,
    fail_on_alert: Annotated[
        bool,
        typer.Option(
            "--fail-on-alert", help=f"Exit with code {EXIT_ALERTS} when any alert was raised."
        ),
    ] = False,
    seed: opt.Seed = 0,
    n_jobs: opt.NJobs = -1,
    scheduler: Scheduler = None,
    threads: opt.Threads = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Detect anomalies in DATA and print one row per alert event.

    The detector learns normal behaviour from the start of each series (--train-until or
    --train-fraction) and then scores every row causally, using only the rows before it.
    With --labels, the alerts are compared with known anomaly windows: how many windows
    carry an alert (event recall) and how many alerts lie outside every window.
    """
    from gluts._cli.outputs import check_outputs
    from gluts._cli.reading import load_input

    threads = opt.use_threads(threads)
    name = parse_names(model, DETECTORS, "--model")[0]
    limit = _threshold(risk, threshold)
    if train_until is not None and train_fraction is not None:
        raise typer.BadParameter(
            "give --train-until or --train-fraction, not both.", param_hint="--train-until"
        )
    check_outputs(
        {"--alerts": alerts, "--scores": scores, "--plot": plot},
        {"DATA": data, "--labels": labels},
    )
    if duplicates is None and not by_row:
        duplicates = DEFAULT_DUPLICATES
    loaded = load_input(
        data,
        id_col=id_col,
        time_col=time_col,
        target_col=target,
        duplicates=duplicates,
        decimal=decimal,
    )
    y, columns = loaded.long(), loaded.columns
    train = _training_rows(y, columns, train_until, train_fraction)
    windows = _read_windows(labels, loaded.source, y, columns)
    train_end = train.groupby(columns["id_col"], sort=False)[columns["time_col"]].max()
    rows = _Rows(y, columns) if by_row else None
    if rows is not None:
        y, train = rows.as_steps(y), rows.as_steps(train)
        season_length = season_length or rows.season_length()
    _check_panel(y, columns, by_row)
    detector = build(
        name,
        DETECTORS,
        threshold=limit,
        season_length=season_length,
        random_state=seed,
        n_threads=threads,
        n_jobs=n_jobs,
    )
    info(
        f"Fitting {type(detector).__name__} on {len(train)} of {len(y)} rows of {loaded.source}.",
        quiet,
    )
    with status("Fitting and scoring", quiet):
        _fit(detector, train, columns, len(y))
        events = detector.alerts(y)
    if rows is not None:
        events = rows.restore_events(events)
    match = None
    if windows is not None:
        from gluts._cli.labels import match_alerts

        in_window, match = match_alerts(events, windows, train_end)
        events = events.assign(in_window=in_window)
    _print_alerts(events, loaded.source)
    if match is not None:
        stdout().print(match.summary(labels.name), highlight=False, markup=False, soft_wrap=True)
    if alerts is not None:
        from gluts._cli.writing import write_table

        write_table(events, alerts)
        info(f"Wrote {len(events)} alert events to {alerts}.", quiet)
    if scores is not None or plot is not None:
        scored = _scored_rows(detector, y, columns)
        if rows is not None:
            scored = rows.restore_rows(scored)
        _write_scores(scored, scores, plot, events, columns, quiet, windows, train_end)
    if fail_on_alert and len(events):
        raise typer.Exit(EXIT_ALERTS)


def _open_unit(value: float | None, option: str) -> float | None:
    if value is not None and not 0.0 < value < 1.0:
        raise typer.BadParameter(f"must lie in (0, 1); got {value}.", param_hint=option)
    return value


def _threshold(risk: float | None, threshold: float | None):
    if risk is not None and threshold is not None:
        raise typer.BadParameter("give --risk or --threshold, not both.", param_hint="--risk")
    if risk is not None:
        from gluts.anomaly.thresholds import SPOTThreshold

        return SPOTThreshold(risk=risk)
    return threshold


def _training_rows(y, columns, train_until: str | None, train_fraction: float | None):
    """The first rows of each series: up to a timestamp, or a fraction of its length."""
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
    position = groups.cumcount()
    length = groups[columns["id_col"]].transform("size")
    if train_fraction is not None:
        return y[position < (train_fraction * length).round().clip(lower=1)]
    rows = (DEFAULT_TRAIN_FRACTION * length).round().clip(lower=DEFAULT_MIN_TRAIN_ROWS)
    return y[position < rows]


class _Rows:
    """Row positions as the time of each series (``--by-row``), and the way back."""

    def __init__(self, y, columns: dict[str, str]):
        self.id_col, self.time_col = columns["id_col"], columns["time_col"]
        self.ids, self.times = y[self.id_col], y[self.time_col]
        self.step = y.groupby(self.id_col, sort=False).cumcount()
        self.lookup = dict(zip(zip(y[self.id_col], self.step), self.times))

    def as_steps(self, frame):
        """``frame`` (rows of the input) with each row's position as its time."""
        return frame.assign(**{self.time_col: self.step.loc[frame.index]})

    def season_length(self) -> int:
        """Rows per natural cycle at the typical spacing (1 without datetimes)."""
        import pandas as pd
        from pandas.tseries.frequencies import to_offset

        from gluts.data import season_length_for

        if not pd.api.types.is_datetime64_any_dtype(self.times):
            return 1
        spacing = self.times.groupby(self.ids, sort=False).diff().median()
        return season_length_for(to_offset(spacing)) if spacing > pd.Timedelta(0) else 1

    def restore_events(self, events):
        """Alert events with timestamps instead of row positions."""
        out = events.copy()
        for col in ("start", "end", "peak_time"):
            out[col] = [self.lookup[key] for key in zip(out["unique_id"], out[col])]
        return out

    def restore_rows(self, scored):
        """Scored rows (in input order) with their original timestamps."""
        return scored.assign(**{self.time_col: self.times.to_numpy()})


def _read_windows(labels: Path | None, source: str, y, columns):
    """The labelled windows for the series of ``y``, or None without ``--labels``."""
    if labels is None:
        return None
    from gluts._cli.labels import read_labels

    return read_labels(
        labels,
        source,
        y[columns["time_col"]],
        y[columns["id_col"]].unique(),
        id_col=columns["id_col"],
    )


def _fit(detector, train, columns, n_rows: int) -> None:
    """Fit ``detector``; a too short training part names the options that lengthen it."""
    from gluts.exceptions import InsufficientHistoryError

    try:
        detector.fit(train, **columns)
    except InsufficientHistoryError as exc:
        if len(train) < n_rows:
            hint = (
                f"Fit on more than {len(train)} of the {n_rows} rows (--train-fraction, "
                "--train-until) or give a shorter --season-length."
            )
        else:
            hint = (
                f"All {n_rows} rows are already used for fitting: give longer series or a "
                "shorter --season-length."
            )
        raise InsufficientHistoryError(f"{exc} {hint}") from None


def _check_panel(y, columns, by_row: bool) -> None:
    """Fail early on unusable series; suggest --by-row for irregular timestamps."""
    from gluts._cli.reading import silent_panel
    from gluts.exceptions import DataError

    try:
        silent_panel(y, columns)
    except DataError as exc:
        if by_row or "timestamp" not in str(exc):
            raise
        raise DataError(
            f"{exc} Pass --by-row to treat the rows of each series as equally spaced."
        ) from None


def _print_alerts(events, source: str) -> None:
    from gluts._cli.tables import frame_table

    console = stdout()
    if events.empty:
        console.print(f"No alerts in {source}.", highlight=False, markup=False)
        return
    shown = events[[c for c in _SHOWN if c in events.columns]]
    n_series = events["unique_id"].nunique()
    title = f"{len(events)} alert events in {n_series} series of {source}"
    console.print(frame_table(shown, title))


def _scored_rows(detector, y, columns):
    """The input rows with their score and 0/1 label."""
    keys = [columns["id_col"], columns["time_col"]]
    score = detector.score(y)
    label = detector.predict(y)
    return y.merge(score, on=keys, how="left").merge(label, on=keys, how="left")


def _write_scores(
    scored, scores: Path | None, plot: Path | None, events, columns, quiet, windows, train_end
) -> None:
    from gluts._cli.writing import write_figure, write_table

    if scores is not None:
        write_table(scored, scores)
        info(f"Wrote {len(scored)} scored rows to {scores}.", quiet)
    if plot is not None:
        from gluts.plotting import plot_alerts

        keyed = {"unique_id": columns["id_col"]}
        figure = plot_alerts(
            scored,
            events.rename(columns=keyed),
            windows=None if windows is None else windows.rename(columns=keyed),
            train_end=train_end,
            score_col="score",
            **columns,
        )
        write_figure(figure, plot)
        info(f"Wrote the plot to {plot}.", quiet)
