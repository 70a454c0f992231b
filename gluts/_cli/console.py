"""Where the command line writes, and how it fails.

Results go to stdout; messages, warnings, progress bars and errors to stderr. Progress is
shown only when both streams are terminals and ``--quiet`` is not given. :func:`guarded`
wraps a command so that any error becomes one ``Error: ...`` line on stderr and exit code 1
(with the traceback only under ``--verbose``), and Ctrl-C exit code 130. Output files are
written atomically (:mod:`gluts._cli.writing`), so an interrupted command leaves none behind.
"""

from __future__ import annotations

import functools
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

__all__ = [
    "EXIT_ALERTS",
    "EXIT_DATA",
    "EXIT_INTERRUPTED",
    "Quiet",
    "Verbose",
    "guarded",
    "info",
    "printable",
    "progress_enabled",
    "status",
    "stdout",
]

EXIT_DATA = 1
EXIT_ALERTS = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")

Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bars or messages; results only.")
]
Verbose = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Show the traceback of errors and every warning."),
]


def stdout() -> Console:
    """Return a console on the current stdout (wide enough for tables when redirected)."""
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 120)


def _stderr() -> Console:
    return Console(file=sys.stderr, width=None if sys.stderr.isatty() else 120)


def progress_enabled(quiet: bool) -> bool:
    """Whether progress bars should be drawn: not quiet, and stdout and stderr are terminals."""
    return not quiet and _both_terminals()


def _both_terminals() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


def printable(text: str) -> str:
    """``text`` without control characters (ANSI escapes, bells...), which a terminal obeys.

    Messages may echo what a model file or data file holds; they are shown, never obeyed.
    Tabs and newlines become spaces.
    """
    text = _ANSI.sub("", text)
    return "".join(c if c.isprintable() else (" " if c in "\t\n\r" else "") for c in text)


def info(message: str, quiet: bool) -> None:
    """Print a message on stderr unless ``quiet``."""
    if not quiet:
        _stderr().print(printable(message), highlight=False, markup=False)


def status(message: str, quiet: bool):
    """Return a context manager showing a spinner with ``message`` while a step runs."""
    if not progress_enabled(quiet):
        return nullcontext()
    return _stderr().status(message)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a command's errors into one line on stderr and exit code 1, Ctrl-C into 130.

    The command must take ``quiet`` and ``verbose`` keyword arguments; data errors are
    prefixed with the name of its ``data`` file argument, when it has one. While it runs, rich
    progress bars drawn by the library (backtest windows, training epochs) go to stderr, and
    warnings are printed as ``Warning: ...`` lines (gluts' own warnings always unless quiet,
    others only with ``verbose``).
    """

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        verbose, quiet = kwargs.get("verbose", False), kwargs.get("quiet", False)
        with _rich_to_stderr(), _warnings_to_stderr(verbose, quiet):
            try:
                return func(**kwargs)
            except (typer.Exit, typer.Abort, typer.TyperException):
                raise
            except KeyboardInterrupt:
                return _interrupted()
            except Exception as exc:
                if _caused_by_interrupt(exc):  # e.g. Ctrl-C during a lazy import
                    return _interrupted()
                if verbose:
                    traceback.print_exc(file=sys.stderr)
                sys.stderr.write(f"Error: {_one_line(exc, kwargs.get('data'))}\n")
                raise typer.Exit(EXIT_DATA) from None

    return wrapper


def _interrupted():
    sys.stderr.write("Interrupted; no output file was written or changed.\n")
    raise typer.Exit(EXIT_INTERRUPTED) from None


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a Ctrl-C hides behind ``exc`` (Python wraps some, e.g. in ``__set_name__``)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _one_line(exc: BaseException, data: Any = None) -> str:
    from gluts.exceptions import DataError

    text = " ".join(printable(str(exc)).split())
    if isinstance(exc, DataError) and data is not None:
        name = Path(data).name
        text = text if text.startswith(name) else f"{name}: {text}"
    if isinstance(exc, (ValueError, OSError, ImportError)) or type(exc).__module__.startswith(
        "gluts"
    ):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text} (rerun with --verbose for the traceback)"


@contextmanager
def _rich_to_stderr() -> Iterator[None]:
    import rich

    console = rich.get_console()
    previous = console.stderr
    console.stderr = True
    try:
        yield
    finally:
        console.stderr = previous


@contextmanager
def _warnings_to_stderr(verbose: bool, quiet: bool) -> Iterator[None]:
    """Print warnings as one line each: gluts' own unless quiet, all others only if verbose.

    The printing checks the category too, because statsmodels turns its own warnings back
    on (``simplefilter("always")``) when it is imported.
    """
    from gluts.exceptions import GlutsWarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if quiet or not (verbose or issubclass(category, GlutsWarning)):
            return
        sys.stderr.write(f"Warning: {' '.join(printable(str(message)).split())}\n")

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield
