"""The current document is sent as the projection stored it, sealed; an edit is never sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from adapters import tables
from adapters.bootstrap import build_audit, build_service
from adapters.document_seals import text_version
from application.ports import StoredDocument
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case
from tests.integration.conftest import dispose

SECRET = "stored-documents-secret"


@pytest.fixture
def sealed(store_url: str) -> Iterator[EvaluationService]:
    built = build_service(store_url, SECRET)
    yield built
    dispose(built)


def opened(service: EvaluationService, actor: Actor, withdrawn: int = 0) -> str:
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    service.record_deduction(evaluation_id, "A1", points="0.5", reason="台账缺失", by=actor)
    for _ in range(withdrawn):
        gone = service.record_deduction(
            evaluation_id, "A1", points="0.2", reason="抽查", by=actor
        ).record
        service.withdraw_deduction(evaluation_id, gone["id"], reason="复核撤回", by=actor)
    return evaluation_id


def edit_stored(service: EvaluationService, evaluation_id: str, **values: Any) -> None:
    with service.store.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        session.execute(
            update(tables.document_seals)
            .where(tables.document_seals.c.evaluation_id == evaluation_id)
            .values(**values)
        )


def stored_text(service: EvaluationService, evaluation_id: str) -> str:
    found = service.current_document(evaluation_id, "active")
    assert isinstance(found, StoredDocument)
    return found.text


def test_without_withdrawals_the_stored_text_is_the_document_the_events_give(
    sealed: EvaluationService, actor: Actor
) -> None:
    evaluation_id = opened(sealed, actor)
    for view in ("all", "active"):
        found = sealed.current_document(evaluation_id, view)
        assert isinstance(found, StoredDocument) and found.problem is None
        assert json.loads(found.text) == sealed.replayed_document(evaluation_id, view)
        assert found.version == json.loads(found.text)["version"] == text_version(found.text)


def test_with_withdrawals_all_deductions_are_assembled_and_the_active_view_is_stored(
    sealed: EvaluationService, actor: Actor
) -> None:
    evaluation_id = opened(sealed, actor, withdrawn=2)
    everything = sealed.current_document(evaluation_id, "all")
    assert isinstance(everything, dict) and "integrity_problem" not in everything
    assert everything == sealed.replayed_document(evaluation_id, "all")
    statuses = [d["status"] for i in everything["indicators"] for d in i["deductions"]]
    assert statuses.count("withdrawn") == 2
    standing = sealed.current_document(evaluation_id, "active")
    assert isinstance(standing, StoredDocument)
    assert json.loads(standing.text) == sealed.replayed_document(evaluation_id, "active")


def test_an_edited_stored_text_is_never_sent_and_every_reader_is_told(
    sealed: EvaluationService, actor: Actor
) -> None:
    evaluation_id = opened(sealed, actor)
    text = stored_text(sealed, evaluation_id)
    assert text.count('"score":"8.00"') == 1  # A1: 10 - 1.5 - 0.5
    edit_stored(sealed, evaluation_id, text=text.replace('"score":"8.00"', '"score":"10.00"'))
    for view in ("all", "active"):
        found = sealed.current_document(evaluation_id, view)
        assert isinstance(found, dict)
        assert "does not match its seal" in found["integrity_problem"]
        assert {k: v for k, v in found.items() if k != "integrity_problem"} == (
            sealed.replayed_document(evaluation_id, view)
        )


def test_verification_finds_an_edited_stored_text(sealed: EvaluationService, actor: Actor) -> None:
    evaluation_id = opened(sealed, actor)
    assert build_audit(sealed).verification(evaluation_id)["read_model"]["ok"] is True
    text = stored_text(sealed, evaluation_id)
    edit_stored(sealed, evaluation_id, text=text.replace('"score":"8.00"', '"score":"10.00"'))
    verdict = build_audit(sealed).verification(evaluation_id)
    assert verdict["ok"] is False and "does not match its seal" in verdict["read_model"]["problem"]


def test_a_withdrawn_count_set_to_zero_does_not_pass_the_active_view_off_as_all(
    sealed: EvaluationService, actor: Actor
) -> None:
    evaluation_id = opened(sealed, actor, withdrawn=1)
    edit_stored(sealed, evaluation_id, withdrawn=0)
    found = sealed.current_document(evaluation_id, "all")
    assert isinstance(found, dict) and "does not match its seal" in found["integrity_problem"]
    assert "抽查" in [d["reason"] for i in found["indicators"] for d in i["deductions"]]
    # assembled from the rows, the count comes from them too: what is served is what stands
    assert sealed.document(evaluation_id) == sealed.replayed_document(evaluation_id)


def test_a_stored_version_that_disagrees_with_the_text_or_the_chain_is_flagged(
    sealed: EvaluationService, actor: Actor
) -> None:
    evaluation_id = opened(sealed, actor)
    version = json.loads(stored_text(sealed, evaluation_id))["version"]
    edit_stored(sealed, evaluation_id, version=version + 1)
    found = sealed.current_document(evaluation_id)
    assert isinstance(found, dict) and "does not match its seal" in found["integrity_problem"]


def test_a_rebuild_stores_the_same_text_and_seal_as_the_commands_did(
    sealed: EvaluationService, actor: Actor
) -> None:
    evaluation_id = opened(sealed, actor, withdrawn=2)
    before = stored_text(sealed, evaluation_id)
    sealed.rebuild_read_models()
    assert stored_text(sealed, evaluation_id) == before
    assert "integrity_problem" not in sealed.document(evaluation_id)


def test_an_unknown_evaluation_has_no_stored_document(sealed: EvaluationService) -> None:
    assert sealed.queries.stored_document("00000000-0000-4000-8000-000000000000") is None


def test_the_version_is_read_off_the_end_of_the_text_or_parsed_when_keys_follow_it() -> None:
    assert text_version('{"a":{"version":3},"version":12}') == 12
    assert text_version('{"version":12,"zone":"x"}') == 12
    assert text_version('{"indicators":[]}') is None
