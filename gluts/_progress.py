"""The progress bar of long library calls (backtest windows, training steps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(
    verbose: bool, total: int, description: str
) -> Iterator[Callable[[str | None], None]]:
    """Draw a transient rich progress bar of ``total`` steps while the block runs.

    Parameters
    ----------
    verbose : bool
        Draw the bar; when False nothing is drawn and rich is not imported.
    total : int
        Steps of the whole bar.
    description : str
        Label shown before the first step.

    Yields
    ------
    callable
        ``advance(description=None)``: one more step is done; a description replaces the
        label. It does nothing when ``verbose`` is False.
    """
    if not verbose:
        yield _ignore
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda description=None: bar.update(task, advance=1, description=description)


def _ignore(description: str | None = None) -> None:
    """The ``advance`` of a bar that is not drawn."""
