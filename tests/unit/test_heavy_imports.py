"""Every import of the kubernetes client or the docker SDK inside a function takes its turn (heavy_imports): those
functions run on worker threads at once, and two first imports at once can hand one thread a half-imported module
(seen at start: "module 'requests' has no attribute 'exceptions'"; the app then could not quit). The start-up case
itself runs in tests/e2e/test_diagnostic_log.py."""

from __future__ import annotations

import ast
from pathlib import Path

import tui

HEAVY = ("kubernetes", "docker", "requests", "websocket")
# Called only after an API answer, so the kubernetes client is imported already.
AFTER_A_CALL = {("tui/models/deploy/refusal.py", "_field_types")}


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""] if node.level == 0 else []
    return [alias.name for alias in node.names]


def unguarded_imports(source: str) -> list[tuple[str, int]]:
    """(function, line) of each heavy import inside a function but not inside `with heavy_imports():`."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str | None, guarded: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function, guarded = node.name, False
        elif isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call) and getattr(item.context_expr.func, "id", "") == "heavy_imports"
            for item in node.items
        ):
            guarded = True
        elif (
            isinstance(node, (ast.Import, ast.ImportFrom))
            and function
            and not guarded
            and any(name.split(".")[0] in HEAVY for name in _imported(node))
        ):
            found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function, guarded)

    visit(ast.parse(source), None, False)
    return found


def test_every_import_of_a_client_in_a_function_takes_its_turn() -> None:
    root = Path(tui.__file__).parent
    unguarded = [
        f"{path.relative_to(root.parent)}:{line} ({function})"
        for path in sorted(root.rglob("*.py"))
        for function, line in unguarded_imports(path.read_text())
        if (str(path.relative_to(root.parent)), function) not in AFTER_A_CALL
    ]
    assert unguarded == []


def test_the_check_sees_an_unguarded_import_and_passes_a_guarded_one() -> None:
    source = (
        "def a():\n    import docker\n"
        "def b():\n    with heavy_imports():\n        from kubernetes import client\n"
        "import requests\n"
    )
    assert unguarded_imports(source) == [("a", 2)]
