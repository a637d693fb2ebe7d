"""Reports for the record: disputes, notes, evidence hashes, digest, who generated it and when."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from freezegun import freeze_time
from openpyxl import load_workbook

from tests.cases import SUBJECT, load_directly, small_case
from tests.conftest import signed_in
from web import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("evidence")
    yield create_app(
        {"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "SCORETRAIL_EVIDENCE_DIR": str(folder)}
    )


@pytest.fixture(scope="module")
def story(app: Flask) -> dict[str, Any]:
    """A deduction citing an uploaded file, disputed and amended; a review note."""
    evaluator, reviewer = signed_in(app), signed_in(app, "reviewer", "李复核")
    unit = signed_in(app, "subject", "联络员", subject=SUBJECT)
    with freeze_time("2026-06-01T02:00:00+00:00"):
        base = f"/evaluations/{load_directly(app, small_case())}"
        file = evaluator.post(
            base + "/evidence",
            data={"file": (io.BytesIO(b"%PDF-1.4 survey"), "满意度调查表.pdf")},
            content_type="multipart/form-data",
        ).json
        cut = evaluator.post(
            base + "/indicators/1.1/deductions",
            json={"points": "1.5", "reason": "部分企业不满意", "evidence": [{"id": file["id"]}]},
        ).json
        reviewer.post(base + "/indicators/2.1/notes", json={"text": "核对问卷份数"})
        reviewer.post(base + "/submission")
        dispute = unit.post(
            base + "/disputes", json={"deduction_id": cut["id"], "grounds": "不满意问卷仅2份"}
        ).json
        decided = reviewer.post(
            f"{base}/disputes/{dispute['id']}/decision",
            json={"outcome": "amended", "points": "0.5", "reason": "样本少，改扣0.5分"},
        )
        assert decided.status_code == 200, decided.json
    auditor = signed_in(app, "auditor", "审计员")
    head = auditor.get(base + "/verification").json["head_digest"]
    return {"base": base, "auditor": auditor, "file": file, "head": head}


def pdf_text(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated (font names live in object streams)."""
    inflated = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        with contextlib.suppress(zlib.error):
            inflated.append(zlib.decompress(stream))
    return b"".join(inflated)


def fetch(story: dict[str, Any], fmt: str) -> Any:
    with freeze_time("2026-06-02T01:30:00+00:00"):
        response = story["auditor"].get(f"{story['base']}/report?format={fmt}")
    assert response.status_code == 200, response.data[:300]
    return response


def test_the_html_record_carries_disputes_notes_hashes_digest_and_who_generated_it(
    story: dict[str, Any],
) -> None:
    page = fetch(story, "html").data.decode()
    for expected in (
        "不满意问卷仅2份",  # grounds
        "样本少，改扣0.5分",  # the decision's reason
        "1.50 → 0.50",  # what the decided deduction was before
        "核对问卷份数",  # the review note
        story["file"]["sha256"],  # the evidence hash
        story["head"],  # the head digest of this version
        "审计员（审计人员）",  # who generated it
        "2026-06-02 09:30:00 (UTC+08:00)",  # when, in local time
        "项目支出绩效评价",  # the kind in Chinese
        "已裁定",
        "变更",
    ):
        assert expected in page, expected


def test_the_xlsx_record_has_a_sheet_per_section(story: dict[str, Any]) -> None:
    workbook = load_workbook(io.BytesIO(fetch(story, "xlsx").data))
    assert {"异议及裁定", "复核意见", "审核发现", "佐证材料文件", "签署", "记录信息"} <= set(
        workbook.sheetnames
    )
    disputes = [[c.value for c in row] for row in workbook["异议及裁定"].iter_rows()]
    assert disputes[1][5:7] == ["变更", "1.50 → 0.50"]
    info = {row[0].value: row[1].value for row in workbook["记录信息"].iter_rows()}
    assert info["链头摘要 (HMAC-SHA256)"] == story["head"]


def test_the_pdf_record_is_a_pdf_set_in_an_embedded_chinese_font(story: dict[str, Any]) -> None:
    response = fetch(story, "pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert b"NotoSansSC" in pdf_text(response.data)  # the shipped CJK font, embedded (subset)
    readable = unquote(response.headers["Content-Disposition"].split("UTF-8''")[1])
    assert readable.startswith(f"{SUBJECT}-2023-v") and readable.endswith(".pdf")


def test_the_font_ships_with_the_install() -> None:
    from adapters.sheets.pdf import cjk_font

    font = cjk_font()
    assert font is not None and Path(font).stat().st_size > 1_000_000


def test_without_weasyprint_a_pdf_is_a_503_problem(
    story: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    response = story["auditor"].get(f"{story['base']}/report?format=pdf")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "无法生成该格式的报告"
    assert story["auditor"].get(f"{story['base']}/report?format=html").status_code == 200
