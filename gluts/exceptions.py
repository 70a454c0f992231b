"""Exceptions and warnings raised by gluts."""

from __future__ import annotations

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
    """A series is too short for the requested model or horizon."""


class LabelsError(ValueError):
    """A labels file gluts cannot use; the one-line message starts with the file's name."""


class GlutsWarning(UserWarning):
    """Something in the input was repaired or replaced; the message says what and where."""


class StreamGapWarning(GlutsWarning):
    """Rows resume after a gap in a detector's stream; its context restarts there."""
