"""Production modules reach libraries only through their public names: a test keeps it so."""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OWN = ("domain", "application", "adapters", "web")

# Underscore names a library documents as the way to extend it, so there is no public
# alternative to use instead. Each entry: (library root, name) -> why it is allowed.
DOCUMENTED_HOOKS = {
    # marshmallow's "Creating a field class": subclass Field and implement _deserialize
    # (and/or _serialize); the field's public deserialize() calls it after its own checks.
    ("marshmallow", "_deserialize"): "marshmallow's documented custom-field method",
    ("marshmallow", "_serialize"): "marshmallow's documented custom-field method",
    # sqlalchemy.ext.compiler's `@compiles` (the documented way to add a SQL construct) sets
    # the construct's dispatch; our code never names it
    ("sqlalchemy", "_compiler_dispatch"): "set by sqlalchemy.ext.compiler.compiles",
}


# Reading an attribute by its name in a string is still reading it.
REFLECTION = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_third_party(module: str) -> bool:
    root = module.split(".")[0]
    return root not in OWN and root not in sys.stdlib_module_names and root != "builtins"


def production_files() -> Iterator[tuple[str, ast.Module]]:
    for package in OWN:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            yield name, ast.parse(path.read_text(encoding="utf-8"), filename=name)


def library_bindings(tree: ast.Module) -> set[str]:
    """Names a module binds to third-party modules or objects by importing them."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if is_third_party(alias.name):
                    bound.add(alias.asname or alias.name.split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and is_third_party(node.module or "")
        ):
            bound.update(alias.asname or alias.name for alias in node.names)
    return bound


def violations(name: str, tree: ast.Module) -> Iterator[str]:
    """Private library names a module's source uses, whatever their type."""
    bound = library_bindings(tree)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != "__future__" and is_third_party(node.module):
                if any(is_private(part) for part in node.module.split(".")):
                    yield f"{where}: imports from the private module {node.module}"
                for alias in node.names:
                    if is_private(alias.name):
                        yield f"{where}: imports the private name {node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_third_party(alias.name) and any(map(is_private, alias.name.split("."))):
                    yield f"{where}: imports the private module {alias.name}"
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "super":
                yield f"{where}: calls super().{node.attr}"
                continue
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                yield f"{where}: reads {ast.unparse(node)}"
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in REFLECTION:
            key = node.args[1] if len(node.args) > 1 else None
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and is_private(key.value)
            ):
                yield f"{where}: {ast.unparse(node.func)}(…, {key.value!r})"


def test_no_production_module_uses_a_library_private_name() -> None:
    found = [v for name, tree in production_files() for v in violations(name, tree)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "class R(Recorder):\n    def f(self, s):\n        return super()._insert(s)\n",
        "import sqlalchemy\nsqlalchemy.orm._state\n",
        "from eventsourcing_sqlalchemy.recorders import Recorder\nRecorder._lock_table(r, s)\n",
        "from sqlalchemy.sql import _typing\n",
        "from sqlalchemy.sql._typing import ColumnExpressionArgument\n",
        "import sqlalchemy._x\n",
        "getattr(sheet, '_worksheet_path', '')\n",
    ],
)
def test_the_scan_finds_each_kind_of_private_use(source: str) -> None:
    assert list(violations("m.py", ast.parse(source)))


@pytest.mark.parametrize(
    "source",
    [
        "class R(Recorder):\n    def f(self):\n        return self._own() + super().__len__()\n",
        "from adapters.sheets.cells import _key\n_key('a')\n",
        "from sqlalchemy import insert\ninsert(t).returning(t.c.id)\n",
        "getattr(sheet, '__name__')\n",
    ],
)
def test_the_scan_lets_own_and_public_names_pass(source: str) -> None:
    assert list(violations("m.py", ast.parse(source))) == []


def module_name(file: str) -> str:
    return file.removesuffix(".py").replace("/", ".").removesuffix(".__init__")


def own_classes(package: str) -> Iterator[type]:
    for file, _tree in production_files():
        if file.startswith(package + "/"):
            loaded = importlib.import_module(module_name(file))
            for value in vars(loaded).values():
                if inspect.isclass(value) and value.__module__ == loaded.__name__:
                    yield value


def assigned_on_self() -> dict[tuple[str, str], set[str]]:
    """Per project class (module, name): the attributes its methods assign on self."""
    found: dict[tuple[str, str], set[str]] = {}
    for file, tree in production_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = found.setdefault((module_name(file), node.name), set())
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Attribute)
                        and isinstance(inner.ctx, ast.Store)
                        and isinstance(inner.value, ast.Name)
                        and inner.value.id == "self"
                    ):
                        names.add(inner.attr)
    return found


def read_on_self(cls: type) -> set[str]:
    """The private names a class's own methods read on self."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and is_private(node.attr)
    }


def library_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__[1:] if is_third_party(base.__module__)]


def is_method(value: object) -> bool:
    return inspect.isfunction(value) or isinstance(value, classmethod | staticmethod | property)


def documented_hook(base: type, name: str) -> bool:
    return (base.__module__.split(".")[0], name) in DOCUMENTED_HOOKS


@pytest.mark.parametrize("package", OWN)
def test_no_production_class_overrides_a_library_private_method(package: str) -> None:
    found = []
    for cls in own_classes(package):
        for name, value in vars(cls).items():
            if not (is_private(name) and is_method(value)):
                continue
            for base in library_bases(cls):
                if name in vars(base) and not documented_hook(base, name):
                    found.append(f"{cls.__module__}.{cls.__qualname__}.{name} overrides {base}")
                    break
    assert not found, "\n".join(found)


@pytest.mark.parametrize("package", OWN)
def test_no_production_class_reads_a_library_private_attribute(package: str) -> None:
    assigned = assigned_on_self()
    found = []
    for cls in own_classes(package):
        if not library_bases(cls):
            continue
        ours: set[str] = set()
        for klass in cls.__mro__:
            if not is_third_party(klass.__module__):
                ours |= set(vars(klass)) | assigned.get((klass.__module__, klass.__name__), set())
        for name in sorted(read_on_self(cls) - ours):
            found.append(f"{cls.__module__}.{cls.__qualname__} reads self.{name}")
    assert not found, "\n".join(found)
