"""Every module of the package stays small enough to read in one sitting (at most 400 lines)."""

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gluts"
MAX_LINES = 400


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_module_is_at_most_400_lines(path):
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {n_lines} lines"
