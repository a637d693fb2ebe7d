"""Scoring methods: each module here is one method, found by name when the package loads."""

from __future__ import annotations

import importlib
import pkgutil

from domain.methods.base import ScoringMethod

_REGISTRY: dict[str, ScoringMethod] = {}


def _discover() -> None:
    """Import every module of this package; each registers its method by subclassing."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
    for cls in ScoringMethod.__subclasses__():
        register(cls())


def register(method: ScoringMethod) -> None:
    """Make a method known by its name (modules of this package are registered on import)."""
    _REGISTRY[method.name] = method


def unregister(name: str) -> None:
    """Forget a method (tests that register one of their own)."""
    _REGISTRY.pop(name, None)


def method_named(name: str) -> ScoringMethod:
    """The method a leaf is scored by (KeyError for a name no module defines)."""
    return _REGISTRY[name]


def method_names() -> tuple[str, ...]:
    """Every known method, in the order the framework documents them."""
    return tuple(sorted(_REGISTRY, key=lambda n: (_REGISTRY[n].order, n)))


_discover()
