"""Evaluations stored by the first shape of the aggregate (events and snapshots) still load."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from adapters.bootstrap import build_review_service, build_service
from adapters.snapshot_seals import SealedSnapshotRecorder
from application.documents import evaluation_document
from application.service import EvaluationService
from domain.evaluation import Actor, Evaluation

DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED = json.loads((DATA / "legacy-store.expected.json").read_text(encoding="utf-8"))
EVALUATION_ID = EXPECTED["document"]["id"]
ANNA = Actor("anna", "evaluator", "c-9")


@pytest.fixture()
def service(tmp_path: Path) -> EvaluationService:
    copy = tmp_path / "legacy.sqlite"
    shutil.copyfile(DATA / "legacy-store.sqlite", copy)
    return build_service(f"sqlite:///{copy}")


def from_events_only(service: EvaluationService, up_to: int | None = None) -> Evaluation:
    events = service.store.events.get(UUID(EVALUATION_ID), lte=up_to)
    evaluation = project_aggregate(None, events)
    assert isinstance(evaluation, Evaluation)
    return evaluation


def stored_snapshots(service: EvaluationService) -> list[StoredEvent]:
    """The snapshot rows as stored. They were written before snapshots were sealed, so the
    repository loads none of them (it replays the events); they are read here directly."""
    assert service.store.snapshots is not None
    recorder = service.store.snapshots.recorder
    assert isinstance(recorder, SealedSnapshotRecorder)
    return [stored for stored, _ in recorder.sealed(EVALUATION_ID)]


def snapshot_versions(service: EvaluationService) -> list[int]:
    return [s.originator_version for s in stored_snapshots(service)]


def from_snapshot(service: EvaluationService, version: int) -> Evaluation:
    """The state from the last stored snapshot at or before `version`, then the events."""
    stored = [s for s in stored_snapshots(service) if s.originator_version <= version][-1]
    snapshot = service.store.mapper.to_domain_event(stored)
    later = service.store.events.get(UUID(EVALUATION_ID), gt=stored.originator_version, lte=version)
    evaluation = project_aggregate(snapshot.mutate(None), later)
    assert isinstance(evaluation, Evaluation)
    return evaluation


def test_the_store_holds_first_shape_snapshots_before_and_after_the_disputes(
    service: EvaluationService,
) -> None:
    assert snapshot_versions(service) == [54, 101]


@pytest.mark.parametrize("version", [60, 103])
def test_a_snapshot_of_the_first_shape_gives_the_state_the_events_give(
    service: EvaluationService, version: int
) -> None:
    loaded = from_snapshot(service, version)
    replayed = from_events_only(service, version)
    assert service.store.repository.get(UUID(EVALUATION_ID), version=version).leaves == (
        replayed.leaves
    )  # the repository, refusing the unsealed snapshots, replays
    # who recorded each leaf's inputs was kept only after these snapshots were written: the
    # snapshot leaves it empty (the repository never loads them, see above)
    assert {c: replace(leaf, recorded_by=[]) for c, leaf in loaded.leaves.items()} == {
        c: replace(leaf, recorded_by=[]) for c, leaf in replayed.leaves.items()
    }
    assert loaded.deductions == replayed.deductions
    assert dict(loaded.disputes) == dict(replayed.disputes)
    assert evaluation_document(loaded) == evaluation_document(replayed)


def test_the_stored_evaluation_reads_as_it_did_when_it_was_recorded(
    service: EvaluationService,
) -> None:
    document = service.replayed_document(EVALUATION_ID)
    assert document == EXPECTED["document"]
    assert evaluation_document(from_events_only(service)) == EXPECTED["document"]
    # the first-shape decisions changed their deductions: amended, overturned; and one withdrawn
    points = sorted(
        f"{d['points']} {d['status']}" for i in document["indicators"] for d in i["deductions"]
    )
    assert "0.10 active" in points and points.count("0.25 withdrawn") == 1
    assert "1.00 withdrawn" in points


def test_first_shape_decisions_keep_their_consequences_in_a_rebuilt_read_model(
    service: EvaluationService,
) -> None:
    service.rebuild_read_models()
    reviews = build_review_service(service)
    assert service.document(EVALUATION_ID) == EXPECTED["document"]
    assert reviews.disputes(EVALUATION_ID)["items"] == EXPECTED["disputes"]
    assert reviews.notes(EVALUATION_ID)["items"] == EXPECTED["notes"]


def test_a_stored_evaluation_takes_new_commands_and_replays_to_the_same_state(
    service: EvaluationService,
) -> None:
    document = service.record_deduction(
        EVALUATION_ID, code="4.3.1", points="1", reason="补充复核", by=ANNA
    )["evaluation"]
    assert document["version"] > EXPECTED["document"]["version"]
    leaf = next(i for i in document["indicators"] if i["code"] == "4.3.1")
    assert leaf["score"] == "7.00"
    assert service.replayed_document(EVALUATION_ID) == document
    assert evaluation_document(from_events_only(service)) == document
