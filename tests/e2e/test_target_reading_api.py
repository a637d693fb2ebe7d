"""Printed targets, regional rules and unscored rows through HTTP, pages and reports."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.pages import browser_for

INDICATORS: list[dict[str, Any]] = [
    {"code": "1", "name": "产出指标", "weight": "70"},
    {"code": "1.1", "parent": "1", "name": "数量指标", "weight": "40"},
    {"code": "1.1.1", "parent": "1.1", "name": "引进企业", "weight": "20",
     "method": "target", "target": "引进“双创”企业10家"},
    {"code": "1.1.2", "parent": "1.1", "name": "培训", "weight": "20",
     "method": "target", "target": "4次"},
    {"code": "1.2", "parent": "1", "name": "成本指标", "weight": "30"},
    {"code": "1.2.1", "parent": "1.2", "name": "人均培训成本", "weight": "30",
     "method": "target", "target": "500元"},
    {"code": "2", "name": "效益指标", "weight": "30"},
    {"code": "2.1", "parent": "2", "name": "税收", "weight": "30",
     "method": "target", "target": "创造税收1000万"},
]  # fmt: skip
HEADER = {
    "title": "双创基地运营项目2025年度绩效自评",
    "subject": "某区科技局",
    "fiscal_year": 2025,
    "kind": "self-evaluation",
}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.json
    return response.json


def leaf(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == code)


def opened(api: Api, **extra: Any) -> str:
    created = ok(api.post("/evaluations", json={**HEADER, **extra}), 201)
    base = f"/evaluations/{created['id']}"
    ok(api.post(base + "/framework", json={"indicators": INDICATORS}))
    return base


def final(api: Api, base: str, code: str, value: str) -> Any:
    return api.post(
        f"{base}/indicators/{code}/target-values", json={"stage": "final", "value": value}
    )


def test_printed_targets_show_their_reading_and_beaten_ones_score_full(
    api: Api, reviewer_api: Api
) -> None:
    base = opened(api)
    document = ok(api.get(base))
    readings = {
        code: tuple(leaf(document, code)["target"][k] for k in ("comparator", "value", "unit"))
        for code in ("1.1.1", "1.1.2", "1.2.1", "2.1")
    }
    assert readings == {
        "1.1.1": (">=", "10", "家"),
        "1.1.2": (">=", "4", "次"),
        "1.2.1": ("<=", "500", "元"),  # a bare number under 成本指标 is a ceiling
        "2.1": (">=", "1000", "万"),
    }
    assert leaf(document, "1.1.1")["target"]["text"] == "引进“双创”企业10家"
    assert document["target_rules"]["bare_number"] == ">="
    # beating the printed number is no miss: no deviation reason asked, the full weight
    for code, figure in (("1.1.1", "12"), ("1.1.2", "6"), ("1.2.1", "450"), ("2.1", "1200")):
        ok(final(api, base, code, figure))
    document = ok(api.get(base))
    assert [leaf(document, c)["score"] for c in ("1.1.1", "1.1.2", "1.2.1", "2.1")] == [
        "20.00",
        "20.00",
        "30.00",
        "30.00",
    ]
    assert (document["total"], document["grade"], document["provisional"]) == (
        "100.00",
        "优",
        False,
    )
    assert ok(reviewer_api.post(base + "/submission"))["status"] == "submitted"


def test_a_client_corrects_a_reading_by_stating_the_comparator(api: Api) -> None:
    created = ok(api.post("/evaluations", json=HEADER), 201)
    base = f"/evaluations/{created['id']}"
    corrected = [
        {**i, "target": {"text": i["target"], "comparator": "="}} if i["code"] == "1.1.2" else i
        for i in INDICATORS
    ]
    document = ok(api.post(base + "/framework", json={"indicators": corrected}))
    target = leaf(document, "1.1.2")["target"]
    assert (target["comparator"], target["value"], target["unit"], target["text"]) == (
        "=",
        "4",
        "次",
        "4次",
    )
    assert target["read_from_text"] is False


def test_submission_and_the_pages_name_every_unscored_row(
    app: Flask, api: Api, reviewer_api: Api
) -> None:
    base = opened(api)
    ok(final(api, base, "1.1.1", "12"))
    document = ok(api.get(base))
    assert document["unscored"] == ["1.1.2", "1.2.1", "2.1"]
    assert (document["provisional"], document["total"]) == (True, "20.00")
    version = document["version"]
    refused = reviewer_api.post(base + "/submission")
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert refused.json["title"] == "尚有指标未计分"
    assert "1.1.2, 1.2.1, 2.1" in refused.json["detail"] and "提交" in refused.json["detail"]
    assert refused.json["values"]["unscored"] == ["1.1.2", "1.2.1", "2.1"]
    assert ok(api.get(base))["version"] == version  # nothing recorded
    past = ok(api.get(f"{base}?version={version - 1}"))
    assert past["unscored"] == ["1.1.1", "1.1.2", "1.2.1", "2.1"] and past["provisional"]
    evaluation_id = base.rsplit("/", 1)[1]
    page = browser_for(app, "auditor", "audrey").get(f"/ui/evaluations/{evaluation_id}").text
    assert 'id="provisional">暂计<' in page
    assert "尚未计分的指标：1.1.2、1.2.1、2.1" in page
    assert "读作 ≥ 10家" in page
    report = api.get(f"{base}/report?format=html")
    assert report.status_code == 200
    assert "暂计" in report.get_data(as_text=True)
    findings = ok(api.get(f"{base}/findings"))
    unscored = [f for f in findings["items"] if f["kind"] == "leaf_unscored"]
    assert [f["indicator"] for f in unscored] == ["1.1.2", "1.2.1", "2.1"]
    assert "尚无可计分的记录" in unscored[0]["message"]


def test_a_regional_rule_is_kept_and_reads_bare_numbers_exactly(api: Api) -> None:
    rules = {"bare_number": "=", "bands": {"achieved": ["0.9", "1"]}}
    base = opened(api, target_rules=rules)
    document = ok(api.get(base))
    assert document["target_rules"]["bare_number"] == "="
    assert document["target_rules"]["bands"]["achieved"] == ["0.9", "1"]
    assert leaf(document, "1.1.2")["target"]["comparator"] == "="
    assert leaf(document, "1.2.1")["target"]["comparator"] == "="
    history = ok(api.get(f"{base}/history"))["items"]
    assert history[0]["type"] == "Created"
    assert history[0]["data"]["target_rules"]["bare_number"] == "="


def test_an_unknown_bare_number_rule_is_refused_before_anything_is_recorded(api: Api) -> None:
    refused = api.post("/evaluations", json={**HEADER, "target_rules": {"bare_number": "<"}})
    assert refused.status_code == 422
    assert "target_rules.bare_number" in refused.json["errors"]
