"""Dispute rules through the services, on the in-memory unit of work: no database, no HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from application.review import ReviewService
from application.service import EvaluationService
from domain.errors import DisputeRefused, InvalidValue, LifecycleRefused, NotPermitted, ScoreRefused
from domain.evaluation import Actor
from tests.cases import small_case
from tests.fakes.memory import memory_review_service

ALICE = Actor("alice", "evaluator", "c1")
RITA = Actor("rita", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")


@pytest.fixture
def reviews(service: EvaluationService) -> ReviewService:
    return memory_review_service(service)


@pytest.fixture
def case(service: EvaluationService) -> dict[str, str]:
    """A submitted small case; its id and the id of alice's deduction on 1.1."""
    evaluation_id = str(service.import_evaluation(small_case(), ALICE).id)
    service.submit(evaluation_id, by=RITA)
    deduction = leaf(service.document(evaluation_id), "1.1")["deductions"][0]["id"]
    return {"id": evaluation_id, "deduction": deduction}


def leaf(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == code)


def test_overturning_withdraws_the_deduction_and_restores_the_weight(
    service: EvaluationService, reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(
        case["id"], grounds="材料齐备", deduction_id=case["deduction"], by=UNIT
    )
    decided = reviews.decide_dispute(
        case["id"], raised["id"], outcome="overturned", reason="核实", by=RITA
    )
    node = leaf(decided["evaluation"], "1.1")
    assert (node["score"], node["deductions"][0]["status"]) == ("20.00", "withdrawn")
    standing = leaf(service.document(case["id"], deductions="active"), "1.1")
    assert standing["deductions"] == []
    assert decided["decision"]["previous_points"] == "2.00"
    types = [e["type"] for e in service.history(case["id"], per_page=1000)["items"]][-3:]
    assert types == ["DisputeDecided", "DeductionWithdrawn", "ScoreChanged"]


def test_amending_gives_the_deduction_new_points(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(
        case["id"], grounds="过重", deduction_id=case["deduction"], by=UNIT
    )
    decided = reviews.decide_dispute(
        case["id"], raised["id"], outcome="amended", points="0.5", reason="部分成立", by=RITA
    )
    node = leaf(decided["evaluation"], "1.1")
    assert (node["score"], node["deductions"][0]["points"]) == ("19.50", "0.50")
    assert decided["evaluation"]["total"] == "68.50"


def test_upholding_changes_no_score(reviews: ReviewService, case: dict[str, str]) -> None:
    raised = reviews.raise_dispute(
        case["id"], grounds="不服", deduction_id=case["deduction"], by=UNIT
    )
    decided = reviews.decide_dispute(
        case["id"], raised["id"], outcome="upheld", reason="维持", by=RITA
    )
    assert decided["evaluation"]["total"] == "67.00"
    assert decided["decision"]["outcome"] == "upheld"


def test_amending_a_leaf_score_overrides_it_and_overturning_that_restores_the_rule(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    first = reviews.raise_dispute(case["id"], grounds="偏低", indicator="2.1", by=UNIT)
    amended = reviews.decide_dispute(
        case["id"], first["id"], outcome="amended", points="25", reason="补充", by=RITA
    )
    node = leaf(amended["evaluation"], "2.1")
    assert (node["score"], node["rule_score"], node["overridden"]) == ("25.00", "10.00", True)
    second = reviews.raise_dispute(case["id"], grounds="过高", indicator="2.1", by=UNIT)
    overturned = reviews.decide_dispute(
        case["id"], second["id"], outcome="overturned", reason="按规则", by=RITA
    )
    node = leaf(overturned["evaluation"], "2.1")
    assert (node["score"], node["overridden"], node["override_justification"]) == (
        "10.00",
        False,
        None,
    )


def test_overturning_a_score_that_stands_on_its_rule_is_refused(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="偏低", indicator="2.1", by=UNIT)
    with pytest.raises(DisputeRefused):
        reviews.decide_dispute(case["id"], raised["id"], outcome="overturned", reason="r", by=RITA)


def test_an_amended_leaf_score_stays_within_the_weight(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="偏低", indicator="2.1", by=UNIT)
    with pytest.raises(ScoreRefused):
        reviews.decide_dispute(
            case["id"], raised["id"], outcome="amended", points="31", reason="r", by=RITA
        )


def test_nobody_decides_their_own_cause(reviews: ReviewService, case: dict[str, str]) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    with pytest.raises(NotPermitted):
        reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="r", by=ALICE)
    with pytest.raises(NotPermitted):
        reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="r", by=UNIT)


def test_one_open_dispute_per_deduction_and_one_decision_per_dispute(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    with pytest.raises(DisputeRefused):
        reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="r", by=RITA)
    with pytest.raises(DisputeRefused):
        reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="r", by=RITA)


def test_points_come_with_an_amendment_only(reviews: ReviewService, case: dict[str, str]) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    with pytest.raises(InvalidValue):
        reviews.decide_dispute(case["id"], raised["id"], outcome="amended", reason="r", by=RITA)
    with pytest.raises(InvalidValue):
        reviews.decide_dispute(
            case["id"], raised["id"], outcome="upheld", points="1", reason="r", by=RITA
        )


def test_a_deduction_withdrawn_meanwhile_leaves_only_upholding(
    service: EvaluationService, reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    service.withdraw_deduction(case["id"], case["deduction"], reason="撤回", by=ALICE)
    with pytest.raises(DisputeRefused):
        reviews.decide_dispute(case["id"], raised["id"], outcome="overturned", reason="r", by=RITA)
    reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="r", by=RITA)


def test_finalizing_waits_for_every_open_dispute(
    service: EvaluationService, reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    with pytest.raises(LifecycleRefused):
        service.finalize(case["id"], by=RITA)
    reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="r", by=RITA)
    assert service.finalize(case["id"], by=RITA).document()["status"] == "finalized"


def test_the_read_model_agrees_with_a_replay_after_decisions(
    service: EvaluationService, reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="g", deduction_id=case["deduction"], by=UNIT)
    reviews.decide_dispute(
        case["id"], raised["id"], outcome="amended", points="1", reason="r", by=RITA
    )
    assert service.document(case["id"]) == service.replayed_document(case["id"])
    assert [d["status"] for d in reviews.disputes(case["id"])["items"]] == ["decided"]


def test_the_queue_lists_open_disputes_with_the_contested_deduction_and_its_recorder(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(
        case["id"], grounds="过重", deduction_id=case["deduction"], by=UNIT
    )
    (item,) = reviews.queue("open")["items"]
    assert (item["id"], item["subject"]) == (raised["id"], reviews.queries.subject_of(case["id"]))
    contested = item["deduction"]
    assert (contested["points"], contested["recorded_by"]) == ("2.00", "alice")
    assert contested["reason"]
    assert reviews.queue("open", subject="another unit")["items"] == []
    reviews.decide_dispute(case["id"], raised["id"], outcome="upheld", reason="维持", by=RITA)
    assert reviews.queue("open")["items"] == []
    assert [d["id"] for d in reviews.queue("decided")["items"]] == [raised["id"]]


def test_an_amendment_deducting_more_than_disputed_is_refused_unless_confirmed(
    service: EvaluationService, reviews: ReviewService, case: dict[str, str]
) -> None:
    """The reviewer who types the score they meant (6.90) where the points go is stopped."""
    raised = reviews.raise_dispute(
        case["id"], grounds="扣分过重", deduction_id=case["deduction"], by=UNIT
    )
    before = service.document(case["id"])["version"]
    with pytest.raises(DisputeRefused) as refused:
        reviews.decide_dispute(
            case["id"], raised["id"], outcome="amended", points="6.9", reason="改", by=RITA
        )
    assert (refused.value.values["score_before"], refused.value.values["score_after"]) == (
        "18.00",
        "13.10",
    )
    assert service.document(case["id"])["version"] == before, "nothing recorded"
    decided = reviews.decide_dispute(
        case["id"],
        raised["id"],
        outcome="amended",
        points="6.9",
        reason="复核发现更多问题，加扣并说明",
        confirm_worse=True,
        by=RITA,
    )
    assert leaf(decided["evaluation"], "1.1")["score"] == "13.10"


def test_an_amended_score_below_the_disputed_score_is_refused_unless_confirmed(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="偏低", indicator="2.1", by=UNIT)
    with pytest.raises(DisputeRefused):
        reviews.decide_dispute(
            case["id"], raised["id"], outcome="amended", points="5", reason="改", by=RITA
        )
    decided = reviews.decide_dispute(
        case["id"],
        raised["id"],
        outcome="amended",
        points="5",
        reason="改",
        by=RITA,
        confirm_worse=True,
    )
    assert leaf(decided["evaluation"], "2.1")["score"] == "5.00"


def test_an_amendment_in_the_disputing_partys_favour_needs_no_confirmation(
    reviews: ReviewService, case: dict[str, str]
) -> None:
    raised = reviews.raise_dispute(case["id"], grounds="偏低", indicator="2.1", by=UNIT)
    decided = reviews.decide_dispute(
        case["id"], raised["id"], outcome="amended", points="12", reason="补充", by=RITA
    )
    assert leaf(decided["evaluation"], "2.1")["score"] == "12.00"


def test_after_an_amendment_the_explanation_cites_the_version_that_set_the_points(
    service: EvaluationService, reviews: ReviewService, case: dict[str, str]
) -> None:
    from application.explanations import explain

    raised = reviews.raise_dispute(
        case["id"], grounds="过重", deduction_id=case["deduction"], by=UNIT
    )
    decided = reviews.decide_dispute(
        case["id"], raised["id"], outcome="amended", points="0.5", reason="部分成立", by=RITA
    )
    amended_at = decided["decision"]["version"] + 1  # the DeductionAmended after the decision
    steps = explain(service._get(case["id"]), "1.1")["steps"]
    cut = next(s for s in steps if s["kind"] == "deduction")
    assert (cut["value"], cut["version"]) == ("-0.5", amended_at)
    assert next(s for s in steps if s["kind"] == "sum")["version"] == amended_at
