"""The seal written with each command covers exactly the document a later read recomputes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from adapters import projection, tables
from adapters.assembly import assemble
from adapters.bootstrap import build_self_evaluation, build_service
from adapters.document_seals import withdrawn_rows
from adapters.projection import SqlProjection
from application.seals import document_seal
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case
from tests.conftest import EXAMPLES
from tests.integration.conftest import dispose

SECRET = "write-path-seal-secret"
LEAD = Actor("王组长", "evaluator", "c-1")


@pytest.fixture
def sealed(store_url: str) -> Iterator[EvaluationService]:
    service = build_service(store_url, SECRET)
    yield service
    dispose(service)


@pytest.fixture
def reads_back(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The evaluations whose documents were assembled from the rows, in order."""
    calls: list[str] = []

    def counted(session: Any, evaluation_id: str, everything: bool = False) -> Any:
        calls.append(evaluation_id)
        return assemble(session, evaluation_id, everything)

    monkeypatch.setattr(projection, "assemble", counted)
    return calls


def stored_seal_and_recomputed(service: EvaluationService, evaluation_id: str) -> tuple[str, str]:
    """The seal the write left, and the seal over the document the rows give now."""
    projection = service.projection
    assert isinstance(projection, SqlProjection) and projection.key is not None
    with projection.datastore.transaction(commit=False) as session:
        stored = session.execute(
            select(tables.document_seals.c.seal).where(
                tables.document_seals.c.evaluation_id == evaluation_id
            )
        ).scalar_one()
        document = assemble(session, evaluation_id)
        withdrawn = withdrawn_rows(session, evaluation_id)
    assert document is not None
    return stored, document_seal(projection.key, evaluation_id, document, withdrawn)


def check_written_seal(
    service: EvaluationService, reads_back: list[str], write: Callable[[], Any]
) -> str:
    """Run one write: it must not read its document back, and its seal must verify on read."""
    reads_back.clear()
    result = write()
    assert reads_back == [], "the write path read its document back from the rows"
    document = result.get("evaluation", result)
    stored, recomputed = stored_seal_and_recomputed(service, document["id"])
    assert stored == recomputed
    assert "integrity_problem" not in service.document(document["id"])
    return str(document["id"])


def test_seal_written_by_each_kind_of_leaf_verifies_on_read(
    sealed: EvaluationService, reads_back: list[str], actor: Actor
) -> None:
    # deduction, checklist, ratio, survey and manual leaves, each scored once
    evaluation_id = check_written_seal(
        sealed, reads_back, lambda: sealed.import_evaluation(mixed_case(), actor).document()
    )
    writes: list[Callable[[], Any]] = [
        lambda: sealed.record_deduction(
            evaluation_id,
            "A1",
            points="0.75",
            reason="抽查发现",
            evidence=[{"title": "检查记录", "locator": "第3页"}],
            by=actor,
        ).document(),
        lambda: sealed.assess_checklist(
            evaluation_id, "A2", met=[False, True], justification="复核", by=actor
        ).document(),
        lambda: sealed.record_data_entry(
            evaluation_id,
            key="实际支出",
            value="180.5",
            unit="万元",
            source="决算",
            reason="决算调整",
            by=actor,
        ).document(),
        lambda: sealed.record_survey(
            evaluation_id, "B1", tallies=[[3, 1, 1, 0, 1]], by=actor
        ).document(),
        lambda: sealed.record_score(
            evaluation_id, "B2", score="33.5", justification="复评", by=actor
        ).document(),
    ]
    for write in writes:
        check_written_seal(sealed, reads_back, write)
    cut = sealed.record_deduction(evaluation_id, "A1", points="1", reason="再查", by=actor).record
    check_written_seal(
        sealed,
        reads_back,
        lambda: sealed.withdraw_deduction(
            evaluation_id, cut["id"], reason="撤回", by=actor
        ).document(),
    )
    for write in (
        lambda: sealed.submit(evaluation_id, by=actor).document(),
        lambda: sealed.finalize(evaluation_id, by=actor).document(),
        lambda: sealed.reopen(evaluation_id, reason="补充材料", by=actor).document(),
    ):
        check_written_seal(sealed, reads_back, write)

    # after a rebuild the seals come from the rows again, and still verify
    sealed.rebuild_read_models()
    stored, recomputed = stored_seal_and_recomputed(sealed, evaluation_id)
    assert stored == recomputed


def test_seal_written_for_targets_and_sign_offs_verifies_on_read(
    sealed: EvaluationService, reads_back: list[str], actor: Actor
) -> None:
    case = json.loads((EXAMPLES / "county-water-supply-self-evaluation-2025.json").read_text())
    evaluation_id = check_written_seal(
        sealed,
        reads_back,
        lambda: sealed.import_evaluation(case, actor, transcribe_sign_offs=True).document(),
    )
    signing = build_self_evaluation(sealed)
    check_written_seal(
        sealed,
        reads_back,
        lambda: signing.sign_off(evaluation_id, capacity="评价组组长", opinion="无误", by=LEAD),
    )
    values: list[tuple[str, dict[str, Any]]] = [
        ("1.1.1", {"value": "18", "evidence": [{"title": "验收单"}]}),  # met
        ("3.1", {"value": "88.5", "deviation_reason": "样本偏少", "improvement": "扩大样本"}),
        (
            "2.2.1",
            {
                "outcome": "partial",
                "score": "7",
                "justification": "机制基本健全",
                "deviation_reason": "部分村未落实",
                "improvement": "逐村督导",
            },
        ),
        ("3.1", {"value": "91.2"}),  # a correction of a correction
    ]
    for code, given in values:
        check_written_seal(
            sealed,
            reads_back,
            lambda code=code, given=given: signing.record_target_value(
                evaluation_id, code, stage="final", reason="复核", by=actor, **given
            ),
        )
    document = sealed.document(evaluation_id)
    scored = {i["code"]: i["score"] for i in document["indicators"] if "target" in i}
    assert scored["1.1.1"] == "10.00" and scored["2.2.1"] == "7.00"
    sealed.rebuild_read_models()
    stored, recomputed = stored_seal_and_recomputed(sealed, evaluation_id)
    assert stored == recomputed
