"""The SheetCodec port over this package: parse uploads, render reports and histories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any, Protocol

from application.errors import SheetRejected
from application.ports import ParsedSheet, Progress, Rendered
from application.text_gate import escaped

from .department_form import parse_target_sheet
from .errors import SheetImportError
from .export_html import to_html
from .exporting import to_csv, to_json, to_xlsx
from .history import history_csv
from .importing import parse_sheet
from .pdf import check_available, pdf_html, record_pdf
from .record import record_html, record_xlsx
from .target_form import form_csv, form_html, form_xlsx, has_targets
from .target_table import looks_like_target_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"
JSON = "application/json"
PDF = "application/pdf"
BOM = "\ufeff"  # spreadsheet programs read CSV as UTF-8 only when it starts with one


class PdfWriter(Protocol):
    """Writes a page as PDF for a caller (e.g. `adapters.pdf_pool.PdfPool`)."""

    def render(self, html: str, caller: str) -> bytes: ...


class WorkbookCodec:
    """Score tables in xlsx, csv and fixture JSON in; xlsx, csv, html and json reports out.
    PDF reports are written by `pdf` when given (worker processes), else in this process."""

    formats: tuple[str, ...] = ("xlsx", "csv", "json", "html")

    def __init__(self, pdf: PdfWriter | None = None) -> None:
        self.pdf = pdf

    def parse(
        self,
        data: bytes,
        filename: str,
        defaults: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> ParsedSheet:
        try:
            if looks_like_target_table(data, filename):
                # the national 项目支出绩效自评表 in full, or a target table on its own
                result = parse_target_sheet(data, filename, defaults)
            else:
                result = parse_sheet(data, filename, defaults, progress=progress)
        except SheetImportError as error:
            raise SheetRejected([dict(problem) for problem in error.errors]) from error
        sources = result.pop("sources")
        return ParsedSheet(result, sources)

    def render(self, document: Mapping[str, Any], fmt: str) -> Rendered:
        # Text stored before the gate refused it is written out (\x01), so no byte breaks a
        # report (xlsx is XML: openpyxl refuses control characters).
        document = escaped(document)
        # An evaluation scored against targets reports as the self-evaluation form.
        if has_targets(document) and fmt == "xlsx":
            return Rendered(form_xlsx(document), XLSX, "xlsx")
        if has_targets(document) and fmt == "csv":
            return Rendered((BOM + form_csv(document)).encode("utf-8"), CSV, "csv")
        if has_targets(document) and fmt == "html":
            return Rendered(form_html(document).encode("utf-8"), HTML, "html")
        if fmt == "xlsx":
            return Rendered(to_xlsx(document), XLSX, "xlsx")
        if fmt == "csv":
            return Rendered((BOM + to_csv(document)).encode("utf-8"), CSV, "csv")
        if fmt == "html":
            return Rendered(to_html(document).encode("utf-8"), HTML, "html")
        if fmt == "json":
            return Rendered(to_json(document).encode("utf-8"), JSON, "json")
        raise ValueError(f"unknown report format {fmt!r}")

    def render_record(
        self, record: Mapping[str, Any], fmt: str, zone: tzinfo, caller: str = ""
    ) -> Rendered:
        """The report for the record: the sheet with disputes, notes, findings, evidence.
        The PDF's page is built here; only its layout goes to the PDF writer."""
        record = escaped(record)
        if fmt == "html":
            return Rendered(record_html(record, zone).encode("utf-8"), HTML, "html")
        if fmt == "xlsx":
            return Rendered(record_xlsx(record, zone), XLSX, "xlsx")
        if fmt == "pdf" and self.pdf is None:
            return Rendered(record_pdf(record, zone), PDF, "pdf")
        if fmt == "pdf" and self.pdf is not None:
            check_available()
            return Rendered(self.pdf.render(pdf_html(record, zone), caller), PDF, "pdf")
        raise ValueError(f"unknown record format {fmt!r}")

    def render_history(
        self, events: Sequence[Mapping[str, Any]], fmt: str, zone: tzinfo | None = None
    ) -> Rendered:
        events = escaped(events)
        if fmt == "csv":
            return Rendered((BOM + history_csv(events, zone)).encode("utf-8"), CSV, "csv")
        raise ValueError(f"unknown history format {fmt!r}")
