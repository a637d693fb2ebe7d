"""The indicator tree (指标体系): definitions and the structural checks that guard it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.codes import code_problem, normal_code
from domain.errors import FrameworkRejected, InvalidValue
from domain.indicator import Indicator
from domain.methods import method_named, method_names
from domain.methods.base import Setting
from domain.values import to_amount, to_decimal

__all__ = ["Indicator", "build_tree", "check_evidence", "check_framework", "normalise_definitions"]


def normalise_definitions(
    raw: list[dict[str, Any]], target_rules: Any = None
) -> list[dict[str, Any]]:
    """Turn request-shaped definitions into the canonical primitives an event stores.

    A method reads a leaf knowing where it stands (`Setting`): its parents' names and the
    evaluation's target rules (a bare printed number under 成本指标 is a ceiling)."""
    names, parents = _names_and_parents(raw)
    result: list[dict[str, Any]] = []
    for entry in raw:
        code = normal_code(entry.get("code", ""))
        parsed: dict[str, Any] = {
            "code": code,
            "name": str(entry.get("name", "")).strip(),
            "parent": (normal_code(entry["parent"]) or None) if entry.get("parent") else None,
            "weight": to_amount(entry.get("weight"), f"weight of {code or '?'}"),
            "method": entry.get("method") or None,
            "explanation": entry.get("explanation") or None,
            "criteria": entry.get("criteria") or None,
            "items": [
                {"text": str(i.get("text", "")), "points": to_amount(i.get("points"), "points")}
                for i in entry.get("items") or []
            ],
            "numerator": entry.get("numerator") or None,
            "denominator": entry.get("denominator") or None,
            "cap": None
            if entry.get("cap", "1") is None
            else to_decimal(entry.get("cap", "1"), "cap"),
            "choices": [
                {"label": str(c.get("label", "")), "weight": to_amount(c.get("weight"), "weight")}
                for c in entry.get("choices") or []
            ],
        }
        # only a method that reads more than the fields above adds "params"; stored
        # definitions of the others keep their shape
        method = parsed["method"]
        setting = Setting(_ancestors(code, names, parents), target_rules)
        if method in method_names() and (
            params := method_named(method).normalise_within(entry, setting)
        ):
            parsed["params"] = params
        result.append(parsed)
    return result


def _names_and_parents(
    raw: list[dict[str, Any]],
) -> tuple[dict[str, str], dict[str, str | None]]:
    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for entry in raw:
        code = normal_code(entry.get("code", ""))
        names.setdefault(code, str(entry.get("name", "")).strip())
        parents.setdefault(code, normal_code(entry["parent"]) if entry.get("parent") else None)
    return names, parents


def _ancestors(code: str, names: dict[str, str], parents: dict[str, str | None]) -> tuple[str, ...]:
    """The names of a code's parents, nearest first (a loop or a missing parent ends it; the
    framework check names those)."""
    found: list[str] = []
    seen = {code}
    parent = parents.get(code)
    while parent is not None and parent in names and parent not in seen:
        seen.add(parent)
        found.append(names[parent])
        parent = parents.get(parent)
    return tuple(found)


def check_framework(defs: list[dict[str, Any]], total_weight: Decimal) -> None:
    """Refuse a tree that breaks a structural rule, naming every offending code."""
    problems: list[dict[str, str]] = []

    def problem(code: str, message: str) -> None:
        problems.append({"code": code, "message": message})

    if not defs:
        raise FrameworkRejected([{"code": "", "message": "the framework has no indicators"}])
    by_code: dict[str, dict[str, Any]] = {}
    for d in defs:
        if not d["code"]:
            problem("", "an indicator has an empty code")
        elif d["code"] in by_code:
            problem(d["code"], "code appears more than once")
        else:
            by_code[d["code"]] = d
            if code_problem(d["code"]):
                problem(d["code"], str(code_problem(d["code"])))
        if not d["name"]:
            problem(d["code"], "name must not be empty")
        if d["weight"] < 0:
            problem(d["code"], f"weight {d['weight']} is negative")
    children: dict[str, list[dict[str, Any]]] = {code: [] for code in by_code}
    for d in by_code.values():
        parent = d["parent"]
        if parent is not None:
            if parent not in by_code:
                problem(d["code"], f"parent {parent} does not exist")
            else:
                children[parent].append(d)
    _check_cycles(by_code, problem)
    for code, d in by_code.items():
        kids = children[code]
        if kids:
            if d["method"] is not None:
                problem(code, "a parent indicator has no scoring method of its own")
            total = sum((k["weight"] for k in kids), Decimal(0))
            if total != d["weight"]:
                problem(code, f"children's weights sum to {total}, not {d['weight']}")
        else:
            _check_leaf(d, problem)
    roots = [d for d in by_code.values() if d["parent"] is None]
    root_sum = sum((d["weight"] for d in roots), Decimal(0))
    if root_sum != total_weight:
        problem(
            ",".join(d["code"] for d in roots) or "",
            f"root weights sum to {root_sum}, not the total weight {total_weight}",
        )
    if problems:
        raise FrameworkRejected(problems)


def _check_cycles(by_code: dict[str, dict[str, Any]], problem: Any) -> None:
    for code in by_code:
        seen = {code}
        parent = by_code[code]["parent"]
        while parent is not None and parent in by_code:
            if parent in seen:
                problem(code, "the parent chain loops back on itself")
                break
            seen.add(parent)
            parent = by_code[parent]["parent"]


def _check_leaf(d: dict[str, Any], problem: Any) -> None:
    method = d["method"] or "deduction"
    if method not in method_names():
        names = ", ".join(method_names())
        problem(d["code"], f"unknown scoring method {method!r}; use one of {names}")
        return
    method_named(method).check_definition(d, problem)


def build_tree(defs: list[dict[str, Any]]) -> dict[str, Indicator]:
    """Indicators keyed by code, in definition order, with levels and children filled in."""
    kids: dict[str, list[str]] = {d["code"]: [] for d in defs}
    for d in defs:
        if d["parent"] is not None:
            kids[d["parent"]].append(d["code"])
    parents = {d["code"]: d["parent"] for d in defs}

    def level(code: str) -> int:
        depth, parent = 1, parents[code]
        while parent is not None:
            depth, parent = depth + 1, parents[parent]
        return depth

    tree: dict[str, Indicator] = {}
    for position, d in enumerate(_tree_order(defs, kids)):
        is_leaf = not kids[d["code"]]
        tree[d["code"]] = Indicator(
            code=d["code"],
            name=d["name"],
            parent=d["parent"],
            weight=d["weight"],
            level=level(d["code"]),
            position=position,
            method=(d["method"] or "deduction") if is_leaf else None,
            explanation=d["explanation"],
            criteria=d["criteria"],
            items=tuple((i["text"], i["points"]) for i in d["items"]),
            numerator=d["numerator"],
            denominator=d["denominator"],
            cap=d["cap"],
            choices=tuple((c["label"], c["weight"]) for c in d["choices"]),
            children=tuple(kids[d["code"]]),
            params=d.get("params") or {},
        )
    return tree


def _tree_order(defs: list[dict[str, Any]], kids: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Depth-first order, parents before children, siblings as defined."""
    by_code = {d["code"]: d for d in defs}
    ordered: list[dict[str, Any]] = []

    def visit(code: str) -> None:
        ordered.append(by_code[code])
        for child in kids[code]:
            visit(child)

    for d in defs:
        if d["parent"] is None:
            visit(d["code"])
    return ordered


def check_evidence(evidence: list[dict[str, Any]] | None) -> list[dict[str, str | None]]:
    """Evidence items need a title; a SHA-256, when given, is 64 hex digits."""
    cleaned: list[dict[str, str | None]] = []
    for item in evidence or []:
        title = str(item.get("title") or "").strip()
        if not title:
            raise InvalidValue("every evidence item needs a title", evidence=item)
        sha = item.get("sha256") or None
        if sha is not None:
            sha = str(sha).lower()
            if len(sha) != 64 or any(ch not in "0123456789abcdef" for ch in sha):
                raise InvalidValue("sha256 must be 64 hexadecimal digits", sha256=sha)
        cleaned.append({"title": title, "locator": item.get("locator") or None, "sha256": sha})
        if item.get("id"):  # a file attached to the evaluation (domain.evidence)
            cleaned[-1]["id"] = str(item["id"])
    return cleaned
