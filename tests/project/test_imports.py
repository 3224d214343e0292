"""The module graph of riskreview flows one way.

Read from the source with :mod:`ast`, so an import inside a function, or one
under ``if TYPE_CHECKING:`` for an annotation, counts as much as one at the top of
a module: a module that needs another's names, even only to annotate, sits above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "riskreview"

# the loader and the stages below it never reach decision assembly
LOADER = ("pack", "_packload", "_runtime")
ASSEMBLY = {"_decide", "_assemble", "_walk", "_match", "_values", "_explainrule", "_api"}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module name → the riskreview modules it imports, wherever the import stands."""
    modules = {path.stem for path in package.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] != "riskreview":
                    continue
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.Import):
                found.update(
                    a.name.split(".")[1] for a in node.names if a.name.startswith("riskreview.")
                )
        graph[path.stem] = (found & modules) - {path.stem}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_reads_imports_inside_functions_and_for_annotations(tmp_path: Path) -> None:
    (tmp_path / "one.py").write_text("def f():\n    from riskreview import two\n")
    (tmp_path / "two.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from riskreview.three import f\n"
    )
    (tmp_path / "three.py").write_text("import os\n")
    assert import_graph(tmp_path) == {"one": {"two"}, "two": {"three"}, "three": set()}


def test_no_module_imports_another_that_imports_it_back() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("module", LOADER)
def test_the_loader_never_reaches_decision_assembly(module: str) -> None:
    assert reachable(import_graph(), module) & ASSEMBLY == set()
