"""``gluts datasets list`` and ``gluts datasets export``: the bundled datasets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gluts._cli.console import Quiet, Verbose, guarded, info, stdout

__all__ = ["datasets_app"]

datasets_app = typer.Typer(
    help="List the bundled datasets or export one to a file.", no_args_is_help=True
)


@datasets_app.command("list")
@guarded
def list_command(
    json_: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """List the bundled datasets: name, description, frequency and size."""
    from gluts._cli.tables import frame_table
    from gluts.datasets import list_datasets

    table = list_datasets()
    if json_:
        typer.echo(json.dumps(json.loads(table.to_json(orient="records")), indent=2))
        return
    stdout().print(frame_table(table, "Bundled datasets (use the name in place of a file)"))


@datasets_app.command("export")
@guarded
def export_command(
    name: Annotated[str, typer.Argument(help="Dataset name, from 'gluts datasets list'.")],
    out: Annotated[
        Path,
        typer.Argument(dir_okay=False, help="Output file: CSV, or JSON/Parquet by extension."),
    ],
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write the dataset NAME as a long CSV (unique_id, ds, y) to OUT."""
    from gluts._cli.reading import load_bundled
    from gluts._cli.writing import write_table

    frame = load_bundled(name)
    write_table(frame, out)
    info(f"Wrote {name}: {frame['unique_id'].nunique()} series, {len(frame)} rows to {out}.", quiet)
