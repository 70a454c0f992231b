"""The output files of one command: checked before any work, committed together at the end.

:func:`check_outputs` refuses, before a command reads its data, an output that is one of
its input files (also through a symlink or another spelling of the path), two outputs that
name the same file, a folder, and a location that cannot be written. A :class:`Transaction`
(opened by :func:`~gluts._cli.console.guarded` around every command) collects the temporary
files that :func:`~gluts._cli.writing.atomic_path` writes and renames them all into place
when the command succeeds, so an interrupted or failing command changes no output file.

This module imports neither pandas nor numpy: ``import gluts.cli`` must stay light.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from gluts.exceptions import DataError

__all__ = [
    "FIGURE_SUFFIXES",
    "REPORT_SUFFIXES",
    "TABLE_SUFFIXES",
    "FileError",
    "Transaction",
    "check_outputs",
    "current",
    "transaction",
]

# The formats an output file may have, by extension; a table without one is written as CSV.
TABLE_SUFFIXES = ("", ".csv", ".json", ".parquet", ".pq")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
REPORT_SUFFIXES = (".html",)
# Outputs whose format is not a table: figures, reports, and model or state files (any name).
_FORMATS = {"--plot": FIGURE_SUFFIXES, "--report": REPORT_SUFFIXES}
_FREE_OPTIONS = ("--save-model", "--state")

_current: Transaction | None = None


class FileError(DataError):
    """A problem with a file other than the command's DATA; the message starts with its name."""

    @classmethod
    def about(cls, path: Path, exc: Exception) -> FileError:
        """``exc``'s message as an error about ``path``, starting with the file's name."""
        text = str(exc)
        return cls(text if text.startswith(path.name) else f"{path.name}: {text}")


class Transaction:
    """Temporary files waiting to be renamed onto their targets, all at once.

    Attributes
    ----------
    pending : list of (str, str)
        ``(temporary, target)`` pairs not yet renamed.
    committed : list of str
        Targets already renamed into place.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[str, str]] = []
        self.committed: list[str] = []

    def add(self, tmp: str, target: str) -> None:
        """Rename ``tmp`` onto ``target`` at :meth:`commit` (and delete it if that never comes)."""
        self.pending.append((tmp, target))

    def commit(self) -> None:
        """Rename every pending file into place, with SIGINT and SIGTERM held back meanwhile."""
        with _signals_blocked():
            while self.pending:
                tmp, target = self.pending[0]
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise FileError(f"{target}: cannot write the file ({_reason(exc)}).") from None
                self.pending.pop(0)
                self.committed.append(target)

    def discard(self) -> None:
        """Delete the temporary files not committed."""
        for tmp, _ in self.pending:
            if os.path.lexists(tmp):
                os.unlink(tmp)
        self.pending.clear()


def current() -> Transaction | None:
    """The transaction of the running command, or None outside one."""
    return _current


@contextmanager
def transaction() -> Iterator[Transaction]:
    """Collect the atomic writes of a block; the caller commits, the rest is deleted on exit."""
    global _current
    outer, _current = _current, Transaction()
    try:
        yield _current
    finally:
        _current.discard()
        _current = outer


@contextmanager
def _signals_blocked() -> Iterator[None]:
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = mask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


def check_outputs(outputs: dict[str, Path | None], inputs: dict[str, Path | None]) -> None:
    """Refuse unusable output paths before any work.

    Parameters
    ----------
    outputs : dict of str to path or None
        Option name (``--output``) to the file it names; None when not given.
    inputs : dict of str to path or None
        Option or argument name (``DATA``) to a file the command reads.

    Raises
    ------
    typer.BadParameter
        When an output's extension names a format that gluts does not write (exit 2).
    FileError
        When an output is an input file, two outputs are one file, an output is a folder,
        or its folder does not exist or cannot be written. The message starts with the path.
    """
    seen: dict[str, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        if path.is_dir():
            raise FileError(f"{path}: {option} names a folder; give a file name.")
        target = os.path.realpath(path)
        for source, other in inputs.items():
            if other is not None and other.exists() and _same_file(path, other):
                raise FileError(
                    f"{path}: {option} is the input file {source} ({other}); "
                    "writing it would destroy the input. Choose another file name."
                )
        _check_format(option, path)
        if target in seen:
            raise FileError(f"{path}: {seen[target]} and {option} name the same file.")
        seen[target] = option
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            raise FileError(f"{path}: the folder {folder!r} of {option} does not exist.")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise FileError(f"{path}: cannot write to the folder {folder!r} of {option}.")


def _check_format(option: str, path: Path) -> None:
    """The format follows the extension; refuse one that gluts does not write."""
    if option in _FREE_OPTIONS:
        return
    allowed = _FORMATS.get(option, TABLE_SUFFIXES)
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        names = ", ".join(s for s in allowed if s)
        shown = suffix or "a name without extension"
        raise typer.BadParameter(
            f"{path}: {shown} is not a format gluts writes; use {names}.", param_hint=option
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
