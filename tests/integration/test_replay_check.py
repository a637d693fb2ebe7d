"""The replay check rebuilds the read models elsewhere and names any live row that differs."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from adapters.history_tables import BY_SOURCE
from adapters.replay_check import read_model_differences, sampled_versions
from adapters.tables import data_entries, indicators
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case

DOCUMENT = "temporal document"


@pytest.fixture
def recorded(service: EvaluationService, actor: Actor) -> str:
    evaluation_id = str(service.import_evaluation(mixed_case(), actor).id)
    service.record_data_entry(
        evaluation_id, key="实际支出", value="160", reason="补录发票", by=actor
    )
    return evaluation_id


def corrupt(service: EvaluationService, statement: object) -> None:
    with service.unit_of_work.transaction() as session:
        session.execute(statement)


def test_live_read_models_match_a_replay(service: EvaluationService, recorded: str) -> None:
    assert read_model_differences(service) == []


def test_a_corrupted_score_is_named_with_both_values(
    service: EvaluationService, recorded: str
) -> None:
    corrupt(
        service,
        update(indicators)
        .where(indicators.c.evaluation_id == recorded, indicators.c.code == "A3")
        .values(score="20.00"),
    )
    # the current row serves past documents too: those read at sampled versions differ
    [difference] = [d for d in read_model_differences(service) if d["table"] != DOCUMENT]
    assert difference == {
        "table": "rm_indicators",
        "key": {"evaluation_id": recorded, "code": "A3"},
        "column": "score",
        "live": "20.00",
        "replayed": "16.00",
    }


def test_a_deleted_row_is_named(service: EvaluationService, recorded: str) -> None:
    corrupt(service, delete(data_entries).where(data_entries.c.key == "预算资金"))
    [difference] = [d for d in read_model_differences(service) if d["table"] != DOCUMENT]
    assert difference["table"] == "rm_data_entries"
    assert difference["key"] == {"evaluation_id": recorded, "key": "预算资金"}
    assert difference["live"] == "no such row"


def test_progress_is_reported_up_to_the_projected_position(
    service: EvaluationService, recorded: str
) -> None:
    seen: list[tuple[int, int]] = []
    read_model_differences(service, lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == service.projection.position()


def test_a_corrupted_history_row_is_named_and_so_is_the_past_document_it_changes(
    service: EvaluationService, recorded: str
) -> None:
    history = BY_SOURCE[indicators].history
    of_a3 = (history.c.evaluation_id == recorded, history.c.code == "A3")
    last = select(history.c.lower, history.c.upper).where(*of_a3).order_by(history.c.upper)
    with service.unit_of_work.transaction() as session:
        lower, upper = session.execute(last).all()[-1]
    corrupt(service, update(history).where(*of_a3, history.c.upper == upper).values(score="20.00"))
    differences = read_model_differences(service)
    rows = [d for d in differences if d["table"] == "rm_indicators_history"]
    assert [(d["column"], d["live"]) for d in rows] == [("score", "20.00")]
    documents = [d for d in differences if d["table"] == DOCUMENT]
    assert documents and all(lower <= d["key"]["version"] <= upper for d in documents)
    # a sealed store refuses the row (the replayed figures, with the problem named)
    assert {d["column"] for d in documents} <= {"indicators", "integrity_problem"}


def test_sampled_versions_are_the_first_the_last_and_a_spread() -> None:
    assert sampled_versions(100, 3) == [1, 25, 50, 75, 100]
    assert sampled_versions(2, 8) == [1, 2]
    assert sampled_versions(1, 0) == [1]
