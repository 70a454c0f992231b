"""The one progress bar of the library: training steps, backtest windows, detection series.

A long call wraps its loop in :func:`progress_bar`. Its bar (percentage, steps done and time
left) is drawn when the caller asked for it (``verbose=True``) or inside
:func:`show_progress`, which the command line turns on when stderr is a terminal: every long
call inside the block then draws its bar, so the estimators need not know who watches.
Nested calls (the training steps of each backtest window) draw their bar as another line of
the same display, which goes away with the outermost bar. Otherwise nothing is drawn and
rich is not imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["progress_bar", "show_progress"]


class _Display:
    """Where bars are drawn, and the rich ``Progress`` while at least one bar runs."""

    def __init__(self, console: Any = None):
        self.console = console
        self.progress = None


_DISPLAY: ContextVar[_Display | None] = ContextVar("gluts_progress_display", default=None)


@contextmanager
def show_progress(console: Any = None) -> Iterator[None]:
    """Draw the bar of every long call made inside the block.

    Parameters
    ----------
    console : rich.console.Console or None, default=None
        Where to draw; None uses rich's default console (standard output). The bars are
        transient: they disappear when their loop ends. A console that is not a terminal
        shows nothing.

    Yields
    ------
    None
        The block runs with the bars on (in this thread or task, see :mod:`contextvars`).
    """
    token = _DISPLAY.set(_Display(console))
    try:
        yield
    finally:
        _DISPLAY.reset(token)


@contextmanager
def progress_bar(
    verbose: bool, total: int, description: str
) -> Iterator[Callable[[str | None], None]]:
    """Draw a transient progress bar of ``total`` steps while the block runs.

    Parameters
    ----------
    verbose : bool
        Draw the bar even outside :func:`show_progress` (on rich's default console).
    total : int
        Steps of the whole bar.
    description : str
        Label shown before the bar.

    Yields
    ------
    callable
        ``advance(description=None)``: one more step is done; a description replaces the
        label. It does nothing when the bar is not drawn.
    """
    display = _DISPLAY.get()
    if display is None and not verbose:
        yield _ignore
        return
    if display is None:
        with show_progress():
            with progress_bar(verbose, total, description) as advance:
                yield advance
        return
    with _task(display, total, description) as advance:
        yield advance


@contextmanager
def _task(
    display: _Display, total: int, description: str
) -> Iterator[Callable[[str | None], None]]:
    """One line of ``display``, which starts with its first line and stops with its last."""
    owner = display.progress is None
    if owner:
        progress = _new_progress(display.console)
        if not (progress.console.is_interactive or progress.console.is_jupyter):
            yield _ignore  # a file or a pipe: a bar would only leave blank lines there
            return
        display.progress = progress
        progress.start()
    progress = display.progress
    task = progress.add_task(description, total=total)

    def advance(description: str | None = None) -> None:
        progress.update(task, advance=1, description=description)

    try:
        yield advance
    finally:
        progress.refresh()  # the bar as it ends (a stopped early-stopping run shows where)
        progress.remove_task(task)
        if owner:
            progress.stop()
            display.progress = None


def _new_progress(console: Any):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        # Results may go to stdout while the command line draws on stderr: leave it alone.
        redirect_stdout=console is None,
    )


def _ignore(description: str | None = None) -> None:
    """The ``advance`` of a bar that is not drawn."""
