"""A past score sheet made of an edited history row is refused: the events answer, and say so."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from adapters.history_tables import BY_SOURCE
from adapters.tables import evaluations
from tests.conftest import Api, ApiFor
from tests.pages import browser_for

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "60"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "60", "method": "deduction"},
    {"code": "2", "name": "效益", "weight": "40"},
    {"code": "2.1", "name": "满意度", "parent": "2", "weight": "40", "method": "deduction"},
]
HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
HEADERS = BY_SOURCE[evaluations].history


def recorded(api: Api) -> str:
    """An evaluation whose total changed three times: closed header rows in the history."""
    evaluation = str(api.post("/evaluations", json=HEADER).json["id"])
    framed = api.post(f"/evaluations/{evaluation}/framework", json={"indicators": FRAMEWORK})
    assert framed.status_code == 200, framed.json
    url = f"/evaluations/{evaluation}/indicators/1.1/deductions"
    for points in ("1.5", "2", "0.5"):
        made = api.post(url, json={"points": points, "reason": "资料不全"})
        assert made.status_code == 201, made.json
    return evaluation


def edit_total_at(app: Flask, evaluation: str, version: int) -> None:
    """Set the header's history row holding at `version` to 99.99, outside the application."""
    service = app.extensions["scoretrail"]
    with service.unit_of_work.transaction() as session:
        row = (HEADERS.c.id == evaluation, HEADERS.c.lower <= version, HEADERS.c.upper >= version)
        assert session.execute(update(HEADERS).where(*row).values(total="99.99")).rowcount == 1


def test_an_edited_past_total_is_served_from_the_events_and_named_by_verification(
    app: Flask, api: Api, api_for: ApiFor
) -> None:
    evaluation = recorded(api)
    before = api.get(f"/evaluations/{evaluation}?version=4").json
    assert "integrity_problem" not in before and before["total"] != "99.99"
    edit_total_at(app, evaluation, 4)

    after = api.get(f"/evaluations/{evaluation}?version=4").json
    assert "does not match its seal" in after["integrity_problem"]
    assert "rm_evaluations_history" in after["integrity_problem"]
    assert {k: v for k, v in after.items() if k != "integrity_problem"} == before
    verdict = api_for("auditor", "audrey").get(f"/evaluations/{evaluation}/verification").json
    assert verdict["ok"] is False
    bad = verdict["read_model"]["first_bad_row"]
    assert bad["table"] == "rm_evaluations_history" and bad["key"] == {"id": evaluation}
    assert bad["lower"] <= 4 <= bad["upper"]


def test_the_past_sheet_page_warns_in_chinese_when_a_stored_row_was_edited(
    app: Flask, api: Api
) -> None:
    evaluation = recorded(api)
    total = api.get(f"/evaluations/{evaluation}?version=4").json["total"]
    auditor = browser_for(app, "auditor", "audrey")
    page = f"/ui/evaluations/{evaluation}?version=4"
    assert "完整性警告" not in auditor.get(page).get_data(as_text=True)
    edit_total_at(app, evaluation, 4)

    shown = auditor.get(page).get_data(as_text=True)
    assert "完整性警告：此历史评分表的一条存储数据与其校验印章不符" in shown
    assert "rm_evaluations_history" in shown and "已按事件重新计算" in shown
    assert "does not match" not in shown and "99.99" not in shown and total in shown
