"""A whole self-evaluation (绩效自评) through HTTP: targets as printed, values, total, sign-offs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from tests.conftest import Api, ApiFor
from tests.pages import browser_for

START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
PROOF = [{"title": "验收台账"}]

# 农村饮水安全巩固提升项目: budget execution as a ratio leaf, then the printed target table.
INDICATORS: list[dict[str, Any]] = [
    {"code": "0", "name": "预算执行率", "weight": "10", "method": "ratio",
     "numerator": "全年执行数", "denominator": "全年预算数"},
    {"code": "1", "name": "产出指标", "weight": "50"},
    {"code": "1.1", "parent": "1", "name": "新建集中供水工程", "weight": "10",
     "method": "target", "target": "≥12处"},
    {"code": "1.2", "parent": "1", "name": "受益人口", "weight": "10",
     "method": "target", "target": "不少于3.5万人"},
    {"code": "1.3", "parent": "1", "name": "水质达标率", "weight": "10",
     "method": "target", "target": "≥ 95%"},
    {"code": "1.4", "parent": "1", "name": "工程完工及时率", "weight": "10",
     "method": "target", "target": "100%"},
    {"code": "1.5", "parent": "1", "name": "单处工程平均成本", "weight": "10",
     "method": "target", "target": "≤4.74万元"},
    {"code": "2", "name": "效益指标", "weight": "30"},
    {"code": "2.1", "parent": "2", "name": "管水员培训", "weight": "10",
     "method": "target", "target": "≥２０场次"},
    {"code": "2.2", "parent": "2", "name": "群众饮水条件", "weight": "10",
     "method": "target", "target": "有效改善"},
    {"code": "2.3", "parent": "2", "name": "长效管护机制", "weight": "10",
     "method": "target", "target": {"comparator": "qualitative", "text": "2025年全年"}},
    {"code": "3", "name": "满意度指标", "weight": "10"},
    {"code": "3.1", "parent": "3", "name": "受益群众满意度", "weight": "10",
     "method": "target", "target": "≥90%"},
]  # fmt: skip

MISSED = {"deviation_reason": "部分村庄管网延伸滞后", "improvement": "下年度优先安排管网延伸"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.json
    return response.json


def value(api: Api, base: str, code: str, **body: Any) -> Any:
    return api.post(f"{base}/indicators/{code}/target-values", json=body)


def leaf(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == code)


@pytest.fixture
def evaluation(api: Api) -> str:
    with freeze_time(START, auto_tick_seconds=1):
        created = ok(
            api.post(
                "/evaluations",
                json={
                    "title": "某县农村饮水安全巩固提升项目2025年度绩效自评",
                    "subject": "某县水利局",
                    "fiscal_year": 2025,
                    "kind": "self-evaluation",
                    "required_sign_offs": ["评价组组长", "部门负责人"],
                },
            ),
            201,
        )
        base = f"/evaluations/{created['id']}"
        ok(api.post(base + "/framework", json={"indicators": INDICATORS}))
        for key, amount in (("全年预算数", "480"), ("全年执行数", "456")):
            ok(api.post(base + "/data-entries", json={"key": key, "value": amount, "unit": "万元"}))
        ok(value(api, base, "1.1", stage="monitored", value="15", source="年中监控表"))
        ok(value(api, base, "3.1", stage="monitored", value="92"))
        finals: list[tuple[str, dict[str, Any]]] = [
            ("1.1", {"value": "14"}),
            ("1.2", {"value": "3.2", **MISSED}),
            ("1.3", {"value": "97"}),
            ("1.4", {"value": "90", **MISSED}),
            ("1.5", {"value": "5.2", **MISSED}),
            ("2.2", {"outcome": "achieved", "score": "8", "justification": "入户抽查"}),
            ("2.3", {"outcome": "partial", "score": "6", "justification": "办法待印发",
                     **MISSED}),
            ("3.1", {"value": "88", **MISSED}),
        ]  # fmt: skip
        for code, body in finals:
            ok(value(api, base, code, stage="final", evidence=PROOF, **body))
        ok(value(api, base, "2.1", stage="final", value="30"))  # no evidence given
    return str(created["id"])


def test_targets_from_printed_text_score_by_the_form_rules(api: Api, evaluation: str) -> None:
    document = ok(api.get(f"/evaluations/{evaluation}"))
    scores = {i["code"]: i["score"] for i in document["indicators"]}
    assert scores == {
        "0": "9.50",  # 456 / 480 × 10
        "1": "47.26",
        "1.1": "10.00",  # 14 ≥ 12
        "1.2": "9.14",  # 3.2 / 3.5 × 10 = 9.142…
        "1.3": "10.00",
        "1.4": "9.00",  # "100%" reads as = 100: 90 / 100
        "1.5": "9.12",  # cost exceeded: 4.74 / 5.2 × 10 = 9.115…
        "2": "24.00",
        "2.1": "10.00",
        "2.2": "8.00",  # achieved at the 80 % edge
        "2.3": "6.00",  # partial at the 60 % edge
        "3": "9.78",  # 88 / 90 × 10 = 9.777…
        "3.1": "9.78",
    }
    assert (document["total"], document["grade"]) == ("90.54", "优")
    target = leaf(document, "1.5")["target"]
    assert {k: target[k] for k in ("comparator", "value", "unit", "text", "final")} == {
        "comparator": "<=",
        "value": "4.74",
        "unit": "万元",
        "text": "≤4.74万元",
        "final": "5.2",
    }
    assert (target["completion_rate"], target["met"]) == ("91.15", False)  # 4.74 ÷ 5.2
    assert target["deviation_reason"] == MISSED["deviation_reason"]
    assert leaf(document, "2.1")["target"]["text"] == "≥２０场次"
    assert leaf(document, "1.1")["target"]["monitored"] == "15"
    assert leaf(document, "2.3")["target"]["outcome"] == "partial"


def test_targets_below_zero_missed_never_score_their_weight(api: Api) -> None:
    created = ok(
        api.post(
            "/evaluations",
            json={"title": "降本项目自评", "subject": "某县水利局", "fiscal_year": 2025,
                  "kind": "self-evaluation", "total_weight": "30"},
        ),
        201,
    )  # fmt: skip
    base = f"/evaluations/{created['id']}"
    framework = [
        {"code": "1", "name": "成本指标", "weight": "30"},
        {"code": "1.1", "parent": "1", "name": "成本变动率", "weight": "10",
         "method": "target", "target": "不低于-3%"},
        {"code": "1.2", "parent": "1", "name": "单位成本变动", "weight": "10",
         "method": "target", "target": "≤-5元"},
        {"code": "1.3", "parent": "1", "name": "事故起数", "weight": "10",
         "method": "target", "target": "≤0起"},
    ]  # fmt: skip
    ok(api.post(base + "/framework", json={"indicators": framework}))
    for code, final in (("1.1", "-6"), ("1.2", "-3")):
        ok(value(api, base, code, stage="final", value=final, **MISSED))
    document = ok(value(api, base, "1.3", stage="final", value="-0"))
    floor, ceiling, zero = (leaf(document, code) for code in ("1.1", "1.2", "1.3"))
    assert (floor["target"]["met"], floor["target"]["completion_rate"]) == (False, "0.00")
    assert floor["score"] == "0.00"  # three below a floor of magnitude 3
    assert (ceiling["target"]["met"], ceiling["target"]["completion_rate"]) == (False, "60.00")
    assert ceiling["score"] == "6.00"  # two above a ceiling of magnitude 5
    assert (zero["target"]["final"], zero["target"]["completion_rate"]) == ("0", "100.00")
    assert (zero["score"], document["total"]) == ("10.00", "16.00")


def test_the_read_model_document_equals_the_replayed_one(api: Api, evaluation: str) -> None:
    current = ok(api.get(f"/evaluations/{evaluation}"))
    replayed = ok(api.get(f"/evaluations/{evaluation}?version={current['version']}"))
    assert replayed == current


def test_refused_values_record_nothing(api: Api, evaluation: str) -> None:
    base = f"/evaluations/{evaluation}"
    before = ok(api.get(base))["version"]
    no_reasons = value(api, base, "1.3", stage="final", value="90", reason="复核")
    assert no_reasons.status_code == 409
    assert "deviation_reason" in no_reasons.json["detail"]
    assert value(api, base, "1.3", stage="final", value="98").status_code == 409  # no reason
    outside_band = value(
        api, base, "2.2", stage="final", outcome="achieved", score="7.9",
        justification="复核", reason="复核",
    )  # fmt: skip
    assert outside_band.status_code == 409
    assert value(api, base, "9.9", stage="final", value="1").status_code == 404
    assert ok(api.get(base))["version"] == before


def test_a_correction_keeps_the_old_value_in_history(api: Api, evaluation: str) -> None:
    base = f"/evaluations/{evaluation}"
    document = ok(value(api, base, "1.2", stage="final", value="3.6", reason="补录两个村"))
    assert leaf(document, "1.2")["score"] == "10.00"
    assert leaf(document, "1.2")["target"]["stages"]["final"]["corrections"] == 1
    history = ok(api.get(base + "/history?per_page=1000"))["items"]
    recorded = [e["data"] for e in history if e["type"] == "TargetValueRecorded"]
    assert [d["value"] for d in recorded if d["code"] == "1.2"] == ["3.2", "3.6"]
    changes = ok(api.get(base + "/indicators/1.2/history"))["items"]
    assert [(c["score_before"], c["score_after"]) for c in changes][-1] == ("9.14", "10.00")
    explained = ok(api.get(base + "/indicators/1.2/explanation"))
    kinds = [s["kind"] for s in explained["steps"]]
    assert kinds[:3] == ["weight", "target", "target_value"]
    assert "target_rule" in kinds


def test_findings_name_overshoot_shrinking_counts_and_missing_evidence(
    api: Api, evaluation: str
) -> None:
    items = ok(api.get(f"/evaluations/{evaluation}/findings"))["items"]
    found = {(f["kind"], f["indicator"]) for f in items}
    assert found == {
        ("target_overshot", "2.1"),  # 30 against ≥20: 150 %
        ("final_below_monitored", "1.1"),  # 14 at year end, 15 at mid-year
        ("final_value_without_evidence", "2.1"),
    }
    wider = ok(api.get(f"/evaluations/{evaluation}/findings?overshoot_margin=0.6"))["items"]
    assert "target_overshot" not in {f["kind"] for f in wider}


def test_sign_offs_go_stale_and_finalization_waits_for_the_required_ones(
    api: Api, api_for: ApiFor, evaluation: str
) -> None:
    base = f"/evaluations/{evaluation}"
    reviewer = api_for("reviewer", "rita")
    unit = api_for("subject", "县水利局局长", subject="某县水利局")
    signed = ok(api.post(base + "/sign-offs", json={"capacity": "评价组组长"}), 201)
    assert (signed["actor"], signed["role"], signed["status"]) == ("alice", "evaluator", "current")
    assert len(signed["head_digest"]) == 64
    assert signed["version"] == signed["evaluation"]["version"] - 1

    ok(value(api, base, "3.1", stage="final", value="91", reason="问卷复核", evidence=PROOF))
    listed = ok(api.get(base + "/sign-offs"))
    (stale,) = listed["items"]
    assert stale["status"] == "stale"
    assert {c["type"] for c in stale["changed_after"]} == {"TargetValueRecorded", "ScoreChanged"}
    assert listed["missing"] == ["评价组组长", "部门负责人"]

    ok(reviewer.post(base + "/submission"))
    refused = reviewer.post(base + "/finalization")
    assert refused.status_code == 409
    assert refused.json["values"]["missing"] == ["评价组组长", "部门负责人"]
    assert "评价组组长" in refused.json["detail"] and "部门负责人" in refused.json["detail"]

    ok(api.post(base + "/sign-offs", json={"capacity": "评价组组长", "opinion": "同意"}), 201)
    ok(unit.post(base + "/sign-offs", json={"capacity": "部门负责人", "opinion": "情况属实"}), 201)
    document = ok(reviewer.post(base + "/finalization"))
    assert document["status"] == "finalized"
    assert [s["status"] for s in document["sign_offs"]] == ["stale", "current", "current"]
    assert ok(api.get(base + "/sign-offs"))["missing"] == []


def test_each_party_signs_only_its_own_capacities_and_nothing_is_recorded_otherwise(
    api: Api, api_for: ApiFor
) -> None:
    created = ok(
        api.post(
            "/evaluations",
            json={
                "title": "某县供水项目绩效自评",
                "subject": "某县水利局",
                "fiscal_year": 2025,
                "kind": "self-evaluation",
                "required_sign_offs": [" 评价组组长 ", "部门负责人", "财政部门归口业务科室"],
            },
        ),
        201,
    )
    base = f"/evaluations/{created['id']}"
    assert created["required_sign_offs"] == ["评价组组长", "部门负责人", "财政部门归口业务科室"]
    reviewer = api_for("reviewer", "rita")
    unit = api_for("subject", "县水利局局长", subject="某县水利局")
    before = ok(api.get(base))["version"]

    as_finance = unit.post(base + "/sign-offs", json={"capacity": "财政部门归口业务科室"})
    assert as_finance.status_code == 403
    assert as_finance.json["values"]["capacity"] == "财政部门归口业务科室"
    assert as_finance.json["values"]["role"] == "subject"
    as_unit = api.post(base + "/sign-offs", json={"capacity": "部门负责人"})
    assert as_unit.status_code == 403
    assert (as_unit.json["values"]["capacity"], as_unit.json["values"]["role"]) == (
        "部门负责人",
        "evaluator",
    )
    invisible = unit.post(base + "/sign-offs", json={"capacity": "\u200b"})
    assert invisible.status_code == 409
    assert invisible.json["values"]["characters"] == ["U+200B"]
    assert ok(api.get(base))["version"] == before
    assert ok(api.get(base + "/sign-offs"))["items"] == []

    ok(api.post(base + "/sign-offs", json={"capacity": "评价组组长"}), 201)
    trimmed = ok(unit.post(base + "/sign-offs", json={"capacity": " 部门负责人 "}), 201)
    assert trimmed["capacity"] == "部门负责人"
    ok(reviewer.post(base + "/submission"))
    waiting = reviewer.post(base + "/finalization")
    assert waiting.status_code == 409
    assert waiting.json["values"]["missing"] == ["财政部门归口业务科室"]
    ok(reviewer.post(base + "/sign-offs", json={"capacity": "财政部门归口业务科室"}), 201)
    assert ok(reviewer.post(base + "/finalization"))["status"] == "finalized"


def test_a_sign_off_carries_the_signers_lines_and_a_phone_with_letters_records_nothing(
    api: Api, api_for: ApiFor, evaluation: str
) -> None:
    base = f"/evaluations/{evaluation}"
    filer = api_for("subject", "小王", subject="某县水利局")
    before = ok(api.get(base))["version"]
    for phone, status in (("0571-8700abcd", 409), ("0571\u200b8700", 409), ("1" * 41, 422)):
        refused = filer.post(base + "/sign-offs", json={"capacity": "填报人", "phone": phone})
        assert refused.status_code == status, (phone, refused.json)
    too_long = filer.post(base + "/sign-offs", json={"capacity": "填报人", "title": "长" * 101})
    assert too_long.status_code == 422
    assert ok(api.get(base))["version"] == before
    assert ok(api.get(base + "/sign-offs"))["items"] == []

    lines = {"title": " 科员 ", "organization": "某县水利局", "phone": "+86 571 8700-1234"}
    signed = ok(filer.post(base + "/sign-offs", json={"capacity": "填报人", **lines}), 201)
    expected = ("科员", "某县水利局", "+86 571 8700-1234")
    assert (signed["title"], signed["organization"], signed["phone"]) == expected
    (listed,) = ok(api.get(base + "/sign-offs"))["items"]
    assert (listed["title"], listed["organization"], listed["phone"]) == expected
    (item,) = ok(api.get(base))["sign_offs"]
    assert (item["title"], item["organization"], item["phone"]) == expected


def test_required_sign_offs_outside_the_block_or_invisible_open_nothing(api: Api) -> None:
    header = {"title": "t", "subject": "某县水利局", "fiscal_year": 2025, "kind": "project"}
    for required in (["\u200b"], ["评价组组长", "随便什么人"]):
        answer = api.post("/evaluations", json={**header, "required_sign_offs": required})
        assert answer.status_code == 409, answer.json
    assert ok(api.get("/evaluations"))["total"] == 0


def test_the_form_exports_with_targets_and_the_sign_off_block(api: Api, evaluation: str) -> None:
    base = f"/evaluations/{evaluation}"
    ok(api.post(base + "/sign-offs", json={"capacity": "评价组组长"}), 201)
    response = api.get(base + "/report?format=csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "年度指标值,年中监控值,实际完成值,完成率(%),分值,得分,偏差原因,改进措施" in text
    assert "≤4.74万元,,5.2万元,91.15,10.00,9.12,部分村庄管网延伸滞后" in text
    assert "评价组组长,alice" in text
    assert "部门负责人,,,,,,,,待签" in text


def test_the_form_prints_as_one_html_page_with_the_sign_off_block(
    api: Api, evaluation: str
) -> None:
    base = f"/evaluations/{evaluation}"
    ok(api.post(base + "/sign-offs", json={"capacity": "评价组组长", "opinion": "<同意>"}), 201)
    ok(value(api, base, "1.3", stage="final", value="98", reason="复测", evidence=PROOF))
    page = api.get(base + "/report?format=html").data.decode("utf-8")
    assert "<th>年度指标值</th><th>年中监控值</th><th>实际完成值</th>" in page
    assert "≤4.74万元" in page and "5.2万元" in page
    assert "&lt;同意&gt;" in page  # text is escaped
    assert (
        "签字后已变更（版本 " in page and "填报指标值" in page and "TargetValueRecorded" not in page
    )
    assert "<script" not in page and "http" not in page


def test_the_sheet_page_shows_targets_and_who_signed_what_changed_after(
    app: Flask, api: Api, evaluation: str
) -> None:
    base = f"/evaluations/{evaluation}"
    ok(api.post(base + "/sign-offs", json={"capacity": "评价组组长", "opinion": "属实"}), 201)
    ok(value(api, base, "1.3", stage="final", value="98", reason="复测", evidence=PROOF))
    page = browser_for(app, "auditor", "audrey").get(f"/ui/evaluations/{evaluation}").text
    assert "指标值 ≤4.74万元" in page and "完成率 91.15%" in page
    assert "签字后已变更" in page and "填报指标值（1.3）" in page
    assert '部门负责人</td><td colspan="7" class="muted">待签' in page
