"""The shape of the code, checked: the core package `deliberation/` never imports the
apps built on it, and no first-party modules import each other in a cycle (module-level
imports; a cycle makes the import order matter, as `proposals.amendments` once did).
Static checks on the source, so they need no database."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = {"proposals", "voting", "delegations", "frontend", "congress", "partyfill"}
FIRST_PARTY = [
    "deliberation",
    "proposals",
    "voting",
    "delegations",
    "frontend",
    "congress",
    "partyfill",
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(package: str):
    base = ROOT / package
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _runs_later(node: ast.AST) -> bool:
    """A function body or a TYPE_CHECKING block: not run when the module loads."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return True
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path, *, top_level_only: bool):
    """(imported module, line) for each import in the file; with `top_level_only`,
    only those run at import time (not inside functions or TYPE_CHECKING blocks)."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, [], node.lineno
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(node, module, is_package)
                yield target, [a.name for a in node.names], node.lineno
            elif top_level_only and _runs_later(node):
                continue
            elif isinstance(node, ast.ClassDef):
                yield from visit(node.body)
            else:
                yield from visit(ast.iter_child_nodes(node))

    yield from visit(tree.body)


def test_the_core_never_imports_the_apps():
    offending = []
    for path in _sources("deliberation"):
        for target, _names, line in _imports(path, top_level_only=False):
            if target.split(".")[0] in APPS:
                offending.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert offending == [], "\n".join(offending)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for package in FIRST_PARTY for p in _sources(package)}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, names, _line in _imports(path, top_level_only=True):
            candidates = [f"{target}.{n}" for n in names] or [target]
            for candidate in candidates:
                # `from pkg import module` imports that module; otherwise the name
                # comes from `pkg` itself.
                hit = candidate if candidate in modules else target
                if hit in modules and hit != name:
                    graph[name].add(hit)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_no_import_cycles_between_first_party_modules():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_graph_sees_a_relative_import_of_a_sibling_module():
    graph = _graph()
    assert "proposals.services.locks" in graph["proposals.services.amendments"]
