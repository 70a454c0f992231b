"""``gluts forecast``: fit a model (or load a saved one) and forecast every series."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gluts._cli import options as opt
from gluts._cli.console import Quiet, Verbose, guarded, info
from gluts._cli.registry import MODELS, build, parse_names
from gluts._cli.scaling import Scheduler, scaled_out

__all__ = ["forecast_command", "parse_quantiles"]

DEFAULT_MODEL = "glu"


@guarded
@scaled_out
def forecast_command(
    data: opt.Data,
    horizon: Annotated[int, typer.Option(min=1, help="Steps to forecast after each series.")],
    model: Annotated[
        str | None,
        typer.Option(help=f"Model, one of: {', '.join(MODELS)}. [default: {DEFAULT_MODEL}]"),
    ] = None,
    quantiles: Annotated[
        str | None,
        typer.Option(help="Comma-separated quantiles in (0, 1), e.g. 0.1,0.5,0.9."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated interval levels in (0, 100), e.g. 80,95; gives columns "
            "`MODEL-lo-LEVEL` and `MODEL-hi-LEVEL`."
        ),
    ] = None,
    season_length: opt.SeasonLength = None,
    id_col: opt.IdCol = None,
    time_col: opt.TimeCol = None,
    target: opt.Target = None,
    output: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Write the forecast here (CSV, or JSON/Parquet by extension) in the input's "
            "layout (a wide table's: columns (series, column), two header rows in CSV). "
            "Default: CSV on stdout.",
        ),
    ] = None,
    plot: opt.Plot = None,
    plot_series: opt.plot_series(
        "the least certain forecasts: the widest interval relative to the series' typical "
        "step (without intervals: the largest move from the last value)"
    ) = None,
    report: opt.Report = None,
    save_model: Annotated[
        Path | None, typer.Option(help="Save the fitted model here (models with save(): glu).")
    ] = None,
    model_path: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            help="Forecast with a model saved by --save-model, from DATA as context, "
            "without retraining.",
        ),
    ] = None,
    covariates: opt.Covariates = None,
    past_covariates: opt.PastCovariates = None,
    future: opt.Future = None,
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
    """Forecast HORIZON steps after the end of every series in DATA.

    The forecast has the layout of DATA: long (id, time, one column per quantity) for long
    input; for a wide table, one row per time and two header rows, series then quantity
    (the Python API's `(series, column)` columns), also when --target picks one series.
    """
    from gluts._cli import plots
    from gluts._cli.covariates import check_future_option, parse_covariates
    from gluts._cli.outputs import check_outputs
    from gluts._cli.reading import load_input, silent_panel

    threads = opt.use_threads(threads)
    qs, levels = parse_quantiles(quantiles, level)
    names = parse_covariates(covariates, past_covariates)
    if model_path is not None and (model or qs or save_model):
        raise typer.BadParameter(
            "--model-path uses the saved model as it is; drop --model, --quantiles, --level "
            "and --save-model.",
            param_hint="--model-path",
        )
    check_outputs(
        {"--output": output, "--plot": plot, "--report": report, "--save-model": save_model},
        {"DATA": data, "--model-path": model_path, "--future": future},
    )
    plots.check_request(plot_series, plot, report)
    if model_path is None:
        name = parse_names(model or DEFAULT_MODEL, MODELS, "--model")[0]
        estimator = _build(name, horizon, qs, season_length, seed, n_jobs, save_model)
        estimator = _with_covariates(name, estimator, names)
    else:
        from gluts._cli.covariates import saved_covariates

        estimator = _load_model(model_path)
        estimator.set_params(n_jobs=n_jobs)
        names = saved_covariates(estimator, names, model_path)
    _set_threads(estimator, threads)
    check_future_option(names, future)
    loaded = load_input(
        data,
        id_col=id_col,
        time_col=time_col,
        target_col=target,
        duplicates=duplicates,
        decimal=decimal,
        covariates=names.by_option,
        freq=freq,
    )
    y, columns = loaded.long(), loaded.columns
    panel = silent_panel(y, loaded.read_options)  # also reports bad data before any fitting
    wanted = plots.requested_series(plot_series, panel.ids)
    X, X_future = _covariates(loaded, names, future, decimal, panel, horizon)
    if model_path is not None:
        forecast = estimator.predict(horizon, X_future=X_future, y=y, X=X)
    else:
        forecast = _fit_predict(estimator, y, X, X_future, len(panel), horizon, loaded, quiet)
        if save_model is not None:
            _save(estimator, save_model)
            info(f"Saved the model to {save_model}.", quiet)
    frame = loaded.restore(_name_levels(forecast, estimator.alias_, levels))
    _write(frame, output, quiet, index=loaded.wide)
    if plot is not None or report is not None:
        _draw(y, forecast, columns, estimator, wanted, plot, report, (loaded, panel), quiet)


def parse_quantiles(
    quantiles: str | None, level: str | None
) -> tuple[tuple[float, ...] | None, tuple[float, ...]]:
    """Turn ``--quantiles`` or ``--level`` into the quantiles a model should predict.

    Parameters
    ----------
    quantiles : str or None
        Comma-separated floats in (0, 1).
    level : str or None
        Comma-separated interval levels in (0, 100).

    Returns
    -------
    quantiles : tuple of float or None
        Sorted quantiles (with the median for levels); None when neither option is given.
    levels : tuple of float
        The interval levels, empty unless ``level`` was given.

    Raises
    ------
    typer.BadParameter
        When both are given or a value is out of range (exit code 2).
    """
    if quantiles is not None and level is not None:
        raise typer.BadParameter("give --quantiles or --level, not both.", param_hint="--level")
    if quantiles is not None:
        qs = _floats(quantiles, "--quantiles", 0.0, 1.0)
        return tuple(sorted(set(qs))), ()
    if level is not None:
        levels = tuple(sorted(set(_floats(level, "--level", 0.0, 100.0))))
        qs = {0.5}
        for lv in levels:
            qs |= {round(0.5 - lv / 200, 10), round(0.5 + lv / 200, 10)}
        return tuple(sorted(qs)), levels
    return None, ()


def _floats(text: str, option: str, low: float, high: float) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise typer.BadParameter(
            f"expected comma-separated numbers, got {text!r}.", param_hint=option
        ) from None
    bad = [v for v in values if not low < v < high]
    if not values or bad:
        shown = bad[0] if bad else text
        raise typer.BadParameter(
            f"values must lie in ({low:g}, {high:g}); got {shown!r}.", param_hint=option
        )
    return values


def _build(name, horizon, qs, season_length, seed, n_jobs, save_model):
    estimator = build(
        name,
        MODELS,
        horizon=horizon,
        quantiles=qs,
        season_length=season_length,
        random_state=seed,
        n_jobs=n_jobs,
    )
    if save_model is not None and not hasattr(estimator, "save"):
        raise typer.BadParameter(f"model {name!r} cannot be saved.", param_hint="--save-model")
    if qs is not None and "quantiles" not in estimator.get_params():
        raise typer.BadParameter(f"model {name!r} predicts no quantiles.", param_hint="--quantiles")
    return estimator


def _with_covariates(name: str, estimator, names):
    """``estimator`` told which covariates are past-only; refused when it takes none."""
    from gluts._cli.covariates import refuse_unless_taken

    refuse_unless_taken(names, {name: estimator})
    if names.past:
        estimator.set_params(past_covariates=list(names.past))
    return estimator


def _covariates(loaded, names, future: Path | None, decimal, panel, horizon: int):
    """``X`` and ``X_future`` from DATA and ``--future``, checked; (None, None) without."""
    if not names:
        return None, None
    from gluts._cli.covariates import check_covariates, read_future

    X = loaded.covariate_frame()
    check_covariates(X, panel, loaded.covariates, loaded.columns, loaded.source)
    if not names.known:
        return X, None
    X_future = read_future(future, loaded, names.known, decimal)
    check_covariates(X_future, panel, names.known, loaded.columns, future.name, h=horizon)
    return X, X_future


def _fit_predict(estimator, y, X, X_future, n_series: int, horizon: int, loaded, quiet: bool):
    message = f"Fitting {estimator.alias_} on {n_series} series of {loaded.source}"
    if X is not None:
        message += f" with the covariates {', '.join(loaded.covariates)}"
    info(message + ".", quiet)
    estimator.fit(y, X, **loaded.read_options)
    return estimator.predict(horizon, X_future=X_future)


def _set_threads(estimator, threads: int | None) -> None:
    """Give ``--threads`` to a model that has ``n_threads`` (GLU), built or loaded."""
    if threads is not None and "n_threads" in getattr(estimator, "get_params", dict)():
        estimator.set_params(n_threads=threads)


def _load_model(path: Path):
    import gluts

    try:
        load = gluts.load
    except AttributeError:
        raise ImportError(
            "Loading saved models needs gluts.load, which this gluts lacks."
        ) from None
    from gluts._cli.outputs import FileError
    from gluts.exceptions import DataError

    try:
        return load(path)
    except DataError as exc:
        raise FileError.about(path, exc) from None


def _save(estimator, path: Path) -> None:
    from gluts._cli.writing import atomic_path

    with atomic_path(path) as tmp:
        estimator.save(tmp)


def _name_levels(forecast, alias: str, levels):
    """Rename the quantile columns of each level to ``<alias>-lo-<level>`` / ``-hi-``."""
    from gluts.base import quantile_column

    names = {}
    for lv in levels:
        tag = f"{lv:g}"
        names[quantile_column(alias, round(0.5 - lv / 200, 10))] = f"{alias}-lo-{tag}"
        names[quantile_column(alias, round(0.5 + lv / 200, 10))] = f"{alias}-hi-{tag}"
    return forecast.rename(columns=names)


def _write(frame, output: Path | None, quiet: bool, index: bool = False) -> None:
    from gluts._cli.writing import csv_text, write_table

    if output is None:
        typer.echo(csv_text(frame, index=index), nl=False)
        return

    write_table(frame, output, index=index)
    info(f"Wrote {len(frame)} rows to {output}.", quiet)


def _draw(y, forecast, columns, estimator, wanted, plot, report, about, quiet: bool) -> None:
    """Write the plot and the report; ``about`` is the input and its panel."""
    from gluts._cli import plots
    from gluts._cli.writing import write_figure
    from gluts.plotting import central_bands, draw_forecast, forecast_choice

    bands = central_bands(estimator.alias_, estimator.quantiles_)
    choice = forecast_choice(y, forecast, estimator.alias_, bands, wanted, **columns)
    plots.announce(choice, quiet)
    fig = draw_forecast(y, forecast, choice, estimator.alias_, bands, **columns)
    if plot is not None:
        write_figure(fig, plot)
        info(f"Wrote the plot to {plot}.", quiet)
    if report is not None:
        from gluts._cli.report import write_report
        from gluts._cli.report_content import forecast_report

        write_report(report, forecast_report(*about, y, forecast, columns, bands, fig))
        info(f"Wrote the report to {report}.", quiet)
