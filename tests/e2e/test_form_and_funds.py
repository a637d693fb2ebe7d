"""The self-evaluation form's header and funds block through HTTP: recorded, scored, traced."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from freezegun import freeze_time

from tests.conftest import Api
from tests.sheet_files import upload

START = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
HEADER = {"title": "某县农村供水保障工程绩效自评", "subject": "某县水务局", "fiscal_year": 2025,
          "kind": "self-evaluation"}  # fmt: skip
FORM = {
    "project_name": "农村供水保障工程",
    "department": "某县水务局",
    "implementer": "某县农村供水管理站",
    "budget_code": "2025-WS-01",
    "contact": "李明",
    "phone": "0531-12345678",
    "report_date": "2026-02-03",
    "overall_goal": "新建改造集中供水工程16处。",
    "overall_result": "完成15处。",
}
FUNDS = [
    {"source": "财政拨款", "initial_budget": "500", "full_year_budget": "600", "executed": "540"},
    {"source": "其他资金", "full_year_budget": "20", "executed": "18.5"},
]
INDICATORS = [
    {"code": "0", "name": "预算执行率", "weight": "10", "method": "ratio",
     "numerator": "全年执行数", "denominator": "全年预算数"},
    {"code": "1", "name": "产出指标", "weight": "90", "method": "manual"},
]  # fmt: skip


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.json
    return response.json


def budget_row(document: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == "0")


def opened(api: Api) -> str:
    created = ok(api.post("/evaluations", json={**HEADER, "form": FORM, "funds": FUNDS}), 201)
    ok(api.post(f"/evaluations/{created['id']}/framework", json={"indicators": INDICATORS}))
    return str(created["id"])


def test_an_evaluation_opened_with_form_and_funds_carries_them_and_scores_the_budget_row(
    api: Api,
) -> None:
    evaluation_id = opened(api)
    document = ok(api.get(f"/evaluations/{evaluation_id}"))
    assert document["form"] == FORM
    funds = document["funds"]
    assert [s["source"] for s in funds["sources"]] == ["财政拨款", "其他资金"]
    assert funds["sources"][0] | {"version": 0} == {
        "source": "财政拨款",
        "initial_budget": "500.00",
        "full_year_budget": "600.00",
        "executed": "540.00",
        "rate": "90.00",
        "version": 0,
    }
    assert funds["sources"][1]["initial_budget"] is None
    assert funds["total"] == {
        "initial_budget": "500.00",
        "full_year_budget": "620.00",
        "executed": "558.50",
        "rate": "90.08",
    }
    # 558.5 / 620 × 10 = 9.008…: the budget row scores from the funds, typed once
    assert budget_row(document)["score"] == "9.01"
    assert document["data_entries"] == []


def test_a_funds_correction_needs_a_reason_rescored_the_row_and_the_past_shows_the_old_funds(
    api: Api,
) -> None:
    with freeze_time(START, auto_tick_seconds=1):
        evaluation_id = opened(api)
        base = f"/evaluations/{evaluation_id}"
        before = ok(api.get(base))
        row = {"source": "财政拨款", "initial_budget": "500", "full_year_budget": "600"}
        refused = api.post(base + "/funds", json={**row, "executed": "600"})
        assert refused.status_code == 409
        assert ok(api.get(base))["version"] == before["version"]  # nothing recorded
        corrected = ok(api.post(base + "/funds", json={**row, "executed": "600", "reason": "补录"}))
    assert corrected["funds"]["total"]["executed"] == "618.50"
    assert budget_row(corrected)["score"] == "9.98"
    history = ok(api.get(base + "/history", query_string={"per_page": 100}))["items"]
    types = [item["type"] for item in history]
    assert types.count("FundsRecorded") == 2
    assert "FormFilled" in types
    funds_only = api.get(base + "/history", query_string={"type": "FundsRecorded,FundsCorrected"})
    assert [i["type"] for i in ok(funds_only)["items"]] == [
        "FundsRecorded",
        "FundsRecorded",
        "FundsCorrected",
    ]
    table = api.get(base + "/history", query_string={"format": "csv"}).data.decode("utf-8")
    assert "录入项目资金" in table and "更正项目资金" in table and "全年执行数" in table
    correction = next(i for i in history if i["type"] == "FundsCorrected")
    assert correction["reason"] == "补录"
    changed = next(
        i for i in history if i["type"] == "ScoreChanged" and i["version"] > correction["version"]
    )
    assert changed["indicator"] == "0"
    past = ok(api.get(base, query_string={"version": before["version"]}))
    assert past["funds"] == before["funds"]
    assert budget_row(past)["score"] == "9.01"
    verification = ok(api.get(base + "/verification"))
    assert verification["ok"] is True, verification
    diff = ok(api.get(base + "/diff", query_string={"from": before["version"]}))
    assert diff["funds"] == [
        {
            "source": "财政拨款",
            "before": {"initial_budget": "500.00", "full_year_budget": "600.00",
                       "executed": "540.00", "rate": "90.00"},
            "after": {"initial_budget": "500.00", "full_year_budget": "600.00",
                      "executed": "600.00", "rate": "100.00"},
        }
    ]  # fmt: skip
    assert diff["form"] == []
    assert [i["code"] for i in diff["indicators"]] == ["0"]


def test_a_form_correction_needs_a_reason_and_a_new_field_does_not(api: Api) -> None:
    created = ok(api.post("/evaluations", json={**HEADER, "form": {"project_name": "甲"}}), 201)
    base = f"/evaluations/{created['id']}"
    filled = ok(api.post(base + "/form", json={"contact": "王五"}))
    assert filled["form"]["contact"] == "王五"
    refused = api.post(base + "/form", json={"project_name": "乙"})
    assert refused.status_code == 409
    assert refused.json["values"] == {"field": "reason"}
    fixed = ok(api.post(base + "/form", json={"project_name": "乙", "reason": "名称有误"}))
    assert fixed["form"]["project_name"] == "乙"
    assert fixed["form"]["contact"] == "王五"
    bad_date = api.post(base + "/form", json={"report_date": "2026年2月3日"})
    assert bad_date.status_code == 422


def test_a_data_entry_cannot_take_a_key_the_funds_give(api: Api) -> None:
    evaluation_id = opened(api)
    refused = api.post(
        f"/evaluations/{evaluation_id}/data-entries", json={"key": "全年预算数", "value": "1"}
    )
    assert refused.status_code == 422
    assert refused.json["values"]["key"] == "全年预算数"


def test_duplicate_sources_are_refused_and_nothing_is_opened(api: Api) -> None:
    twice = [FUNDS[0], {**FUNDS[0], "executed": "1"}]
    refused = api.post("/evaluations", json={**HEADER, "funds": twice})
    assert refused.status_code == 422
    assert ok(api.get("/evaluations"))["total"] == 0


def imported(api: Api, header: dict[str, Any]) -> Any:
    case = {"evaluation": header, "indicators": INDICATORS}
    data = json.dumps(case, ensure_ascii=False).encode()
    return api.post(
        "/evaluations/import", data=upload(data, "case.json"), content_type="multipart/form-data"
    )


def test_a_json_import_opens_with_the_form_and_funds_of_its_header(api: Api) -> None:
    response = imported(api, {**HEADER, "form": FORM, "funds": FUNDS})
    document = ok(api.get(f"/evaluations/{ok(response, 201)['id']}"))
    assert document["form"] == FORM
    assert document["funds"]["total"]["full_year_budget"] == "620.00"
    assert budget_row(document)["score"] == "9.01"


def test_a_json_import_with_a_bad_funds_row_names_it_and_records_nothing(api: Api) -> None:
    bad = [{"source": "财政拨款", "full_year_budget": "六百", "executed": "540"}]
    response = imported(api, {**HEADER, "funds": bad})
    assert response.status_code == 422
    assert "evaluation.funds[0].full_year_budget" in json.dumps(response.json, ensure_ascii=False)
    assert ok(api.get("/evaluations"))["total"] == 0
