"""The whole argument over one deduction, told through the API by three token holders."""

from __future__ import annotations

from typing import Any

from freezegun import freeze_time

from tests.cases import SUBJECT, small_case
from tests.conftest import Api, ApiFor

T = "2026-06-{:02d}T{:02d}:00:00+00:00"


def test_deduction_submission_dispute_amendment_finalization(
    api: Api, api_for: ApiFor, anonymous_api: Api
) -> None:
    evaluator = api  # alice
    reviewer = api_for("reviewer", "rita")
    unit = api_for("subject", "unit", subject=SUBJECT)
    stranger = api_for("subject", "stranger", subject="另一个被评价单位")
    case = small_case()

    def version() -> int:
        return int(evaluator.get(base).json["version"])

    def refused(response: Any, status: int) -> None:
        """A forbidden path: the status, a problem body, and nothing recorded."""
        assert response.status_code == status, response.json
        assert response.mimetype == "application/problem+json"
        assert version() == recorded

    with freeze_time(T.format(1, 9)) as clock:
        created = evaluator.post("/evaluations", json=case["evaluation"])
        base = f"/evaluations/{created.json['id']}"
        framework = evaluator.post(base + "/framework", json={"indicators": case["indicators"]})
        assert framework.status_code == 200

        clock.move_to(T.format(2, 10))
        deduction = evaluator.post(
            base + "/indicators/1.1/deductions",
            json={"points": "2", "reason": "立项论证材料不完整", "evidence": [{"title": "档案"}]},
        )
        assert deduction.status_code == 201
        # every other leaf scored: submission waits for a score on each
        for path, body in (
            ("1.2/score", {"score": "15", "justification": "目标基本合理"}),
            ("2.1/checklist", {"met": [True, False], "justification": "抽查"}),
            ("2.2/survey", {"tallies": [[8, 2]]}),
        ):
            assert evaluator.post(f"{base}/indicators/{path}", json=body).status_code == 200
        recorded = version()
        refused(
            unit.post(base + "/indicators/1.1/deductions", json={"points": 1, "reason": "r"}), 403
        )
        refused(unit.post(base + "/submission"), 403)
        refused(
            unit.post(
                base + "/disputes", json={"deduction_id": deduction.json["id"], "grounds": "早了"}
            ),
            409,
        )

        clock.move_to(T.format(3, 11))
        assert reviewer.post(base + "/submission").json["status"] == "submitted"
        recorded = version()
        refused(
            anonymous_api.post(base + "/disputes", json={"indicator": "1.1", "grounds": "g"}), 401
        )
        refused(stranger.get(base), 404)
        refused(stranger.post(base + "/disputes", json={"indicator": "1.1", "grounds": "g"}), 404)

        clock.move_to(T.format(5, 14))
        grounds = "立项论证材料已于2023年3月补充报送，不应扣2分"
        raised = unit.post(
            base + "/disputes",
            json={
                "deduction_id": deduction.json["id"],
                "grounds": grounds,
                "evidence": [{"title": "补充报送函", "sha256": "b" * 64}],
            },
        )
        assert raised.status_code == 201
        dispute = raised.json
        recorded = version()
        refused(reviewer.post(base + "/finalization"), 409)
        decision = {"outcome": "amended", "points": "0.5", "reason": "补充材料部分有效，改扣0.5分"}
        refused(unit.post(f"{base}/disputes/{dispute['id']}/decision", json=decision), 403)
        refused(evaluator.post(f"{base}/disputes/{dispute['id']}/decision", json=decision), 403)

        clock.move_to(T.format(8, 15))
        decided = reviewer.post(f"{base}/disputes/{dispute['id']}/decision", json=decision)
        assert decided.status_code == 200, decided.json
        assert decided.json["decision"]["decided_at"] == T.format(8, 15)
        recorded = version()
        refused(reviewer.post(f"{base}/disputes/{dispute['id']}/decision", json=decision), 409)

        clock.move_to(T.format(9, 16))
        assert reviewer.post(base + "/finalization").json["status"] == "finalized"
        recorded = version()
        refused(
            evaluator.post(base + "/indicators/1.1/deductions", json={"points": 1, "reason": "r"}),
            409,
        )
        refused(unit.post(base + "/disputes", json={"indicator": "1.1", "grounds": "g"}), 409)

    sheet = unit.get(base).json
    leaf = next(i for i in sheet["indicators"] if i["code"] == "1.1")
    assert (leaf["score"], leaf["deductions"][0]["points"]) == ("19.50", "0.50")
    assert sheet["status"] == "finalized"

    changes = unit.get(base + "/indicators/1.1/history").json["items"]
    assert [
        (
            c["type"],
            c["actor"],
            c["role"],
            c["recorded_at"],
            c["score_before"],
            c["score_after"],
            c["reason"],
            c["dispute_id"],
        )
        for c in changes
    ] == [
        (
            "FrameworkDefined",
            "alice",
            "evaluator",
            T.format(1, 9),
            None,
            "20.00",
            "定义指标体系",  # a text the system wrote, in the caller's language
            None,
        ),
        (
            "DeductionRecorded",
            "alice",
            "evaluator",
            T.format(2, 10),
            "20.00",
            "18.00",
            "立项论证材料不完整",
            None,
        ),
        (
            "DisputeDecided",
            "rita",
            "reviewer",
            T.format(8, 15),
            "18.00",
            "19.50",
            "补充材料部分有效，改扣0.5分",
            dispute["id"],
        ),
    ]
    assert changes[-1]["cause_version"] == decided.json["decision"]["version"]

    trail = [
        (e["type"], e["actor"], e["role"], e["recorded_at"])
        for e in evaluator.get(base + "/history?per_page=1000").json["items"]
        if e["type"] not in ("ScoreChanged", "FrameworkDefined", "Created")
    ]
    assert trail == [
        ("DeductionRecorded", "alice", "evaluator", T.format(2, 10)),
        ("ScoreRecorded", "alice", "evaluator", T.format(2, 10)),
        ("ChecklistAssessed", "alice", "evaluator", T.format(2, 10)),
        ("SurveyRecorded", "alice", "evaluator", T.format(2, 10)),
        ("Submitted", "rita", "reviewer", T.format(3, 11)),
        ("DisputeRaised", "unit", "subject", T.format(5, 14)),
        ("DisputeDecided", "rita", "reviewer", T.format(8, 15)),
        ("DeductionAmended", "rita", "reviewer", T.format(8, 15)),
        ("Finalized", "rita", "reviewer", T.format(9, 16)),
    ]
    assert unit.get(base + "/disputes").json["items"][0]["grounds"] == grounds
