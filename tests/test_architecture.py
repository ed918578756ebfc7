"""The floors of ../shared/DESIGN.md, read from the source (ast): arrows only point down, no cycle.

crawler/ (Scrapy glue, commands) uses pipelines/ (plain processing) uses archive/ (the collection on
disk); demosite/ stands alone. Every import counts, also one inside a function or under
TYPE_CHECKING: a lazy import is still a dependency, and a cycle through one is still a cycle.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "pipelines", "crawler", "demosite")
SCRAPY_AND_TWISTED = ("scrapy", "twisted")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py"))}


def imported_names(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(module or name imported, line) for every import in the file, relative ones made absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:  # `from a import b`: module a.b, or else a name in module a
                yield ".".join(filter(None, (base, alias.name))), node.lineno


def dependencies() -> dict[str, dict[str, int]]:
    """Project module -> {project module it imports: first line}."""
    known = modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges: dict[str, int] = {}
        for target, line in imported_names(name, path):
            while target and target not in known:  # `a.b.name` -> module `a.b`
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def external_imports(package: str) -> Iterator[tuple[str, str, int]]:
    """(module, top-level package imported, line) for every import under `package`."""
    for name, path in modules().items():
        if name.split(".")[0] == package:
            for target, line in imported_names(name, path):
                yield name, target.split(".")[0], line


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return ["%s:%d imports %s" % (name, line, top) for name, top, line in external_imports(package)
            if top in forbidden]


def test_the_source_is_all_here() -> None:
    known = modules()
    assert {"archive.warc", "pipelines.workers", "crawler.cli", "demosite"} <= set(known)
    graph = dependencies()
    assert "archive.collection" in graph["crawler.commands"]  # the reading sees real edges


def test_no_import_cycle_among_the_projects_modules() -> None:
    graph = dependencies()
    described = [" -> ".join(c) + " (%s)" % ", ".join(
        "%s:%d imports %s" % (a, graph[a][b], b) for a in c for b in c if b in graph[a]) for c in cycles(graph)]
    assert described == []


def test_archive_imports_no_scrapy_twisted_pipelines_or_crawler() -> None:
    assert offenders("archive", SCRAPY_AND_TWISTED + ("pipelines", "crawler", "demosite")) == []


def test_pipelines_import_no_scrapy_twisted_or_crawler() -> None:
    assert offenders("pipelines", SCRAPY_AND_TWISTED + ("crawler", "demosite")) == []


def test_demosite_imports_nothing_of_the_project() -> None:
    assert offenders("demosite", ("archive", "pipelines", "crawler")) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


@pytest.mark.parametrize("source, expected", [
    ("from . import x", "pipelines.x"),
    ("from .x import y", "pipelines.x.y"),
    ("from .. import crawler", "crawler"),
])
def test_relative_imports_are_resolved(tmp_path: Path, source: str, expected: str) -> None:
    module = tmp_path / "example.py"  # read as if it were pipelines/example.py
    module.write_text(source)
    assert expected in {target for target, _ in imported_names("pipelines.example", module)}
