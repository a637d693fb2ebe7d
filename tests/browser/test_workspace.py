"""A reviewer's and an auditor's workspace, walked in a real Chromium against a real server."""

from __future__ import annotations

import re
from typing import Any

from freezegun import freeze_time

from domain.evaluation import Actor
from tests.browser.harness import Site, sign_in

UNIT = "三亚市吉阳区人力资源和社会保障局"
REVIEWER = Actor(name="李复核", role="reviewer", correlation_id="browser-setup")


def version_of(site: Site, evaluation_id: str) -> int:
    return int(site.service.document(evaluation_id)["version"])


def test_evaluator_records_a_deduction_and_sees_the_new_score_and_its_timeline_entry(
    site: Site, new_page: Any
) -> None:
    evaluation_id = site.load_reference()
    page = new_page()
    sign_in(page, site, site.token("张评价", "evaluator"))

    page.click(f"a[href='/ui/evaluations/{evaluation_id}']")
    assert page.inner_text("#total") == "88.66"
    page.click("#row-4\\.2\\.1 a")
    page.fill("input[name=points]", "0.5")
    page.fill("textarea[name=reason]", "问卷显示部分入驻企业对服务不满意")
    page.fill("input[name=evidence_title]", "满意度调查表")
    page.click("form.record[action$='/deductions'] button[type=submit]")

    assert page.inner_text("#score") == "7.50"
    entry = page.locator("#timeline tbody tr").first
    assert "问卷显示部分入驻企业对服务不满意" in entry.inner_text()
    assert "8.00 → 7.50" in entry.inner_text()
    assert "张评价" in entry.inner_text()
    page.click(".crumbs a")
    assert page.inner_text("#total") == "88.16"


def test_a_refused_deduction_shows_the_domains_reason_beside_the_form_and_records_nothing(
    site: Site, new_page: Any
) -> None:
    evaluation_id = site.load_reference()
    before = version_of(site, evaluation_id)
    page = new_page()
    sign_in(page, site, site.token("张评价", "evaluator"))
    page.goto(site.url(f"/ui/evaluations/{evaluation_id}/indicators/4.2.1"))
    page.fill("input[name=points]", "99")
    page.fill("textarea[name=reason]", "超过分值的扣分")
    page.click("form.record[action$='/deductions'] button[type=submit]")

    refusal = page.locator("form.record[action$='/deductions'] .error")
    assert "未记录" in refusal.inner_text()
    assert page.input_value("input[name=points]") == "99", "the form keeps what was typed"
    assert "Traceback" not in page.content()
    assert version_of(site, evaluation_id) == before


def test_subject_disputes_a_deduction_and_reviewer_decides_it_amended(
    site: Site, new_page: Any
) -> None:
    evaluation_id = site.load_reference()
    site.service.submit(evaluation_id, by=REVIEWER)
    unit = new_page()
    sign_in(unit, site, site.token("人社局联络员", "subject", UNIT))
    unit.goto(site.url(f"/ui/evaluations/{evaluation_id}/indicators/3.1.1"))
    unit.fill("textarea[name=grounds]", "培训档案已于年底补齐")
    unit.fill("input[name=evidence_title]", "培训签到表")
    unit.click("form.inline button[type=submit]")
    assert "培训档案已于年底补齐" in unit.inner_text("#disputes")
    assert "待处理" in unit.inner_text("#disputes")

    reviewer = new_page()
    sign_in(reviewer, site, site.token("李复核", "reviewer"))
    reviewer.click("header nav a[href='/ui/disputes']")
    card = reviewer.locator("article.dispute", has_text="培训档案已于年底补齐")
    card.locator("input[value=amended]").check()
    card.locator("input[name=points]").fill("1")
    assert "变为 6.00" in card.locator(".preview").inner_text(), "the score it will leave"
    card.locator("textarea[name=reason]").fill("档案部分补齐，改扣1分")
    card.locator("button[type=submit]").click()

    decided = reviewer.locator("article.dispute", has_text="培训档案已于年底补齐")
    assert "变更扣分或得分" in decided.inner_text()
    assert "李复核" in decided.inner_text()
    reviewer.goto(site.url(f"/ui/evaluations/{evaluation_id}/indicators/3.1.1"))
    assert reviewer.inner_text("#score") == "6.00"
    assert "档案部分补齐，改扣1分" in reviewer.inner_text("#timeline")


def test_auditor_opens_the_sheet_as_it_stood_before_a_deduction(site: Site, new_page: Any) -> None:
    with freeze_time("2026-03-01 09:00:00", tick=True):
        evaluation_id = site.load_reference()
    with freeze_time("2026-03-05 09:00:00", tick=True):
        site.service.record_deduction(
            evaluation_id, "4.2.1", points="1", reason="补充抽查发现问题", by=REVIEWER
        )
    page = new_page()
    sign_in(page, site, site.token("审计员", "auditor"))
    page.goto(site.url(f"/ui/evaluations/{evaluation_id}"))
    assert page.inner_text("#total") == "87.66"
    assert page.locator("form.record").count() == 0, "an auditor is offered no form to write"

    page.fill("input[name=as_of]", "2026-03-03T12:00:00")
    page.click("form.anchor button[type=submit]")
    assert page.inner_text("#total") == "88.66"
    assert "历史状态" in page.inner_text(".past")
    assert page.inner_text("#row-4\\.2\\.1 .score") == "8.00"


def test_a_form_without_its_csrf_token_is_refused_and_records_nothing(
    site: Site, new_page: Any
) -> None:
    evaluation_id = site.load_reference()
    before = version_of(site, evaluation_id)
    page = new_page()
    sign_in(page, site, site.token("张评价", "evaluator"))
    page.goto(site.url(f"/ui/evaluations/{evaluation_id}/indicators/4.2.1"))
    page.locator("form.record[action$='/deductions'] input[name=csrf_token]").evaluate(
        "input => input.remove()"
    )
    page.fill("input[name=points]", "1")
    page.fill("textarea[name=reason]", "伪造的请求")
    page.click("form.record[action$='/deductions'] button[type=submit]")

    assert "403" in page.inner_text("h1")
    assert "CSRF" in page.inner_text("main")
    assert version_of(site, evaluation_id) == before


def test_a_subject_cannot_open_another_subjects_evaluation(site: Site, new_page: Any) -> None:
    own = site.load_reference()
    other = site.load_reference(subject="另一个区人社局")
    page = new_page()
    sign_in(page, site, site.token("人社局联络员", "subject", UNIT))
    listed = page.inner_text("table.grid")
    assert "另一个区人社局" not in listed
    assert page.locator(f"a[href='/ui/evaluations/{own}']").count() == 1

    answer = page.goto(site.url(f"/ui/evaluations/{other}"))
    assert answer is not None and answer.status == 404
    assert "404" in page.inner_text("h1")
    assert re.search(r"不存在|does not exist", page.inner_text("main"))


def test_the_api_description_is_browsable_without_a_cdn(site: Site, new_page: Any) -> None:
    page = new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(site.base) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(site.url("/api/v1/docs"))
    page.wait_for_selector(".swagger-ui .info .title")
    assert "ScoreTrail" in page.inner_text(".swagger-ui .info .title")
    assert not outside, f"the docs page fetched from elsewhere: {outside}"
