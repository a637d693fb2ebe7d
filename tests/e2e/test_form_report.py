"""A self-evaluation's report is laid out as the form: header, funds with 执行率, the overall
goal, the target table, and the sign-off block once, in the evaluation's time."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from freezegun import freeze_time
from openpyxl import load_workbook

from adapters.sheets.target_table import parse_target_table
from domain.evaluation import Actor
from tests.cases import SUBJECT, load_directly, target_case
from tests.conftest import ApiFor

LEAD = Actor("王组长", "evaluator", "form-report")
FILER = Actor("小李", "subject", "form-report", subject=SUBJECT)


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


def signed_with_lines(app: Flask) -> str:
    """A form whose final value names its source, signed by the group lead and the filer
    with their 职务/职称, 单位 and 联系电话."""
    case = target_case()
    case["target_values"][0]["source"] = "文化馆演出台账"
    forms = app.extensions["scoretrail.self_evaluation"]
    with freeze_time("2026-03-01 02:00:00"):
        evaluation = load_directly(app, case)
        forms.sign_off(
            evaluation,
            capacity="评价组组长",
            title="高级会计师",
            organization="某会计师事务所",
            phone="010-66001234",
            by=LEAD,
        )
        forms.sign_off(
            evaluation,
            capacity="填报人",
            title="科员",
            organization="示范区文化馆",
            phone="(0571) 8700 5678",
            by=FILER,
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


def test_the_html_report_prints_each_signers_lines_and_the_final_values_source(
    app: Flask, api_for: ApiFor
) -> None:
    evaluation = signed_with_lines(app)
    page = report(api_for, evaluation, "html").data.decode()
    signs = page[page.index('<table class="sign-offs">') :]
    head = "<th>签字身份</th><th>签字人</th><th>职务/职称</th><th>单位</th><th>联系电话</th>"
    assert head in signs
    assert "<td>评价组组长</td><td>王组长</td><td>高级会计师</td><td>某会计师事务所</td>" in signs
    assert "<td>010-66001234</td>" in signs
    assert "<td>填报人</td><td>小李</td><td>科员</td><td>示范区文化馆</td>" in signs
    assert "<td>(0571) 8700 5678</td>" in signs, "the filer's row shows the filer's phone"
    scores = page[page.index('<table class="scores">') : page.index('<table class="sign-offs">')]
    assert "<th>数据来源及佐证</th>" in scores
    assert "文化馆演出台账<br>佐证：台账" in scores
    assert "佐证：决算" in scores, "evidence without a source is printed too"


def test_the_workbook_prints_the_signers_lines_and_still_reads_back(
    app: Flask, api_for: ApiFor
) -> None:
    evaluation = signed_with_lines(app)
    data = report(api_for, evaluation, "xlsx").data
    rows = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(data))["绩效自评表"].iter_rows()
    ]
    filer = ["填报人", "小李", "科员", "示范区文化馆", "(0571) 8700 5678"]
    assert any(row[:5] == filer for row in rows)
    assert any("文化馆演出台账\n佐证：台账" in row for row in rows)
    read = parse_target_table(data, "form.xlsx")
    finals = {v["indicator"]: v["value"] for v in read["target_values"] if v["stage"] == "final"}
    assert finals["1.1"] == "24"
