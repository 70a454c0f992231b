"""``--scheduler``: run a command's parallel work on an existing Dask cluster.

gluts' parallel work goes through joblib (see :mod:`gluts._parallel`); with ``--scheduler``
the command connects a ``distributed.Client`` to the cluster and runs inside
``joblib.parallel_config(backend="dask")``, so the same tasks run on the cluster's workers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["CONNECT_SECONDS", "Scheduler", "on_cluster", "scaled_out"]

# How long to wait for the scheduler before giving up (exit code 1).
CONNECT_SECONDS = 10

Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        show_default=False,
        help="Run the parallel work (see --n-jobs) on a Dask cluster: the scheduler's "
        "address (tcp://host:8786) or its scheduler file (JSON, as `dask scheduler "
        "--scheduler-file` writes it). Needs the dask extra: pip install 'gluts[dask]'.",
    ),
]

_ADDRESS = re.compile(r"^([a-z]+://)?[\w.\-\[\]:]+:\d+$")


def scaled_out(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``command`` on the cluster named by its ``scheduler`` argument, if any.

    Apply it under :func:`~gluts._cli.console.guarded`, so that a failed connection is one
    ``Error:`` line and exit code 1, and a bad option value exit code 2.
    """

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        with on_cluster(kwargs.get("scheduler")):
            return command(**kwargs)

    return wrapper


@contextmanager
def on_cluster(scheduler: str | None) -> Iterator[None]:
    """Connect to the Dask scheduler ``scheduler`` and make Dask joblib's backend.

    Parameters
    ----------
    scheduler : str or None
        An address (``tcp://host:8786``, or ``host:8786``) or the path of a scheduler
        file; None runs here, as joblib's default backend.

    Raises
    ------
    typer.BadParameter
        When distributed is not installed, or ``scheduler`` is neither an address nor an
        existing file (exit code 2).
    ConnectionError
        When the scheduler does not answer within :data:`CONNECT_SECONDS` (exit code 1).
    """
    if scheduler is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError:
        raise typer.BadParameter(
            "--scheduler needs the dask extra: pip install 'gluts[dask]'"
        ) from None
    import joblib

    target = _target(scheduler)
    try:
        client = Client(**target, timeout=CONNECT_SECONDS, set_as_default=True)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"Could not connect to the Dask scheduler {scheduler}: {exc}"
        ) from None
    with client, joblib.parallel_config(backend="dask"):
        yield


def _target(scheduler: str) -> dict[str, str]:
    """``Client`` keyword arguments for an address or a scheduler file."""
    path = Path(scheduler)
    if path.is_file():
        return {"scheduler_file": str(path)}
    if _ADDRESS.match(scheduler):
        return {"address": scheduler}
    raise typer.BadParameter(
        f"{scheduler!r} is neither a scheduler address (tcp://host:8786) nor a scheduler file.",
        param_hint="--scheduler",
    )
