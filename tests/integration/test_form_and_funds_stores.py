"""The form's header and funds block on both stores: kept, at past versions, in the packet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from freezegun import freeze_time

from adapters.bootstrap import build_self_evaluation, build_service
from adapters.replay_check import read_model_differences
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.integration.conftest import dispose
from tests.integration.test_audit_packet import SECRET, verify
from tests.integration.test_fast_paths import replayed
from tests.integration.test_temporal_read_model import temporal_differences
from web.cli import main

BY = Actor("alice", "evaluator", "form-stores")
LEAD = Actor("王组长", "evaluator", "form-stores-lead")  # the evaluation group signs
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def funds_case() -> dict[str, Any]:
    """A self-evaluation whose budget row is scored from its funds block."""
    return {
        "evaluation": {
            "title": "某县农村供水保障工程绩效自评",
            "subject": "某县水务局",
            "fiscal_year": 2025,
            "kind": "self-evaluation",
            "form": {"project_name": "农村供水保障工程", "contact": "李明"},
            "funds": [
                {"source": "财政拨款", "initial_budget": "500", "full_year_budget": "600",
                 "executed": "540"},
                {"source": "其他资金", "full_year_budget": "20", "executed": "18.5"},
            ],
        },
        "indicators": [
            {"code": "0", "name": "预算执行率", "weight": "10", "method": "ratio",
             "numerator": "全年执行数", "denominator": "全年预算数"},
            {"code": "1", "name": "产出指标", "weight": "90", "method": "manual"},
        ],
        "actions": [{"indicator": "1", "action": "score", "score": "80", "justification": "j"}],
    }  # fmt: skip


def corrected(service: EvaluationService) -> tuple[str, int]:
    """The case imported, then its funds and form corrected; the version before that."""
    evaluation_id = str(service.import_evaluation(funds_case(), BY).id)
    build_self_evaluation(service).sign_off(evaluation_id, capacity="评价组组长", by=LEAD)
    before = int(service.document(evaluation_id)["version"])
    service.record_funds(
        evaluation_id,
        source="财政拨款",
        initial_budget="500",
        full_year_budget="600",
        executed="600",
        reason="补录12月支出",
        by=BY,
    )
    service.record_funds(
        evaluation_id, source="自筹资金", full_year_budget="0", executed="0", by=BY
    )
    service.fill_form(
        evaluation_id, {"project_name": "农村供水保障", "phone": None}, reason="简称", by=BY
    )
    return evaluation_id, before


def budget_score(document: dict[str, Any]) -> str:
    return str(next(i for i in document["indicators"] if i["code"] == "0")["score"])


def test_form_and_funds_persist_and_every_past_version_equals_a_replay(store_url: str) -> None:
    service = build_service(store_url)
    try:
        with freeze_time(START, auto_tick_seconds=1):
            evaluation_id, before = corrected(service)
        now = service.document(evaluation_id)
        assert now["funds"]["total"]["executed"] == "618.50"
        assert [s["source"] for s in now["funds"]["sources"]] == [
            "财政拨款",
            "其他资金",
            "自筹资金",
        ]
        assert now["form"]["project_name"] == "农村供水保障"
        assert budget_score(now) == "9.98"
        # the funds moved after the sign-off: it went stale, naming the correction first
        (signed,) = now["sign_offs"]
        assert signed["status"] == "stale"
        assert signed["changed_after"][0]["type"] == "FundsCorrected"
        past = service.document(evaluation_id, version=before)
        assert past["funds"]["total"]["executed"] == "558.50"
        assert past["form"]["project_name"] == "农村供水保障工程"
        assert budget_score(past) == "9.01"
        at_start = service.document(evaluation_id, as_of=START + timedelta(seconds=3))
        assert at_start["version"] < before
        assert at_start["form"]["contact"] == "李明"
        assert temporal_differences(service, evaluation_id) == []
        service.rebuild_read_models()
        assert temporal_differences(service, evaluation_id) == []
        assert read_model_differences(service) == []
    finally:
        dispose(service)
    reopened = build_service(store_url)  # another process on the same store
    try:
        assert reopened.document(evaluation_id) == now
    finally:
        dispose(reopened)


def test_the_audit_packet_recomputes_the_budget_row_from_the_funds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    service = build_service(url, SECRET)
    try:
        evaluation_id, _ = corrected(service)
    finally:
        dispose(service)
    packet = tmp_path / "out" / "packet.json"
    result = CliRunner().invoke(
        main,
        ["export-audit", evaluation_id, str(packet), "--database-url", url],
        env={"SCORETRAIL_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    checked = verify(packet)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "scores: ok" in checked.stdout
    assert "not interpreted" not in checked.stdout
    assert "total 89.98" in checked.stdout


def test_an_evaluation_loaded_from_a_snapshot_keeps_its_form_and_funds(store_url: str) -> None:
    service = build_service(store_url)
    try:
        evaluation_id, _ = corrected(service)
        for round_ in range(20):  # a long argument over one figure: snapshots are taken
            service.record_funds(
                evaluation_id,
                source="其他资金",
                full_year_budget="20",
                executed="19" if round_ % 2 else "18",
                reason=f"第{round_ + 1}次核对",
                by=BY,
            )
        assert list(service.store.snapshots.get(uuid.UUID(evaluation_id)))  # type: ignore[union-attr]
        latest = service.document(evaluation_id)
        assert latest["funds"]["sources"][1]["executed"] == "19.00"
        assert latest == replayed(service, evaluation_id, latest["version"])
    finally:
        dispose(service)
    fresh = build_service(store_url)  # nothing in memory: the snapshot and the events after it
    try:
        assert fresh.replayed_document(evaluation_id) == latest
    finally:
        dispose(fresh)
