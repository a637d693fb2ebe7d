"""Snapshots and stored score sheets are sealed: an edit is refused, flagged and located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from adapters import tables
from adapters.bootstrap import build_audit, build_service
from adapters.snapshot_seals import SealedSnapshotRecorder
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case
from web.cli import main

SECRET = "sealed-stores-secret"


def snapshots_of(service: EvaluationService) -> SealedSnapshotRecorder:
    assert service.store.snapshots is not None
    found = service.store.snapshots.recorder
    assert isinstance(found, SealedSnapshotRecorder)
    return found


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/store.sqlite3"


@pytest.fixture
def long_case(url: str, actor: Actor) -> str:
    """An evaluation long enough to have a snapshot, its last deductions after it."""
    service = build_service(url, SECRET)
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    while service.document(evaluation_id)["version"] < 60:
        made = service.record_deduction(
            evaluation_id, "A1", points="0.01", reason="抽查", by=actor
        ).record
        service.withdraw_deduction(evaluation_id, made["id"], reason="复核撤回", by=actor)
    assert snapshots_of(service).select_events(UUID(evaluation_id)), "no snapshot was taken"
    return evaluation_id


def tamper_snapshot(service: EvaluationService, evaluation_id: str) -> int:
    """Rewrite the stored snapshot so that A1's 1.5-point deduction took 0; returns its version."""
    recorder = snapshots_of(service)
    table = recorder.events_record_cls.__table__
    with recorder.transaction(commit=True) as session:
        row = session.execute(
            select(table).where(table.c.originator_id == UUID(evaluation_id))
        ).one()
        state = bytes(row.state)
        assert state.count(b'"1.5"') == 1
        edited = state.replace(b'"1.5"', b'"0"')
        session.execute(
            update(table)
            .where(table.c.originator_id == row.originator_id)
            .where(table.c.originator_version == row.originator_version)
            .values(state=edited)
        )
    return int(row.originator_version)


def test_an_edited_snapshot_is_refused_and_the_next_command_scores_from_the_events(
    url: str, long_case: str, actor: Actor
) -> None:
    service = build_service(url, SECRET)  # a fresh process: nothing cached
    version = tamper_snapshot(service, long_case)
    service.record_deduction(long_case, "A1", points="1", reason="档案不全", by=actor)
    document = service.document(long_case)
    a1 = next(i for i in document["indicators"] if i["code"] == "A1")
    assert a1["score"] == "7.50"  # 10 - 1.5 - 1: the edited snapshot would give 9.00
    assert document == service.replayed_document(long_case)
    verdict = build_audit(service).verification(long_case)
    assert verdict["ok"] is False
    assert verdict["snapshots"]["refused"][0]["version"] == version
    assert f"snapshot at version {version}" in verdict["problem"]


def test_a_snapshot_whose_seal_was_deleted_is_not_loaded(
    url: str, long_case: str, actor: Actor
) -> None:
    service = build_service(url, SECRET)
    recorder = snapshots_of(service)
    with recorder.transaction(commit=True) as session:
        session.execute(recorder.seals.delete())
    assert recorder.select_events(UUID(long_case), desc=True, limit=1) == []
    checks = build_audit(service).verification(long_case)["snapshots"]
    assert checks["checked"] >= 1 and checks["refused"][0]["problem"] == "the snapshot has no seal"


def test_sound_snapshots_pass_verification(url: str, long_case: str) -> None:
    verdict = build_audit(build_service(url, SECRET)).verification(long_case)
    assert verdict["ok"] is True, verdict
    assert verdict["snapshots"]["checked"] >= 1 and verdict["snapshots"]["refused"] == []
    assert verdict["read_model"] == {"ok": True, "problem": None, "first_bad_row": None}


def edit_sheet(service: EvaluationService, evaluation_id: str, **values: Any) -> None:
    with service.store.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        session.execute(
            update(tables.indicators)
            .where(tables.indicators.c.evaluation_id == evaluation_id)
            .where(tables.indicators.c.code == "A1")
            .values(**values)
        )


def test_an_edited_score_sheet_row_is_flagged_to_every_reader_and_not_served(
    service: EvaluationService, actor: Actor
) -> None:
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    edit_sheet(service, evaluation_id, score="10.00")
    document = service.document(evaluation_id)
    assert "does not match its seal" in document["integrity_problem"]
    assert next(i for i in document["indicators"] if i["code"] == "A1")["score"] == "8.50"
    verdict = build_audit(service).verification(evaluation_id)
    assert verdict["ok"] is False and verdict["read_model"]["ok"] is False
    assert "does not match its seal" in verdict["problem"]


def test_an_unedited_score_sheet_carries_no_integrity_problem(
    service: EvaluationService, actor: Actor
) -> None:
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    service.record_deduction(evaluation_id, "A1", points="0.5", reason="台账缺失", by=actor)
    assert "integrity_problem" not in service.document(evaluation_id)


def test_the_audit_packet_carries_the_snapshots_and_the_offline_verifier_checks_them(
    url: str, long_case: str, tmp_path: Path
) -> None:
    packet = tmp_path / "out" / "packet.json"
    runner = CliRunner()
    args = ["export-audit", long_case, str(packet), "--database-url", url]
    assert runner.invoke(main, args, env={"SCORETRAIL_SECRET": SECRET}).exit_code == 0
    from tests.integration.test_audit_packet import verify

    assert "snapshots: ok" in verify(packet, SECRET).stdout
    data = json.loads(packet.read_text(encoding="utf-8"))
    assert data["snapshots"]["items"]
    data["snapshots"]["items"][0]["seal"] = "0" * 64
    packet.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = verify(packet, SECRET)
    assert result.returncode == 1 and "does not match its seal" in result.stdout


def test_an_edited_active_deduction_is_flagged_in_both_deduction_views(
    service: EvaluationService, actor: Actor
) -> None:
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    made = service.record_deduction(
        evaluation_id, "A1", points="0.5", reason="台账缺失", by=actor
    ).record
    gone = service.record_deduction(
        evaluation_id, "A1", points="0.2", reason="抽查", by=actor
    ).record
    service.withdraw_deduction(evaluation_id, gone["id"], reason="复核撤回", by=actor)
    for view in ("active", "all"):
        assert "integrity_problem" not in service.document(evaluation_id, deductions=view)
    with service.store.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        session.execute(
            update(tables.deductions)
            .where(tables.deductions.c.id == made["id"])
            .values(reason="改过的理由")
        )
    for view in ("active", "all"):
        document = service.document(evaluation_id, deductions=view)
        assert "does not match its seal" in document["integrity_problem"]
        listed = [d["reason"] for i in document["indicators"] for d in i["deductions"]]
        assert "改过的理由" not in listed and "台账缺失" in listed  # served from the events


def test_an_edited_withdrawn_deduction_is_found_by_verification(
    service: EvaluationService, actor: Actor
) -> None:
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    gone = service.record_deduction(
        evaluation_id, "A1", points="0.2", reason="抽查", by=actor
    ).record
    service.withdraw_deduction(evaluation_id, gone["id"], reason="复核撤回", by=actor)
    assert build_audit(service).verification(evaluation_id)["read_model"]["ok"] is True
    with service.store.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        session.execute(
            update(tables.deductions)
            .where(tables.deductions.c.id == gone["id"])
            .values(reason="改过的理由")
        )
    verdict = build_audit(service).verification(evaluation_id)
    assert verdict["ok"] is False and verdict["read_model"]["ok"] is False
