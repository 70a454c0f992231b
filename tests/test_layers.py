"""Module layers: no import circle among gluts modules, and no import that runs up the layers.

Circles count module-level imports only (what runs when a module is imported): imports
inside functions (the lazy ones) cannot deadlock an import. The layer rule holds for lazy
imports too: a lower module that imports a higher one, even inside a function, depends on it.
Imports under ``if TYPE_CHECKING:`` never run and are ignored by both.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Bottom first. A module may import modules of its own layer or of a lower one; a package
# entry covers all its submodules, and a module's most specific entry wins.
LAYERS = (
    # Foundations, which import no other gluts module but the exceptions: the package itself
    # (only __version__ and lazy re-exports), the exceptions, the numpy metrics, the progress
    # bar, the default thread count, the atomic file writer, the safe model-file archive, the
    # parallel helper (joblib chunks of whole series) and the shared wording.
    (
        "gluts",
        "gluts.exceptions",
        "gluts.metrics",
        "gluts._progress",
        "gluts._threads",
        "gluts._atomic",
        "gluts._archive",
        "gluts._parallel",
        "gluts._text",
    ),
    # Building blocks: pandas input adapters, torch modules and losses.
    ("gluts.data", "gluts.nn"),
    # The estimator bases, on top of gluts.data.
    ("gluts._estimator", "gluts.base"),
    # Forecasters, with the GLU forecaster's training loop and model files.
    ("gluts.forecasting",),
    # Anomaly detectors, which may use forecasters.
    ("gluts.anomaly",),
    # User-level tools over the estimators. datasets imports no gluts module, plotting only
    # the data adapters, the exceptions and the quantile column names, loading the
    # estimators' file readers, _member_rows (which backtest rows a combination's members
    # supply) the estimator base; they sit here so that the library below cannot come to
    # depend on them.
    (
        "gluts.backtesting",
        "gluts._member_rows",
        "gluts.datasets",
        "gluts.plotting",
        "gluts.loading",
    ),
    # The command line.
    ("gluts._cli", "gluts.cli"),
)


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module under gluts/: dotted name -> (file, whether it is a package)."""
    found = {}
    for path in sorted((REPO / "gluts").rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _is_type_checking(node: ast.AST) -> bool:
    """Whether ``node`` is an ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``) block."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING"


def _module_level(body: list[ast.stmt]):
    """The statements that run on import, descending into if/try but not TYPE_CHECKING."""
    for node in body:
        if isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                yield from _module_level(block)
            yield from _module_level(node.finalbody)
        else:
            yield node


def _everywhere(tree: ast.Module):
    """Every node of ``tree``, function bodies included, except under TYPE_CHECKING."""
    hidden = {
        id(inner)
        for node in ast.walk(tree)
        if _is_type_checking(node)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    return (node for node in ast.walk(tree) if id(node) not in hidden)


def _imports(name: str, path: Path, is_package: bool, modules, lazy: bool) -> set[str]:
    """The gluts modules that ``name`` imports at module level, or anywhere when ``lazy``."""
    package = name if is_package else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    out = set()
    for node in _everywhere(tree) if lazy else _module_level(tree.body):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "gluts"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            if source.split(".")[0] != "gluts":
                continue
            for alias in node.names:  # `from gluts.x import y` imports gluts.x.y if a module
                submodule = f"{source}.{alias.name}"
                out.add(submodule if submodule in modules else source)
    return out - {name}


MODULES = _modules()
GRAPH = {name: _imports(name, *info, MODULES, lazy=False) for name, info in MODULES.items()}
LAZY_GRAPH = {name: _imports(name, *info, MODULES, lazy=True) for name, info in MODULES.items()}


def _layer(name: str) -> int | None:
    """Index of the layer of ``name`` (its most specific entry), None when it has none."""
    best, layer = "", None
    for i, entries in enumerate(LAYERS):
        for entry in entries:
            covers = name == entry or (entry != "gluts" and name.startswith(entry + "."))
            if covers and len(entry) > len(best):
                best, layer = entry, i
    return layer


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One import circle per strongly connected group of modules (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_circle(graph, group) for group in groups]


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest circle through the first module of ``group``, first module repeated."""
    start = min(group)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for nxt in sorted(graph[path[-1]] & group):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    raise AssertionError(f"no circle through {start}")


def test_the_parser_sees_module_level_imports():
    assert "gluts.data" in GRAPH["gluts.base"]
    assert "gluts.forecasting.local" in GRAPH["gluts.forecasting.baselines"]
    assert "gluts.anomaly.surprise" not in GRAPH["gluts.anomaly.events"]  # TYPE_CHECKING only
    assert "gluts.forecasting.glu" not in GRAPH["gluts.anomaly.forecasts"]  # inside a function
    assert "gluts.forecasting.glu" in LAZY_GRAPH["gluts.anomaly.forecasts"]
    assert "gluts.anomaly.surprise" not in LAZY_GRAPH["gluts.anomaly.events"]


def test_cycle_finder_reports_the_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_every_module_has_a_layer():
    missing = [name for name in MODULES if _layer(name) is None]
    assert missing == [], f"modules in no layer (place them in LAYERS): {missing}"


def test_no_import_circle():
    circles = [" -> ".join(circle) for circle in _cycles(GRAPH)]
    assert circles == [], "module-level import circles:\n" + "\n".join(circles)


def test_no_import_runs_up_the_layers():
    upward = [
        f"{name} (layer {_layer(name)}) imports {target} (layer {_layer(target)})"
        for name, targets in sorted(LAZY_GRAPH.items())
        for target in sorted(targets)
        if _layer(target) is not None and _layer(name) is not None
        if _layer(target) > _layer(name)
    ]
    assert upward == [], "imports up the layers:\n" + "\n".join(upward)


def test_import_gluts_cli_loads_no_heavy_dependency():
    pytest.importorskip("typer")
    code = (
        "import sys, gluts.cli; "
        "print(sorted(m for m in ('numpy', 'pandas', 'torch') if m in sys.modules))"
    )
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"
