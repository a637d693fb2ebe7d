"""Application errors: what the service layer refuses before or around the domain."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base of errors raised by the service layer."""

    title = "Request refused"

    def __init__(self, detail: str, **values: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.values = values


class EvaluationNotFound(ApplicationError):
    """No evaluation has that id (or the caller may not see it)."""

    title = "Evaluation not found"


class VersionNotFound(ApplicationError):
    """The evaluation has no such version or did not exist at that time."""

    title = "Version not found"


class ConcurrentChange(ApplicationError):
    """Another change was saved first; nothing of this one was recorded."""

    title = "Concurrent change"


class StaleVersion(ApplicationError):
    """The caller's expected version is not the current one (If-Match)."""

    title = "Stale version"


class Unauthenticated(ApplicationError):
    """No valid bearer token came with the request (missing, unknown or revoked)."""

    title = "Authentication required"


class Forbidden(ApplicationError):
    """The caller is known but their role does not grant this action."""

    title = "Forbidden"


class TokenRefused(ApplicationError):
    """A token cannot be issued as asked (unknown role, missing or stray subject…)."""

    title = "Token refused"


class UnknownToken(ApplicationError):
    """No active token has that name or id."""

    title = "Unknown token"


class SheetRejected(ApplicationError):
    """An uploaded sheet cannot be imported; nothing was recorded.

    `rows` lists every problem as `{sheet, row, column, message}`: row is 1-based as the
    spreadsheet shows it, column a letter or, for JSON and header fields, a field path.
    """

    title = "Sheet rejected"

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = [dict(row) for row in rows]
        count = len(self.rows)
        super().__init__(
            f"the sheet has {count} problem{'s' if count != 1 else ''}; nothing was recorded"
        )


class EvidenceTooLarge(ApplicationError):
    """An uploaded evidence file is larger than the configured limit."""

    title = "Evidence file too large"
    status = 413


class EvidenceTypeRefused(ApplicationError):
    """An uploaded evidence file is of a media type the service does not take."""

    title = "Evidence file type not accepted"
    status = 415


class EvidenceChanged(ApplicationError):
    """A stored evidence file no longer hashes to what the events recorded: never served."""

    title = "Evidence file changed or missing"
    status = 409


class RenderingUnavailable(ApplicationError):
    """A report format needs a library this installation lacks (PDF: WeasyPrint, Pango)."""

    title = "Report format unavailable"
    status = 503


class PdfRenderersBusy(ApplicationError):
    """Every PDF renderer of this process is working: the request waits for nothing."""

    title = "PDF renderers busy"
    status = 503


class PdfCallerBusy(ApplicationError):
    """The caller already has as many PDF reports rendering as one caller may."""

    title = "Too many PDF reports in progress"
    status = 429


class PdfRenderStopped(ApplicationError):
    """The PDF took longer than the time limit, or its renderer died: the render was stopped."""

    title = "PDF rendering stopped"
    status = 503
