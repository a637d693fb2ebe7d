"""Times on pages mean what they mean in the API: a date alone is the end of that day, in the
evaluation's zone, and the page says which zone."""

from __future__ import annotations

import re

from flask import Flask
from freezegun import freeze_time

from domain.evaluation import Actor
from tests.cases import small_case
from tests.conftest import ApiFor
from tests.pages import browser_for

ALICE = Actor("alice", "evaluator", "moments")


def test_a_date_alone_is_the_end_of_that_day_on_pages_as_in_the_api(
    app: Flask, api_for: ApiFor
) -> None:
    service = app.extensions["scoretrail"]
    case = small_case()
    case["evaluation"]["time_zone"] = "Asia/Shanghai"
    with freeze_time("2026-03-01 02:00:00"):  # 10:00 on 1 March in Shanghai
        evaluation = str(service.import_evaluation(case, ALICE).id)
    with freeze_time("2026-03-01 15:30:00"):  # 23:30 on 1 March in Shanghai
        late = service.record_deduction(evaluation, "1.1", points="1", reason="晚", by=ALICE)
    with freeze_time("2026-03-01 16:30:00"):  # 00:30 on 2 March in Shanghai
        service.record_deduction(evaluation, "1.1", points="1", reason="次日", by=ALICE)
    api = api_for("reviewer", "rita").get(f"/evaluations/{evaluation}?as_of=2026-03-01")
    assert api.json["version"] == late.version
    page = browser_for(app, "reviewer", "rita").get(
        f"/ui/evaluations/{evaluation}?as_of=2026-03-01"
    )
    assert page.status_code == 200
    shown = re.search(r"这是版本 (\d+)", page.text)
    assert shown is not None and int(shown.group(1)) == api.json["version"]


def test_the_picker_and_the_footer_name_the_evaluations_zone(app: Flask) -> None:
    case = small_case()
    case["evaluation"]["time_zone"] = "Asia/Urumqi"
    evaluation = str(app.extensions["scoretrail"].import_evaluation(case, ALICE).id)
    page = browser_for(app, "reviewer", "rita").get(f"/ui/evaluations/{evaluation}").text
    assert "查看某一时刻（Asia/Urumqi（UTC+06:00））" in page
    assert "时间均为 Asia/Urumqi（UTC+06:00） 时间" in page


def test_the_diff_page_takes_named_moments_and_lists_each_changes_reason(app: Flask) -> None:
    service = app.extensions["scoretrail"]
    evaluation = str(service.import_evaluation(small_case(), ALICE).id)
    service.submit(evaluation, by=Actor("rex", "reviewer", "moments"))
    service.record_deduction(evaluation, "1.1", points="1", reason="提交后补扣", by=ALICE)
    page = browser_for(app, "reviewer", "rita").get(
        f"/ui/evaluations/{evaluation}/diff?from=submission"
    )
    assert page.status_code == 200, page.text[:500]
    assert "提交后补扣" in page.text
    assert "18.00" in page.text and "17.00" in page.text


def test_the_sheet_page_shows_the_forms_header_goal_and_funds_block(app: Flask) -> None:
    opened = (
        app.extensions["scoretrail"]
        .create_evaluation(
            title="农村供水保障项目 2024年度绩效自评",
            subject="某县水务局",
            fiscal_year=2024,
            kind="self-evaluation",
            form={
                "project_name": "农村供水保障",
                "overall_goal": "保障供水",
                "overall_result": "已完成",
            },
            funds=[
                {
                    "source": "财政拨款",
                    "initial_budget": "100",
                    "full_year_budget": "120",
                    "executed": "110",
                }
            ],
            by=ALICE,
        )
        .document()
    )
    page = browser_for(app, "reviewer", "rita").get(f"/ui/evaluations/{opened['id']}").text
    assert "项目名称</th><td>农村供水保障" in page and "保障供水" in page and "已完成" in page
    assert "财政拨款" in page and "91.67%" in page


def test_a_page_reads_the_evaluations_zone_once_however_many_times_it_shows(
    app: Flask,
) -> None:
    evaluation = str(app.extensions["scoretrail"].import_evaluation(small_case(), ALICE).id)
    queries = app.extensions["scoretrail"].queries
    asked: list[str] = []
    read = queries.time_zone_of
    queries.time_zone_of = lambda evaluation_id: asked.append(evaluation_id) or read(evaluation_id)
    page = browser_for(app, "reviewer", "rita").get(f"/ui/evaluations/{evaluation}/history")
    assert page.status_code == 200 and page.text.count("(UTC+08:00)") > 5
    assert asked == [evaluation]
