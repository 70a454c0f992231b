"""Docstrings stay honest: documented parameters equal the signature, for every public object."""

import inspect
import re

import pytest

import gluts

_SECTION = re.compile(
    r"^\s*Parameters\n\s*-{5,}\n(?P<body>.*?)(?:\n\s*\n\s*[A-Z][A-Za-z ]+\n\s*-{5,}|\Z)",
    re.S | re.M,
)


def documented_parameters(doc: str) -> list[str]:
    """Names listed in a numpydoc Parameters section (``a, b : type`` gives a and b)."""
    match = _SECTION.search(inspect.cleandoc(doc))
    if not match:
        return []
    names = []
    for line in match.group("body").splitlines():
        if line and not line[0].isspace() and " : " in line + " ":
            names += [n.strip() for n in line.split(" : ")[0].split(",")]
    return names


def signature_parameters(func) -> list[str]:
    return [
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _public_callables():
    for name in gluts.__all__:
        obj = getattr(gluts, name)
        if inspect.isclass(obj):
            yield name, obj.__init__, obj.__doc__
            for meth in ("fit", "predict", "score", "summary", "save"):
                if meth in vars(obj) or any(meth in vars(b) for b in obj.__mro__[1:-1]):
                    func = getattr(obj, meth)
                    yield f"{name}.{meth}", func, func.__doc__
        elif inspect.isfunction(obj):
            yield name, obj, obj.__doc__


CASES = [pytest.param(func, doc, id=name) for name, func, doc in _public_callables()]


def test_parser_reads_grouped_names():
    doc = """Summary.

    Parameters
    ----------
    a, b : int
        Text.
    c : str, default="x"
        More text.

    Returns
    -------
    int
        Not a parameter.
    """
    assert documented_parameters(doc) == ["a", "b", "c"]


@pytest.mark.parametrize(("func", "doc"), CASES)
def test_documented_parameters_match_signature(func, doc):
    assert doc, "missing docstring"
    if func is object.__init__:
        return
    assert documented_parameters(doc) == signature_parameters(func)
