"""Dependencies point inward: a test keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WEB_ONLY = {"flask", "flask_smorest", "marshmallow", "werkzeug", "webargs", "apispec", "gunicorn"}
ADAPTERS_ONLY = {"sqlalchemy", "psycopg", "psycopg2", "sqlite3", "eventsourcing_sqlalchemy"}


def imported_roots(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def test_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    import sys

    for module, names in imported_roots("domain").items():
        for name in names:
            root = name.split(".")[0]
            allowed = (
                root in sys.stdlib_module_names
                or root == "domain"
                or name == "eventsourcing.domain"
            )
            assert allowed, f"{module} imports {name}"


@pytest.mark.parametrize("package", ["domain", "application", "adapters"])
def test_only_web_imports_flask_and_marshmallow(package: str) -> None:
    for module, names in imported_roots(package).items():
        assert not {n.split(".")[0] for n in names} & WEB_ONLY, module


@pytest.mark.parametrize("package", ["domain", "application", "web"])
def test_only_adapters_import_sqlalchemy_and_drivers(package: str) -> None:
    for module, names in imported_roots(package).items():
        assert not {n.split(".")[0] for n in names} & ADAPTERS_ONLY, module


@pytest.mark.parametrize("package", ["domain", "application"])
def test_inner_layers_do_not_import_outer_ones(package: str) -> None:
    outer = {"web", "adapters"} | ({"application"} if package == "domain" else set())
    for module, names in imported_roots(package).items():
        assert not {n.split(".")[0] for n in names} & outer, module
