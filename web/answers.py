"""What a write answers: the document, or with `Prefer: return=minimal` (RFC 7240) what moved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from application.written import Written
from web.preconditions import with_etag

# What the compact answer shows of each indicator whose figures moved.
CHANGED_FIELDS = ("code", "score", "rate", "rule_score", "overridden")

Shape = Callable[[Written, bool], dict[str, Any]]


def minimal_preferred() -> bool:
    """Whether the request says `Prefer: return=minimal` (other preferences are ignored)."""
    for header in request.headers.getlist("Prefer"):
        for preference in header.split(","):
            name, _, value = preference.split(";", 1)[0].partition("=")
            if name.strip().lower() == "return" and value.strip().strip('"') == "minimal":
                return True
    return False


def changes(written: Written) -> dict[str, Any]:
    """`{evaluation: {id, version, status, total, grade, changed}}`: the new totals and the
    indicators whose figures the write moved."""
    return {
        "evaluation": {
            "id": written.id,
            "version": written.version,
            "status": written.status,
            "total": written.total,
            "grade": written.grade,
            "changed": [{k: i[k] for k in CHANGED_FIELDS} for i in written.moved_indicators()],
        }
    }


def document_or_changes(written: Written, minimal: bool) -> dict[str, Any]:
    """Most writes: the document, or the changes."""
    return changes(written) if minimal else written.document()


def record_with_evaluation(written: Written, minimal: bool) -> dict[str, Any]:
    """A recorded deduction: the record, with the document (or the changes) under
    `evaluation`."""
    evaluation = changes(written)["evaluation"] if minimal else written.document()
    return {**written.record, "evaluation": evaluation}


def document_or_record_changes(written: Written, minimal: bool) -> dict[str, Any]:
    """A withdrawal: the document, or the withdrawn deduction with the changes."""
    return {**written.record, **changes(written)} if minimal else written.document()


def answered(
    written: Written,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    shape: Shape = document_or_changes,
) -> Any:
    """The response to a write: its shape as the request prefers it, with the ETag, and
    `Preference-Applied` when the compact answer was sent."""
    minimal = minimal_preferred()
    response = with_etag(shape(written, minimal), status, headers)
    if minimal:
        response.headers["Preference-Applied"] = "return=minimal"
    return response
