"""Explanation texts for people: one language per answer, figures at a readable precision."""

from __future__ import annotations

from typing import Any

from application.system_text import within
from domain.values import shown

__all__ = ["METHOD_ZH", "in_language", "shown"]


def in_language(explanation: dict[str, Any], language: str) -> dict[str, Any]:
    """The explanation with each step's text in one language: "zh" (default) or "en"."""
    steps = []
    for item in explanation.get("steps") or []:
        chinese = within(item.get("text_zh", item["text"]))
        shown_text = item["text"] if language == "en" else chinese
        steps.append({**{k: v for k, v in item.items() if k != "text_zh"}, "text": shown_text})
    return {**explanation, "steps": steps}


METHOD_ZH = {
    "deduction": "扣分",
    "checklist": "清单",
    "ratio": "比率",
    "survey": "问卷",
    "manual": "人工评分",
    "target": "绩效指标",
}
