"""The evaluator's whole job from the pages: open, import with a preview, score, attach files."""

from __future__ import annotations

import json
import re
from io import BytesIO
from typing import Any

from flask import Flask

from domain.evaluation import Actor
from tests.cases import SMALL_TOTAL, SUBJECT, small_case
from tests.pages import Browser, browser_for
from tests.sheet_files import national_form

PDF = b"%PDF-1.4\n% a scanned approval\n"


def multipart(browser: Browser, path: str, form: dict[str, Any]) -> Any:
    """A form with a file part, sent as a browser sends it."""
    data = {**form, "csrf_token": browser.csrf_token}
    return browser.client.post(path, data=data, content_type="multipart/form-data")


def document(app: Flask, evaluation_id: str) -> dict[str, Any]:
    return dict(app.extensions["scoretrail"].document(evaluation_id))


def leaf(app: Flask, evaluation_id: str, code: str) -> dict[str, Any]:
    return next(i for i in document(app, evaluation_id)["indicators"] if i["code"] == code)


def count(app: Flask) -> int:
    return int(app.extensions["scoretrail"].list_evaluations({}, 1, 1)["total"])


def attached(app: Flask, evaluation_id: str) -> list[dict[str, Any]]:
    return list(app.extensions["scoretrail.evidence"].listing(evaluation_id))


def test_an_evaluator_opens_an_evaluation_from_the_new_page(app: Flask, evaluator: Browser) -> None:
    form = evaluator.get("/ui/evaluations/new")
    assert form.status_code == 200 and 'name="fiscal_year"' in form.text
    answer = evaluator.post(
        "/ui/evaluations/new",
        {
            "title": "养老服务补贴项目绩效评价",
            "subject": SUBJECT,
            "fiscal_year": "2024",
            "kind": "project",
            "required_sign_offs": "评价组组长\n评价组成员",
        },
    )
    assert answer.status_code == 303
    opened = answer.headers["Location"].split("/ui/evaluations/")[1].split("?")[0]
    created = document(app, opened)
    assert (created["title"], created["fiscal_year"], created["kind"]) == (
        "养老服务补贴项目绩效评价",
        2024,
        "project",
    )
    assert created["required_sign_offs"] == ["评价组组长", "评价组成员"]


def test_a_new_evaluation_without_a_year_is_refused_beside_the_form(
    app: Flask, evaluator: Browser
) -> None:
    before = count(app)
    answer = evaluator.post("/ui/evaluations/new", {"title": "缺年度", "subject": "x"})
    assert answer.status_code == 422
    assert "未记录" in answer.text and "年度" in answer.text
    assert count(app) == before


def test_an_import_shows_a_preview_and_records_only_when_confirmed(
    app: Flask, evaluator: Browser
) -> None:
    before = count(app)
    sheet = (BytesIO(json.dumps(small_case()).encode()), "评分表.json")
    preview = multipart(evaluator, "/ui/evaluations/import", {"file": sheet})
    assert preview.status_code == 200, preview.text[:500]
    assert "尚未记录" in preview.text and SMALL_TOTAL in preview.text
    assert count(app) == before, "a preview records nothing"
    carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    confirmed = evaluator.post("/ui/evaluations/import", carried)
    assert confirmed.status_code == 303
    opened = confirmed.headers["Location"].split("/ui/evaluations/")[1].split("?")[0]
    assert document(app, opened)["total"] == SMALL_TOTAL
    assert count(app) == before + 1


def test_a_national_form_imported_from_the_page_needs_no_header_fields(
    app: Flask, evaluator: Browser
) -> None:
    sheet = (BytesIO(national_form()), "项目支出绩效自评表.xlsx")
    preview = multipart(evaluator, "/ui/evaluations/import", {"file": sheet})
    assert preview.status_code == 200, preview.text[:500]
    carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    confirmed = evaluator.post("/ui/evaluations/import", carried)
    assert confirmed.status_code == 303
    opened = confirmed.headers["Location"].split("/ui/evaluations/")[1].split("?")[0]
    created = document(app, opened)
    assert (created["subject"], created["fiscal_year"], created["kind"]) == (
        "某区文化馆",
        2023,
        "self-evaluation",
    )
    assert created["total"] == "95.98"  # 9.98 for the budget row + the table's 86 (see sheet_files)


def test_an_unreadable_sheet_is_refused_in_chinese_and_records_nothing(
    app: Flask, evaluator: Browser
) -> None:
    before = count(app)
    answer = multipart(
        evaluator, "/ui/evaluations/import", {"file": (BytesIO(b"not a sheet"), "x.xlsx")}
    )
    assert answer.status_code == 422
    assert "未记录" in answer.text
    assert count(app) == before


def test_a_deduction_with_its_file_links_to_the_file_which_opens_inline(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    answer = multipart(
        evaluator,
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1", "reason": "批复缺失", "file": (BytesIO(PDF), "批复.pdf")},
    )
    assert answer.status_code == 303
    [file] = attached(app, evaluation)
    cited = leaf(app, evaluation, "1.1")["deductions"][-1]["evidence"]
    assert [(c["id"], c["title"]) for c in cited] == [(file["id"], "批复.pdf")]
    page = evaluator.get(f"/ui/evaluations/{evaluation}/indicators/1.1").text
    link = f"/ui/evaluations/{evaluation}/evidence/{file['id']}"
    assert f'href="{link}"' in page
    opened = evaluator.get(link)
    assert opened.status_code == 200 and opened.data == PDF
    assert opened.headers["Content-Disposition"].startswith("inline")
    assert opened.mimetype == "application/pdf"


def test_a_file_a_browser_should_not_show_is_offered_as_a_download(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    multipart(
        evaluator,
        f"/ui/evaluations/{evaluation}/indicators/1.2/score",
        {
            "score": "16",
            "justification": "补充目标表后复核",
            "file": (BytesIO(b"PK\x03\x04 archive"), "目标表.zip"),
        },
    )
    [file] = attached(app, evaluation)
    opened = evaluator.get(f"/ui/evaluations/{evaluation}/evidence/{file['id']}")
    assert opened.headers["Content-Disposition"].startswith("attachment")
    assert leaf(app, evaluation, "1.2")["score"] == "16.00"


def test_a_refused_record_leaves_no_file_attached(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    before = document(app, evaluation)["version"]
    answer = multipart(
        evaluator,
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "99", "reason": "超过分值", "file": (BytesIO(PDF), "批复.pdf")},
    )
    assert answer.status_code == 409 and "未记录" in answer.text
    assert document(app, evaluation)["version"] == before
    assert attached(app, evaluation) == []
    again = multipart(
        evaluator,
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1", "reason": "改正后", "file": (BytesIO(PDF), "批复.pdf")},
    )
    assert again.status_code == 303, "the next command starts from what was stored"
    assert document(app, evaluation)["version"] > before


def test_a_checklist_is_assessed_item_by_item_from_its_page(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    page = evaluator.get(f"/ui/evaluations/{evaluation}/indicators/2.1").text
    assert page.count('<select name="met"') == 2 and "制度健全" in page
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/2.1/checklist",
        {"met": ["true", "true"], "justification": "复查全部达标"},
    )
    assert answer.status_code == 303
    assert leaf(app, evaluation, "2.1")["score"] == "30.00"


def test_an_override_keeps_the_rule_score_beside_it(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    page = evaluator.get(f"/ui/evaluations/{evaluation}/indicators/1.1").text
    assert "人工调整得分" in page
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/score",
        {"score": "19", "justification": "材料后补"},
    )
    assert answer.status_code == 303
    node = leaf(app, evaluation, "1.1")
    assert (node["score"], node["rule_score"], node["overridden"]) == ("19.00", "18.00", True)


def test_a_data_entry_is_recorded_and_a_correction_needs_a_reason(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    sheet = f"/ui/evaluations/{evaluation}/data-entries"
    recorded = evaluator.post(sheet, {"key": "到位数", "value": "100", "unit": "万元"})
    assert recorded.status_code == 303
    before = document(app, evaluation)["version"]
    refused = evaluator.post(sheet, {"key": "到位数", "value": "90"})
    assert refused.status_code == 409 and "未记录" in refused.text
    assert document(app, evaluation)["version"] == before
    corrected = evaluator.post(sheet, {"key": "到位数", "value": "90", "reason": "按银行回单更正"})
    assert corrected.status_code == 303
    entries = {e["key"]: e["value"] for e in document(app, evaluation)["data_entries"]}
    assert entries["到位数"] == "90"


def test_the_unit_disputes_with_its_own_file_and_the_reviewer_sees_the_link(
    app: Flask, evaluation: str
) -> None:
    app.extensions["scoretrail"].submit(evaluation, by=Actor("rex", "reviewer", "setup"))
    deduction = leaf(app, evaluation, "1.1")["deductions"][0]["id"]
    unit = browser_for(app, "subject", "unit", SUBJECT)
    answer = multipart(
        unit,
        f"/ui/evaluations/{evaluation}/disputes",
        {
            "deduction_id": deduction,
            "indicator": "1.1",
            "grounds": "论证材料已补报",
            "file": (BytesIO(PDF), "补报函.pdf"),
        },
    )
    assert answer.status_code == 303
    [file] = attached(app, evaluation)
    queue = browser_for(app, "reviewer", "rita").get("/ui/disputes").text
    assert f"/ui/evaluations/{evaluation}/evidence/{file['id']}" in queue


def test_a_five_megabyte_scan_goes_in_through_a_page_form_with_the_default_limits(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    scan = PDF + b"0" * (5 * 1024 * 1024)
    answer = multipart(
        evaluator,
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1", "reason": "批复缺失", "file": (BytesIO(scan), "扫描件.pdf")},
    )
    assert answer.status_code == 303, answer.text[:300]
    assert [f["size"] for f in attached(app, evaluation)] == [len(scan)]
