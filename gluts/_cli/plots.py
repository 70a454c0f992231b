"""``--plot-series``: checked before any work, and a notice when the command chooses."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from pathlib import Path

import typer

from gluts._cli.console import info

__all__ = ["OPTION", "announce", "check_request", "requested_series"]

OPTION = "--plot-series"


def check_request(plot_series: list[str] | None, plot: Path | None, report: Path | None) -> None:
    """Refuse ``--plot-series`` without an output that draws series (exit code 2).

    Parameters
    ----------
    plot_series : list of str or None
        The option's values.
    plot, report : pathlib.Path or None
        ``--plot`` and ``--report``.
    """
    if plot_series is not None and plot is None and report is None:
        raise typer.BadParameter(
            "chooses the series drawn by --plot or --report; give one of them.", param_hint=OPTION
        )


def requested_series(
    plot_series: list[str] | None, ids: Iterable[Hashable]
) -> list[Hashable] | None:
    """The series ``--plot-series`` names, matched to the data's ids before any work.

    Parameters
    ----------
    plot_series : list of str or None
        The option's values (each an id, or ids separated by commas).
    ids : iterable of hashable
        The data's series ids.

    Returns
    -------
    list of hashable or None
        The ids, in the order given; None when the option is absent.

    Raises
    ------
    DataError
        When a name is no series of the data (exit code 1, naming it).
    """
    if plot_series is None:
        return None
    from gluts.plotting import match_series

    return match_series(list(ids), plot_series, OPTION)


def announce(choice, quiet: bool) -> None:
    """Say on stderr how many series a plot shows and why, when the command chose them."""
    notice = choice.notice(OPTION)
    if notice:
        info(notice, quiet)
