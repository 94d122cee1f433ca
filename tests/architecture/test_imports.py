"""The import graph of ``kairos/`` has no cycle.

A small AST walk, no kairos import: every ``import``/``from … import`` counts, also one inside a function (a
cycle hidden in a function is still a cycle of the design); only imports under ``if TYPE_CHECKING:`` do not.
Edges: ``import a.b`` -> a.b; ``from a import b`` -> a, and a.b when a.b is a module; relative imports resolved.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "kairos"


def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in (root / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements anywhere in ``node``, except the body of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _imports_of(other)
            continue
        yield from _imports_of(child)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the kairos modules it imports."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = _base(module, path, node)
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules)
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan, then a path inside it)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

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
            component: set[str] = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(graph, component) for component in components]


def _cycle_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first back to itself)."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    return [*paths[v], start]
                if w not in paths:
                    paths[w] = [*paths[v], w]
                    following.append(w)
        frontier = following
    return sorted(component)  # unreachable: a component of two or more modules always has a cycle


def test_the_walk_counts_function_level_and_relative_imports_but_not_type_checking_ones(tmp_path: Path) -> None:
    sub = tmp_path / PACKAGE / "sub"
    sub.mkdir(parents=True)
    (tmp_path / PACKAGE / "__init__.py").write_text("")
    (sub / "__init__.py").write_text("")
    (sub / "a.py").write_text("def f() -> None:\n    from . import b\n")
    (sub / "b.py").write_text("from kairos.sub.a import f\n")
    (sub / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kairos.sub import a\n")
    graph = edges(module_names(tmp_path))
    assert graph["kairos.sub.a"] == {"kairos.sub", "kairos.sub.b"}
    assert graph["kairos.sub.c"] == set()
    assert cycles(graph) == [["kairos.sub.a", "kairos.sub.b", "kairos.sub.a"]]


def test_kairos_has_no_import_cycle() -> None:
    found = cycles(edges(module_names()))
    assert not found, "import cycles in kairos/:\n" + "\n".join(" -> ".join(c) for c in found)
