"""The domain package stays free of frameworks, so its rules are tested with plain data."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "crm_pwa" / "domain"
FORBIDDEN = (
    "reflex",
    "sqlmodel",
    "sqlalchemy",
    "httpx",
    "fastapi",
    "crm_pwa.db",
    "crm_pwa.services",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_imports_no_framework_when_any_module_is_read() -> None:
    modules = sorted(DOMAIN.glob("*.py"))
    assert modules, "the domain package has modules"
    for module in modules:
        bad = {
            name
            for name in _imports(module)
            if name.split(".")[0] in FORBIDDEN
            or any(name.startswith(prefix) for prefix in FORBIDDEN)
        }
        assert not bad, f"{module.name} imports {bad}"
