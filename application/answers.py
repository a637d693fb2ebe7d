"""Compact write answers: what a command changed and the evaluation's new totals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.evaluation import event_class

# "document": the whole updated document (the default); "changes": the compact answer.
ANSWERS = ("document", "changes")
# What the compact answer shows of each indicator whose figures moved.
CHANGED_FIELDS = ("code", "score", "rate", "rule_score", "overridden")
# The class, not its name: a renamed event fails at import rather than moving nothing.
SCORE_CHANGED: type[Any] = event_class("ScoreChanged")  # its fields are made at run time


def check_answer(answer: str) -> None:
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(ANSWERS)}, not {answer!r}")


def moved_codes(events: Iterable[Any]) -> set[str]:
    """The indicators whose figures the events moved: each rescored leaf and its ancestors."""
    moved: set[str] = set()
    for event in events:
        if isinstance(event, SCORE_CHANGED):
            moved.add(event.code)
            moved.update(event.parents)
    return moved


def changes(document: dict[str, Any], events: Iterable[Any]) -> dict[str, Any]:
    """`{evaluation: {id, version, status, total, grade, changed}}` for a command that left
    `document` (any deduction view: only figures are read) after recording `events`."""
    moved = moved_codes(events)
    return {
        "evaluation": {
            "id": document["id"],
            "version": document["version"],
            "status": document["status"],
            "total": document["total"],
            "grade": document["grade"],
            "changed": [
                {k: i[k] for k in CHANGED_FIELDS}
                for i in document["indicators"]
                if i["code"] in moved
            ],
        }
    }
