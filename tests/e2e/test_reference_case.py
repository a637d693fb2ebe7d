"""The published reference evaluation, recorded through HTTP calls only."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, load_through_api


def test_reference_case_through_http_reproduces_every_expected_figure(
    api: Api, reference_case: dict[str, Any]
) -> None:
    evaluation_id = load_through_api(api, reference_case)
    document = api.get(f"/evaluations/{evaluation_id}").json
    expected = reference_case["expected"]
    assert document["total"] == expected["total"] == "88.66"
    assert document["grade"] == expected["grade"] == "良"
    by_code = {i["code"]: i for i in document["indicators"]}
    for code, value in expected["levels"].items():
        assert by_code[code]["score"] == value, code
    for code, value in expected["leaves"].items():
        assert by_code[code]["score"] == value, code
    # 0.73 comes from 84.28 / 229.40 × 2, with the rate shown as a percent string
    assert by_code["2.1.2"]["rule_score"] == "0.73"
    assert by_code["2.1.2"]["rate"] == "36.50"
    assert by_code["1"]["rate"] == "100.00"
    assert document["total_weight"] == "100.00"


def test_document_fields_follow_the_contract(api: Api, reference_case: dict[str, Any]) -> None:
    evaluation_id = load_through_api(api, reference_case)
    document = api.get(f"/evaluations/{evaluation_id}").json
    for key in (
        "id",
        "title",
        "subject",
        "fiscal_year",
        "kind",
        "evaluator",
        "status",
        "version",
        "total_weight",
        "total",
        "grade",
        "indicators",
    ):
        assert key in document
    leaf = next(i for i in document["indicators"] if i["code"] == "2.2.2")
    assert set(leaf) >= {
        "code",
        "parent",
        "name",
        "level",
        "weight",
        "method",
        "score",
        "rate",
        "rule_score",
        "overridden",
        "deductions",
    }
    assert leaf["deductions"][0]["points"] == "1.00"
    assert leaf["deductions"][0]["status"] == "active"
    assert leaf["deductions"][0]["evidence"][0]["title"].startswith("区人社局")
    assert document["title"] == reference_case["evaluation"]["title"]  # Chinese round-trips


def test_chinese_text_is_sent_as_utf8_not_escaped(api: Api, reference_case: dict[str, Any]) -> None:
    evaluation_id = load_through_api(api, reference_case)
    raw = api.get(f"/evaluations/{evaluation_id}").get_data()
    assert "创业孵化基地".encode() in raw
