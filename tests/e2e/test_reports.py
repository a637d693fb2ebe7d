"""Downloading reports: GET …/report in four formats, and …/history?format=csv."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import unquote

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from tests.conftest import REFERENCE, Api, bearer
from tests.sheet_files import upload
from web import create_app

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
TITLE = "创业孵化基地运营项目 2022年度绩效评价"
SUBJECT = "三亚市吉阳区人力资源和社会保障局"


def record_reference(api: Api) -> str:
    """The reference case, recorded with one upload (the recording calls are tested elsewhere)."""
    with freeze_time("2026-11-01T08:00:00Z"):
        created = api.post(
            "/evaluations/import",
            data=upload(REFERENCE.read_bytes(), "jiyang.json"),
            content_type="multipart/form-data",
        )
    assert created.status_code == 201, created.json
    return str(created.json["id"])


@pytest.fixture
def evaluation_id(api: Api) -> str:
    """The reference case in this test's own store, for tests that record more."""
    return record_reference(api)


@pytest.fixture(scope="module")
def shared() -> tuple[Api, str]:
    """One store with the reference case for the tests that only read (keeps the suite fast)."""
    app = create_app({"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "TESTING": True})
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    api = Api(app.test_client(), bearer(secret))
    return api, record_reference(api)


def report(api: Api, evaluation_id: str, query: str) -> Any:
    return api.get(f"/evaluations/{evaluation_id}/report?{query}")


def leaves(document: dict[str, Any]) -> dict[str, str]:
    parents = {i["parent"] for i in document["indicators"]}
    return {i["code"]: i["score"] for i in document["indicators"] if i["code"] not in parents}


@pytest.mark.parametrize("fmt", list(MEDIA))
def test_each_format_has_its_type_and_a_readable_file_name(
    shared: tuple[Api, str], fmt: str
) -> None:
    api, evaluation_id = shared
    response = report(api, evaluation_id, f"format={fmt}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == MEDIA[fmt]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;" if fmt == "html" else "attachment;")
    assert 'filename="scoretrail-2022-v' in disposition and evaluation_id not in disposition
    readable = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert re.fullmatch(rf"{SUBJECT}-2022-v\d+\.{fmt}", readable)


def test_default_format_is_xlsx(shared: tuple[Api, str]) -> None:
    api, evaluation_id = shared
    response = report(api, evaluation_id, "")

    assert response.headers["Content-Type"] == MEDIA["xlsx"]
    assert response.data.startswith(b"PK\x03\x04")


def test_csv_is_utf8_with_a_bom_and_holds_the_score_table(shared: tuple[Api, str]) -> None:
    api, evaluation_id = shared
    data = report(api, evaluation_id, "format=csv").data

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [TITLE]
    header = next(row for row in rows if row and row[0] == "一级指标")
    assert {"分值", "得分", "得分率(%)", "评价过程", "规则得分", "扣分明细"} <= set(header)
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[header.index("得分")] == "88.66"
    assert any("等级：良" in cell for row in rows for cell in row)


def test_xlsx_holds_weights_scores_rates_grade_and_deductions_with_evidence(
    shared: tuple[Api, str],
) -> None:
    api, evaluation_id = shared
    data = report(api, evaluation_id, "format=xlsx").data

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "一级指标")
    leaf = next(row for row in rows if "2.2.2" in row)
    assert str(leaf[header.index("分值")]) == "8"
    assert str(leaf[header.index("得分")]) == "7"
    assert str(leaf[header.index("得分率(%)")]) == "87.5"
    details = leaf[header.index("扣分明细")]
    assert "扣 1.00 分" in details and "佐证：区人社局创业孵化基地年度运营考核结果" in details
    assert any(cell and "等级：良" in str(cell) for row in rows for cell in row)


def test_html_is_one_self_contained_page(shared: tuple[Api, str]) -> None:
    api, evaluation_id = shared
    response = report(api, evaluation_id, "format=html")

    page = response.data.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert "<style>" in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_html_shows_an_override_beside_its_rule_score_and_deductions_with_reasons(
    api: Api, evaluation_id: str
) -> None:
    api.post(
        f"/evaluations/{evaluation_id}/indicators/2.1.2/score",
        json={"score": "1.50", "justification": "复核认可部分支出"},
    )

    page = report(api, evaluation_id, "format=html").data.decode("utf-8")

    assert "规则得分 0.73，记录 1.50：复核认可部分支出" in page
    assert "未能对项目运营进行有效监管" in page
    assert "等级：良" in page
    assert "89.43" in page


def test_as_of_gives_the_report_as_it_stood_then(api: Api, evaluation_id: str) -> None:
    with freeze_time("2026-11-22T13:40:00Z"):
        api.post(
            f"/evaluations/{evaluation_id}/indicators/4.2.1/deductions",
            json={"points": "1", "reason": "服务响应慢"},
        )

    then = report(api, evaluation_id, "format=json&as_of=2026-11-10T00:00:00%2B00:00").json
    now = report(api, evaluation_id, "format=json").json

    assert then["total"] == "88.66"
    assert then["as_of"] == "2026-11-10T00:00:00+00:00"
    assert now["total"] == "87.66"
    page = report(api, evaluation_id, "format=html&as_of=2026-11-10T00:00:00Z").data
    assert "截至" in page.decode("utf-8")


def test_version_gives_the_report_at_that_version(api: Api, evaluation_id: str) -> None:
    version = api.get(f"/evaluations/{evaluation_id}").json["version"]
    api.post(
        f"/evaluations/{evaluation_id}/indicators/4.2.1/deductions",
        json={"points": "1", "reason": "服务响应慢"},
    )

    response = report(api, evaluation_id, f"format=json&version={version}")

    assert response.json["total"] == "88.66"
    assert response.json["version"] == version


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("format=docx", 422),
        ("format=json&version=2&as_of=2026-11-10T00:00:00Z", 422),
        ("format=json&version=100000", 404),
        ("format=json&as_of=2000-01-01T00:00:00Z", 404),
    ],
)
def test_bad_report_queries_are_problems(shared: tuple[Api, str], query: str, status: int) -> None:
    api, evaluation_id = shared
    response = report(api, evaluation_id, query)

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"


def test_report_of_an_unknown_evaluation_is_a_404(api: Api) -> None:
    response = report(api, "00000000-0000-0000-0000-000000000000", "format=html")

    assert response.status_code == 404
    assert response.json["type"] == "urn:scoretrail:problem:evaluation-not-found"


def test_history_csv_has_chinese_headers_and_one_column_per_field(
    shared: tuple[Api, str],
) -> None:
    api, evaluation_id = shared
    response = api.get(f"/evaluations/{evaluation_id}/history?format=csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f"{SUBJECT}-2022-history.csv" in unquote(response.headers["Content-Disposition"])
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    events = api.get(f"/evaluations/{evaluation_id}/history?per_page=1000").json["items"]
    assert len(rows) == len(events) == api.get(f"/evaluations/{evaluation_id}").json["version"]
    headers = list(rows[0])
    assert headers[:7] == [
        "版本",
        "记录时间(UTC)",
        "记录时间(本地)",
        "事件类型",
        "事件",
        "操作人",
        "角色",
    ]
    assert "payload" not in headers and {"指标编码", "分值", "原因", "佐证材料"} <= set(headers)
    for row, event in zip(rows, events, strict=True):
        assert int(row["版本"]) == event["version"]
        assert (row["事件类型"], row["操作人"]) == (event["type"], event["actor"])
        assert row["记录时间(UTC)"] == event["recorded_at"] == "2026-11-01T08:00:00+00:00"
        assert row["记录时间(本地)"] == "2026-11-01 16:00:00 (UTC+08:00)"
        assert row["指标"] == (event["indicator"] or "")
        if event["type"] == "DeductionRecorded":
            assert row["事件"] == "记录扣分"
            assert (row["分值"], row["原因"]) == (event["data"]["points"], event["data"]["reason"])


def test_history_csv_of_an_unknown_evaluation_is_a_404(api: Api) -> None:
    response = api.get("/evaluations/00000000-0000-0000-0000-000000000000/history?format=csv")

    assert response.status_code == 404


def test_history_without_format_is_still_the_json_page(shared: tuple[Api, str]) -> None:
    api, evaluation_id = shared
    response = api.get(f"/evaluations/{evaluation_id}/history?per_page=5")

    assert response.headers["Content-Type"] == "application/json"
    assert len(response.json["items"]) == 5


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_export_then_import_over_http_gives_the_same_leaf_scores_and_total(
    shared: tuple[Api, str], fmt: str
) -> None:
    api, evaluation_id = shared
    original = api.get(f"/evaluations/{evaluation_id}").json
    exported = report(api, evaluation_id, f"format={fmt}").data

    created = api.post(
        "/evaluations/import",
        data=upload(exported, f"export.{fmt}"),
        content_type="multipart/form-data",
    )

    assert created.status_code == 201, created.json
    again = api.get(created.headers["Location"]).json
    assert again["id"] != original["id"]
    assert leaves(again) == leaves(original)
    assert (again["total"], again["grade"]) == (original["total"], original["grade"])
