"""Which series a figure shows: the ones asked for, or the most interesting few.

A figure holds at most :data:`MAX_PANELS` series when it chooses them itself; each plot
ranks the series by what makes one worth a look (most alerts, largest error, least certain
forecast) and says so in its caption, and :meth:`SeriesChoice.notice` words it for a
command line.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from gluts.exceptions import DataError

__all__ = ["MAX_PANELS", "SeriesChoice", "choose_series", "match_series"]

MAX_PANELS = 6


@dataclass(frozen=True)
class SeriesChoice:
    """The series a figure shows, out of how many, and why.

    Parameters
    ----------
    ids : tuple of hashable
        The series shown, in panel order.
    n_series : int
        How many series there were to choose from.
    reason : str or None, default=None
        What the shown series have most of ("the most alerts"); None when the caller
        named them or all are shown.
    """

    ids: tuple
    n_series: int
    reason: str | None = None

    @property
    def partial(self) -> bool:
        """Whether some series are left out."""
        return len(self.ids) < self.n_series

    def caption(self) -> str | None:
        """The figure's caption when some series are left out, e.g. ``"6 of 10 series, ..."``.

        Returns
        -------
        str or None
            None when every series is shown.
        """
        if not self.partial:
            return None
        why = f", those with {self.reason}" if self.reason else ""
        return f"{len(self.ids)} of {self.n_series} series{why}"

    def notice(self, option: str) -> str | None:
        """One line saying how many series were chosen, why, and how to choose others.

        Parameters
        ----------
        option : str
            How a user names the series (``"--plot-series"``).

        Returns
        -------
        str or None
            None when every series is shown or the user named them.
        """
        if not self.partial or self.reason is None:
            return None
        return (
            f"Plotting {len(self.ids)} of {self.n_series} series, those with {self.reason}; "
            f"choose others with {option}."
        )


def match_series(
    ids: Sequence[Hashable], requested: Iterable[object], option: str = "series"
) -> list[Hashable]:
    """Find the series a user named, by id or by the id's text.

    Parameters
    ----------
    ids : sequence of hashable
        The series of the data.
    requested : iterable or str
        Ids, or text naming them; a text that is no id is split at commas
        (``"store_1,store_2"``). A single string is one name.
    option : str, default="series"
        Where the names came from, for the message (``"--plot-series"``).

    Returns
    -------
    list of hashable
        The matching ids of ``ids``, in the order asked, each once.

    Raises
    ------
    DataError
        When a name matches no series; the message names it and lists some ids.
    """
    by_text = {str(sid): sid for sid in ids}
    found: list[Hashable] = []
    for item in [requested] if isinstance(requested, str) else requested:
        text = str(item)
        names = [text] if text in by_text else [p.strip() for p in text.split(",")]
        for name in filter(None, names):
            if name not in by_text:
                shown = ", ".join(repr(sid) for sid in list(by_text.values())[:5])
                more = f" (and {len(by_text) - 5} more)" if len(by_text) > 5 else ""
                raise DataError(
                    f"there is no series {name!r} ({option}); the series are {shown}{more}."
                )
            if by_text[name] not in found:
                found.append(by_text[name])
    return found


def choose_series(
    ids: Sequence[Hashable],
    requested: Iterable[object] | None = None,
    interest: Sequence[float] | None = None,
    reason: str | None = None,
    limit: int = MAX_PANELS,
) -> SeriesChoice:
    """Pick the series to show: those requested, else the ``limit`` most interesting.

    Parameters
    ----------
    ids : sequence of hashable
        The series of the data, in their order.
    requested : iterable or None, default=None
        Series named by the user (see :func:`match_series`); all of them are shown.
    interest : sequence of float or None, default=None
        How interesting each series of ``ids`` is (higher first; NaN last; ties keep the
        data's order). Without it, the first ``limit`` series.
    reason : str or None, default=None
        What ``interest`` measures, for the caption (``"the most alerts"``).
    limit : int, default=6
        Most series shown when none are requested.

    Returns
    -------
    SeriesChoice
        Every series, in the data's order, when they fit in ``limit``.
    """
    ids = list(ids)
    if requested is not None:
        return SeriesChoice(tuple(match_series(ids, requested)), len(ids))
    if len(ids) <= limit:
        return SeriesChoice(tuple(ids), len(ids))
    interest = [0.0] * len(ids) if interest is None else interest

    def key(i: int) -> tuple[float, int]:
        value = float(interest[i])
        return (math.inf if math.isnan(value) else -value, i)

    order = sorted(range(len(ids)), key=key)[:limit]
    return SeriesChoice(tuple(ids[i] for i in order), len(ids), reason)
