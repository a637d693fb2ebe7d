"""What a write returns: new totals, indicators that moved, its record; the document on demand."""

from __future__ import annotations

import json
from typing import Any

import pytest

import application.aggregate_rows
from application.service import EvaluationService
from application.sheet_import import build
from application.written import moved_codes
from domain.evaluation import Actor
from tests.cases import mixed_case

ALICE = Actor(name="alice", role="evaluator", correlation_id="c")


@pytest.fixture
def evaluation_id(service: EvaluationService) -> str:
    return service.import_evaluation(mixed_case(), ALICE).id


def test_a_deduction_tells_its_record_and_the_leaf_and_ancestors_it_moved_as_the_document_does(
    service: EvaluationService, evaluation_id: str
) -> None:
    made = service.record_deduction(evaluation_id, "A1", points="0.5", reason="台账缺失", by=ALICE)
    document = service.document(evaluation_id)
    assert (made.record["indicator"], made.record["points"], made.record["status"]) == (
        "A1",
        "0.50",
        "active",
    )
    assert (made.id, made.version, made.total, made.grade, made.status) == tuple(
        document[k] for k in ("id", "version", "total", "grade", "status")
    )
    rows = {i["code"]: i for i in document["indicators"]}
    assert [i["code"] for i in made.moved_indicators()] == ["A", "A1"]  # tree order
    assert made.moved_indicators()[1] == rows["A1"]
    assert made.document() == document


def test_a_write_renders_no_withdrawn_deduction_until_its_whole_document_is_asked_for(
    service: EvaluationService, evaluation_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(30):
        gone = service.record_deduction(evaluation_id, "A1", points="0.01", reason="r", by=ALICE)
        service.withdraw_deduction(evaluation_id, gone.record["id"], reason="w", by=ALICE)
    rendered: list[Any] = []
    original = application.aggregate_rows.evidence_list

    def counted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rendered.append(items)
        return original(items)

    monkeypatch.setattr(application.aggregate_rows, "evidence_list", counted)
    made = service.record_deduction(evaluation_id, "A1", points="0.5", reason="r", by=ALICE)
    standing = sum(len(i["deductions"]) for i in made.view["indicators"])
    assert len(rendered) == standing  # the deductions that stand, for the sealed view
    document = made.document()
    assert len(rendered) == standing + standing + 30  # the whole document: every deduction
    assert document is made.document()  # rendered once
    listed = [d["status"] for i in document["indicators"] for d in i["deductions"]]
    assert listed.count("withdrawn") == 30
    # the same bytes, in the same key order, as the document rendered whole
    assert json.dumps(document) == json.dumps(service.document(evaluation_id))


def test_the_document_of_a_write_is_the_one_it_left_however_many_writes_came_after(
    service: EvaluationService, evaluation_id: str
) -> None:
    gone = service.record_deduction(evaluation_id, "A1", points="0.2", reason="r", by=ALICE)
    withdrawn = service.withdraw_deduction(evaluation_id, gone.record["id"], reason="w", by=ALICE)
    service.record_deduction(evaluation_id, "A1", points="0.5", reason="r", by=ALICE)
    document = withdrawn.document()
    assert document["version"] == withdrawn.version
    assert document == service.document(evaluation_id, version=withdrawn.version)


def test_only_the_domain_score_change_event_moves_indicators_not_a_class_sharing_its_name() -> None:
    evaluation = build(mixed_case(), {}, ALICE)
    rescored: list[Any] = [
        e for e in evaluation.pending_events if type(e).__name__ == "ScoreChanged"
    ]
    assert rescored
    expected = {e.code for e in rescored} | {p for e in rescored for p in e.parents}
    assert moved_codes(rescored) == expected

    class ScoreChanged:  # same name and fields, not the Evaluation's event
        code = "A1"
        parents = ("A",)

    assert moved_codes([ScoreChanged()]) == set()
