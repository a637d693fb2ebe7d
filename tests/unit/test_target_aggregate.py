"""Target leaves and sign-offs on the Evaluation aggregate, in memory."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import FrameworkRejected, MethodMismatch, ReasonRequired, SignOffRefused
from domain.evaluation import Actor, Evaluation

BY = Actor("alice", "evaluator", "c")
LEAD = Actor("rita", "reviewer", "c")


def started(required: list[str] | None = None) -> Evaluation:
    evaluation = Evaluation.start(
        title="t", subject="s", fiscal_year=2025, kind="self-evaluation", evaluator=None, by=BY
    )
    if required:
        evaluation.require_sign_offs(required, BY)
    evaluation.define_framework(
        [
            {"code": "1", "name": "产出", "weight": "100"},
            {
                "code": "1.1",
                "parent": "1",
                "name": "场次",
                "weight": "60",
                "method": "target",
                "target": "≥20场次",
            },
            {
                "code": "1.2",
                "parent": "1",
                "name": "成本",
                "weight": "40",
                "method": "target",
                "target": "≤8万元",
            },
        ],
        BY,
    )
    return evaluation


def replay(evaluation: Evaluation) -> Any:
    copy: Any = None
    for event in evaluation.collect_events():
        copy = event.mutate(copy)
    return copy


def test_an_unreadable_target_refuses_the_framework_naming_it() -> None:
    evaluation = Evaluation.start(
        title="t", subject="s", fiscal_year=2025, kind="k", evaluator=None, by=BY
    )
    with pytest.raises(FrameworkRejected) as refused:
        evaluation.define_framework(
            [
                {
                    "code": "1",
                    "name": "场次",
                    "weight": "100",
                    "method": "target",
                    "target": "≥二十场",
                }
            ],
            BY,
        )
    assert refused.value.problems[0]["code"] == "1"
    assert "≥二十场" in refused.value.problems[0]["message"]


def test_values_score_the_leaf_and_a_correction_keeps_the_earlier_one() -> None:
    evaluation = started()
    evaluation.record_target_value("1.1", stage="monitored", value="9", by=BY)
    assert evaluation.leaves["1.1"].score is None
    evaluation.record_target_value(
        "1.1", stage="final", value="15", deviation_reason="场地维修", improvement="提前排期", by=BY
    )
    assert evaluation.leaves["1.1"].score == Decimal("45.00")
    with pytest.raises(ReasonRequired):
        evaluation.record_target_value("1.1", stage="final", value="21", by=BY)
    evaluation.record_target_value("1.1", stage="final", value="21", reason="补录", by=BY)
    state = evaluation.target_state("1.1")
    assert state.final is not None and state.final.previous[0]["value"] == Decimal(15)
    assert evaluation.leaves["1.1"].score == Decimal("60.00")
    assert replay(evaluation).leaves == evaluation.leaves


def test_a_target_value_goes_to_a_target_leaf_only() -> None:
    evaluation = started()
    with pytest.raises(MethodMismatch):
        evaluation.record_target_value("1", stage="final", value="1", by=BY)


def test_a_sign_off_goes_stale_and_finalization_waits_for_a_current_one() -> None:
    evaluation = started(["评价组组长"])
    evaluation.record_target_value("1.2", stage="final", value="7.5", by=BY)
    evaluation.sign_off("s1", "评价组组长", "同意", "ab" * 32, "2026-01-01T00:00:00+00:00", BY)
    assert evaluation.sign_offs["s1"].status == "current"
    evaluation.record_target_value("1.2", stage="final", value="7.8", reason="结算调整", by=BY)
    assert evaluation.sign_offs["s1"].status == "stale"
    evaluation.record_target_value("1.1", stage="final", value="21", by=BY)
    evaluation.submit(LEAD)
    with pytest.raises(SignOffRefused) as refused:
        evaluation.finalize(LEAD)
    assert refused.value.values["missing"] == ["评价组组长"]
    evaluation.sign_off("s2", "评价组组长", None, None, "2026-01-02T00:00:00+00:00", BY)
    evaluation.finalize(LEAD)
    copy = replay(evaluation)
    assert copy.sign_offs == evaluation.sign_offs
    assert copy.required_sign_offs == ("评价组组长",)
