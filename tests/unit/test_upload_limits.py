"""Uploads that would cost too much or decode wrongly are refused before parsing, by name."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from adapters.sheets import SheetImportError, parse_sheet
from adapters.sheets.upload_limits import MAX_XLSX_XML_BYTES
from adapters.sheets.xlsx_stream import stream_sheets
from tests.sheet_files import HEADER, HEADER_FIELDS, merged_table, xlsx

ROW = "<row><c><v>1</v></c></row>"  # the same bytes again and again: deflate loves them


def inflated_workbook(cells: int) -> bytes:
    """A real workbook whose sheet is replaced by `cells` one-cell rows, highly compressed."""
    original = zipfile.ZipFile(io.BytesIO(xlsx([HEADER])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, _ = data.partition(b"<sheetData>")
                rows = ROW * cells
                data = head + b"<sheetData>" + rows.encode() + b"</sheetData></worksheet>"
            bomb.writestr(info.filename, data)
    return out.getvalue()


def message(error: pytest.ExceptionInfo[SheetImportError]) -> str:
    return " ".join(str(e) for e in error.value.errors)


def test_a_decompression_bomb_is_refused_before_it_is_parsed() -> None:
    bomb = inflated_workbook(MAX_XLSX_XML_BYTES // len(ROW) + 1)
    assert len(bomb) < MAX_XLSX_XML_BYTES // 20  # small on the wire
    with pytest.raises(SheetImportError) as refused:
        parse_sheet(bomb, "bomb.xlsx", HEADER_FIELDS)
    assert "解压" in message(refused) and "MB" in message(refused)


def test_an_ordinary_workbook_is_well_inside_the_bound() -> None:
    parsed = parse_sheet(xlsx(merged_table()), "ok.xlsx", HEADER_FIELDS)
    assert len(parsed["indicators"]) > 5


def csv_text() -> str:
    return ",".join(HEADER) + "\n项目决策,项目立项,立项依据充分性,3,清单,符合,3\n"


def test_a_big5_csv_is_reported_as_an_encoding_problem() -> None:
    traditional = (
        "一級指標,二級指標,三級指標,分值,方法,評價過程,得分\n"
        "項目決策,項目立項,立項依據充分性,3,清單,符合,3\n"
    )
    with pytest.raises(SheetImportError) as refused:
        parse_sheet(traditional.encode("big5"), "sheet.csv", HEADER_FIELDS)
    assert "编码" in message(refused) and "Big5" in message(refused)


def test_a_latin1_csv_is_reported_as_an_encoding_problem() -> None:
    text = "Indicateur,Pondération,Méthode,Détail\nA,3,manuel,Réf étés\n"  # GB18030 reads it too
    with pytest.raises(SheetImportError) as refused:
        parse_sheet(text.encode("latin-1"), "sheet.csv", HEADER_FIELDS)
    assert "编码" in message(refused)


def test_a_gb18030_csv_still_reads() -> None:
    parsed = parse_sheet(csv_text().encode("gb18030"), "sheet.csv", HEADER_FIELDS)
    assert [i["name"] for i in parsed["indicators"]][-1] == "立项依据充分性"


def test_a_malformed_utf16_csv_is_an_encoding_problem_not_a_crash() -> None:
    broken = b"\xff\xfe" + "指标".encode("utf-16-le") + b"\x00\xd8"  # a lone high surrogate
    with pytest.raises(SheetImportError) as refused:
        parse_sheet(broken, "sheet.csv", HEADER_FIELDS)
    assert "UTF-16" in message(refused)


def test_a_csv_holding_nul_is_refused_with_its_line() -> None:
    text = csv_text() + "项目过程,资金管理,预算执行率,2,比率,执\x00行,1\n"
    with pytest.raises(SheetImportError) as refused:
        parse_sheet(text.encode("utf-8"), "sheet.csv", HEADER_FIELDS)
    assert "NUL" in message(refused) and "第 3 行" in message(refused)


def test_a_workbook_is_streamed_up_to_the_limits_with_its_merges() -> None:
    rows = [[f"r{r}c{c}" for c in range(5)] for r in range(10)]
    data = xlsx(rows, merges=["A2:A4", "B6:C6"])
    (sheet,) = stream_sheets(data, max_rows=3, max_columns=2)
    # a merge keeps only its top-left value: A3 is empty in the file
    assert sheet.rows == [["r0c0", "r0c1"], ["r1c0", "r1c1"], [None, "r2c1"]]
    assert sheet.too_long is True
    assert sheet.merges == [(1, 2, 1, 4), (2, 6, 3, 6)]


def test_each_streamed_sheet_carries_its_own_merged_ranges_whatever_the_sheet_order() -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "评分表"
    first.merge_cells("A1:A3")
    second = book.create_sheet("说明 & 附表")
    second.merge_cells("B2:C2")
    book.create_sheet("空表")
    book.active = 1  # the second sheet comes out first
    buffer = io.BytesIO()
    book.save(buffer)
    merges = {s.title: s.merges for s in stream_sheets(buffer.getvalue(), 10, 10)}
    assert merges == {"说明 & 附表": [(2, 2, 3, 2)], "评分表": [(1, 1, 1, 3)], "空表": []}
