"""The SheetCodec adapter: where each part of a sheet came from, and the files it renders."""

from __future__ import annotations

import csv
import io

import pytest

from adapters.sheets.codec import WorkbookCodec
from adapters.sheets.history import history_csv
from application.errors import SheetRejected
from tests.sheet_files import MERGES, merged_table, xlsx


def test_sources_pin_each_indicator_and_action_to_its_cells() -> None:
    parsed = WorkbookCodec().parse(xlsx(merged_table(), merges=MERGES), "annex.xlsx")

    indicators = parsed.sources["indicators"]
    assert indicators["2.2.1"] == {
        "name": {"sheet": "评分表", "row": 9, "column": "C"},
        "weight": {"sheet": "评分表", "row": 9, "column": "D"},
        "method": {"sheet": "评分表", "row": 9, "column": "E"},
        "score": {"sheet": "评分表", "row": 9, "column": "G"},
    }
    # a group named only in merged cells sits on its first child's row
    assert indicators["2"]["name"] == {"sheet": "评分表", "row": 7, "column": "A"}
    actions = dict(
        zip(
            (a["indicator"] for a in parsed.spec["actions"]), parsed.sources["actions"], strict=True
        )
    )
    assert actions["2.1.1"] == {"sheet": "评分表", "row": 7, "column": "G"}
    assert "sources" not in parsed.spec


def test_parse_problems_become_sheet_rejected_with_every_row() -> None:
    rows = merged_table()
    rows[3][3] = "abc"

    with pytest.raises(SheetRejected) as excinfo:
        WorkbookCodec().parse(xlsx(rows), "annex.xlsx")

    assert excinfo.value.rows == [
        {"sheet": "评分表", "row": 4, "column": "D", "message": "分值「abc」不是数字"}
    ]


def test_csv_report_is_utf8_with_a_bom_and_html_declares_its_charset() -> None:
    document = {"title": "标题", "indicators": [], "total_weight": "100", "total": None}
    codec = WorkbookCodec()

    as_csv = codec.render(document, "csv")
    as_html = codec.render(document, "html")

    assert as_csv.content.startswith("\ufeff标题".encode())
    assert (as_csv.media_type, as_csv.extension) == ("text/csv; charset=utf-8", "csv")
    assert as_html.media_type == "text/html; charset=utf-8"
    with pytest.raises(ValueError):
        codec.render(document, "pdf")


def test_history_csv_keeps_formula_like_text_as_text() -> None:
    text = history_csv(
        [
            {
                "version": 1,
                "type": "Created",
                "recorded_at": "2026-01-01T00:00:00+00:00",
                "actor": '=HYPERLINK("x")',
                "role": "evaluator",
                "correlation_id": "c",
                "data": {"title": "=1+1"},
            }
        ]
    )

    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["操作人"] == '\'=HYPERLINK("x")'
    assert rows[0]["标题"] == "'=1+1"
