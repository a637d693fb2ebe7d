"""One gate for text at every entry (pages, files' names, imported cells, the console), and
reports that render whatever older data holds."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from openpyxl import load_workbook

from adapters.bootstrap import build_review_service, build_service
from domain.evaluation import Actor
from tests.cases import load_directly, small_case
from tests.conftest import Api, signed_in
from tests.pages import Browser, browser_for
from tests.renders import UNSTORABLE, every_report
from tests.sheet_files import HEADER, HEADER_FIELDS, upload, xlsx
from web.cli import main

SETUP = Actor("alice", "evaluator", "test-setup")


def version(app: Flask, evaluation_id: str) -> int:
    return int(app.extensions["scoretrail"].document(evaluation_id)["version"])


def test_a_control_character_typed_in_a_deduction_reason_is_refused_on_the_page(
    app: Flask, evaluator: Browser, evaluation: str
) -> None:
    before = version(app, evaluation)
    answer = evaluator.post(
        f"/ui/evaluations/{evaluation}/indicators/1.1/deductions",
        {"points": "1", "reason": "材料\x01缺失"},
    )
    assert answer.status_code == 422
    form = answer.text[answer.text.index('class="record"') :]
    beside = form[: form.index("</form>")]
    assert "理由 含有控制字符 U+0001" in beside and "未记录" in beside
    assert "材料\\x01缺失" in beside and "\x01" not in answer.text, "shown written out, not raw"
    assert version(app, evaluation) == before
    every_report(signed_in(app, "auditor", "audrey"), evaluation, pdf=False)


def test_a_control_character_in_a_page_query_is_a_readable_422_page(
    evaluator: Browser, evaluation: str
) -> None:
    answer = evaluator.get(f"/ui/evaluations/{evaluation}/history?actor=a%00b")
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    assert "控制字符 U+0000" in answer.text


def test_a_control_character_in_the_sign_in_form_is_a_readable_422_page(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/ui/login", data={"token": "st_\x00", "csrf_token": "x"})
    assert answer.status_code == 422 and "控制字符 U+0000" in answer.text


def test_a_control_character_in_an_evidence_file_name_is_refused(app: Flask) -> None:
    api = signed_in(app)
    evaluation = load_directly(app, small_case())
    before = version(app, evaluation)
    answer = api.post(
        f"/evaluations/{evaluation}/evidence",
        data={"file": (io.BytesIO(b"%PDF-1.4 x"), "证据\x01.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422, answer.json
    assert "U+0001" in answer.json["errors"]["file"][0]
    assert version(app, evaluation) == before
    assert api.get(f"/evaluations/{evaluation}/evidence").json["items"] == []


def import_sheet(api: Api, data: bytes, filename: str) -> Any:
    return api.post(
        "/evaluations/import",
        data=upload(data, filename, **HEADER_FIELDS),
        content_type="multipart/form-data",
    )


def test_a_control_character_in_an_uploaded_sheets_file_name_is_refused(api: Api) -> None:
    rows = [HEADER, ["决策", "立项", "依据", 3, None, "依据充分", 3]]
    answer = import_sheet(api, xlsx(rows), "评分表\x1b.xlsx")
    assert answer.status_code == 422 and "file" in answer.json["errors"]
    assert api.get("/evaluations").json["total"] == 0


def assert_cell_refused(answer: Any, row: int, column: str, code: str) -> None:
    assert answer.status_code == 422, answer.json
    rows = answer.json["rows"]
    assert [(r["row"], r["column"]) for r in rows] == [(row, column)]
    assert f"单元格 {column}{row}" in rows[0]["message"] and code in rows[0]["message"]


def test_a_control_character_in_an_imported_xlsx_cell_is_refused_naming_the_cell(
    api: Api,
) -> None:
    rows: list[list[Any]] = [["某项目评分表"] for _ in range(5)]
    rows += [HEADER, ["决策", "立项\x85依据", "依据", 3, None, "依据充分", 3]]
    answer = import_sheet(api, xlsx(rows), "annex.xlsx")  # openpyxl writes C1 characters
    assert_cell_refused(answer, 7, "B", "U+0085")
    assert api.get("/evaluations").json["total"] == 0


def test_a_control_character_in_an_imported_csv_cell_is_refused_naming_the_cell(
    api: Api,
) -> None:
    text = "一级指标,二级指标,分值,得分\n决策,立项,5,4\n过程,管理\x01制度,5,4\n"
    answer = import_sheet(api, text.encode("utf-8"), "annex.csv")
    assert_cell_refused(answer, 3, "B", "U+0001")
    assert api.get("/evaluations").json["total"] == 0


def test_a_control_character_in_an_imported_json_fixture_is_refused_naming_its_path(
    api: Api,
) -> None:
    case = small_case()
    case["actions"][0]["reason"] = "立项\x00论证"
    answer = import_sheet(api, json.dumps(case).encode(), "case.json")
    assert answer.status_code == 422, answer.json
    assert [r["column"] for r in answer.json["rows"]] == ["actions.0.reason"]
    assert "U+0000" in answer.json["rows"][0]["message"]
    assert api.get("/evaluations").json["total"] == 0


def test_text_stored_before_the_gate_renders_in_every_report(app: Flask) -> None:
    service = app.extensions["scoretrail"]  # the application service: the gate is not there
    case = small_case()
    case["evaluation"]["title"] = f"标题{UNSTORABLE}"
    evaluation = load_directly(app, case)
    service.record_deduction(evaluation, "1.1", points="1", reason=UNSTORABLE, by=SETUP)
    app.extensions["scoretrail.review"].add_note(evaluation, "1.2", text=UNSTORABLE, by=SETUP)

    shown = every_report(signed_in(app, "auditor", "audrey"), evaluation)

    written_out = "缺\\x01失\\x00尾\\x07\\x1b\\x7f\\x85\\ufffe完"
    for fmt in ("xlsx", "csv", "html", "history"):
        assert written_out in shown[fmt], fmt
        assert "\x01" not in shown[fmt] and "\x00" not in shown[fmt], fmt
    # the audit packet is JSON: every character is kept exactly, as a JSON escape
    packet = browser_for(app, "auditor", "audrey").get(f"/ui/evaluations/{evaluation}/audit-packet")
    assert packet.status_code == 200
    assert "\\u0001" in packet.text and "\x01" not in packet.text
    reasons = [e["payload"].get("reason") for e in json.loads(packet.text)["events"]]
    assert UNSTORABLE in reasons


def test_the_console_export_renders_text_stored_before_the_gate(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    service = build_service(database)
    evaluation = str(service.import_evaluation(small_case(), SETUP).id)
    service.record_deduction(evaluation, "1.1", points="1", reason=UNSTORABLE, by=SETUP)
    build_review_service(service).add_note(evaluation, "1.2", text=UNSTORABLE, by=SETUP)
    for fmt in ("xlsx", "csv", "html", "json"):
        out = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(
            main,
            ["export", evaluation, "--format", fmt, "-o", str(out), "--database-url", database],
        )
        assert result.exit_code == 0, (fmt, result.output, result.exception)
    workbook = load_workbook(tmp_path / "report.xlsx")
    cells = [str(v) for s in workbook.worksheets for r in s.iter_rows(values_only=True) for v in r]
    assert any("缺\\x01失" in cell for cell in cells)


def test_a_control_character_in_a_console_argument_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    sheet = tmp_path / "plain.csv"
    sheet.write_text("一级指标,二级指标,分值,得分\n决策,立项,5,4\n", encoding="utf-8")
    args = ["import", str(sheet), "--title", "评价\x01", "--subject", "某局", "--fiscal-year"]
    result = CliRunner().invoke(main, [*args, "2024", "--database-url", database])
    assert result.exit_code == 2
    assert "--title" in result.output and "U+0001" in result.output
    assert build_service(database).list_evaluations({})["total"] == 0


def test_a_control_character_in_a_loaded_fixture_file_is_refused(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    case = small_case()
    case["data_entries"][0]["source"] = "预算\x02批复"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(path), "--database-url", database])
    assert result.exit_code == 1 and "U+0002" in result.output
    assert build_service(database).list_evaluations({})["total"] == 0


@pytest.mark.parametrize("sent", ["令牌", "a\udc80b"])
def test_a_csrf_token_outside_ascii_is_refused_not_a_500(
    app: Flask, evaluator: Browser, evaluation: str, sent: str
) -> None:
    before = version(app, evaluation)
    answer = evaluator.client.post(
        f"/ui/evaluations/{evaluation}/indicators/1.2/notes",
        data={"csrf_token": sent.encode("utf-8", "surrogateescape"), "text": "意见"},
    )
    assert answer.status_code == 403 and "CSRF" in answer.text
    assert version(app, evaluation) == before


def test_a_control_character_in_a_page_address_is_a_readable_422_page(
    evaluator: Browser, evaluation: str
) -> None:
    answer = evaluator.get(f"/ui/evaluations/{evaluation}/indicators/1%00")
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    assert "指标编号 含有控制字符 U+0000" in answer.text
