"""Past documents are made of sealed rows: an edited one is refused, replayed and named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, update

from adapters.bootstrap import build_audit, build_service
from adapters.history_tables import BY_SOURCE
from adapters.tables import evaluations, indicators
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case
from tests.integration.conftest import dispose

HEADERS = BY_SOURCE[evaluations].history


@pytest.fixture
def service(store_url: str) -> Iterator[EvaluationService]:
    built = build_service(store_url)
    yield built
    dispose(built)


@pytest.fixture
def recorded(service: EvaluationService, actor: Actor) -> str:
    """An evaluation whose total changed a few times: closed header rows in the history."""
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    for n in range(3):
        service.record_deduction(evaluation_id, "A1", points=f"0.{n + 1}", reason="抽查", by=actor)
    return evaluation_id


def edit(service: EvaluationService, statement: Any) -> None:
    with service.unit_of_work.transaction() as session:
        session.execute(statement)


def closed_header(service: EvaluationService, evaluation_id: str) -> tuple[int, int]:
    """The range of the header's last closed row that carries a total."""
    query = (
        select(HEADERS.c.lower, HEADERS.c.upper)
        .where(HEADERS.c.id == evaluation_id, HEADERS.c.total.is_not(None))
        .order_by(HEADERS.c.upper)
    )
    with service.unit_of_work.transaction() as session:
        lower, upper = session.execute(query).all()[-1]
    return lower, upper


def test_unedited_rows_serve_past_documents_and_pass_verification(
    service: EvaluationService, recorded: str
) -> None:
    latest = service.document(recorded)["version"]
    for version in range(1, latest + 1):
        past = service.document(recorded, version=version)
        assert past == service.replayed_document_at(recorded, version)
    verdict = build_audit(service).verification(recorded)
    assert verdict["ok"] is True and verdict["read_model"]["first_bad_row"] is None


def test_an_edited_history_total_is_refused_replayed_and_named(
    service: EvaluationService, recorded: str
) -> None:
    lower, upper = closed_header(service, recorded)
    row = (HEADERS.c.id == recorded, HEADERS.c.upper == upper)
    edit(service, update(HEADERS).where(*row).values(total="99.99"))
    past = service.document(recorded, version=upper)
    assert "does not match its seal" in past["integrity_problem"]
    assert (
        f"rm_evaluations_history (id={recorded}, versions {lower}–{upper})"
        in (past["integrity_problem"])
    )
    replayed = service.replayed_document_at(recorded, upper)
    assert past["total"] == replayed["total"] != "99.99"
    assert {k: v for k, v in past.items() if k != "integrity_problem"} == replayed
    verdict = build_audit(service).verification(recorded)
    assert verdict["ok"] is False and verdict["read_model"]["ok"] is False
    assert verdict["read_model"]["first_bad_row"] == {
        "table": "rm_evaluations_history",
        "key": {"id": recorded},
        "lower": lower,
        "upper": upper,
        "problem": past["integrity_problem"],
    }
    assert "does not match its seal" in verdict["problem"]


def test_an_edited_since_of_a_current_row_is_refused_and_named(
    service: EvaluationService, recorded: str
) -> None:
    row = (indicators.c.evaluation_id == recorded, indicators.c.code == "A1")
    with service.unit_of_work.transaction() as session:
        since = session.execute(select(indicators.c.since).where(*row)).scalar_one()
    edit(service, update(indicators).where(*row).values(since=since + 1))
    # at a version before the edited since the row is not served, and still checked
    past = service.document(recorded, version=since, deductions="active")
    assert (
        f"rm_indicators (evaluation_id={recorded}, code=A1, versions {since + 1} on)"
        in (past["integrity_problem"])
    )
    replayed = service.replayed_document_at(recorded, since, "active")
    assert {k: v for k, v in past.items() if k != "integrity_problem"} == replayed
    bad = build_audit(service).verification(recorded)["read_model"]["first_bad_row"]
    assert bad["table"] == "rm_indicators" and bad["upper"] is None
    assert bad["key"] == {"evaluation_id": recorded, "code": "A1"}


def test_history_rows_are_never_updated_or_deleted_by_commands(
    service: EvaluationService, recorded: str, actor: Actor
) -> None:
    engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def note(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split("WHERE")[0])

    event.listen(engine, "before_cursor_execute", note)
    try:
        for n in range(30):
            made = service.record_deduction(recorded, "A1", points="0.01", reason="r", by=actor)
            if n % 2:
                service.withdraw_deduction(recorded, made.record["id"], reason="w", by=actor)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    touching = [s.split()[0].upper() for s in seen if "_history" in s]
    assert "INSERT" in touching
    assert "UPDATE" not in touching and "DELETE" not in touching
