"""On each store, text the stores cannot hold (NUL on PostgreSQL) is a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.cases import load_directly, small_case
from tests.conftest import Api, bearer
from tests.pages import browser_for
from tests.sheet_files import HEADER_FIELDS, upload


@pytest.fixture
def app(store_url: str, make_app: Callable[..., Flask]) -> Flask:
    return make_app(store_url)


def version(app: Flask, evaluation_id: str) -> int:
    return int(app.extensions["scoretrail"].document(evaluation_id)["version"])


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        ("indicators/1.2/notes", {"text": "核对\x00问卷"}, "意见"),
        ("indicators/1.1/deductions", {"points": "1", "reason": "材料\x00缺失"}, "理由"),
        ("deductions/{deduction}/withdrawal", {"reason": "撤回\x00"}, "理由"),
    ],
)
def test_a_nul_typed_on_a_page_answers_a_422_page_and_records_nothing(
    app: Flask, path: str, form: dict[str, Any], field: str
) -> None:
    evaluation = load_directly(app, small_case())
    document = app.extensions["scoretrail"].document(evaluation)
    deduction = next(d["id"] for i in document["indicators"] for d in i["deductions"])
    before = version(app, evaluation)
    browser = browser_for(app, "reviewer" if "notes" in path else "evaluator", "rita")

    answer = browser.post(f"/ui/evaluations/{evaluation}/{path.format(deduction=deduction)}", form)

    assert answer.status_code == 422, answer.text[:300]
    assert answer.mimetype == "text/html"
    assert f"{field} 含有控制字符 U+0000" in answer.text
    assert version(app, evaluation) == before


def test_a_nul_in_an_imported_csv_answers_422_naming_its_line(app: Flask) -> None:
    _, secret = app.extensions["scoretrail.tokens"].create("alice", "evaluator")
    api = Api(app.test_client(), bearer(secret))
    text = "一级指标,二级指标,分值,得分\n决策,立项\x00依据,5,4\n"
    answer = api.post(
        "/evaluations/import",
        data=upload(text.encode("utf-8"), "annex.csv", **HEADER_FIELDS),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422, answer.json
    assert "第 2 行含有 NUL" in answer.json["rows"][0]["message"]
    assert api.get("/evaluations").json["total"] == 0
