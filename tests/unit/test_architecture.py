"""The house rules, read from the source: layers only point down, only composition roots read `Settings`,
`nodes/` holds only nodes, routes stay thin and never import each other, every JSON route declares its shape."""

import ast
import inspect
from pathlib import Path

import pytest

import graph.names

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "llm", "turn", "workflows", "memory", "ingest", "nodes", "graph", "api")
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "llm": {"config"},
    "turn": {"config"},
    "workflows": {"llm", "config"},
    "memory": {"llm", "config"},
    "ingest": {"llm", "config"},
    "nodes": {"turn", "llm", "workflows", "memory", "ingest", "config"},
    "graph": {"nodes", "turn", "llm", "workflows", "memory", "ingest", "config"},
    "api": {"graph", "turn", "llm", "workflows", "memory", "ingest", "config"},
}
"""Which packages each package may import: `api -> graph -> nodes -> (turn, llm, workflows, memory, ingest) ->
config`, with `llm` (the model clients) below the rest of its tier."""

COMPOSITION_ROOTS = {
    "api/agent_server.py",
    "api/app.py",
    "api/cli.py",
    "graph/foundation.py",
    "graph/resources.py",
    "ingest/cli.py",
}
"""The only modules that read `Settings` (`graph/resources.py` is the factory the roots share)."""


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (also inside functions and `TYPE_CHECKING` blocks)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_only_point_down(package: str) -> None:
    wrong = {
        (relative(path), name)
        for path in modules(package)
        for name in imported(path)
        if name.split(".")[0] in PACKAGES and name.split(".")[0] not in ALLOWED[package] | {package}
    }
    assert wrong == set()


def test_only_the_composition_roots_read_settings() -> None:
    readers = {
        relative(path) for package in PACKAGES for path in modules(package) if "config.settings" in imported(path)
    }
    assert readers - {"config/settings.py"} <= COMPOSITION_ROOTS
    assert not any(path.startswith(("nodes/", "llm/", "memory/", "workflows/", "turn/")) for path in readers)


def test_nodes_holds_one_module_per_node_and_nothing_else() -> None:
    declared = {value for name, value in vars(graph.names).items() if name.isupper() and isinstance(value, str)}
    found = {path.stem for path in modules("nodes") if path.stem != "__init__"}
    assert found == declared
    for name in found:
        module = __import__(f"nodes.{name}", fromlist=[name])
        node = getattr(module, name)
        assert inspect.iscoroutinefunction(node), f"nodes/{name}.py must define the node `async def {name}`"
        assert list(inspect.signature(node).parameters)[:2] == ["state", "runtime"]


def test_routes_are_thin_and_never_import_each_other() -> None:
    routes = [path for path in modules("api/routes") if path.stem != "__init__"]
    assert routes
    for path in routes:
        assert not {name for name in imported(path) if name.startswith("api.routes.")}, relative(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 20, f"{relative(path)}:{node.lineno} {node.name} has {length} lines"


def test_every_route_declares_its_response_model() -> None:
    """`response_model=` on every route decorator (`response_class=` for the one that is not JSON)."""
    declared = []
    for path in modules("api/routes"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                for decorator in node.decorator_list:
                    if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).startswith("router."):
                        keywords = {keyword.arg for keyword in decorator.keywords}
                        declared.append((node.name, bool(keywords & {"response_model", "response_class"})))
    assert len(declared) >= 20
    assert [name for name, ok in declared if not ok] == []
