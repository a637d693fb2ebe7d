"""A past score sheet made of an edited history row is refused: the events answer, and say so."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from adapters.history_tables import BY_SOURCE
from adapters.tables import evaluations
from tests.conftest import Api, ApiFor

FRAMEWORK = [
    {"code": "1", "name": "决策", "weight": "60"},
    {"code": "1.1", "name": "立项依据", "parent": "1", "weight": "60", "method": "deduction"},
    {"code": "2", "name": "效益", "weight": "40"},
    {"code": "2.1", "name": "满意度", "parent": "2", "weight": "40", "method": "deduction"},
]
HEADER = {"title": "示范项目", "subject": "示范单位", "fiscal_year": 2024, "kind": "project"}
HEADERS = BY_SOURCE[evaluations].history


def test_an_edited_past_total_is_served_from_the_events_and_named_by_verification(
    app: Flask, api: Api, api_for: ApiFor
) -> None:
    evaluation = api.post("/evaluations", json=HEADER).json["id"]
    framed = api.post(f"/evaluations/{evaluation}/framework", json={"indicators": FRAMEWORK})
    assert framed.status_code == 200, framed.json
    url = f"/evaluations/{evaluation}/indicators/1.1/deductions"
    for points in ("1.5", "2", "0.5"):
        made = api.post(url, json={"points": points, "reason": "资料不全"})
        assert made.status_code == 201, made.json
    before = api.get(f"/evaluations/{evaluation}?version=4").json
    assert "integrity_problem" not in before and before["total"] != "99.99"
    service = app.extensions["scoretrail"]
    with service.unit_of_work.transaction() as session:
        row = (HEADERS.c.id == evaluation, HEADERS.c.lower <= 4, HEADERS.c.upper >= 4)
        assert session.execute(update(HEADERS).where(*row).values(total="99.99")).rowcount == 1

    after = api.get(f"/evaluations/{evaluation}?version=4").json
    assert "does not match its seal" in after["integrity_problem"]
    assert "rm_evaluations_history" in after["integrity_problem"]
    assert {k: v for k, v in after.items() if k != "integrity_problem"} == before
    verdict = api_for("auditor", "audrey").get(f"/evaluations/{evaluation}/verification").json
    assert verdict["ok"] is False
    bad = verdict["read_model"]["first_bad_row"]
    assert bad["table"] == "rm_evaluations_history" and bad["key"] == {"id": evaluation}
    assert bad["lower"] <= 4 <= bad["upper"]
