"""The in-memory read model answers history filters, named bounds and zones as SQL does."""

from __future__ import annotations

from typing import Any

import pytest

from application.errors import VersionNotFound
from application.service import EvaluationService
from domain.errors import InvalidValue
from domain.evaluation import Actor
from tests.cases import small_case
from tests.fakes.memory import memory_review_service

REVIEWER = Actor(name="rita", role="reviewer", correlation_id="c-r")
UNIT = Actor(name="unit", role="subject", correlation_id="c-u")


def story(service: EvaluationService, actor: Actor) -> dict[str, Any]:
    """Two deductions (one withdrawn), submission, a dispute overturned."""
    evaluation_id = service.import_evaluation(small_case(), actor).id
    cut_id = service.record_deduction(
        evaluation_id, "1.1", points="1", reason="台账缺页", by=actor
    ).record["id"]
    extra_id = service.record_deduction(
        evaluation_id, "1.1", points="1", reason="重复", by=actor
    ).record["id"]
    service.withdraw_deduction(evaluation_id, extra_id, reason="与上一条重复", by=actor)
    service.submit(evaluation_id, by=REVIEWER)
    reviews = memory_review_service(service)
    raised = reviews.raise_dispute(evaluation_id, grounds="台账已补", deduction_id=cut_id, by=UNIT)
    reviews.decide_dispute(
        evaluation_id, raised["id"], outcome="overturned", reason="补充台账属实", by=REVIEWER
    )
    return {"id": evaluation_id, "dispute": raised["id"]}


def types(page: dict[str, Any]) -> list[str]:
    return [i["type"] for i in page["items"]]


def test_history_items_name_indicator_reason_and_dispute(
    service: EvaluationService, actor: Actor
) -> None:
    s = story(service, actor)
    withdrawals = service.history(s["id"], type="DeductionWithdrawn")["items"]
    assert [(i["indicator"], i["reason"], i["cause"]) for i in withdrawals] == [
        ("1.1", "与上一条重复", None),
        ("1.1", withdrawals[1]["reason"], s["dispute"]),
    ]
    assert "补充台账属实" in withdrawals[1]["reason"]


def test_history_filters_combine_in_memory(service: EvaluationService, actor: Actor) -> None:
    s = story(service, actor)
    assert types(service.history(s["id"], type=["DisputeRaised", "DisputeDecided"])) == [
        "DisputeRaised",
        "DisputeDecided",
    ]
    assert types(service.history(s["id"], actor="unit")) == ["DisputeRaised"]
    assert set(types(service.history(s["id"], cause=s["dispute"]))) == {
        "DisputeRaised",
        "DisputeDecided",
        "DeductionWithdrawn",
        "ScoreChanged",
    }
    after = service.history(s["id"], start="submission")
    assert types(after)[0] == "Submitted"
    assert {i["actor"] for i in after["items"]} == {"rita", "unit"}
    with pytest.raises(VersionNotFound) as never_finalized:  # not an empty page
        service.history(s["id"], start="finalization")
    assert never_finalized.value.values == {"moment": "finalization"}


def test_an_evaluations_own_zone_is_kept_and_an_unknown_one_refused(
    service: EvaluationService, actor: Actor
) -> None:
    header = small_case()["evaluation"]
    fields = {k: header[k] for k in ("title", "subject", "fiscal_year", "kind")}
    made = service.create_evaluation(**fields, by=actor, time_zone="Asia/Urumqi").document()
    assert made["time_zone"] == "Asia/Urumqi"
    assert service.queries.time_zone_of(made["id"]) == "Asia/Urumqi"
    with pytest.raises(InvalidValue):
        service.create_evaluation(**fields, by=actor, time_zone="Mars/Olympus")
