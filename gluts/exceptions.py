"""Exceptions and warnings raised by gluts."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

__all__ = ["GlutsWarning", "InsufficientHistoryError", "NotFittedError", "DataError"]


class DataError(ValueError):
    """Input data that gluts cannot use, with a one-line message naming the culprit."""


class InsufficientHistoryError(DataError):
    """A series is too short for the requested model or horizon."""


class GlutsWarning(UserWarning):
    """Something in the input was repaired or replaced; the message says what and where."""
