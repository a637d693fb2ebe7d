"""Reports of a score sheet whose stored row failed its seal say so, in Chinese, at the top."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import update

from adapters.pdf_pool import PdfPool
from adapters.tables import evaluations
from tests.cases import load_directly, target_case
from tests.conftest import Api, ApiFor, bearer
from tests.e2e.test_sealed_past_documents import edit_total_at, recorded
from web import create_app

PAST = "完整性警告：此历史评分表的一条存储数据与其校验印章不符：rm_evaluations_history"
CURRENT = "完整性警告：存储的评分表与其校验印章不符"
RECOMPUTED = "所示数字已按事件重新计算"
# the page WeasyPrint would be given, handed back as the "PDF"
PAGE_AS_GIVEN = "tests.e2e.pdf_renderers:page_as_given"


def report(api: Api, evaluation: str, fmt: str, query: str = "") -> bytes:
    response = api.get(f"/evaluations/{evaluation}/report?format={fmt}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return bytes(response.data)


def first_sheet_lines(data: bytes) -> list[tuple[str, bool, str | None]]:
    """The first sheet's text cells above its table header: (text, bold, font colour)."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    lines = []
    for row in sheet.iter_rows(max_col=1):
        cell = row[0]
        if cell.value in ("编码", "一级指标", "序号") or cell.row > 12:
            break
        if isinstance(cell.value, str):
            lines.append((cell.value, bool(cell.font.b), cell.font.color and cell.font.color.rgb))
    return lines


def edit_current_total(app: Flask, evaluation: str) -> None:
    """Set the stored current score sheet's total to 99.99, outside the application."""
    service = app.extensions["scoretrail"]
    with service.unit_of_work.transaction() as session:
        changed = session.execute(
            update(evaluations).where(evaluations.c.id == evaluation).values(total="99.99")
        )
        assert changed.rowcount == 1


def test_the_past_workbook_warns_above_its_table_in_red_when_a_stored_row_was_edited(
    app: Flask, api: Api
) -> None:
    evaluation = recorded(api)
    before = report(api, evaluation, "xlsx", "&version=4")
    assert "完整性警告" not in str(first_sheet_lines(before))
    edit_total_at(app, evaluation, 4)

    lines = first_sheet_lines(report(api, evaluation, "xlsx", "&version=4"))
    warning, bold, colour = lines[1]  # under the title, above the table
    assert warning.startswith(PAST) and RECOMPUTED in warning
    assert bold and colour is not None and colour.endswith("B00020")
    assert "does not match" not in warning
    workbook = load_workbook(io.BytesIO(report(api, evaluation, "xlsx", "&version=4")))
    cells = [c for s in workbook.worksheets for r in s.iter_rows(values_only=True) for c in r]
    assert "99.99" not in [str(c) for c in cells]  # the figures are the recomputed ones


def test_the_past_html_report_opens_with_the_warning_when_a_stored_row_was_edited(
    app: Flask, api: Api
) -> None:
    evaluation = recorded(api)
    assert "完整性警告" not in report(api, evaluation, "html", "&version=4").decode()
    edit_total_at(app, evaluation, 4)

    page = report(api, evaluation, "html", "&version=4").decode()
    banner = page.index('id="integrity-problem"')
    assert page.index("</h1>") < banner < page.index('<table class="meta">')
    assert PAST in page and RECOMPUTED in page
    assert "does not match" not in page and "99.99" not in page
    # the current version's rows are sound: its report carries no warning
    assert "完整性警告" not in report(api, evaluation, "html").decode()


def test_the_current_reports_warn_when_the_stored_score_sheet_was_edited(
    app: Flask, api: Api
) -> None:
    evaluation = recorded(api)
    assert "完整性警告" not in report(api, evaluation, "html").decode()
    edit_current_total(app, evaluation)

    assert CURRENT in report(api, evaluation, "html").decode()
    lines = first_sheet_lines(report(api, evaluation, "xlsx"))
    assert lines[1][0].startswith(CURRENT) and lines[1][1]
    # a past version warns exactly when the API's document at it does
    flagged = "integrity_problem" in api.get(f"/evaluations/{evaluation}?version=4").json
    assert flagged == ("完整性警告" in report(api, evaluation, "html", "&version=4").decode())


def test_a_self_evaluation_form_report_warns_too_when_its_stored_sheet_was_edited(
    app: Flask, api_for: ApiFor
) -> None:
    evaluation = load_directly(app, target_case())
    auditor = api_for("auditor", "audrey")
    assert "完整性警告" not in report(auditor, evaluation, "html").decode()
    edit_current_total(app, evaluation)

    page = report(auditor, evaluation, "html").decode()
    assert "绩效指标" in page  # laid out as the form
    assert page.index("</h1>") < page.index('id="integrity-problem"') < page.index('class="meta')
    assert CURRENT in page
    workbook = report(auditor, evaluation, "xlsx")
    assert load_workbook(io.BytesIO(workbook)).worksheets[0].title == "绩效自评表"
    warning, bold, colour = first_sheet_lines(workbook)[1]
    assert warning.startswith(CURRENT) and bold and str(colour).endswith("B00020")


@pytest.fixture
def page_app() -> Iterator[Flask]:
    """An app whose PDF workers hand back the page they are given instead of laying it out."""
    app = create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "SCORETRAIL_LOG_LEVEL": "WARNING",
            "PDF_RENDERER": PAGE_AS_GIVEN,
        }
    )
    yield app
    pool: PdfPool = app.extensions["scoretrail.pdf"]
    pool.close()


def test_the_past_pdf_report_is_laid_out_from_a_page_that_opens_with_the_warning(
    page_app: Flask,
) -> None:
    _, secret = page_app.extensions["scoretrail.tokens"].create("alice", "evaluator", None)
    api = Api(page_app.test_client(), bearer(secret))
    evaluation = recorded(api)
    assert "完整性警告" not in report(api, evaluation, "pdf", "&version=4").decode()
    edit_total_at(page_app, evaluation, 4)

    page = report(api, evaluation, "pdf", "&version=4").decode()
    assert page.index("</h1>") < page.index('id="integrity-problem"') < page.index('class="meta')
    text = re.sub(r"<[^>]+>", "", page)  # long runs of text are set as spans for the layout
    assert PAST in text and RECOMPUTED in text and "99.99" not in text


def test_an_untouched_evaluation_reports_without_a_warning_in_any_format(
    api: Api, api_for: ApiFor
) -> None:
    evaluation = recorded(api)
    auditor = api_for("auditor", "audrey")
    for query in ("", "&version=4", "&as_of=2100-01-01T00:00:00Z"):
        assert "完整性警告" not in report(auditor, evaluation, "html", query).decode()
        workbook = report(auditor, evaluation, "xlsx", query)
        assert "完整性警告" not in str(first_sheet_lines(workbook))
