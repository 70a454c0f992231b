"""``gluts detect``: fit a detector on the start of each series, then alert on all of it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from gluts._cli import options as opt
from gluts._cli.console import EXIT_ALERTS, Quiet, Verbose, guarded, info, stdout
from gluts._cli.detect_fit import (
    DEFAULT_MIN_TRAIN_ROWS,
    DEFAULT_TRAIN_FRACTION,
    fit_detector,
    training_rows,
)
from gluts._cli.detect_outputs import print_alerts, scored_rows, write_row_outputs
from gluts._cli.registry import DETECTORS, build, parse_names
from gluts._cli.row_steps import RowSteps, suggest_by_row
from gluts._cli.scaling import Scheduler, scaled_out
from gluts._text import plural

__all__ = ["detect_command"]

DEFAULT_DETECTOR = "glu"
DEFAULT_DUPLICATES = "last"


@guarded
@scaled_out
def detect_command(
    data: opt.Data,
    model: Annotated[
        str | None,
        typer.Option(
            help=f"Detector, one of: {', '.join(DETECTORS)}. [default: {DEFAULT_DETECTOR}]"
        ),
    ] = None,
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
            help=(
                "Peaks-over-threshold false-alarm risk per row, on the fit rows' scores "
                "(e.g. 1e-4). Anomalies in the fit rows raise it: far stricter than the "
                "default, for fit rows without incidents."
            ),
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            callback=lambda v: _open_unit(v, "--threshold"),
            help="Fixed score threshold in (0, 1): 0 would flag every row, 1 none.",
        ),
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
    plot_series: opt.plot_series("the series with the most alerts") = None,
    report: opt.Report = None,
    state: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Detector state file, for repeated runs on a growing file (e.g. from cron): "
            "the first run fits and writes it; later runs score only the rows after those it "
            "has seen, append only the new alerts to --alerts and update it.",
        ),
    ] = None,
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
    freq: opt.Freq = None,
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
    from gluts._cli import detect_state, plots
    from gluts._cli.outputs import check_outputs
    from gluts._cli.reading import load_input

    threads = opt.use_threads(threads)
    resume = state is not None and state.exists()
    fitting = {"--model": model, "--train-until": train_until, "--train-fraction": train_fraction}
    fitting.update({"--risk": risk, "--threshold": threshold, "--season-length": season_length})
    fitting["--freq"] = freq
    if resume:
        detect_state.refuse_fit_options({**fitting, "--labels": labels}, state)
    name = parse_names(model or DEFAULT_DETECTOR, DETECTORS, "--model")[0]
    limit = _threshold(risk, threshold)
    if train_until is not None and train_fraction is not None:
        raise typer.BadParameter(
            "give --train-until or --train-fraction, not both.", param_hint="--train-until"
        )
    check_outputs(
        {
            "--alerts": alerts,
            "--scores": scores,
            "--plot": plot,
            "--report": report,
            "--state": state,
        },
        {"DATA": data, "--labels": labels},
    )
    plots.check_request(plot_series, plot, report)
    if freq is not None and by_row:
        raise typer.BadParameter("give --freq or --by-row, not both.", param_hint="--freq")
    detector = None
    if resume:
        detector = detect_state.load_state(state)
        freq = detector.read_options_.freq  # the stream keeps the grid it was fitted on
    if duplicates is None and not by_row:
        duplicates = DEFAULT_DUPLICATES
    loaded = load_input(
        data,
        id_col=id_col,
        time_col=time_col,
        target_col=target,
        duplicates=duplicates,
        decimal=decimal,
        freq=freq,
    )
    y, columns = loaded.long(), loaded.columns
    rows = RowSteps(y, columns) if by_row else None
    windows = train_end = scored = None
    panel = _check_panel(y if rows is None else rows.as_steps(y), loaded.read_options, by_row)
    if rows is None:
        suggest_by_row(panel)
    wanted = plots.requested_series(plot_series, panel.ids)
    if resume:
        detector.set_params(n_jobs=n_jobs)
        y = detect_state.rows_after(y if rows is None else rows.as_steps(y), columns, detector)
        if y.empty:
            stdout().print(f"No new rows in {loaded.source} since the last run.", markup=False)
            return
        info(f"Scoring {len(y)} new rows of {loaded.source} from {state}.", quiet)
        events = detector.alerts(y)
        with _gaps_counted_by_alerts():
            if scores is not None or plot is not None or report is not None:
                scored = scored_rows(detector, y, columns)
            detector.update(y)
    else:
        train = training_rows(y, columns, train_until, train_fraction, by_row)
        windows = _read_windows(labels, loaded.source, y, columns)
        train_end = train.groupby(columns["id_col"], sort=False)[columns["time_col"]].max()
        if rows is not None:
            y, train = rows.as_steps(y), rows.as_steps(train)
            season_length = season_length or rows.season_length()
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
            f"Fitting {type(detector).__name__} on {len(train)} of {len(y)} rows of "
            f"{loaded.source}.",
            quiet,
        )
        with _gaps_counted_by_alerts():
            fit_detector(detector, train, loaded.read_options, y)
        events = detector.alerts(y)
        if state is not None and len(train) < len(y):  # the stream goes on to the end
            with _gaps_counted_by_alerts():
                detector.update(y.drop(index=train.index))
    if rows is not None:
        events = rows.restore_events(events)
    match = None
    if windows is not None:
        from gluts._cli.labels import match_alerts

        in_window, match = match_alerts(events, windows, train_end)
        events = events.assign(in_window=in_window)
    print_alerts(events, loaded.source)
    if match is not None:
        stdout().print(match.summary(labels.name), highlight=False, markup=False, soft_wrap=True)
    if alerts is not None and state is not None:
        added = detect_state.append_alerts(events, alerts)
        info(f"Appended {plural(added, 'alert event')} to {alerts}.", quiet)
    elif alerts is not None:
        from gluts._cli.writing import write_table

        write_table(events, alerts)
        info(f"Wrote {plural(len(events), 'alert event')} to {alerts}.", quiet)
    if state is not None:
        detect_state.save_state(detector, state)
        info(f"Wrote the detector state to {state}.", quiet)
    if scores is not None or plot is not None or report is not None:
        notes = [] if match is None else [match.summary(labels.name)]
        with _gaps_counted_by_alerts():
            scored = scored_rows(detector, y, columns) if scored is None else scored
        write_row_outputs(
            scored,
            events,
            model=type(detector).__name__,
            rows=rows,
            paths=(scores, plot, report),
            drawing=(windows, train_end, wanted),
            page=(loaded, panel, notes),
            quiet=quiet,
        )
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


@contextmanager
def _gaps_counted_by_alerts() -> Iterator[None]:
    """Silence the interpolation notices of reads of rows that ``alerts`` reads whole.

    ``alerts`` reads the rows to score and its notice counts every interpolated gap once; the
    fit rows (a part of them), the update and the row scores would count the same gaps again.
    """
    from gluts.exceptions import GlutsWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Interpolated missing values", GlutsWarning)
        yield


def _check_panel(y, options, by_row: bool):
    """Fail early on unusable series, else return their panel; suggest --by-row if irregular."""
    from gluts._cli.reading import silent_panel
    from gluts.exceptions import DataError

    try:
        return silent_panel(y, options)
    except DataError as exc:
        if by_row or "timestamp" not in str(exc):
            raise
        raise DataError(
            f"{exc} Pass --by-row to treat the rows of each series as equally spaced."
        ) from None
