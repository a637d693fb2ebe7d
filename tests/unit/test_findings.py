"""Findings computed from an aggregate and its events, without storage."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from application.findings import find, parent_sums
from application.fixture import apply_action
from domain.evaluation import Actor, Evaluation
from tests.cases import mixed_case

BY = Actor("alice", "evaluator", "c")


class ScoreChanged(SimpleNamespace):
    """Stands for a ScoreChanged event recorded with figures the children do not give."""


def recorded() -> tuple[Evaluation, list[Any]]:
    case = mixed_case()
    evaluation = Evaluation.start(**case["evaluation"], evaluator=None, by=BY)
    evaluation.define_framework(case["indicators"], BY)
    for entry in case["data_entries"]:
        evaluation.record_data_entry(
            entry["key"], entry["value"], entry["unit"], entry["source"], None, None, BY
        )
    for action in case["actions"]:
        apply_action(evaluation, action, BY)
    return evaluation, list(evaluation.collect_events())


def test_the_events_of_a_consistent_evaluation_give_no_findings() -> None:
    evaluation, events = recorded()
    assert find(evaluation, events) == []


def test_a_parent_or_total_recorded_unlike_the_childrens_sum_is_a_finding() -> None:
    evaluation, events = recorded()
    odd = ScoreChanged(
        code="A1",
        parents={"A": Decimal("30.00")},
        total=Decimal("82.60"),
        originator_version=evaluation.version + 1,
    )
    found = parent_sums(evaluation, [*events, odd])
    assert [(f["kind"], f["indicator"], f["recorded"], f["recomputed"]) for f in found] == [
        ("parent_sum_differs", "A", "30.00", "29.50"),
        ("total_differs", None, "82.60", "82.10"),
    ]
    assert all(f["versions"] == [evaluation.version + 1] for f in found)
