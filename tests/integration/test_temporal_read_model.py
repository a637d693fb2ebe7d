"""The temporal read model: a document at any past version equals the one replayed from events."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from freezegun import freeze_time

from adapters.bootstrap import build_review_service, build_self_evaluation, build_service
from adapters.history_batch import ALL_TABLES, held_parameters
from adapters.history_tables import BY_SOURCE
from adapters.queries import SqlEvaluationQueries
from adapters.replay_check import read_model_differences
from adapters.tables import deductions
from application.documents import evaluation_document
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.cases import mixed_case, target_case
from tests.integration.conftest import dispose
from tests.integration.test_time_travel import sqlite_steps

BY = Actor("alice", "evaluator", "temporal")
LEAD = Actor("王组长", "reviewer", "temporal-lead")
SUBJECT = Actor("someone", "subject", "temporal-subject")
START = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def framework(b2_weight: str = "20") -> list[dict[str, Any]]:
    """Every scoring method (tests.cases.mixed_case's tree), a target leaf among them."""
    tree = [
        {**i, "weight": b2_weight} if i["code"] == "B2" else i for i in mixed_case()["indicators"]
    ]
    target = {"code": "B3", "parent": "B", "name": "演出场次", "method": "target"}
    return [*tree, {**target, "weight": str(40 - int(b2_weight)), "target": "≥20场次"}]


def rich_history(service: EvaluationService) -> str:
    """Every kind of change an evaluation goes through, each command its own transaction."""
    review = build_review_service(service)
    signing = build_self_evaluation(service)
    made = service.create_evaluation(
        title="社区服务项目",
        subject="某区民政局",
        fiscal_year=2025,
        kind="project",
        required_sign_offs=["评价组组长"],
        by=BY,
    ).document()
    eid = str(made["id"])
    service.define_framework(eid, framework("30"), BY)
    service.define_framework(eid, framework(), BY)  # redefined before scoring starts
    content = b"minutes of the meeting"
    evidence_id = str(uuid.uuid4())
    service.change(
        eid,
        lambda e: e.attach_evidence(
            evidence_id,
            "minutes.pdf",
            "application/pdf",
            len(content),
            hashlib.sha256(content).hexdigest(),
            BY,
        ),
    )
    cuts = [
        service.record_deduction(
            eid,
            "A1",
            points=p,
            reason=f"r{p}",
            evidence=[{"title": "t", "id": evidence_id}],
            by=BY,
        ).record["id"]
        for p in ("0.5", "1", "1.5", "2", "2.5")
    ]
    service.withdraw_deduction(eid, cuts[0], reason="mistaken", by=BY)
    service.assess_checklist(eid, "A2", met=[True, False], justification="抽查", by=BY)
    service.record_data_entry(eid, key="预算资金", value="200", unit="万元", reason="批复", by=BY)
    service.record_data_entry(eid, key="实际支出", value="150", unit="万元", reason="账", by=BY)
    service.record_data_entry(eid, key="实际支出", value="180", reason="更正", by=BY)
    service.record_survey(eid, "B1", tallies=[[20, 6, 3, 1, 0], [15, 10, 5, 0, 0]], by=BY)
    service.record_score(eid, "B2", score="15", justification="较好", by=BY)
    service.change(eid, lambda e: e.override_score("A2", "9", "实地复核", None, BY))
    signing.record_target_value(eid, "B3", stage="monitored", value="12", by=BY)
    signing.record_target_value(
        eid, "B3", stage="final", value="18", deviation_reason="天气", improvement="加场", by=BY
    )
    signing.record_target_value(eid, "B3", stage="final", value="24", reason="更正", by=BY)
    signing.sign_off(eid, capacity="评价组组长", opinion="同意", by=BY)
    service.submit(eid, by=BY)
    decisions = (
        (cuts[1], "upheld", None),
        (cuts[2], "overturned", None),
        (cuts[3], "amended", "0.75"),
    )
    for cut, outcome, points in decisions:
        raised = review.raise_dispute(eid, grounds="不服", deduction_id=cut, by=SUBJECT)
        review.decide_dispute(
            eid, raised["id"], outcome=outcome, reason="复核", points=points, by=LEAD
        )
    for outcome, points in (("amended", "8"), ("overturned", None)):
        raised = review.raise_dispute(eid, grounds="分数", indicator="A2", by=SUBJECT)
        review.decide_dispute(
            eid,
            raised["id"],
            outcome=outcome,
            reason="裁定",
            points=points,
            confirm_worse=True,  # the amendment lowers the leaf: meant
            by=LEAD,
        )
    note = review.add_note(eid, "B2", text="请补充材料", by=LEAD)
    review.resolve_note(eid, note["id"], reason="已补充", by=BY)
    signing.sign_off(eid, capacity="评价组组长", opinion="同意", by=BY)  # the first went stale
    service.finalize(eid, by=BY)
    service.reopen(eid, reason="复议", by=BY)
    service.record_score(eid, "B2", score="16", justification="再评", by=BY)
    signing.sign_off(eid, capacity="评价组成员", opinion="无", by=BY)
    service.record_deduction(eid, "A1", points="0.25", reason="last", by=BY)
    return eid


def replayed_documents(service: EvaluationService, eid: str) -> dict[tuple[int, str], Any]:
    """The document at every version, both views, from the events alone (no snapshots)."""
    documents: dict[tuple[int, str], Any] = {}
    aggregate: Any = None
    for event in service.store.events.get(uuid.UUID(eid)):
        aggregate = event.mutate(aggregate)
        for view in ("active", "all"):
            documents[(aggregate.version, view)] = evaluation_document(aggregate, view)
    return documents


def temporal_differences(service: EvaluationService, eid: str) -> list[tuple[int, str]]:
    """The versions and views whose temporal document differs from the replayed one."""
    queries = service.queries
    assert isinstance(queries, SqlEvaluationQueries)
    return [
        key
        for key, expected in replayed_documents(service, eid).items()
        if queries.document_at(eid, *key) != expected
    ]


def test_documents_at_every_version_equal_a_replay_per_command_and_after_a_rebuild(
    store_url: str,
) -> None:
    service = build_service(store_url)
    try:
        with freeze_time(START, auto_tick_seconds=1):
            eid = rich_history(service)
            # whole evaluations in one command each: every version inside it too
            imported = [
                str(service.import_evaluation(case, BY).id)
                for case in (mixed_case(), target_case())
            ]
        latest = service.document(eid)["version"]
        assert latest > 60
        assert temporal_differences(service, eid) == []
        for other in imported:
            assert temporal_differences(service, other) == []
        # the service answers from the temporal read model, the same as a replay
        assert (
            service.document(eid, version=7, deductions="all")
            == (replayed_documents(service, eid)[(7, "all")])
        )
        service.rebuild_read_models()  # batched: the same history rows
        assert temporal_differences(service, eid) == []
        for other in imported:
            assert temporal_differences(service, other) == []
        assert read_model_differences(service) == []
    finally:
        dispose(service)


def test_a_read_model_behind_the_events_leaves_past_documents_to_a_replay(
    store_url: str,
) -> None:
    service = build_service(store_url)
    try:
        with freeze_time(START, auto_tick_seconds=1):
            eid = rich_history(service)
        queries = service.queries
        assert isinstance(queries, SqlEvaluationQueries)
        latest = service.document(eid)["version"]
        assert queries.document_at(eid, latest + 1) is None
        assert queries.document_at(str(uuid.uuid4()), 1) is None
    finally:
        dispose(service)


def test_the_as_of_query_reads_the_interval_tree_on_sqlite_and_the_gist_index_on_postgresql(
    store_url: str,
) -> None:
    service = build_service(store_url)
    try:
        engine = service.store.factory.datastore.engine  # type: ignore[attr-defined]
        spec = BY_SOURCE[deductions]
        eid = str(uuid.uuid4())
        columns = (*spec.columns, "lower", "upper", "node")
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        insert = (
            f"INSERT INTO {spec.history.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join([mark] * len(columns))})"
        )
        # a long history, mostly withdrawn deductions each holding at one version
        history = [
            (f"d{n}", eid, "1.1", "1", "r", "withdrawn" if n % 8 else "active", "[]",
             n, "a", None, n, n, n)
            for n in range(1, 6001)
        ]  # fmt: skip
        with engine.begin() as connection:
            connection.exec_driver_sql(insert, history)
            connection.exec_driver_sql(f"ANALYZE {spec.history.name}")
        sqlite = engine.dialect.name == "sqlite"
        # every table's range query, in one statement
        params = held_parameters(eid, 5000, {"status": "active"})
        bound = ALL_TABLES[(engine.dialect.name, False)].params(params)
        sql = str(bound.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as connection:
            explain = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
            plan = [str(r[-1]) for r in connection.exec_driver_sql(f"{explain} {sql}")]
        text = " ".join(plan)
        if sqlite:
            assert "rm_deductions_history_lower_idx" in text
            assert "rm_deductions_history_upper_idx" in text
            assert all("SEARCH" in step for step in plan if "rm_deductions_history" in step)
            assert "node=?" in text and "lower<?" in text.replace("<=", "<")
        else:
            scans = [i for i, step in enumerate(plan) if "rm_deductions_history" in step]
            assert scans and all("Seq Scan" not in plan[i] for i in scans)
            # one descent of the GiST range index, the status and the range its conditions
            ranged = [i for i in scans if "rm_deductions_history_range_idx" in plan[i]]
            assert len(ranged) == 1
            condition = plan[ranged[0] + 1]
            assert "Index Cond" in condition and "status" in condition
            assert "int8range(" in condition and "'[]'::text) @> '5000'::bigint" in condition
    finally:
        dispose(service)


def deduct_and_withdraw(service: EvaluationService, pairs: int) -> str:
    """One leaf per deduction round: each deduction recorded, then withdrawn."""
    eid = str(
        service.create_evaluation(
            title="t", subject="s", fiscal_year=2025, kind="project", total_weight="200", by=BY
        ).id
    )
    tree = [{"code": "1", "name": "root", "weight": "200"}] + [
        {"code": f"1.{n}", "parent": "1", "name": f"leaf {n}", "weight": "50"} for n in (1, 2, 3, 4)
    ]
    service.define_framework(eid, tree, BY)
    for n in range(pairs):
        made = service.record_deduction(eid, f"1.{n % 4 + 1}", points="1", reason="r", by=BY).record
        service.withdraw_deduction(eid, made["id"], reason="w", by=BY)
    service.record_deduction(eid, "1.1", points="2", reason="stands", by=BY)
    return eid


def test_the_active_document_at_a_version_costs_the_same_after_a_short_and_a_long_history(
    service: EvaluationService,
) -> None:
    short = deduct_and_withdraw(service, 10)
    long = deduct_and_withdraw(service, 400)
    queries = service.queries
    assert isinstance(queries, SqlEvaluationQueries)

    def steps(eid: str, version: int) -> int:
        document = queries.document_at(eid, version, "active")
        assert document is not None and document["version"] == version
        return sqlite_steps(service, lambda: queries.document_at(eid, version, "active"))

    few = steps(short, service.document(short)["version"] // 2)
    many = steps(long, service.document(long)["version"] // 2)
    assert many <= few * 1.5, (few, many)  # 40 times the history, not 40 times the work
    latest = service.document(long)["version"]
    assert steps(long, latest) <= few * 1.5
