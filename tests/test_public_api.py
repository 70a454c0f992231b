"""The public surface: every exported name imports and is documented; import stays light."""

import subprocess
import sys

import pytest

import gluts


@pytest.mark.parametrize("name", gluts.__all__)
def test_exported_names_import_and_have_docstrings(name):
    obj = getattr(gluts, name)
    if name != "__version__":
        assert obj.__doc__, f"{name} has no docstring"


def test_unknown_attribute_raises():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gluts.nope  # noqa: B018


def test_import_gluts_does_not_import_torch_or_statsmodels():
    code = (
        "import sys, gluts, gluts.data, gluts.metrics; "
        "print(sorted(m for m in ('torch', 'statsmodels') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_version_is_a_release_string():
    assert gluts.__version__.count(".") == 2
