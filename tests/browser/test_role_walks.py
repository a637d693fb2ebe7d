"""Each role's whole job in the pages, in Chromium, with a screenshot kept of every step.

The screenshots go to tests/browser/artifacts/walks/<role>/ (not committed): look at them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import ARTIFACTS, Site, sign_in
from tests.conftest import REFERENCE

UNIT = "三亚市吉阳区人力资源和社会保障局"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class Steps:
    """Numbered screenshots of one walk."""

    def __init__(self, role: str, page: Any) -> None:
        self.folder = ARTIFACTS / "walks" / role
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page, self.count = page, 0

    def shot(self, name: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    path = tmp_path / "立项批复扫描件.pdf"
    path.write_bytes(PDF)
    return path


def opened_id(page: Any) -> str:
    found = re.search(r"/ui/evaluations/([0-9a-f-]{36})", page.url)
    assert found, page.url
    return found.group(1)


def test_the_evaluator_imports_scores_attaches_and_submits_without_a_shell(
    site: Site, new_page: Any, scan: Path
) -> None:
    page = new_page()
    steps = Steps("evaluator", page)
    sign_in(page, site, site.token("张评价", "evaluator"))
    steps.shot("signed-in")

    page.click("a[href='/ui/evaluations/import']")
    page.set_input_files("input[name=file]", str(REFERENCE))
    steps.shot("import-form")
    page.click("form.record button[type=submit]")
    assert "尚未记录" in page.inner_text("#preview")
    assert page.inner_text("#preview-total") == "88.66"
    steps.shot("import-preview")
    page.click("#preview button[type=submit]")
    evaluation_id = opened_id(page)
    assert page.inner_text("#total") == "88.66"
    steps.shot("imported-sheet")

    page.click("#row-4\\.2\\.1 a")
    deduction = page.locator("form.record[action$='/deductions']")
    deduction.locator("input[name=points]").fill("0.5")
    deduction.locator("textarea[name=reason]").fill("问卷显示部分入驻企业对服务不满意")
    deduction.locator("input[name=file]").set_input_files(str(scan))
    steps.shot("deduction-with-file")
    deduction.locator("button[type=submit]").click()
    assert page.inner_text("#score") == "7.50"
    link = page.locator("#deductions .evidence a").last
    assert link.inner_text() == scan.name
    steps.shot("deduction-recorded")
    with page.context.expect_page() as opened:
        link.click()
    assert opened.value.url.startswith(site.url(f"/ui/evaluations/{evaluation_id}/evidence/"))

    page.goto(site.url(f"/ui/evaluations/{evaluation_id}"))
    data = page.locator("form.record[action$='/data-entries']")
    data.locator("input[name=key]").fill("到位资金")
    data.locator("input[name=value]").fill("120")
    data.locator("input[name=unit]").fill("万元")
    data.locator("input[name=file]").set_input_files(str(scan))
    data.locator("button[type=submit]").click()
    assert "到位资金" in page.inner_text("#data")
    steps.shot("data-entry")

    page.click("form[action$='/submission'] button[type=submit]")
    assert "已提交" in page.inner_text(".summary")
    steps.shot("submitted")


def test_the_unit_disputes_with_its_file_and_the_reviewer_decides_with_it_open(
    site: Site, new_page: Any, scan: Path
) -> None:
    evaluation_id = site.load_reference()
    site.service.submit(evaluation_id, by=site_reviewer())
    unit = new_page()
    steps = Steps("unit", unit)
    sign_in(unit, site, site.token("人社局联络员", "subject", UNIT))
    unit.goto(site.url(f"/ui/evaluations/{evaluation_id}/indicators/3.1.1"))
    form = unit.locator("#deductions form.inline").first
    form.locator("textarea[name=grounds]").fill("培训档案已于年底补齐，附签到表")
    form.locator("input[name=file]").set_input_files(str(scan))
    steps.shot("dispute-form")
    form.locator("button[type=submit]").click()
    assert "待处理" in unit.inner_text("#disputes")
    steps.shot("dispute-raised")

    reviewer = new_page()
    decide = Steps("reviewer", reviewer)
    sign_in(reviewer, site, site.token("李复核", "reviewer"))
    reviewer.click("header nav a[href='/ui/disputes']")
    card = reviewer.locator("article.dispute", has_text="培训档案已于年底补齐")
    evidence = card.locator(".evidence a")
    assert evidence.inner_text() == scan.name
    decide.shot("queue-with-evidence")
    with reviewer.context.expect_page() as opened:
        evidence.click()
    assert "/evidence/" in opened.value.url
    card.locator("input[value=amended]").check()
    card.locator("input[name=points]").fill("3")
    assert "须勾选确认" in card.locator(".preview").inner_text(), "more points: a lower score"
    card.locator("textarea[name=reason]").fill("抽查另发现缺漏")
    card.locator("button[type=submit]").click()
    assert "未记录" in reviewer.inner_text("main")
    decide.shot("worse-refused")
    card = reviewer.locator("article.dispute", has_text="培训档案已于年底补齐")
    card.locator("input[value=amended]").check()
    card.locator("input[name=points]").fill("1")
    card.locator("textarea[name=reason]").fill("档案部分补齐，改扣1分")
    card.locator("button[type=submit]").click()
    assert "异议已裁定" in reviewer.inner_text("main")
    decide.shot("decided")


def test_the_auditor_downloads_the_pdf_and_the_workbook_from_the_sheet_page(
    site: Site, new_page: Any
) -> None:
    evaluation_id = site.load_reference()
    page = new_page()
    steps = Steps("auditor", page)
    sign_in(page, site, site.token("审计员", "auditor"))
    page.goto(site.url(f"/ui/evaluations/{evaluation_id}"))
    steps.shot("sheet")
    with page.expect_download(timeout=60_000) as pdf:  # a PDF takes seconds to lay out
        page.click("nav.tools a[href*='format=pdf']", no_wait_after=True)
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as book:
        page.click("nav.tools a[href*='format=xlsx']")
    assert book.value.suggested_filename.endswith(".xlsx")
    steps.shot("downloaded")


def site_reviewer() -> Any:
    from domain.evaluation import Actor

    return Actor(name="王复核", role="reviewer", correlation_id="browser-setup")
