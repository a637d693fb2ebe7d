"""Evaluations stored by the first shape of the aggregate (events and snapshots) still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate
from sqlalchemy import insert, update

from adapters.bootstrap import build_review_service, build_service
from adapters.snapshot_seals import SealedSnapshotRecorder
from application.documents import evaluation_document
from application.seals import snapshot_seal
from application.service import EvaluationService
from domain.evaluation import Actor, Evaluation
from domain.form import FORM_FIELDS
from domain.targets.rules import TargetRules

DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED = json.loads((DATA / "legacy-store.expected.json").read_text(encoding="utf-8"))
EVALUATION_ID = EXPECTED["document"]["id"]
# The document as recorded, plus what documents have named since: the evaluation's own time
# zone, which an evaluation created before there were zones does not have; the target rules,
# national for an evaluation opened before they were data; what is left to score; and the
# self-evaluation form's header and funds block, empty for an evaluation recorded before them.
EMPTY_FUNDS = {"initial_budget": None, "full_year_budget": None, "executed": None, "rate": None}
DOCUMENT = {
    **EXPECTED["document"],
    "time_zone": None,
    "target_rules": TargetRules().as_data(),
    "unscored": [],
    "provisional": False,
    "form": dict.fromkeys(FORM_FIELDS),
    "funds": {"sources": [], "total": EMPTY_FUNDS},
}
ANNA = Actor("anna", "evaluator", "c-9")


@pytest.fixture()
def unsealed(tmp_path: Path) -> EvaluationService:
    """The store as it was written: its snapshots predate snapshot seals."""
    copy = tmp_path / "legacy.sqlite"
    shutil.copyfile(DATA / "legacy-store.sqlite", copy)
    return build_service(f"sqlite:///{copy}")


@pytest.fixture()
def service(unsealed: EvaluationService) -> EvaluationService:
    """The same store with its first-shape snapshots as the sealing code writes them: each
    leaf names who recorded its inputs, and each snapshot carries its seal."""
    assert unsealed.store.snapshots is not None
    recorder = unsealed.store.snapshots.recorder
    assert isinstance(recorder, SealedSnapshotRecorder)
    snapshots = recorder.events_record_cls.__table__
    stored = recorder.sealed(EVALUATION_ID)
    with recorder.transaction(commit=True) as session:
        for snapshot, seal in stored:
            assert seal is None
            version = snapshot.originator_version
            state = with_recorders(bytes(snapshot.state), from_events_only(unsealed, version))
            chain = recorder._chain_digests(session, EVALUATION_ID, [version])[version]
            where = (snapshots.c.originator_id == UUID(EVALUATION_ID)) & (
                snapshots.c.originator_version == version
            )
            session.execute(update(snapshots).where(where).values(state=state))
            made = snapshot_seal(recorder.key, EVALUATION_ID, version, snapshot.topic, state, chain)
            session.execute(
                insert(recorder.seals).values(
                    originator_id=EVALUATION_ID, originator_version=version, seal=made
                )
            )
    return unsealed


def with_recorders(state: bytes, at_version: Evaluation) -> bytes:
    """A first-shape snapshot's bytes with each leaf's recorders, as they were then."""
    body = json.loads(state)
    for code, leaf in body["state"]["leaves"].items():
        leaf["_data_"]["recorded_by"] = at_version.leaves[code].recorded_by
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def from_events_only(service: EvaluationService, up_to: int | None = None) -> Evaluation:
    events = service.store.events.get(UUID(EVALUATION_ID), lte=up_to)
    evaluation = project_aggregate(None, events)
    assert isinstance(evaluation, Evaluation)
    return evaluation


def snapshot_versions(service: EvaluationService) -> list[int]:
    assert service.store.snapshots is not None
    return [s.originator_version for s in service.store.snapshots.get(UUID(EVALUATION_ID))]


def test_the_store_holds_first_shape_snapshots_before_and_after_the_disputes(
    service: EvaluationService,
) -> None:
    assert snapshot_versions(service) == [54, 101]


def test_snapshots_stored_without_seals_are_refused_and_the_events_give_the_state(
    unsealed: EvaluationService,
) -> None:
    assert snapshot_versions(unsealed) == []
    assert unsealed.replayed_document(EVALUATION_ID, "all") == DOCUMENT


@pytest.mark.parametrize("version", [60, 103])
def test_a_snapshot_of_the_first_shape_gives_the_state_the_events_give(
    service: EvaluationService, version: int
) -> None:
    loaded = service.store.repository.get(UUID(EVALUATION_ID), version=version)
    replayed = from_events_only(service, version)
    assert loaded.leaves == replayed.leaves
    assert loaded.deductions == replayed.deductions
    assert dict(loaded.disputes) == dict(replayed.disputes)
    assert evaluation_document(loaded) == evaluation_document(replayed)


def test_the_stored_evaluation_reads_as_it_did_when_it_was_recorded(
    service: EvaluationService,
) -> None:
    document = service.replayed_document(EVALUATION_ID, "all")
    assert document == DOCUMENT
    assert evaluation_document(from_events_only(service), "all") == DOCUMENT
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
    assert service.document(EVALUATION_ID, deductions="all") == DOCUMENT
    assert reviews.disputes(EVALUATION_ID)["items"] == EXPECTED["disputes"]
    assert reviews.notes(EVALUATION_ID)["items"] == EXPECTED["notes"]


def test_a_stored_evaluation_takes_new_commands_and_replays_to_the_same_state(
    service: EvaluationService,
) -> None:
    document = service.record_deduction(
        EVALUATION_ID, code="4.3.1", points="1", reason="补充复核", by=ANNA
    ).document()
    assert document["version"] > EXPECTED["document"]["version"]
    leaf = next(i for i in document["indicators"] if i["code"] == "4.3.1")
    assert leaf["score"] == "7.00"
    assert service.replayed_document(EVALUATION_ID) == document
    assert evaluation_document(from_events_only(service)) == document
