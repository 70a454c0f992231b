"""The ``gluts`` command line."""

from __future__ import annotations

from typing import Annotated

import typer

import gluts

app = typer.Typer(
    name="gluts",
    help="Forecasting and anomaly detection with GLU temporal-convolution stacks.",
    no_args_is_help=True,
    add_completion=False,
)


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
