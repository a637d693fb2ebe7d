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


@pytest.mark.parametrize("package", ["domain", "application", "adapters", "web"])
def test_production_code_does_not_import_the_test_fakes(package: str) -> None:
    for module, names in imported_roots(package).items():
        assert not {n.split(".")[0] for n in names} & {"tests"}, module


# The adapters that keep the read model (handlers) and those that answer from it: each side
# may share tables, row sources and the document's assembly, but reaches nothing of the other.
WRITE_SIDE = {"projection", "target_projection", "form_projection", "review_projection"}
READ_SIDE = {"queries", "review_queries", "feed_queries", "score_changes", "history_query"}


def reached_adapters(start: str) -> set[str]:
    """The adapters modules `start` imports, directly or through other adapters modules."""
    imports = {
        Path(module).stem: {n.split(".")[1] for n in names if n.startswith("adapters.")}
        for module, names in imported_roots("adapters").items()
        if Path(module).parent == Path("adapters")  # the sheets package keeps to itself
    }
    seen: set[str] = set()
    todo = [start]
    while todo:
        for name in imports.get(todo.pop(), set()) - seen:
            seen.add(name)
            todo.append(name)
    return seen


@pytest.mark.parametrize(
    ("side", "other"), [(WRITE_SIDE, READ_SIDE), (READ_SIDE, WRITE_SIDE)], ids=["write", "read"]
)
def test_write_side_and_read_side_adapters_do_not_import_each_other(
    side: set[str], other: set[str]
) -> None:
    for module in side:
        assert (ROOT / "adapters" / f"{module}.py").exists(), module
        assert not reached_adapters(module) & other, module
