"""Exceptions and warnings raised by gluts."""

from __future__ import annotations

from collections.abc import Hashable

from sklearn.exceptions import NotFittedError

__all__ = [
    "DataError",
    "GlutsWarning",
    "InsufficientHistoryError",
    "LabelsError",
    "NotFittedError",
    "StreamGapWarning",
]


class DataError(ValueError):
    """Input data that gluts cannot use, with a one-line message naming the culprit."""


class InsufficientHistoryError(DataError):
    """A series is too short for the requested model or horizon.

    Parameters
    ----------
    message : str
        The one-line message.
    series : hashable or None, default=None
        The id of the series at fault, where one series is (for advice about that series).
    needed : int or None, default=None
        The observations that series would need, where a count says it.
    """

    def __init__(
        self, message: str, series: Hashable | None = None, needed: int | None = None
    ) -> None:
        super().__init__(message)
        self.series = series
        self.needed = needed

    def __reduce__(self):
        # Keep ``series`` and ``needed`` when a worker process sends the error back.
        return type(self), (str(self), self.series, self.needed)


class LabelsError(ValueError):
    """A labels file gluts cannot use; the one-line message starts with the file's name."""


class GlutsWarning(UserWarning):
    """Something in the input was repaired or replaced; the message says what and where."""


class StreamGapWarning(GlutsWarning):
    """Rows resume after a gap in a detector's stream; its context restarts there."""
