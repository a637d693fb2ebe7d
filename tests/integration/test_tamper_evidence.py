"""Rewrites of stored event records made through SQL are detected and located."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import delete, func, insert, select, update

from adapters.bootstrap import build_audit
from adapters.integrity import ChainedRecorder
from application.audit import AuditService
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case


@pytest.fixture
def audit(service: EvaluationService) -> AuditService:
    return build_audit(service)


def recorder(service: EvaluationService) -> ChainedRecorder:
    found = service.store.recorder
    assert isinstance(found, ChainedRecorder)
    return found


def record(service: EvaluationService, evaluation_id: str, version: int) -> Any:
    table = recorder(service).events_record_cls.__table__
    with recorder(service).transaction(commit=False) as session:
        return session.execute(
            select(table).where(
                table.c.originator_id == UUID(evaluation_id), table.c.originator_version == version
            )
        ).one()


def run_sql(service: EvaluationService, *statements: Any) -> None:
    with recorder(service).transaction(commit=True) as session:
        for statement in statements:
            session.execute(statement)


def counts(service: EvaluationService) -> tuple[int, int]:
    rec = recorder(service)
    events = rec.events_record_cls.__table__
    with rec.transaction(commit=False) as session:
        stored = session.execute(select(func.count()).select_from(events)).scalar()
        sealed = session.execute(select(func.count()).select_from(rec.digests)).scalar()
    return int(stored or 0), int(sealed or 0)


@pytest.fixture
def recorded(service: EvaluationService, actor: Actor) -> str:
    """An imported evaluation, then two more commands saved separately (chained across saves)."""
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    service.record_deduction(evaluation_id, "A1", points="0.5", reason="台账缺失", by=actor)
    service.submit(evaluation_id, by=actor)
    return evaluation_id


def test_every_stored_record_gets_a_digest_in_the_same_save(
    service: EvaluationService, audit: AuditService, recorded: str
) -> None:
    stored, sealed = counts(service)
    assert stored == sealed > 20
    verdict = audit.verification(recorded)
    assert verdict["ok"] is True
    assert verdict["events_checked"] == verdict["head_version"] == stored


def test_a_failed_unit_of_work_leaves_neither_events_nor_digests(
    service: EvaluationService,
    audit: AuditService,
    recorded: str,
    actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = counts(service)

    def broken_projection(batch: Any, documents: Any = None) -> None:
        raise RuntimeError("read model unavailable")

    monkeypatch.setattr(service.projection, "project", broken_projection)
    with pytest.raises(RuntimeError):
        service.record_deduction(recorded, "A1", points="1", reason="x", by=actor)
    assert counts(service) == before
    assert audit.verification(recorded)["ok"] is True


def test_a_changed_payload_is_detected_at_its_version(
    service: EvaluationService, audit: AuditService, recorded: str
) -> None:
    row = record(service, recorded, 7)
    table = recorder(service).events_record_cls.__table__
    run_sql(
        service,
        update(table)
        .where(table.c.id == row.id)
        .values(state=bytes(row.state).replace(b'"alice"', b'"mallory"')),
    )
    verdict = audit.verification(recorded)
    assert verdict["ok"] is False
    assert verdict["first_bad_version"] == 7
    assert verdict["head_version"] == 6
    assert "does not match its digest" in verdict["problem"]


def test_a_deleted_record_is_detected_at_its_version(
    service: EvaluationService, audit: AuditService, recorded: str
) -> None:
    table = recorder(service).events_record_cls.__table__
    run_sql(service, delete(table).where(table.c.id == record(service, recorded, 5).id))
    verdict = audit.verification(recorded)
    assert (verdict["ok"], verdict["first_bad_version"]) == (False, 5)
    assert "missing" in verdict["problem"]


def test_two_records_swapped_are_detected_at_the_earlier_version(
    service: EvaluationService, audit: AuditService, recorded: str
) -> None:
    table = recorder(service).events_record_cls.__table__
    four, nine = record(service, recorded, 4).id, record(service, recorded, 9).id
    run_sql(
        service,
        update(table).where(table.c.id == four).values(originator_version=-1),
        update(table).where(table.c.id == nine).values(originator_version=4),
        update(table).where(table.c.id == four).values(originator_version=9),
    )
    verdict = audit.verification(recorded)
    assert (verdict["ok"], verdict["first_bad_version"]) == (False, 4)


def test_an_event_copied_from_another_evaluation_is_detected(
    service: EvaluationService, audit: AuditService, recorded: str, actor: Actor
) -> None:
    other = str(service.import_evaluation(mixed_case(), actor).id)
    rec = recorder(service)
    table = rec.events_record_cls.__table__
    head = audit.verification(recorded)["head_version"]
    source = record(service, other, 5)  # a genuine record, with its genuine digest
    sealed = rec.digests
    with rec.transaction(commit=False) as session:
        digest = session.execute(
            select(sealed.c.digest).where(
                sealed.c.originator_id == other, sealed.c.originator_version == 5
            )
        ).scalar()
    run_sql(
        service,
        insert(table).values(
            originator_id=UUID(recorded),
            originator_version=head + 1,
            topic=source.topic,
            state=source.state,
        ),
        insert(sealed).values(originator_id=recorded, originator_version=head + 1, digest=digest),
    )
    verdict = audit.verification(recorded)
    assert (verdict["ok"], verdict["first_bad_version"]) == (False, head + 1)
    assert verdict["head_version"] == head
    assert audit.verification(other)["ok"] is True


def test_a_record_replaced_by_another_evaluations_record_is_detected(
    service: EvaluationService, audit: AuditService, recorded: str, actor: Actor
) -> None:
    other = str(service.import_evaluation(mixed_case(), actor).id)
    table = recorder(service).events_record_cls.__table__
    source = record(service, other, 2)
    run_sql(
        service,
        update(table)
        .where(table.c.id == record(service, recorded, 2).id)
        .values(topic=source.topic, state=source.state),
    )
    assert audit.verification(recorded)["first_bad_version"] == 2


def test_truncating_the_history_with_its_digests_fails_the_proof_of_an_earlier_head(
    service: EvaluationService, audit: AuditService, recorded: str
) -> None:
    taken = audit.verification(recorded)
    rec = recorder(service)
    table = rec.events_record_cls.__table__
    last = taken["head_version"]
    run_sql(
        service,
        delete(table).where(table.c.id == record(service, recorded, last).id),
        delete(rec.digests).where(
            rec.digests.c.originator_id == recorded, rec.digests.c.originator_version == last
        ),
    )
    shorter = audit.verification(recorded)
    # the chain alone is internally consistent, but shorter; the sealed score sheet is not
    assert shorter.get("first_bad_version") is None and shorter["head_version"] == last - 1
    assert shorter["ok"] is False and "ends at version" in shorter["read_model"]["problem"]
    proof = audit.prove(recorded, digest=taken["head_digest"], version=last)
    assert proof["ok"] is False
    earlier = audit.prove(
        recorded, digest=audit.verification(recorded)["head_digest"], version=last - 1
    )
    assert earlier["ok"] is True
