"""Read an exported evaluation document (the JSON report) back as the fixture format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_HEADER = ("title", "subject", "fiscal_year", "kind", "evaluator", "total_weight", "grade_bands")
_DEFINITION = ("code", "parent", "name", "weight", "method", "explanation", "criteria")


def is_document(value: object) -> bool:
    """An evaluation document has its header at the top level; the fixture nests it."""
    return (
        isinstance(value, Mapping)
        and "evaluation" not in value
        and "title" in value
        and isinstance(value.get("indicators"), list)
    )


def from_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The fixture that records the document's scores again.

    Active deductions come back one by one with reason and evidence, overrides as overrides
    (so the rule score stays beside them), other scores as recorded scores. Withdrawn
    deductions and the history behind each figure are not part of a document and stay behind.
    """
    indicators: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    parents = {indicator.get("parent") for indicator in _dicts(document.get("indicators"))}
    for indicator in _dicts(document.get("indicators")):
        leaf = indicator.get("code") not in parents
        indicators.append(
            {
                key: indicator[key]
                for key in _DEFINITION
                if indicator.get(key) is not None and (leaf or key != "method")
            }
        )
        if leaf:
            actions += _actions(indicator)
    return {
        "evaluation": {key: document[key] for key in _HEADER if document.get(key) is not None},
        "indicators": indicators,
        "data_entries": [
            {key: entry[key] for key in ("key", "value", "unit", "source") if entry.get(key)}
            for entry in _dicts(document.get("data_entries"))
        ],
        "actions": actions,
    }


def _actions(indicator: Mapping[str, Any]) -> list[dict[str, Any]]:
    code, score = indicator.get("code"), indicator.get("score")
    actions: list[dict[str, Any]] = []
    if indicator.get("method") == "deduction":
        for deduction in _dicts(indicator.get("deductions")):
            if deduction.get("status", "active") != "active":
                continue
            action = {
                "indicator": code,
                "action": "deduct",
                "points": deduction.get("points"),
                "reason": deduction.get("reason"),
            }
            evidence = [
                {key: item[key] for key in ("title", "locator", "sha256") if item.get(key)}
                for item in _dicts(deduction.get("evidence"))
            ]
            actions.append({**action, "evidence": evidence} if evidence else action)
        if not indicator.get("overridden"):
            return actions
    if score is not None:
        why = indicator.get("override_justification") or f"导入：得分 {score}"
        actions.append({"indicator": code, "action": "score", "score": score, "justification": why})
    return actions


def _dicts(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
