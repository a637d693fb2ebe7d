"""Target values and sign-offs through the services on the in-memory unit of work and read model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from application.self_evaluation import SelfEvaluationService
from application.service import EvaluationService
from domain.errors import NotPermitted, SignOffRefused
from domain.evaluation import Actor
from tests.fakes.memory import memory_review_service, memory_self_evaluation

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "county-water-supply-self-evaluation-2025.json"
)
ALICE = Actor("alice", "evaluator", "c1")
RITA = Actor("rita", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")
FRAMEWORK = [
    {"code": "1", "name": "产出指标", "weight": "100"},
    {
        "code": "1.1",
        "parent": "1",
        "name": "培训场次",
        "weight": "60",
        "method": "target",
        "target": "≥20场次",
    },
    {
        "code": "1.2",
        "parent": "1",
        "name": "单场成本",
        "weight": "40",
        "method": "target",
        "target": "≤8万元",
    },
]


@pytest.fixture
def forms(service: EvaluationService) -> SelfEvaluationService:
    return memory_self_evaluation(service)


@pytest.fixture
def evaluation_id(service: EvaluationService) -> str:
    created = service.create_evaluation(
        title="培训项目自评",
        subject="某局",
        fiscal_year=2025,
        kind="self-evaluation",
        required_sign_offs=["评价组组长"],
        by=ALICE,
    ).document()
    service.define_framework(str(created["id"]), FRAMEWORK, ALICE)
    return str(created["id"])


def leaf(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == code)


def test_the_example_imports_in_memory_with_its_targets_and_sign_offs(
    service: EvaluationService,
) -> None:
    spec = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document = service.import_evaluation(spec, ALICE, transcribe_sign_offs=True).document()
    assert (document["total"], document["grade"]) == (spec["expected"]["total"], "优")
    assert leaf(document, "1.1.2")["score"] == "9.43"
    assert leaf(document, "1.1.2")["target"]["final"] == "3.96"
    assert leaf(document, "1.1.2")["target"]["stages"]["final"]["actor"] == "alice"
    signed = [(s["capacity"], s["actor"], s["role"]) for s in document["sign_offs"]]
    # transcribed from paper: each capacity signed as its party, the loader named as typist
    assert signed == [
        ("评价组组长", "alice", "evaluator"),
        ("部门负责人", "alice（代录）", "subject"),
    ]
    assert document["required_sign_offs"] == spec["evaluation"]["required_sign_offs"]
    stored = service.document(str(document["id"]))
    assert stored == document == service.replayed_document(str(document["id"]))


def test_a_listing_leaves_the_sign_offs_to_the_document(
    service: EvaluationService, evaluation_id: str
) -> None:
    listed = service.list_evaluations({})["items"]
    assert [item["id"] for item in listed] == [evaluation_id]
    assert "sign_offs" not in listed[0] and "required_sign_offs" not in listed[0]


def test_a_value_recorded_after_a_sign_off_makes_it_stale_and_finalizing_waits(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str
) -> None:
    forms.record_target_value(evaluation_id, "1.1", stage="final", value="24", by=ALICE)
    signed = forms.sign_off(evaluation_id, capacity="评价组组长", opinion="属实", by=ALICE)
    assert (signed["status"], signed["head_digest"]) == ("current", None)
    assert forms.sign_offs(evaluation_id)["missing"] == []
    forms.record_target_value(evaluation_id, "1.2", stage="final", value="7.5", by=ALICE)
    listing = forms.sign_offs(evaluation_id)
    assert listing["items"][0]["status"] == "stale"
    assert [c["indicator"] for c in listing["items"][0]["changed_after"]] == ["1.2", "1.2"]
    assert listing["missing"] == ["评价组组长"]
    service.submit(evaluation_id, by=RITA)
    with pytest.raises(SignOffRefused) as refused:
        service.finalize(evaluation_id, by=RITA)
    assert "评价组组长" in refused.value.detail
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)


def test_whoever_recorded_a_target_value_may_not_decide_a_dispute_over_it(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str
) -> None:
    reviews = memory_review_service(service)
    forms.record_target_value(evaluation_id, "1.1", stage="final", value="24", by=RITA)
    forms.record_target_value(evaluation_id, "1.2", stage="final", value="7", by=ALICE)
    service.submit(evaluation_id, by=RITA)
    raised = reviews.raise_dispute(evaluation_id, grounds="场次统计有误", indicator="1.1", by=UNIT)
    with pytest.raises(NotPermitted) as refused:
        reviews.decide_dispute(
            evaluation_id, raised["id"], outcome="upheld", reason="核实", by=RITA
        )
    assert refused.value.values["actor"] == "rita"
    other = Actor("olga", "reviewer", "c4")
    decided = reviews.decide_dispute(
        evaluation_id, raised["id"], outcome="upheld", reason="核实", by=other
    )
    assert decided["decision"]["decided_by"] == "olga"
