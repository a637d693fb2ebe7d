"""Disputes and notes on the aggregate: ids come from outside, replay gives the same state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import DisputeRefused, NotPermitted
from domain.evaluation import Actor, Evaluation
from tests.cases import small_case

EVA = Actor("eva", "evaluator", "c1")
REX = Actor("rex", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")


def submitted() -> Evaluation:
    case = small_case()
    evaluation = Evaluation.start(**case["evaluation"], evaluator=None, by=EVA)
    evaluation.define_framework(case["indicators"], EVA)
    evaluation.record_deduction("d-1", "1.1", "2", "材料不全", None, EVA)
    evaluation.record_score("1.2", "15", "目标基本合理", None, EVA)
    evaluation.assess_checklist("2.1", [True, False], "抽查", EVA)
    evaluation.record_survey("2.2", [[8, 2]], None, EVA)
    evaluation.submit(REX)
    return evaluation


def replayed(evaluation: Evaluation) -> Evaluation:
    events = evaluation.collect_events()
    copy: Any = None
    for e in events:
        copy = e.mutate(copy)
    return copy  # type: ignore[no-any-return]


def test_the_dispute_keeps_the_id_it_was_given_and_replays_identically() -> None:
    evaluation = submitted()
    evaluation.raise_dispute("dispute-7", "d-1", None, "理由", [{"title": "函"}], UNIT)
    evaluation.decide_dispute("dispute-7", "amended", "0.5", "部分成立", REX)
    evaluation.add_note("note-3", "1.1", "核对", REX)

    assert set(evaluation.disputes) == {"dispute-7"} and set(evaluation.notes) == {"note-3"}
    dispute = evaluation.disputes["dispute-7"]
    assert (dispute.status, dispute.outcome, dispute.points, dispute.decided_by) == (
        "decided",
        "amended",
        Decimal("0.5"),
        "rex",
    )
    assert evaluation.leaves["1.1"].score == Decimal("19.50")
    copy = replayed(evaluation)
    assert copy.disputes == evaluation.disputes
    assert copy.notes == evaluation.notes
    assert copy.deductions == evaluation.deductions
    assert copy.leaves == evaluation.leaves


def test_the_score_change_of_a_decision_names_its_dispute_and_cause() -> None:
    evaluation = submitted()
    evaluation.raise_dispute("x", "d-1", None, "理由", None, UNIT)
    evaluation.collect_events()
    evaluation.decide_dispute("x", "overturned", None, "撤销", REX)
    decided, withdrawn, changed = evaluation.collect_events()
    assert type(decided).__name__ == "DisputeDecided"
    assert type(withdrawn).__name__ == "DeductionWithdrawn"
    assert withdrawn.dispute_id == "x"  # type: ignore[attr-defined]
    assert type(changed).__name__ == "ScoreChanged"
    assert (changed.cause, changed.cause_version, changed.dispute_id) == (  # type: ignore[attr-defined]
        "DisputeDecided",
        decided.originator_version,
        "x",
    )
    assert changed.meta == REX.as_meta()  # type: ignore[attr-defined]


def test_the_one_who_recorded_the_deduction_may_not_decide_even_as_reviewer() -> None:
    evaluation = submitted()
    evaluation.raise_dispute("x", "d-1", None, "理由", None, UNIT)
    with pytest.raises(NotPermitted):
        evaluation.decide_dispute("x", "upheld", None, "维持", Actor("eva", "reviewer", "c4"))


def test_a_deduction_withdrawn_while_disputed_can_only_be_upheld() -> None:
    evaluation = submitted()
    evaluation.raise_dispute("x", "d-1", None, "理由", None, UNIT)
    evaluation.withdraw_deduction("d-1", "误扣", EVA)
    with pytest.raises(DisputeRefused):
        evaluation.decide_dispute("x", "amended", "1", "改扣", REX)
    evaluation.decide_dispute("x", "upheld", None, "已撤回，无需处理", REX)
    assert evaluation.disputes["x"].status == "decided"


def scored_by_several() -> Evaluation:
    """eva deducts on 1.1, scores 1.2 and 2.2; rex overrides 2.1; then it is submitted."""
    case = small_case()
    evaluation = Evaluation.start(**case["evaluation"], evaluator=None, by=EVA)
    evaluation.define_framework(case["indicators"], EVA)
    evaluation.record_deduction("d-1", "1.1", "2", "材料不全", None, EVA)
    evaluation.record_score("1.2", "15", "目标基本合理", None, EVA)
    evaluation.record_score("2.1", "25", "复核调整", None, REX)
    evaluation.record_survey("2.2", [[8, 2]], None, EVA)
    evaluation.submit(REX)
    return evaluation


def test_a_reviewer_may_not_decide_a_dispute_over_an_override_they_recorded() -> None:
    evaluation = scored_by_several()
    evaluation.raise_dispute("over", None, "2.1", "调整无据", None, UNIT)
    with pytest.raises(NotPermitted, match=r"rex recorded indicator 2\.1"):
        evaluation.decide_dispute("over", "overturned", None, "撤销调整", REX)
    assert evaluation.disputes["over"].status == "open"


def test_whoever_recorded_a_score_or_a_deduction_on_the_indicator_may_not_judge_it() -> None:
    evaluation = scored_by_several()
    evaluation.raise_dispute("on-1.1", None, "1.1", "扣分过重", None, UNIT)
    with pytest.raises(NotPermitted, match=r"eva recorded indicator 1\.1"):
        evaluation.decide_dispute("on-1.1", "upheld", None, "维持", EVA)
    evaluation.raise_dispute("on-1.2", None, "1.2", "评分偏低", None, UNIT)
    with pytest.raises(NotPermitted, match=r"eva recorded indicator 1\.2"):
        evaluation.decide_dispute("on-1.2", "upheld", None, "维持", EVA)
    evaluation.decide_dispute("on-1.2", "upheld", None, "维持", REX)  # a third party may
    assert replayed(evaluation).leaves["1.2"].recorded_by == ["eva"]
