"""``gluts backtest``: a rolling-origin leaderboard of models on a CSV file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gluts._cli import options as opt
from gluts._cli.console import Quiet, Verbose, guarded, info, stdout
from gluts._cli.registry import DEFAULT_BACKTEST_MODELS, MODELS, build, parse_names
from gluts._cli.scaling import Scheduler, scaled_out
from gluts._text import plural

__all__ = ["backtest_command", "forecast_rows"]

_METRIC_NAMES = ("smape", "mase", "rmsse", "mae", "rmse", "mql", "scaled_crps", "coverage")


@guarded
@scaled_out
def backtest_command(
    data: opt.Data,
    horizon: Annotated[
        int | None,
        typer.Option(min=1, help="Steps forecast from each cutoff. Default: one season."),
    ] = None,
    windows: Annotated[int, typer.Option(min=1, help="Number of backtest windows.")] = 3,
    step: Annotated[
        int | None, typer.Option(min=1, help="Steps between cutoffs. Default: the horizon.")
    ] = None,
    refit: Annotated[
        bool,
        typer.Option(
            help="Fit anew at every cutoff; with --no-refit global models (GLU) are fitted "
            "once, at the first cutoff, and forecast later windows from their context."
        ),
    ] = True,
    models: Annotated[
        str,
        typer.Option(help=f"Comma-separated models, from: {', '.join(MODELS)}."),
    ] = ",".join(DEFAULT_BACKTEST_MODELS),
    season_length: opt.SeasonLength = None,
    id_col: opt.IdCol = None,
    time_col: opt.TimeCol = None,
    target: opt.Target = None,
    output: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False, help="Write per-series metrics (CSV, or JSON/Parquet by extension)."
        ),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the leaderboard as JSON instead of a table.")
    ] = False,
    forecasts: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Write every window's forecasts in long form (CSV, or JSON/Parquet by "
            "extension): model, the id column, cutoff, ds, y, point and one q<level> column "
            "per quantile (e.g. q0.1; empty for models without quantiles).",
        ),
    ] = None,
    plot: opt.Plot = None,
    plot_series: opt.plot_series("the series on which the best model has the largest MASE") = None,
    report: opt.Report = None,
    covariates: opt.Covariates = None,
    past_covariates: opt.PastCovariates = None,
    duplicates: opt.Duplicates = "error",
    decimal: opt.Decimal = None,
    freq: opt.Freq = None,
    seed: opt.Seed = 0,
    n_jobs: opt.NJobs = -1,
    scheduler: Scheduler = None,
    threads: opt.Threads = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Backtest models on DATA and print a leaderboard sorted by MASE.

    Each model is fitted at WINDOWS rolling cutoffs and forecasts HORIZON steps from each;
    metrics are averaged over series and windows and compared with SeasonalNaive. Covariates
    (--covariates, --past-covariates) go to the models that take them; the values of the
    known ones over each window come from DATA.
    """
    threads = opt.use_threads(threads)
    names = parse_names(models, MODELS, "--models")
    from gluts._cli import plots
    from gluts._cli.covariates import parse_covariates, refuse_unless_taken
    from gluts._cli.outputs import check_outputs
    from gluts._cli.reading import load_input, silent_panel

    covs = parse_covariates(covariates, past_covariates)
    takers = refuse_unless_taken(covs, {n: build(n, MODELS) for n in names})
    outputs = {"--output": output, "--forecasts": forecasts, "--plot": plot, "--report": report}
    check_outputs(outputs, {"DATA": data})
    plots.check_request(plot_series, plot, report)
    loaded = load_input(
        data,
        id_col=id_col,
        time_col=time_col,
        target_col=target,
        duplicates=duplicates,
        decimal=decimal,
        covariates=covs.by_option,
        freq=freq,
    )
    y = loaded.long()
    panel = silent_panel(y, loaded.read_options)
    wanted = plots.requested_series(plot_series, panel.ids)
    season = season_length or panel.grid.season_length()
    horizon = horizon or (season if season > 1 else 6)
    info(
        f"Backtesting {', '.join(names)} on {loaded.source}: {len(panel)} series, "
        f"horizon {horizon}, {plural(windows, 'window')}, season length {season}.",
        quiet,
    )
    from gluts.backtesting import backtest

    estimators = {
        n: build(
            n,
            MODELS,
            horizon=horizon,
            season_length=season,
            random_state=seed,
            n_jobs=n_jobs,
            n_threads=threads,
            past_covariates=list(covs.past) or None,
        )
        for n in names
    }
    X = _covariates(loaded, covs, takers, len(names), panel, quiet)
    result = backtest(
        list(estimators.values()),
        y,
        horizon,
        n_windows=windows,
        step=step,
        refit=refit,
        season_length=season,
        X=X,
        n_jobs=n_jobs,
        **loaded.read_options,
    )
    board = result.summary()
    _report(board, loaded.source, len(panel), horizon, windows, season, json_)
    if output is not None:
        from gluts._cli.writing import write_table

        write_table(_per_series(result.metrics), output)
        info(f"Wrote per-series metrics to {output}.", quiet)
    if forecasts is not None:
        from gluts._cli.writing import write_table

        frame = forecast_rows(result.forecasts, loaded.columns["id_col"])
        write_table(frame, forecasts)
        info(f"Wrote {len(frame)} forecast rows to {forecasts}.", quiet)
    if plot is not None or report is not None:
        settings = f"horizon {horizon}, {plural(windows, 'window')}, season length {season}"
        _draw(result, wanted, plot, report, (loaded, panel, settings), quiet)


def _covariates(loaded, covs, takers: list[str], n_models: int, panel, quiet: bool):
    """The covariates of DATA, checked, for the models that take them; None without."""
    if not covs:
        return None
    from gluts._cli.covariates import check_covariates

    X = loaded.covariate_frame()
    check_covariates(X, panel, loaded.covariates, loaded.columns, loaded.source)
    rest = "; the other models ignore them" if len(takers) < n_models else ""
    info(f"Covariates {covs.describe()} go to {', '.join(takers)}{rest}.", quiet)
    return X


def _report(board, source: str, n_series: int, horizon: int, windows: int, season: int, as_json):
    from gluts._cli.tables import glu_won, leaderboard_table, verdict

    if as_json:
        records = board.reset_index(names="model")
        doc = {
            "data": source,
            "n_series": n_series,
            "horizon": horizon,
            "n_windows": windows,
            "season_length": season,
            "leaderboard": json.loads(records.to_json(orient="records")),
            "glu_beat_every_baseline": glu_won(board),
        }
        typer.echo(json.dumps(doc, indent=2))
        return
    console = stdout()
    title = (
        f"Backtest of {source}: {n_series} series, horizon {horizon}, {plural(windows, 'window')}"
    )
    console.print(leaderboard_table(board, title))
    sentence = verdict(board)
    if sentence:
        console.print(sentence, highlight=False, markup=False)


def _draw(result, wanted, plot: Path | None, report: Path | None, about, quiet: bool) -> None:
    """Write the plot and the report; ``about`` is the input, its panel and the settings."""
    from gluts._cli import plots
    from gluts._cli.writing import write_figure
    from gluts.plotting import backtest_choice, plot_backtest

    plots.announce(backtest_choice(result, wanted), quiet)
    figure = plot_backtest(result, series=wanted)
    if plot is not None:
        write_figure(figure, plot)
        info(f"Wrote the plot to {plot}.", quiet)
    if report is not None:
        from gluts._cli.report import write_report
        from gluts._cli.report_content import backtest_report
        from gluts._cli.tables import verdict

        board = result.summary()
        write_report(report, backtest_report(*about[:2], board, verdict(board), figure, about[2]))
        info(f"Wrote the report to {report}.", quiet)


def forecast_rows(frame, id_col: str = "unique_id"):
    """Lay out :attr:`BacktestResult.forecasts` as statsforecast's ``cross_validation`` does.

    Parameters
    ----------
    frame : pandas.DataFrame
        The backtest's forecasts: ``model, unique_id, window, cutoff, ds, y, forecast`` and
        ``q<level>`` columns.
    id_col : str, default="unique_id"
        Name of the id column in the output (the input's id column; ``unique_id`` when
        that name is taken by another column of the layout).

    Returns
    -------
    pandas.DataFrame
        One row per model, series, window and step: columns ``model``, ``id_col``,
        ``cutoff``, ``ds``, ``y``, ``point`` and the quantile columns in increasing order
        (NaN for models that predict no quantiles).
    """
    qcols = sorted((c for c in frame.columns if c.startswith("q")), key=lambda c: float(c[1:]))
    if id_col in ("model", "cutoff", "ds", "y", "point", *qcols):
        id_col = "unique_id"  # the input's name would clash with a column of the layout
    out = frame.rename(columns={"forecast": "point", "unique_id": id_col})
    return out[["model", id_col, "cutoff", "ds", "y", "point", *qcols]]


def _per_series(metrics):
    """Average the per-window metrics over windows, per model and series."""
    cols = [c for c in _METRIC_NAMES if c in metrics]
    grouped = metrics.groupby(["model", "unique_id"], sort=False)
    out = grouped[cols].mean()
    out.insert(0, "n_windows", grouped.size())
    return out.reset_index()
