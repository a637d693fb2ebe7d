"""Rows with nothing recorded to score them: listed, the total provisional, submission refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from application.service import EvaluationService
from domain.errors import UnscoredLeaves
from domain.evaluation import Actor
from domain.targets.rules import TargetRules
from tests.fakes.memory import memory_review_service, memory_self_evaluation

ALICE = Actor("alice", "evaluator", "c1")
RITA = Actor("rita", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")
FRAMEWORK: list[dict[str, Any]] = [
    {"code": "1", "name": "产出指标", "weight": "60"},
    {
        "code": "1.1",
        "parent": "1",
        "name": "引进“双创”企业",
        "weight": "20",
        "method": "target",
        "target": "引进“双创”企业10家",
    },
    {"code": "1.2", "parent": "1", "name": "制度", "weight": "10", "method": "checklist",
     "items": [{"text": "制度健全", "points": "10"}]},
    {"code": "1.3", "parent": "1", "name": "执行率", "weight": "10", "method": "ratio",
     "numerator": "全年执行数", "denominator": "全年预算数"},
    {"code": "1.4", "parent": "1", "name": "管理", "weight": "10", "method": "manual"},
    {"code": "1.5", "parent": "1", "name": "合规", "weight": "10"},
    {"code": "2", "name": "满意度指标", "weight": "40"},
    {"code": "2.1", "parent": "2", "name": "满意度", "weight": "40", "method": "survey",
     "choices": [{"label": "满意", "weight": "10"}, {"label": "不满意", "weight": "0"}]},
]  # fmt: skip
ALL_BUT_DEDUCTION = ["1.1", "1.2", "1.3", "1.4", "2.1"]


def opened(service: EvaluationService, **extra: Any) -> str:
    created = service.create_evaluation(
        title="双创基地运营项目自评",
        subject="某区科技局",
        fiscal_year=2025,
        kind="self-evaluation",
        by=ALICE,
        **extra,
    ).document()
    service.define_framework(str(created["id"]), FRAMEWORK, ALICE)
    return str(created["id"])


def score_all_but(service: EvaluationService, evaluation_id: str, left: set[str]) -> None:
    forms = memory_self_evaluation(service)
    if "1.1" not in left:
        forms.record_target_value(evaluation_id, "1.1", stage="final", value="12", by=ALICE)
    if "1.2" not in left:
        service.assess_checklist(evaluation_id, "1.2", met=[True], justification="抽查", by=ALICE)
    if "1.3" not in left:
        for key, value in (("全年预算数", "100"), ("全年执行数", "95")):
            service.record_data_entry(evaluation_id, key=key, value=value, by=ALICE)
    if "1.4" not in left:
        service.record_score(evaluation_id, "1.4", score="8", justification="较好", by=ALICE)
    if "2.1" not in left:
        service.record_survey(evaluation_id, "2.1", tallies=[[9, 1]], by=ALICE)


def test_every_leaf_without_a_record_is_listed_and_the_total_is_provisional(
    service: EvaluationService,
) -> None:
    evaluation_id = opened(service)
    document = service.document(evaluation_id)
    # a deduction leaf is always scored: its weight less its deductions
    assert document["unscored"] == ALL_BUT_DEDUCTION
    assert (document["provisional"], document["total"]) == (True, "10.00")
    score_all_but(service, evaluation_id, {"1.4"})
    document = service.document(evaluation_id)
    assert (document["unscored"], document["provisional"]) == (["1.4"], True)
    assert document == service.replayed_document(evaluation_id)


def test_submission_is_refused_naming_every_unscored_leaf(service: EvaluationService) -> None:
    evaluation_id = opened(service)
    before = service.document(evaluation_id)["version"]
    with pytest.raises(UnscoredLeaves) as refused:
        service.submit(evaluation_id, by=RITA)
    assert refused.value.values["unscored"] == ALL_BUT_DEDUCTION
    assert "1.1, 1.2, 1.3, 1.4, 2.1" in refused.value.detail
    assert service.document(evaluation_id)["version"] == before


def test_finalization_is_refused_when_an_overturned_override_leaves_a_leaf_unscored(
    service: EvaluationService,
) -> None:
    evaluation_id = opened(service)
    score_all_but(service, evaluation_id, {"1.1"})
    # an override scores the target leaf, so submission passes
    service.record_score(evaluation_id, "1.1", score="18", justification="按台账", by=ALICE)
    service.submit(evaluation_id, by=RITA)
    reviews = memory_review_service(service)
    raised = reviews.raise_dispute(evaluation_id, grounds="无完成值", indicator="1.1", by=UNIT)
    reviews.decide_dispute(
        evaluation_id, raised["id"], outcome="overturned", reason="撤销调整", by=RITA
    )
    assert service.document(evaluation_id)["unscored"] == ["1.1"]
    with pytest.raises(UnscoredLeaves) as refused:
        service.finalize(evaluation_id, by=RITA)
    assert refused.value.values == {"step": "finalization", "unscored": ["1.1"]}
    assert service.document(evaluation_id)["status"] == "submitted"


def test_a_scored_evaluation_submits_and_finalizes(service: EvaluationService) -> None:
    evaluation_id = opened(service)
    score_all_but(service, evaluation_id, set())
    service.submit(evaluation_id, by=RITA)
    assert service.finalize(evaluation_id, by=RITA).document()["status"] == "finalized"


def test_a_name_sharing_its_number_with_the_target_scores_full_when_beaten(
    service: EvaluationService,
) -> None:
    evaluation_id = opened(service)
    forms = memory_self_evaluation(service)
    document = forms.record_target_value(evaluation_id, "1.1", stage="final", value="12", by=ALICE)
    leaf = next(i for i in document["indicators"] if i["code"] == "1.1")
    assert (leaf["score"], leaf["target"]["met"]) == ("20.00", True)
    target = leaf["target"]
    assert (target["comparator"], target["value"], target["unit"], target["text"]) == (
        ">=",
        "10",
        "家",
        "引进“双创”企业10家",
    )
    assert target["read_from_text"] is True
    assert target["deviation_reason"] is None


def test_the_regional_rule_is_recorded_at_opening_and_replayed_the_same(
    service: EvaluationService,
) -> None:
    rules = {"bare_number": "=", "bands": {"achieved": ["0.9", "1"]}}
    evaluation_id = opened(service, target_rules=rules)
    created = service.store.events.get(UUID(evaluation_id), lte=1)
    recorded = next(iter(created)).target_rules  # type: ignore[attr-defined]
    expected = TargetRules.from_data(rules).as_data()
    assert recorded == expected
    assert recorded["bare_number"] == "=" and recorded["bands"]["achieved"] == ["0.9", "1"]
    document = service.document(evaluation_id)
    assert document["target_rules"] == expected
    leaf = next(i for i in document["indicators"] if i["code"] == "1.1")
    assert leaf["target"]["comparator"] == "="
    assert document == service.replayed_document(evaluation_id)


def test_an_evaluation_opened_without_rules_records_none_and_reads_nationally(
    service: EvaluationService,
) -> None:
    evaluation_id = opened(service)
    created = next(iter(service.store.events.get(UUID(evaluation_id), lte=1)))
    assert getattr(created, "target_rules", None) is None  # nothing recorded: national
    assert service.document(evaluation_id)["target_rules"] == TargetRules().as_data()
