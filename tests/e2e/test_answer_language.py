"""One language per answer: Chinese by default, English on Accept-Language: en."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.cases import load_directly, mixed_case, small_case
from tests.conftest import signed_in

EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def base(app: Flask) -> str:
    return f"/evaluations/{load_directly(app, small_case())}"


def test_problems_are_in_chinese_by_default_and_english_on_request(app: Flask, base: str) -> None:
    api = signed_in(app)
    body = {"points": "50", "reason": "超出分值"}
    chinese = api.post(base + "/indicators/1.1/deductions", json=body).json
    english = api.post(base + "/indicators/1.1/deductions", json=body, headers=EN).json

    assert chinese["type"] == english["type"] and chinese["status"] == english["status"] == 409
    assert chinese["title"] == "扣分被拒绝"
    assert chinese["detail"] == "从 1.1 扣除 50 分将使其得分低于 0（分值 20，已扣 2）"
    assert english["detail"].startswith("deducting 50 from 1.1 would take its score below 0")
    assert not re.search(r"[A-Za-z]{4,}", chinese["title"] + chinese["detail"])


def test_a_missing_evaluation_is_explained_in_the_callers_language(app: Flask) -> None:
    api = signed_in(app)
    missing = "/evaluations/00000000-0000-0000-0000-000000000000"
    assert api.get(missing).json["title"] == "评价不存在"
    assert api.get(missing, headers=EN).json["title"] == "Evaluation not found"


def test_explanations_speak_one_language_and_round_long_quotients(app: Flask) -> None:
    evaluation_id = load_directly(app, mixed_case())
    api = signed_in(app, "auditor", "audrey")
    code = next(
        i["code"]
        for i in api.get(f"/evaluations/{evaluation_id}").json["indicators"]
        if i["method"] == "survey"
    )
    url = f"/evaluations/{evaluation_id}/indicators/{code}/explanation"
    chinese: list[dict[str, Any]] = api.get(url).json["steps"]
    english: list[dict[str, Any]] = api.get(url, headers=EN).json["steps"]

    assert [s["kind"] for s in chinese] == [s["kind"] for s in english]
    assert any("满意度" in s["text"] for s in chinese)
    assert any(s["text"].startswith("satisfaction = average") for s in english)
    for text in [s["text"] for s in chinese + english]:
        assert not re.search(r"\d\.\d{5,}", text), text  # no 28-digit quotients in prose
    assert any(len(s["value"] or "") > 10 for s in chinese)  # the values keep every digit


def test_field_messages_follow_the_language_too(app: Flask, base: str) -> None:
    api = signed_in(app)
    body = {"reason": "缺分值", "typo": 1}
    chinese = api.post(base + "/indicators/1.1/deductions", json=body).json
    english = api.post(base + "/indicators/1.1/deductions", json=body, headers=EN).json
    assert chinese["errors"] == {"points": ["缺少必填字段。"], "typo": ["未知字段。"]}
    assert english["errors"] == {
        "points": ["Missing data for required field."],
        "typo": ["Unknown field."],
    }
    assert chinese["title"] == "校验未通过"
