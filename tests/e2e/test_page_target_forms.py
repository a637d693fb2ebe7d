"""The pages' forms for target values, sign-offs and withdrawals, through the Flask test client."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from domain.evaluation import Actor
from tests.cases import SUBJECT, load_directly, small_case, target_case
from tests.pages import Browser, browser_for

E = "/ui/evaluations/{}"


@pytest.fixture
def targeted(app: Flask) -> str:
    return load_directly(app, target_case())


def version(app: Flask, evaluation_id: str) -> int:
    return int(app.extensions["scoretrail"].document(evaluation_id)["version"])


def last_event(app: Flask, evaluation_id: str, kind: str) -> dict[str, Any]:
    history = app.extensions["scoretrail"].history(evaluation_id, 1, 1000)["items"]
    return next(e for e in reversed(history) if e["type"] == kind)


def target_of(app: Flask, evaluation_id: str, code: str) -> dict[str, Any]:
    document = app.extensions["scoretrail"].document(evaluation_id)
    return next(i for i in document["indicators"] if i["code"] == code)["target"]


def form_of(html: str, marker: str) -> str:
    """The form whose action ends with `marker`, up to its closing tag."""
    start = html.index(marker)
    return html[start : html.index("</form>", start)]


def test_a_target_value_form_records_under_the_sessions_identity(
    app: Flask, evaluator: Browser, targeted: str
) -> None:
    page = evaluator.get(E.format(targeted) + "/indicators/1.1")
    assert "填报指标值" in page.text and 'name="value"' in page.text
    answer = evaluator.post(
        E.format(targeted) + "/indicators/1.1/target-values",
        {"stage": "monitored", "value": "9", "source": "年中监控表", "evidence_title": "台账"},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("notice=target#timeline")
    event = last_event(app, targeted, "TargetValueRecorded")
    assert (event["actor"], event["role"]) == ("alice", "evaluator")
    assert event["data"]["evidence"][0]["title"] == "台账"
    assert target_of(app, targeted, "1.1")["monitored"] == "9"
    shown = evaluator.get(answer.headers["Location"]).text
    assert "指标值已记录" in shown and "年中监控表" in shown


def test_a_missed_final_value_without_a_deviation_reason_is_refused_beside_the_form(
    app: Flask, evaluator: Browser, targeted: str
) -> None:
    before = version(app, targeted)
    answer = evaluator.post(
        E.format(targeted) + "/indicators/1.1/target-values",
        {"stage": "final", "value": "15", "reason": "复核台账后更正"},
    )
    assert answer.status_code == 409
    form = form_of(answer.text, "/indicators/1.1/target-values")
    assert "未记录" in form
    assert 'value="15"' in form and 'value="复核台账后更正"' in form, "what was typed is kept"
    assert version(app, targeted) == before
    assert target_of(app, targeted, "1.1")["final"] == "24"


def test_a_qualitative_score_outside_its_band_is_refused_and_the_choice_kept(
    app: Flask, evaluator: Browser, targeted: str
) -> None:
    before = version(app, targeted)
    answer = evaluator.post(
        E.format(targeted) + "/indicators/2.1/target-values",
        {"stage": "final", "outcome": "achieved", "score": "10", "justification": "满意度较高"},
    )
    assert answer.status_code == 409
    form = form_of(answer.text, "/indicators/2.1/target-values")
    assert "未记录" in form
    assert '<option value="achieved" selected>' in form and "满意度较高" in form
    assert version(app, targeted) == before


def test_a_qualitative_outcome_within_its_band_is_recorded(
    app: Flask, evaluator: Browser, targeted: str
) -> None:
    page = evaluator.get(E.format(targeted) + "/indicators/2.1").text
    assert 'name="outcome"' in page and 'name="value"' not in page
    answer = evaluator.post(
        E.format(targeted) + "/indicators/2.1/target-values",
        {
            "stage": "final",
            "outcome": "partial",
            "score": "28",
            "justification": "部分活动未开展",
            "deviation_reason": "场地改造延期",
            "improvement": "下年度提前安排",
        },
    )
    assert answer.status_code == 303, answer.text[:2000]
    target = target_of(app, targeted, "2.1")
    assert target["outcome"] == "partial"
    assert Decimal(target["stages"]["final"]["score"]) == Decimal(28)


def test_a_form_that_misses_its_stage_is_refused_with_the_field_named(
    app: Flask, evaluator: Browser, targeted: str
) -> None:
    before = version(app, targeted)
    answer = evaluator.post(E.format(targeted) + "/indicators/1.1/target-values", {"value": "9"})
    assert answer.status_code == 422
    assert "未记录：输入有误：阶段 请选择阶段。" in answer.text
    assert version(app, targeted) == before


@pytest.mark.parametrize("role", ["subject", "auditor"])
def test_a_role_that_may_not_record_gets_no_target_form_and_a_403(
    app: Flask, targeted: str, role: str
) -> None:
    browser = browser_for(app, role, "someone", SUBJECT if role == "subject" else None)
    page = browser.get(E.format(targeted) + "/indicators/1.1")
    assert page.status_code == 200 and "绩效指标值" in page.text
    assert "/target-values" not in page.text and 'name="stage"' not in page.text
    before = version(app, targeted)
    answer = browser.post(
        E.format(targeted) + "/indicators/1.1/target-values", {"stage": "monitored", "value": "9"}
    )
    assert answer.status_code == 403
    assert version(app, targeted) == before


@pytest.mark.parametrize(
    ("role", "name", "capacity"),
    [("evaluator", "alice", "评价组组长"), ("subject", "unit", "单位意见")],
)
def test_a_sign_off_form_signs_the_current_version_as_the_session(
    app: Flask, targeted: str, role: str, name: str, capacity: str
) -> None:
    browser = browser_for(app, role, name, SUBJECT if role == "subject" else None)
    signed_version = version(app, targeted)
    answer = browser.post(
        E.format(targeted) + "/sign-offs", {"capacity": capacity, "opinion": "同意自评结果"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("notice=signed#sign-offs")
    signed = app.extensions["scoretrail.self_evaluation"].sign_offs(targeted)["items"]
    assert [(s["actor"], s["role"], s["version"]) for s in signed] == [(name, role, signed_version)]
    sheet = browser.get(answer.headers["Location"]).text
    block = sheet[sheet.index('id="sign-offs"') :]
    assert "同意自评结果" in block and "有效" in block
    # the case requires 评价组组长 only: the unit's opinion leaves it waiting
    assert ("待签" in block) is (capacity != "评价组组长")


def test_a_sign_off_form_in_another_partys_capacity_is_refused_and_records_nothing(
    app: Flask, targeted: str
) -> None:
    unit = browser_for(app, "subject", "unit", SUBJECT)
    before = version(app, targeted)
    answer = unit.post(E.format(targeted) + "/sign-offs", {"capacity": "财政部门归口业务科室"})
    assert answer.status_code == 403
    assert "财政部门归口业务科室" in answer.text
    assert app.extensions["scoretrail.self_evaluation"].sign_offs(targeted)["items"] == []
    assert version(app, targeted) == before


def test_a_sign_off_without_a_capacity_is_refused_and_keeps_the_opinion(
    app: Flask, evaluator: Browser, targeted: str
) -> None:
    before = version(app, targeted)
    answer = evaluator.post(E.format(targeted) + "/sign-offs", {"opinion": "同意"})
    assert answer.status_code == 422
    form = form_of(answer.text, "/sign-offs")
    assert "未记录：输入有误：签字身份 必须填写。" in form and ">同意</textarea>" in form
    assert version(app, targeted) == before


def test_a_role_that_may_not_sign_gets_no_sign_off_form_and_a_403(
    app: Flask, targeted: str
) -> None:
    auditor = browser_for(app, "auditor", "audrey")
    sheet = auditor.get(E.format(targeted)).text
    assert "评价组组长" in sheet and "/sign-offs" not in sheet
    answer = auditor.post(E.format(targeted) + "/sign-offs", {"capacity": "评价组组长"})
    assert answer.status_code == 403
    assert app.extensions["scoretrail.self_evaluation"].sign_offs(targeted)["items"] == []


@pytest.fixture
def deducted(app: Flask) -> tuple[str, str]:
    evaluation = load_directly(app, small_case())
    made = (
        app.extensions["scoretrail"]
        .record_deduction(
            evaluation, "1.1", points="1", reason="台账不全", by=Actor("alice", "evaluator", "t")
        )
        .record
    )
    return evaluation, made["id"]


def test_a_withdraw_button_withdraws_the_deduction_as_the_session(
    app: Flask, deducted: tuple[str, str]
) -> None:
    evaluation, deduction = deducted
    reviewer = browser_for(app, "reviewer", "rita")
    page = reviewer.get(E.format(evaluation) + "/indicators/1.1").text
    assert f"/deductions/{deduction}/withdrawal" in page
    answer = reviewer.post(
        E.format(evaluation) + f"/deductions/{deduction}/withdrawal",
        {"reason": "补齐后撤回", "indicator": "1.1"},
    )
    assert answer.status_code == 303
    assert "/indicators/1.1?notice=withdrawn" in answer.headers["Location"]
    event = last_event(app, evaluation, "DeductionWithdrawn")
    assert (event["actor"], event["role"]) == ("rita", "reviewer")
    shown = reviewer.get(answer.headers["Location"]).text
    assert "扣分已撤回" in shown and f"/deductions/{deduction}/withdrawal" not in shown


def test_a_withdrawal_without_a_reason_is_refused_beside_its_button(
    app: Flask, evaluator: Browser, deducted: tuple[str, str]
) -> None:
    evaluation, deduction = deducted
    before = version(app, evaluation)
    answer = evaluator.post(
        E.format(evaluation) + f"/deductions/{deduction}/withdrawal",
        {"indicator": "1.1", "target": deduction},
    )
    assert answer.status_code == 422
    assert "未记录：输入有误：理由 必须填写。" in form_of(answer.text, f"{deduction}/withdrawal")
    assert version(app, evaluation) == before


def test_a_subject_gets_no_withdraw_button_and_a_403(app: Flask, deducted: tuple[str, str]) -> None:
    evaluation, deduction = deducted
    unit = browser_for(app, "subject", "unit", SUBJECT)
    assert "/withdrawal" not in unit.get(E.format(evaluation) + "/indicators/1.1").text
    before = version(app, evaluation)
    answer = unit.post(
        E.format(evaluation) + f"/deductions/{deduction}/withdrawal", {"reason": "不认可"}
    )
    assert answer.status_code == 403
    assert version(app, evaluation) == before


def test_the_sign_off_form_offers_the_capacities_of_the_signed_in_party(
    app: Flask, targeted: str
) -> None:
    unit = browser_for(app, "subject", "unit", SUBJECT).get(E.format(targeted)).text
    offered = unit[unit.index('<datalist id="capacities">') :]
    offered = offered[: offered.index("</datalist>")]
    assert offered.count("<option") == 3
    assert "部门负责人" in offered and "单位意见" in offered and "填报人" in offered
    assert "评价组组长" not in offered and "财政部门" not in offered


def test_the_sign_off_form_posts_the_signers_title_organization_and_phone(
    app: Flask, targeted: str
) -> None:
    filer = browser_for(app, "subject", "unit", SUBJECT)
    form = form_of(filer.get(E.format(targeted)).text, "/sign-offs")
    assert all(f'name="{name}"' in form for name in ("title", "organization", "phone"))
    answer = filer.post(
        E.format(targeted) + "/sign-offs",
        {
            "capacity": "填报人",
            "title": "科员",
            "organization": "示范区文化馆",
            "phone": "0571-87005678",
        },
    )
    assert answer.status_code == 303
    [signed] = app.extensions["scoretrail.self_evaluation"].sign_offs(targeted)["items"]
    assert (signed["title"], signed["organization"], signed["phone"]) == (
        "科员",
        "示范区文化馆",
        "0571-87005678",
    )
    sheet = filer.get(answer.headers["Location"]).text
    block = sheet[sheet.index('id="sign-offs"') :]
    assert "<th>职务/职称</th><th>单位</th><th>联系电话</th>" in block
    assert "<td>科员</td><td>示范区文化馆</td><td>0571-87005678</td>" in block


def test_a_sign_off_form_with_letters_in_the_phone_is_refused_and_records_nothing(
    app: Flask, targeted: str
) -> None:
    filer = browser_for(app, "subject", "unit", SUBJECT)
    before = version(app, targeted)
    answer = filer.post(
        E.format(targeted) + "/sign-offs",
        {"capacity": "填报人", "title": "科员", "phone": "0571-abc"},
    )
    assert answer.status_code in (409, 422)
    assert "0571-abc" in answer.text and "电话号码只能由数字" in answer.text
    assert app.extensions["scoretrail.self_evaluation"].sign_offs(targeted)["items"] == []
    assert version(app, targeted) == before
