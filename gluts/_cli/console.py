"""Where the command line writes, and how it fails.

Results go to stdout; messages, warnings, progress bars and errors to stderr. Progress bars
(percentage, steps and time left of GLU training, backtest windows, series fitted and
scored) are drawn only when stderr is a terminal and ``--quiet`` is not given, so pipes,
redirections and cron jobs get none. :func:`guarded`
wraps a command so that any error becomes one ``Error: ...`` line on stderr and exit code 1
(with the traceback only under ``--verbose``), Ctrl-C (SIGINT) exit code 130 and SIGTERM exit
code 143. Output files are written atomically and committed together when the command
succeeds (:mod:`gluts._cli.outputs`), so an interrupted command leaves none behind, nor any
temporary file.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
import threading
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
    "EXIT_TERMINATED",
    "Quiet",
    "Verbose",
    "guarded",
    "info",
    "printable",
    "stdout",
]

EXIT_DATA = 1
EXIT_ALERTS = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like a Ctrl-C so that the same clean-up runs."""


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


def printable(text: str) -> str:
    """``text`` without control characters (ANSI escapes, bells...), which a terminal obeys.

    Messages may echo what a model file or data file holds; they are shown, never obeyed.
    Tabs and newlines become spaces.
    """
    text = _ANSI.sub("", text)
    return "".join(c if c.isprintable() else (" " if c in "\t\n\r" else "") for c in text)


def info(message: str, quiet: bool) -> None:
    """Print a message on stderr unless ``quiet``, on one line (a pipe gets it unwrapped)."""
    if not quiet:
        _stderr().print(printable(message), highlight=False, markup=False, soft_wrap=True)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a command's errors into one line on stderr and exit code 1, Ctrl-C into 130.

    SIGTERM exits with 143. The output files the command writes are committed together when
    it succeeds (or exits with code 3); otherwise none is written and no temporary file is
    left. The command must take ``quiet`` and ``verbose`` keyword arguments; data errors are
    prefixed with the name of its ``data`` file argument, when it has one (errors about
    other files, :class:`~gluts._cli.outputs.FileError`, name their own file). While it runs,
    the library's progress bars (:func:`gluts._progress.show_progress`) are drawn on stderr
    when it is a terminal and the command is not ``quiet``, and warnings are printed as
    ``Warning: ...`` lines (gluts' own warnings always unless quiet, others only with
    ``verbose``).
    """

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        from gluts._cli.outputs import transaction

        verbose, quiet = kwargs.get("verbose", False), kwargs.get("quiet", False)
        with (
            _rich_to_stderr(),
            _warnings_to_stderr(verbose, quiet),
            _sigterm_raises(),
            _progress_on_terminal(quiet),
        ):
            with transaction() as outputs:
                try:
                    try:
                        result = func(**kwargs)
                    except typer.Exit as exc:
                        if exc.exit_code in (0, EXIT_ALERTS):
                            outputs.commit()
                        raise
                    outputs.commit()
                    return result
                except (typer.Exit, typer.Abort, typer.TyperException):
                    raise
                except KeyboardInterrupt as exc:
                    return _interrupted(exc, outputs.committed)
                except Exception as exc:
                    if _caused_by_interrupt(exc):  # e.g. Ctrl-C during a lazy import
                        return _interrupted(exc, outputs.committed)
                    if verbose:
                        traceback.print_exc(file=sys.stderr)
                    sys.stderr.write(f"Error: {_one_line(exc, kwargs.get('data'))}\n")
                    raise typer.Exit(EXIT_DATA) from None

    return wrapper


def _interrupted(exc: BaseException, committed: list[str] = ()):
    terminated = isinstance(exc, _Terminated)
    what = "Terminated" if terminated else "Interrupted"
    if committed:
        sys.stderr.write(f"{what} after writing {', '.join(committed)}.\n")
    else:
        sys.stderr.write(f"{what}; no output file was written or changed.\n")
    raise typer.Exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED) from None


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While a command runs, SIGTERM raises :class:`_Terminated` (outputs are cleaned up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a Ctrl-C hides behind ``exc`` (Python wraps some, e.g. in ``__set_name__``)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


_LOWER = re.compile(r"Lower [^.]*\.")
_OPTIONS = {"n_windows": "--windows", "horizon": "--horizon", "step": "--step"}


def _options(sentence: str) -> str:
    """A library's advice ("Lower n_windows or horizon.") in command-line terms."""
    return re.sub(r"\b(n_windows|horizon|step)\b", lambda m: _OPTIONS[m.group(1)], sentence)


def _one_line(exc: BaseException, data: Any = None) -> str:
    from gluts.exceptions import DataError, InsufficientHistoryError

    text = " ".join(printable(str(exc)).split())
    if isinstance(exc, InsufficientHistoryError):
        text = _LOWER.sub(lambda m: _options(m.group(0)), text)
    from gluts._cli.outputs import FileError

    if isinstance(exc, DataError):  # the library's argument is an option here
        text = text.replace("pass freq", "pass --freq")
    if isinstance(exc, DataError) and not isinstance(exc, FileError) and data is not None:
        name = Path(data).name
        text = text if text.startswith(name) else f"{name}: {text}"
    if isinstance(exc, (ValueError, OSError, ImportError)) or type(exc).__module__.startswith(
        "gluts"
    ):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text} (rerun with --verbose for the traceback)"


def _progress_on_terminal(quiet: bool):
    """Draw the library's progress bars on stderr if it is a terminal and not ``quiet``."""
    if quiet or not sys.stderr.isatty():
        return nullcontext()
    from gluts._progress import show_progress

    return show_progress(_stderr())


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
