"""Targets and sign-offs through snapshots, replays and read-model rebuilds: the same document."""

from __future__ import annotations

import json
import uuid

from adapters.bootstrap import build_self_evaluation, build_service
from application.service import EvaluationService
from domain.evaluation import Actor
from tests.conftest import EXAMPLES
from tests.integration.conftest import dispose
from tests.integration.test_fast_paths import replayed

EXAMPLE = EXAMPLES / "county-water-supply-self-evaluation-2025.json"
LEAD = Actor("王组长", "evaluator", "c-1")


def test_snapshots_replays_and_rebuilds_agree_on_targets_and_sign_offs(
    store_url: str, actor: Actor
) -> None:
    service = build_service(store_url)
    try:
        check_long_history(service, actor)
    finally:
        dispose(service)


def check_long_history(service: EvaluationService, actor: Actor) -> None:
    signing = build_self_evaluation(service)
    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    evaluation_id = service.import_evaluation(case, actor, transcribe_sign_offs=True).document()[
        "id"
    ]
    signing.sign_off(evaluation_id, capacity="评价组组长", opinion="复核无误", by=LEAD)
    for round_ in range(20):  # a long argument over one figure: about 40 more events
        satisfaction = "88.5" if round_ % 2 else "91.2"
        signing.record_target_value(
            evaluation_id,
            "3.1",
            stage="final",
            value=satisfaction,
            reason=f"第{round_ + 1}次复核问卷",
            deviation_reason="部分村庄样本偏少",
            improvement="扩大问卷样本",
            evidence=[{"title": "满意度问卷统计表"}],
            by=actor,
        )
    key = uuid.UUID(evaluation_id)
    assert list(service.store.snapshots.get(key))  # type: ignore[union-attr]
    latest = service.document(evaluation_id)
    for version in range(1, latest["version"] + 1, 5):
        assert service.document(evaluation_id, version=version) == replayed(
            service, evaluation_id, version
        )
    assert latest == replayed(service, evaluation_id, latest["version"])
    signed = {s["capacity"]: s["status"] for s in latest["sign_offs"] if s["actor"] == "王组长"}
    assert signed == {"评价组组长": "stale"}
    leaf = next(i for i in latest["indicators"] if i["code"] == "3.1")
    assert leaf["target"]["stages"]["final"]["corrections"] == 20

    service.rebuild_read_models()
    assert service.document(evaluation_id) == latest
