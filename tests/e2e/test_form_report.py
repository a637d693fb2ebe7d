"""A self-evaluation's report is laid out as the form: header, funds with 执行率, the overall
goal, the target table, and the sign-off block once, in the evaluation's time."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from freezegun import freeze_time
from openpyxl import load_workbook

from domain.evaluation import Actor
from tests.cases import load_directly, target_case
from tests.conftest import ApiFor

LEAD = Actor("王组长", "evaluator", "form-report")


def opened(app: Flask) -> str:
    case = target_case()
    case["evaluation"]["time_zone"] = "Asia/Shanghai"
    case["evaluation"]["form"] = {
        "project_name": "社区文化服务",
        "implementer": "示范区文化馆",
        "overall_goal": "全年演出不少于20场",
        "overall_result": "完成24场",
    }
    case["evaluation"]["funds"] = [
        {"source": "财政拨款", "initial_budget": "80", "full_year_budget": "100", "executed": "95"}
    ]
    with freeze_time("2026-03-01 02:00:00"):
        evaluation = load_directly(app, case)
        app.extensions["scoretrail.self_evaluation"].sign_off(
            evaluation, capacity="评价组组长", opinion="属实", by=LEAD
        )
    return evaluation


def report(api_for: ApiFor, evaluation: str, fmt: str) -> Any:
    answer = api_for("auditor", "audrey").get(f"/evaluations/{evaluation}/report?format={fmt}")
    assert answer.status_code == 200, answer.data[:300]
    return answer


def test_the_html_report_prints_the_forms_parts_and_one_sign_off_block(
    app: Flask, api_for: ApiFor
) -> None:
    evaluation = opened(app)
    page = report(api_for, evaluation, "html").data.decode()
    assert "项目名称</th><td>社区文化服务" in page and "实施单位</th><td>示范区文化馆" in page
    assert "项目资金（万元）" in page and "95.00" in page and "95.00</td><td>95.00" in page
    assert "全年演出不少于20场" in page and "完成24场" in page
    assert page.count("评价组组长") == 1, "signed once, not twice"
    assert "2026-03-01 10:00:00 (UTC+08:00)" in page, "signed in the evaluation's time"
    assert not re.search(r"v\d+ [A-Z][a-z]+[A-Z]", page), "no event class names"


def test_the_workbook_carries_the_same_parts(app: Flask, api_for: ApiFor) -> None:
    evaluation = opened(app)
    book = load_workbook(io.BytesIO(report(api_for, evaluation, "xlsx").data))
    cells = [str(c.value) for row in book["绩效自评表"].iter_rows() for c in row if c.value]
    assert "项目名称：社区文化服务" in cells and "项目资金（万元）" in cells
    assert "全年演出不少于20场" in cells and "签字及意见" in cells
    assert "签署" not in book.sheetnames, "the form's own block holds the sign-offs"
