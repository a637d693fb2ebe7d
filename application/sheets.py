"""Score sheets in, reports out: an import is recorded all or nothing (checks: sheet_import)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from application.documents import evaluation_document, iso
from application.moments import zone_named
from application.ports import Progress, SheetCodec
from application.service import EvaluationService
from application.sheet_import import build, prepare, reconcile, summarise
from domain.errors import InvalidValue
from domain.evaluation import Actor

HISTORY_PAGE = 1000
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class Download:
    """A rendered report: its bytes, media type and the file names to offer."""

    content: bytes
    media_type: str
    filename: str  # readable, may hold Chinese
    fallback_filename: str  # ASCII only, for clients that cannot take the readable one
    inline: bool = False  # a page to show rather than a file to save


class SheetTransfer:
    """Imports score sheets as events and exports reports; formats are the codec's business."""

    def __init__(self, service: EvaluationService, codec: SheetCodec) -> None:
        self.service = service
        self.codec = codec
        self.zone: tzinfo | None = None  # local times in the history CSV (set by the app)

    @property
    def formats(self) -> tuple[str, ...]:
        return self.codec.formats

    def import_sheet(
        self,
        data: bytes,
        filename: str,
        defaults: Mapping[str, Any] | None = None,
        *,
        by: Actor,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Record the sheet as a new evaluation, or with dry_run only show what would be.

        Raises SheetRejected listing every problem (sheet, row, column, message); then nothing
        is recorded.
        """
        parsed = self.codec.parse(data, filename, defaults, progress)
        spec, warnings = prepare(parsed.spec, parsed.sources)
        warnings = [*(parsed.sources.get("warnings") or []), *warnings]  # the reader's own
        evaluation = build(spec, parsed.sources, by)
        preview = evaluation_document(evaluation, "all")
        warnings += reconcile(spec, parsed.sources, preview)
        if dry_run:
            return {
                "dry_run": True,
                "id": None,
                "total": preview["total"],
                "grade": preview["grade"],
                "event_count": len(evaluation.pending_events),
                "warnings": warnings,
                "events": [summarise(event) for event in evaluation.pending_events],
                "evaluation": {**preview, "id": None},  # nothing under that id was recorded
            }
        document = self.service.import_evaluation(spec, by).document()
        return {
            "dry_run": False,
            "id": document["id"],
            "total": document["total"],
            "grade": document["grade"],
            "event_count": document["version"],
            "warnings": warnings,
            "evaluation": document,
        }

    def report(
        self,
        evaluation_id: str,
        fmt: str = "xlsx",
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> Download:
        """The score sheet now, at a version or as of a time, in one of the codec's formats."""
        if fmt not in self.codec.formats:
            raise InvalidValue(
                f"unknown report format {fmt!r}; use one of {', '.join(self.codec.formats)}",
                format=fmt,
            )
        document = self.service.document(
            evaluation_id, version=version, as_of=as_of, deductions="all"
        )
        if as_of is not None:
            document = {**document, "as_of": iso(as_of)}
        rendered = self.codec.render(document, fmt)
        return Download(
            rendered.content,
            rendered.media_type,
            f"{report_stem(document)}.{rendered.extension}",
            f"{ascii_stem(document)}.{rendered.extension}",
            inline=fmt == "html",
        )

    def history_report(
        self, evaluation_id: str, fmt: str = "csv", filters: dict[str, Any] | None = None
    ) -> Download:
        """Every event of the evaluation (or those the filters keep), oldest first."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            result = self.service.history(evaluation_id, page, HISTORY_PAGE, **(filters or {}))
            items += result["items"]
            if page >= result["pages"]:
                break
            page += 1
        document = self.service.document(evaluation_id)
        own = document.get("time_zone")
        rendered = self.codec.render_history(items, fmt, zone_named(own) if own else self.zone)
        stem = report_stem(document).rsplit("-v", 1)[0]
        return Download(
            rendered.content,
            rendered.media_type,
            f"{stem}-history.{rendered.extension}",
            f"evaluation-{evaluation_id}-history.{rendered.extension}",
        )


def _safe(title: str) -> str:
    """A title usable as a file name on any system."""
    return _UNSAFE_FILENAME.sub("_", str(title)).strip(" ._")[:80] or "evaluation"


def report_stem(document: Mapping[str, Any]) -> str:
    """A report's file name: subject, fiscal year and version (`某局-2022-v54`)."""
    subject = _safe(str(document.get("subject") or ""))
    return f"{subject}-{document.get('fiscal_year')}-v{document.get('version')}"


def ascii_stem(document: Mapping[str, Any]) -> str:
    """The same for clients that take ASCII names only."""
    return f"scoretrail-{document.get('fiscal_year')}-v{document.get('version')}"
