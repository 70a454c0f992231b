"""The ``gluts`` command line: backtest, forecast, detect and datasets.

The commands live in :mod:`gluts._cli`; this module only assembles the app.
"""

from __future__ import annotations

from typing import Annotated

import typer

import gluts
from gluts._cli.backtest import backtest_command
from gluts._cli.datasets import datasets_app
from gluts._cli.detect import detect_command
from gluts._cli.forecast import forecast_command

EXIT_CODES = (
    "Exit codes: 0 success; 1 bad data or a domain error (one line on stderr naming the "
    "file, column, series or value); 2 bad options; 3 alerts were raised and --fail-on-alert "
    "was given; 130 interrupted (Ctrl-C) and 143 terminated (SIGTERM), leaving no output "
    "or temporary file. Outputs are written together at the end; text cells of CSV outputs "
    "that start with =, +, -, @ get a leading ' so spreadsheets do not run them."
)

app = typer.Typer(
    name="gluts",
    help="Forecasting and anomaly detection with GLU temporal-convolution stacks.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.command("backtest", epilog=EXIT_CODES)(backtest_command)
app.command("forecast", epilog=EXIT_CODES)(forecast_command)
app.command("detect", epilog=EXIT_CODES)(detect_command)
app.add_typer(datasets_app, name="datasets")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"gluts {gluts.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Forecasting and anomaly detection with GLU temporal-convolution stacks."""


def main() -> None:
    """Run the ``gluts`` command line."""
    app()
