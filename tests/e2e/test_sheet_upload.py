"""Uploading score sheets: POST /evaluations/import, all or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, bearer
from tests.sheet_files import (
    HEADER,
    HEADER_FIELDS,
    MERGED_SCORES,
    MERGES,
    merged_table,
    upload,
    xlsx,
)
from web import create_app

IMPORT = "/evaluations/import"


def post_sheet(api: Api, data: bytes, filename: str, query: str = "", **fields: Any) -> Any:
    return api.post(
        IMPORT + query, data=upload(data, filename, **fields), content_type="multipart/form-data"
    )


def evaluation_count(api: Api) -> int:
    return int(api.get("/evaluations").json["total"])


def test_reference_case_json_upload_gives_88_66_and_liang(
    api: Api, reference_case: dict[str, Any]
) -> None:
    data = json.dumps(reference_case, ensure_ascii=False).encode()

    response = post_sheet(api, data, "jiyang-incubator-2022.json")

    assert response.status_code == 201, response.json
    assert (response.json["total"], response.json["grade"]) == ("88.66", "良")
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/evaluations/{response.json['id']}")
    document = api.get(location).json
    assert (document["total"], document["grade"]) == ("88.66", "良")
    by_code = {i["code"]: i for i in document["indicators"]}
    for code, value in reference_case["expected"]["leaves"].items():
        assert by_code[code]["score"] == value


def test_xlsx_with_merged_cells_imports_every_leaf_score(api: Api) -> None:
    response = post_sheet(api, xlsx(merged_table(), merges=MERGES), "annex.xlsx")

    assert response.status_code == 201, response.json
    document = api.get(response.headers["Location"]).json
    leaves = {i["code"]: i["score"] for i in document["indicators"] if i["code"] in MERGED_SCORES}
    assert leaves == MERGED_SCORES
    assert document["total"] == "23.73"
    assert len(response.json["warnings"]) == 3  # two checklists and a ratio without rule data


def test_events_are_recorded_under_the_callers_identity_and_request_id() -> None:
    app = create_app({"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:"})
    _, secret = app.extensions["scoretrail.tokens"].create("carol", "evaluator")
    api = Api(app.test_client(), {"X-Request-ID": "import-42", **bearer(secret)})

    created = post_sheet(api, xlsx(merged_table()), "annex.xlsx")

    events = api.get(f"/evaluations/{created.json['id']}/history").json["items"]
    assert {(e["actor"], e["role"], e["correlation_id"]) for e in events} == {
        ("carol", "evaluator", "import-42")
    }


def test_form_fields_fill_and_override_the_sheets_header(api: Api) -> None:
    rows = [HEADER, ["决策", "立项", "依据", 3, None, "依据充分", 3]]

    response = post_sheet(
        api, xlsx(rows), "t.xlsx", title="另定标题", evaluator="某事务所", **HEADER_FIELDS
    )

    assert response.status_code == 201, response.json
    evaluation = response.json["evaluation"]
    assert (evaluation["title"], evaluation["subject"], evaluation["evaluator"]) == (
        "另定标题",
        "某区人社局",
        "某事务所",
    )
    assert evaluation["fiscal_year"] == 2022


def test_dry_run_shows_the_events_total_and_grade_and_records_nothing(api: Api) -> None:
    response = post_sheet(api, xlsx(merged_table()), "annex.xlsx", query="?dry_run=true")

    assert response.status_code == 200
    assert "Location" not in response.headers
    body = response.json
    assert body["dry_run"] is True and body["id"] is None
    assert body["evaluation"]["id"] is None
    assert body["evaluation"]["total"] == "23.73"
    assert (body["total"], body["grade"]) == ("23.73", "优")
    assert body["events"][0]["type"] == "Created"
    assert body["events"][0]["actor"] == "alice"
    assert any(
        e["type"] == "DeductionRecorded" and e["data"]["points"] == "1.00" for e in body["events"]
    )
    assert evaluation_count(api) == 0


def wrong_weight_sum() -> bytes:
    rows = [
        ["一级指标", "分值", "二级指标", "分值", "得分"],
        ["决策", 20, "立项", 6, 6],
        [None, None, "目标", 10, 9],
        ["过程", 10, "管理", 10, 8],
    ]
    return xlsx(rows, merges=("A2:A3", "B2:B3"))


def text_in_a_number_column() -> bytes:
    rows = merged_table()
    rows[4][3] = "三分"  # 分值 of 立项程序规范性, sheet row 5, column D
    return xlsx(rows, merges=MERGES)


BAD_FILES = {
    "wrong weight sum": (
        wrong_weight_sum,
        "w.xlsx",
        [("评分表", 2, "B")],
        "children's weights sum to 16",
    ),
    "text in a number column": (
        text_in_a_number_column,
        "annex.xlsx",
        [("评分表", 5, "D")],
        "三分",
    ),
    "empty sheet": (lambda: xlsx([]), "empty.xlsx", [("评分表", None, None)], "工作表为空"),
    "not an xlsx despite its name": (
        lambda: "一级指标,分值\n决策,5\n".encode(),
        "scores.xlsx",
        [(None, None, None)],
        "不是 xlsx 工作簿",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_a_bad_file_is_a_422_naming_sheet_row_and_column_and_records_nothing(
    api: Api, case: str
) -> None:
    make, filename, places, words = BAD_FILES[case]

    response = post_sheet(api, make(), filename, **HEADER_FIELDS)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert body["type"] == "urn:scoretrail:problem:sheet-rejected"
    assert body["status"] == 422
    assert "未记录任何内容" in body["detail"]
    assert [(r["sheet"], r["row"], r["column"]) for r in body["rows"]] == places
    assert words in body["rows"][0]["message"]
    assert list(body["errors"]) == ["file"]
    assert words in body["errors"]["file"][0]
    assert evaluation_count(api) == 0


def test_every_bad_row_is_listed_at_once(api: Api) -> None:
    rows = merged_table()
    rows[3][3] = "abc"  # row 4, 分值
    rows[6][6] = "很好"  # row 7, 得分

    response = post_sheet(api, xlsx(rows, merges=MERGES), "annex.xlsx")

    assert response.status_code == 422
    assert [(r["row"], r["column"]) for r in response.json["rows"]] == [(4, "D"), (7, "G")]
    assert evaluation_count(api) == 0


def test_a_sheet_without_its_header_fields_names_the_missing_form_fields(api: Api) -> None:
    rows = [HEADER, ["决策", "立项", "依据", 3, None, None, 3]]

    response = post_sheet(api, xlsx(rows), "t.xlsx", kind="project")

    assert response.status_code == 422
    assert [r["column"] for r in response.json["rows"]] == ["subject", "fiscal_year"]
    assert evaluation_count(api) == 0


def test_missing_file_part_is_a_validation_problem(api: Api) -> None:
    response = api.post(IMPORT, data={"subject": "x"}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert response.json["errors"]["file"] == ["缺少必填字段。"]
    assert evaluation_count(api) == 0


def test_unknown_form_field_and_bad_fiscal_year_are_validation_problems(api: Api) -> None:
    response = post_sheet(
        api, xlsx(merged_table()), "a.xlsx", fiscal_year="明年", fiscalyear="2022"
    )

    assert response.status_code == 422
    assert set(response.json["errors"]) == {"fiscal_year", "fiscalyear"}
    assert evaluation_count(api) == 0


def test_an_upload_over_the_body_limit_is_a_413() -> None:
    app = create_app(
        {"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "SCORETRAIL_MAX_BODY_BYTES": 1024}
    )
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    api = Api(app.test_client(), bearer(secret))

    response = post_sheet(api, b"x" * 4096, "big.csv")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert evaluation_count(api) == 0


def test_upload_is_documented_as_multipart_with_the_row_problem_shape(app: Flask, api: Api) -> None:
    spec = api.get("/api/v1/openapi.json").json

    operation = spec["paths"]["/api/v1/evaluations/import"]["post"]
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    properties = spec["components"]["schemas"][form.rsplit("/", 1)[-1]]["properties"]
    assert (properties["file"]["type"], properties["file"]["format"]) == ("string", "binary")
    assert {"title", "subject", "fiscal_year", "kind", "evaluator"} <= set(properties)
    assert {"200", "201", "422"} <= set(operation["responses"])
    problem = operation["responses"]["422"]["content"]["application/problem+json"]["schema"]
    rows = spec["components"]["schemas"][problem["$ref"].rsplit("/", 1)[-1]]["properties"]["rows"]
    assert rows["type"] == "array"
