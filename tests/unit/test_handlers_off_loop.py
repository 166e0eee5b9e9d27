"""Reflex handlers leave blocking work (database, push services, hashing) to worker threads.

Reflex calls a plain `def` handler on the event loop that also serves every
other user's page and the JSON API: one slow query or a wait for SQLite's
write lock there stalls them all. So a state's methods never open a database
session or an HTTP client themselves; they await `in_database(...)` or
`asyncio.to_thread(...)`, and a method that awaits is `async`. The browser
test tests/e2e/test_event_loop.py shows what a user would notice.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "crm_pwa"
MODULES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("state/*.py")])
BLOCKING = {"session_scope", "httpx", "password_matches", "hash_password"}


def _names(node: ast.AST) -> set[str]:
    return {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}


def _on_the_loop(method: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The method's own nodes: a nested function or lambda is what it hands to a thread."""
    nodes: list[ast.AST] = []
    waiting: list[ast.AST] = list(method.body)
    while waiting:
        node = waiting.pop()
        nodes.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            waiting.extend(ast.iter_child_nodes(node))
    return nodes


def _is_state(node: ast.ClassDef) -> bool:
    return any(ast.unparse(base).endswith("State") for base in node.bases)


def _blocking_helpers(tree: ast.Module) -> set[str]:
    """Module-level plain functions that open a session or a client: for worker threads only."""
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and _names(node) & BLOCKING
    }


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    helpers = _blocking_helpers(tree)
    problems = []
    for state in (n for n in tree.body if isinstance(n, ast.ClassDef) and _is_state(n)):
        for method in state.body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            where = f"{path.name}: {state.name}.{method.name}"
            own = _on_the_loop(method)
            used = {node.id for node in own if isinstance(node, ast.Name)} & BLOCKING
            if used:
                problems.append(f"{where} uses {sorted(used)} itself")
            for call in (node for node in own if isinstance(node, ast.Call)):
                called = ast.unparse(call.func)
                if called in helpers:
                    problems.append(f"{where} calls {called} on the event loop")
            awaits = any(isinstance(node, ast.Await) for node in own)
            if awaits and not isinstance(method, ast.AsyncFunctionDef):
                problems.append(f"{where} awaits but is not async")
    return problems


def test_the_rule_sees_a_handler_that_queries_on_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "on_loop_example.py"
    path.write_text(
        "class ExampleState(SessionState):\n"
        "    def load(self):\n"
        "        with session_scope() as session:\n"
        "            return session\n"
    )
    assert _problems(path) == [
        "on_loop_example.py: ExampleState.load uses ['session_scope'] itself"
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_state_method_does_blocking_work_on_the_event_loop(path: Path) -> None:
    assert _problems(path) == []
