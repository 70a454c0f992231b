"""Wording shared by messages, tables and plots (no heavy imports: the CLI loads it first)."""

from __future__ import annotations

__all__ = ["plural"]


def plural(n: int, word: str) -> str:
    """``"1 alert"``, ``"3 alerts"``."""
    n = int(n)
    return f"{n} {word}{'s' * (n != 1)}"
