"""Explanation texts for people: one language per answer, figures at a readable precision."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def in_language(explanation: dict[str, Any], language: str) -> dict[str, Any]:
    """The explanation with each step's text in one language: "zh" (default) or "en"."""
    steps = []
    for item in explanation.get("steps") or []:
        chinese = item.get("text_zh", item["text"])
        shown_text = item["text"] if language == "en" else chinese
        steps.append({**{k: v for k, v in item.items() if k != "text_zh"}, "text": shown_text})
    return {**explanation, "steps": steps}


def shown(value: Decimal | None) -> str:
    """A figure in a sentence: exact up to four decimals, else rounded there and marked ≈
    (the step's `value` keeps every digit)."""
    if value is None:
        return ""
    rounded = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if rounded == value:
        return f"{value.normalize():f}"  # exact: without the zeros a quotient trails
    return "≈" + f"{rounded:f}".rstrip("0").rstrip(".")


METHOD_ZH = {"deduction": "扣分", "checklist": "清单", "ratio": "比率", "survey": "问卷"}
ROLE_ZH = {"numerator": "分子", "denominator": "分母"}
