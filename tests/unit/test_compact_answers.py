"""A write's compact answer: its own fields, the new totals and the indicators that moved."""

from __future__ import annotations

from typing import Any

import pytest

import application.documents
from application.answers import moved_codes
from application.service import EvaluationService
from application.sheet_import import build
from domain.evaluation import Actor
from tests.cases import mixed_case

ALICE = Actor(name="alice", role="evaluator", correlation_id="c")


@pytest.fixture
def evaluation_id(service: EvaluationService) -> str:
    return str(service.import_evaluation(mixed_case(), ALICE)["id"])


def test_a_compact_deduction_answer_lists_the_leaf_and_its_ancestors_as_the_document_does(
    service: EvaluationService, evaluation_id: str
) -> None:
    made = service.record_deduction(
        evaluation_id, "A1", points="0.5", reason="台账缺失", by=ALICE, answer="changes"
    )
    document = service.document(evaluation_id)
    assert (made["indicator"], made["points"], made["status"]) == ("A1", "0.50", "active")
    evaluation = made["evaluation"]
    assert {k: evaluation[k] for k in ("id", "version", "total", "grade", "status")} == {
        k: document[k] for k in ("id", "version", "total", "grade", "status")
    }
    rows = {i["code"]: i for i in document["indicators"]}
    assert [c["code"] for c in evaluation["changed"]] == ["A", "A1"]  # tree order
    assert evaluation["changed"][1] == {
        "code": "A1",
        "score": "8.00",
        "rate": rows["A1"]["rate"],
        "rule_score": rows["A1"]["rule_score"],
        "overridden": False,
    }


def test_an_unknown_answer_is_refused_before_anything_is_recorded(
    service: EvaluationService, evaluation_id: str
) -> None:
    version = service.document(evaluation_id)["version"]
    with pytest.raises(ValueError, match="answer must be one of"):
        service.record_deduction(
            evaluation_id, "A1", points="0.5", reason="r", by=ALICE, answer="everything"
        )
    assert service.document(evaluation_id)["version"] == version


def test_a_compact_answer_renders_no_withdrawn_deduction_however_many_there_are(
    service: EvaluationService, evaluation_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(30):
        gone = service.record_deduction(evaluation_id, "A1", points="0.01", reason="r", by=ALICE)
        service.withdraw_deduction(evaluation_id, gone["id"], reason="w", by=ALICE)
    rendered: list[Any] = []
    original = application.documents.deduction_item

    def counted(d: Any) -> dict[str, Any]:
        rendered.append(d.status)
        return original(d)

    monkeypatch.setattr(application.documents, "deduction_item", counted)
    service.record_deduction(evaluation_id, "A1", points="0.5", reason="r", by=ALICE)
    assert rendered.count("withdrawn") == 30  # the whole document lists them all
    rendered.clear()
    service.record_deduction(
        evaluation_id, "A1", points="0.5", reason="r", by=ALICE, answer="changes"
    )
    assert "withdrawn" not in rendered and rendered  # only the deductions that stand


def test_only_the_domain_score_change_event_moves_indicators_not_a_class_sharing_its_name() -> None:
    evaluation = build(mixed_case(), {}, ALICE)
    rescored = [e for e in evaluation.pending_events if type(e).__name__ == "ScoreChanged"]
    assert rescored
    expected = {e.code for e in rescored} | {p for e in rescored for p in e.parents}
    assert moved_codes(rescored) == expected

    class ScoreChanged:  # same name and fields, not the Evaluation's event
        code = "A1"
        parents = ("A",)

    assert moved_codes([ScoreChanged()]) == set()
