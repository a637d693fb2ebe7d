"""Reports for the record: the sheet with disputes, notes, findings, evidence and the digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from application.audit import AuditService
from application.documents import evaluation_document, evidence_list, iso
from application.evidence import EvidenceFiles
from application.findings import find
from application.moments import zone_named
from application.ports import Rendered
from application.sheets import Download, SheetTransfer, ascii_stem, report_stem
from domain.values import fmt

RECORD_FORMATS = ("html", "xlsx", "pdf")


class RecordRenderer(Protocol):
    """Renders an assembled record (see `RecordReports.record`) in one format."""

    def render_record(
        self, record: dict[str, Any], fmt: str, zone: tzinfo, caller: str = ""
    ) -> Rendered: ...


class RecordReports:
    """Everything an auditor files about an evaluation at one version, in one document."""

    def __init__(
        self,
        audit: AuditService,
        renderer: RecordRenderer,
        zone: tzinfo,
        sheets: SheetTransfer,
        evidence: EvidenceFiles | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.sheets = sheets
        self.audit = audit
        self.renderer = renderer
        self.zone = zone
        self.evidence = evidence
        self.clock = clock or (lambda: datetime.now(UTC))

    def record(
        self,
        evaluation_id: str,
        *,
        generated_by: str,
        generated_role: str = "",
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """The document at the version, with what surrounds it, who asked and when."""
        evaluation = self.audit.load_at(evaluation_id, version, as_of)
        events: list[Any] = list(self.audit.store.events.get(evaluation.id, lte=evaluation.version))
        document = evaluation_document(evaluation)
        if as_of is not None:
            document["as_of"] = iso(as_of)
        # The figures come from the events; the stored rows a read at this version answers
        # from are checked too, so the report warns as the page and the API do.
        asked = None if version is None and as_of is None else evaluation.version
        problem = self.audit.service.integrity_problem(evaluation_id, asked)
        if problem is not None:
            document["integrity_problem"] = problem
        # what each decided dispute changed: the points before the decision
        before = {
            e.dispute_id: fmt(e.previous_points)
            for e in events
            if type(e).__name__ == "DisputeDecided"
        }
        original = {
            e.deduction_id: fmt(e.points) for e in events if type(e).__name__ == "DeductionRecorded"
        }
        disputes = [
            {
                "id": d.id,
                "target": d.target,
                "indicator": d.code,
                "deduction_id": d.deduction_id,
                "grounds": d.grounds,
                "evidence": evidence_list(d.evidence),
                "raised_by": d.raised_by,
                "raised_version": d.version,
                "status": d.status,
                "outcome": d.outcome,
                "points": fmt(d.points),
                "previous_points": before.get(d.id),
                "reason": d.reason,
                "decided_by": d.decided_by,
                "decided_version": d.decided_version,
            }
            for d in evaluation.disputes.values()
        ]
        notes = [
            {
                "id": n.id,
                "indicator": n.code,
                "text": n.text,
                "author": n.author,
                "version": n.version,
                "status": n.status,
                "resolution": n.resolution,
                "resolved_by": n.resolved_by,
            }
            for n in evaluation.notes.values()
        ]
        decided = {d["deduction_id"]: d for d in disputes if d["deduction_id"] and d["outcome"]}
        for indicator in document["indicators"]:
            for deduction in indicator["deductions"]:
                dispute = decided.get(deduction["id"])
                if dispute is not None and dispute["outcome"] != "upheld":
                    deduction["points_before_decision"] = dispute[
                        "previous_points"
                    ] or original.get(deduction["id"])
                    deduction["decided_by_dispute"] = dispute["id"]
        digests = self.audit.log.stored_digests(str(evaluation.id))
        files = [{"id": k, **v} for k, v in evaluation.attached_files().items()]
        return {
            "document": document,
            "disputes": disputes,
            "notes": notes,
            "findings": find(evaluation, events),
            "evidence_files": files,
            # recorded by the sign-off feature into the document when it exists
            "sign_offs": list(document.get("sign_offs") or []),
            "version": evaluation.version,
            "head_digest": digests.get(evaluation.version),
            "generated_at": iso(self.clock()),
            "generated_by": generated_by,
            "generated_role": generated_role,
        }

    def report(
        self,
        evaluation_id: str,
        fmt: str,
        *,
        generated_by: str,
        generated_role: str = "",
        version: int | None = None,
        as_of: datetime | None = None,
        caller: str = "",
    ) -> Download:
        """The report in `fmt`: html, xlsx and pdf carry the whole record; csv and json the
        score sheet alone (they import back). `caller` names who asks, for the renderer's
        per-caller limit (PDF); it defaults to `generated_by`."""
        if fmt not in RECORD_FORMATS:
            return self.sheets.report(evaluation_id, fmt, version=version, as_of=as_of)
        record = self.record(
            evaluation_id,
            generated_by=generated_by,
            generated_role=generated_role,
            version=version,
            as_of=as_of,
        )
        document = record["document"]
        zone = zone_named(document["time_zone"]) if document.get("time_zone") else self.zone
        rendered = self.renderer.render_record(record, fmt, zone, caller or generated_by)
        return Download(
            rendered.content,
            rendered.media_type,
            f"{report_stem(document)}.{rendered.extension}",
            f"{ascii_stem(document)}.{rendered.extension}",
            inline=fmt == "html",
        )
