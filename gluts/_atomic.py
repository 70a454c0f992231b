"""Files replaced atomically: written to a temporary file beside the target, then renamed.

A failure half-way (a full disk, an exception while rendering) leaves the target as it was
and no temporary file behind. The new file gets the mode of the file it replaces, else
``0o666`` less the umask (as ``open`` gives a new file); a target that is a symlink is
written through to the file it points to, keeping the link (as ``cp`` does). Model and
detector files (:mod:`gluts._archive`) and the CLI's outputs (:mod:`gluts._cli.writing`,
whose renames wait for the end of the command) are written so.

This module imports only the standard library: ``import gluts.cli`` must stay light.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["file_mode", "replacing"]


def file_mode(target: str) -> int:
    """The mode of a new file at ``target``: the replaced file's, else ``0o666`` less the umask."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def replacing(path: str | Path, commit: Callable[[str, str], None] = os.replace) -> Iterator[Path]:
    """Yield a temporary path that replaces ``path`` when the block finishes without error.

    Parameters
    ----------
    path : str or pathlib.Path
        The final file; its folder must exist.
    commit : callable, default=os.replace
        ``commit(temporary, target)`` puts the written file in place; from then on the
        temporary file is its business (the CLI defers the rename to the end of a command).

    Yields
    ------
    pathlib.Path
        Where to write; it is deleted if the block or ``commit`` fails.

    Raises
    ------
    OSError
        When the temporary file cannot be created, written or put in place.
    """
    target = os.path.realpath(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{Path(path).name}.", suffix=".tmp", dir=os.path.dirname(target)
    )
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, file_mode(target))
        commit(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
