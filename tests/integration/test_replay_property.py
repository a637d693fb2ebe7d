"""Properties over random command sequences: read models equal a replay; as_of equals a prefix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.bootstrap import build_service
from adapters.replay_check import read_model_differences
from application.documents import evaluation_document
from application.service import EvaluationService
from domain.errors import DomainError
from domain.evaluation import Actor
from tests.cases import mixed_case

BY = Actor("alice", "evaluator", "property")
START = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)

amounts = st.sampled_from(["0", "0.5", "1", "2.25", "3.333", "7", "10"])
commands = st.one_of(
    st.tuples(st.just("deduct"), st.sampled_from(["0.5", "1", "2.25", "3", "9"])),
    st.tuples(st.just("withdraw"), st.integers(0, 3)),
    st.tuples(st.just("checklist"), st.lists(st.booleans(), min_size=2, max_size=2)),
    st.tuples(st.just("entry"), st.sampled_from(["预算资金", "实际支出"]), amounts),
    st.tuples(
        st.just("survey"),
        st.lists(st.lists(st.integers(0, 9), min_size=5, max_size=5), min_size=1, max_size=3),
    ),
    st.tuples(st.just("score"), st.sampled_from(["A2", "B1", "B2"]), amounts),
    st.tuples(st.just("report"), st.sampled_from(["A", "B1", None]), amounts),
    st.tuples(st.just("lifecycle"), st.sampled_from(["submit", "finalize", "reopen"])),
)


def start(service: EvaluationService) -> str:
    case = mixed_case()
    case["actions"] = []
    return str(service.import_evaluation(case, BY).id)


def run(service: EvaluationService, evaluation_id: str, command: tuple[Any, ...]) -> None:
    kind, *args = command
    if kind == "deduct":
        service.record_deduction(evaluation_id, "A1", points=args[0], reason="扣分", by=BY)
    elif kind == "withdraw":
        document = service.document(evaluation_id)
        active = [
            d["id"]
            for i in document["indicators"]
            for d in i["deductions"]
            if d["status"] == "active"
        ]
        if active:
            service.withdraw_deduction(
                evaluation_id, active[args[0] % len(active)], reason="撤销", by=BY
            )
    elif kind == "checklist":
        service.assess_checklist(evaluation_id, "A2", met=args[0], justification="评估", by=BY)
    elif kind == "entry":
        service.record_data_entry(evaluation_id, key=args[0], value=args[1], reason="更正", by=BY)
    elif kind == "survey":
        service.record_survey(evaluation_id, "B1", tallies=args[0], by=BY)
    elif kind == "score":
        service.record_score(evaluation_id, args[0], score=args[1], justification="调整", by=BY)
    elif kind == "report":
        service.record_reported_figure(evaluation_id, indicator=args[0], value=args[1], by=BY)
    else:
        getattr(service, args[0])(
            evaluation_id, by=BY, **({"reason": "复核"} if args[0] == "reopen" else {})
        )


def documents_as_of(
    service: EvaluationService, evaluation_id: str, moments: list[datetime]
) -> list[dict[str, Any]]:
    """The document after the stored events recorded at or before each moment (no snapshots)."""
    events = list(service.store.events.get(UUID(evaluation_id)))
    aggregate: Any = None
    documents, position = [], 0
    for moment in moments:
        while position < len(events) and events[position].timestamp <= moment:
            aggregate = events[position].mutate(aggregate)
            position += 1
        documents.append(evaluation_document(aggregate))
    return documents


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, min_size=1, max_size=15))
def test_read_models_and_time_travel_agree_with_a_replay(sequence: list[tuple[Any, ...]]) -> None:
    service = build_service("sqlite:///:memory:")
    with freeze_time(START) as clock:
        evaluation_id = start(service)
        for number, command in enumerate(sequence, start=1):
            before = service.document(evaluation_id)["version"]
            clock.move_to(START + number * STEP)
            try:
                run(service, evaluation_id, command)
            except DomainError:
                assert service.document(evaluation_id)["version"] == before

    # the read models say what a replay of the events says
    assert service.document(evaluation_id) == service.replayed_document(evaluation_id)
    assert read_model_differences(service) == []

    # as of any moment, the state is the state after the events recorded by then
    moments = [
        START + n * STEP + offset
        for n in range(len(sequence) + 1)
        for offset in (timedelta(0), STEP / 2)
    ]
    expected = documents_as_of(service, evaluation_id, moments)
    for moment, document in zip(moments, expected, strict=True):
        assert service.document(evaluation_id, as_of=moment) == document
