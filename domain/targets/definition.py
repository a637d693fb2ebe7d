"""A target leaf's definition as the framework stores it, and what makes it unacceptable."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import TargetRefused
from domain.targets.rules import NATIONAL, TargetRules
from domain.targets.text import target_from


def canonical_target(
    raw: object, rules: TargetRules = NATIONAL, ancestors: Iterable[str] = ()
) -> object:
    """The primitives a FrameworkDefined event stores: the printed text with its reading under
    the evaluation's rules and the names of the leaf's parents (a bare number under 成本指标
    is a ceiling). Unreadable input stays as given so the framework check can name it."""
    if raw is None:
        return None
    try:
        return target_from(raw, rules.bare_for(ancestors)).as_dict()
    except TargetRefused:
        return raw


def target_problem(method: str, raw: object) -> str | None:
    """Why a leaf's target cannot stand, or None."""
    if method != "target":
        return None if raw is None else f"a target goes with method target, not {method}"
    if raw is None:
        return "a target leaf needs its target (the printed text or comparator and value)"
    try:
        target_from(raw)
    except TargetRefused as error:
        return error.detail
    return None
