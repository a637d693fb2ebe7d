"""Recording through HTTP: deductions, corrections, overrides, and the histories they leave."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import Api, load_through_api


@pytest.fixture
def evaluation_id(api: Api, reference_case: dict[str, Any]) -> str:
    with freeze_time("2026-11-01T08:00:00Z"):
        return load_through_api(api, reference_case)


def test_deduction_shows_in_the_indicator_history_with_before_after_and_reason(
    api: Api, evaluation_id: str
) -> None:
    with freeze_time("2026-11-22T13:40:00Z"):
        created = api.post(
            f"/evaluations/{evaluation_id}/indicators/4.2.1/deductions",
            json={
                "points": 0.5,
                "reason": "部分入驻企业反映服务响应慢",
                "evidence": [{"title": "访谈记录"}],
            },
        )
    assert created.status_code == 201
    assert created.json["points"] == "0.50"
    assert created.json["indicator"] == "4.2.1"
    assert created.json["evaluation"]["total"] == "88.16"
    history = api.get(f"/evaluations/{evaluation_id}/indicators/4.2.1/history").json["items"]
    last = history[-1]
    assert last["recorded_at"] == "2026-11-22T13:40:00+00:00"
    assert (last["actor"], last["role"]) == ("alice", "evaluator")
    assert (last["score_before"], last["score_after"]) == ("8.00", "7.50")
    assert last["reason"] == "部分入驻企业反映服务响应慢"
    assert last["type"] == "DeductionRecorded"


def test_withdrawal_restores_the_score_and_both_steps_stay_in_history(
    api: Api, evaluation_id: str
) -> None:
    deduction = api.post(
        f"/evaluations/{evaluation_id}/indicators/4.3.1/deductions",
        json={"points": "2", "reason": "r"},
    ).json
    withdrawn = api.post(
        f"/evaluations/{evaluation_id}/deductions/{deduction['id']}/withdrawal",
        json={"reason": "复核后撤销"},
    )
    assert withdrawn.status_code == 200
    leaf = next(i for i in withdrawn.json["indicators"] if i["code"] == "4.3.1")
    assert leaf["score"] == "8.00"
    assert leaf["deductions"][0]["status"] == "withdrawn"  # listed, with its status
    standing = api.get(f"/evaluations/{evaluation_id}?deductions=active").json
    listed = next(i for i in standing["indicators"] if i["code"] == "4.3.1")["deductions"]
    assert listed == []
    steps = api.get(f"/evaluations/{evaluation_id}/indicators/4.3.1/history").json["items"]
    assert [(s["score_before"], s["score_after"], s["reason"]) for s in steps[-2:]] == [
        ("8.00", "6.00", "r"),
        ("6.00", "8.00", "复核后撤销"),
    ]


def test_data_entry_correction_needs_a_reason_and_recomputes_the_ratio(
    api: Api, evaluation_id: str
) -> None:
    url = f"/evaluations/{evaluation_id}/data-entries"
    refused = api.post(url, json={"key": "实际支出资金", "value": "114.70"})
    assert refused.status_code == 409
    assert refused.json["type"].endswith("reason-required")
    corrected = api.post(
        url, json={"key": "实际支出资金", "value": "114.70", "reason": "补录12月支出"}
    )
    leaf = next(i for i in corrected.json["indicators"] if i["code"] == "2.1.2")
    assert leaf["score"] == "1.00"
    steps = api.get(f"/evaluations/{evaluation_id}/indicators/2.1.2/history").json["items"]
    assert (steps[-1]["score_before"], steps[-1]["score_after"]) == ("0.73", "1.00")
    assert steps[-1]["reason"] == "补录12月支出"
    events = api.get(f"/evaluations/{evaluation_id}/history?per_page=1000").json["items"]
    values = [
        e["data"]["value"]
        for e in events
        if e["type"] == "DataEntryRecorded" and e["data"]["key"] == "实际支出资金"
    ]
    assert values == ["84.28", "114.70"]  # the old value stays in history


def test_override_keeps_the_rule_score_beside_it(api: Api, evaluation_id: str) -> None:
    response = api.post(
        f"/evaluations/{evaluation_id}/indicators/2.1.2/score",
        json={"score": "1.5", "justification": "年底集中支付已确认"},
    )
    leaf = next(i for i in response.json["indicators"] if i["code"] == "2.1.2")
    assert (leaf["score"], leaf["rule_score"], leaf["overridden"]) == ("1.50", "0.73", True)
    assert leaf["override_justification"] == "年底集中支付已确认"


def test_history_lists_every_event_oldest_first_and_paginates(api: Api, evaluation_id: str) -> None:
    first = api.get(f"/evaluations/{evaluation_id}/history?per_page=10").json
    assert first["total"] == api.get(f"/evaluations/{evaluation_id}").json["version"]
    assert [i["version"] for i in first["items"]] == list(range(1, 11))
    assert first["items"][0]["type"] == "Created"
    assert first["items"][0]["recorded_at"] == "2026-11-01T08:00:00+00:00"
    second = api.get(f"/evaluations/{evaluation_id}/history?per_page=10&page=2").json
    assert second["items"][0]["version"] == 11


def test_version_and_as_of_give_the_evaluation_as_it_stood(api: Api, evaluation_id: str) -> None:
    version = api.get(f"/evaluations/{evaluation_id}").json["version"]
    with freeze_time("2026-11-20T00:00:00Z"):
        api.post(
            f"/evaluations/{evaluation_id}/indicators/3.4.1/deductions",
            json={"points": "3", "reason": "超预算"},
        )
    assert api.get(f"/evaluations/{evaluation_id}").json["total"] == "85.66"
    assert api.get(f"/evaluations/{evaluation_id}?version={version}").json["total"] == "88.66"
    then = api.get(f"/evaluations/{evaluation_id}?as_of=2026-11-10T00:00:00%2B08:00").json
    assert (then["total"], then["version"]) == ("88.66", version)
    assert api.get(f"/evaluations/{evaluation_id}?version=99999").status_code == 404
    assert api.get(f"/evaluations/{evaluation_id}?as_of=2020-01-01T00:00:00Z").status_code == 404
    assert api.get(f"/evaluations/{evaluation_id}?as_of=yesterday").status_code == 422


def test_list_filters_by_year_subject_kind_status_and_grade(api: Api, evaluation_id: str) -> None:
    api.post(
        "/evaluations",
        json={"title": "另一项", "subject": "某局", "fiscal_year": 2023, "kind": "department"},
    )
    assert api.get("/evaluations").json["total"] == 2
    assert [i["id"] for i in api.get("/evaluations?fiscal_year=2022").json["items"]] == [
        evaluation_id
    ]
    assert api.get("/evaluations?grade=良").json["items"][0]["total"] == "88.66"
    assert api.get("/evaluations?kind=department&status=draft").json["total"] == 1
    assert api.get("/evaluations?subject=某局&fiscal_year=2022").json["total"] == 0
    assert api.get("/evaluations?status=lost").status_code == 422


def test_checklist_and_manual_score_through_http(api: Api) -> None:
    created = api.post(
        "/evaluations",
        json={
            "title": "t",
            "subject": "s",
            "fiscal_year": 2024,
            "kind": "self",
            "total_weight": 10,
        },
    ).json
    base = f"/evaluations/{created['id']}"
    framework = {
        "indicators": [
            {
                "code": "A",
                "name": "清单",
                "weight": "4",
                "method": "checklist",
                "items": [{"text": "x", "points": 3}, {"text": "y", "points": 1}],
            },
            {"code": "B", "name": "手工", "weight": "6", "method": "manual"},
        ]
    }
    assert api.post(base + "/framework", json=framework).status_code == 200
    api.post(
        base + "/indicators/A/checklist", json={"met": [True, False], "justification": "y 未达成"}
    )
    document = api.post(
        base + "/indicators/B/score", json={"score": 5.25, "justification": "j"}
    ).json
    assert [i["score"] for i in document["indicators"]] == ["3.00", "5.25"]
    assert document["total"] == "8.25"
    assert document["grade"] == "良"  # default bands scale with the total weight: 8 ≤ 8.25 < 9
