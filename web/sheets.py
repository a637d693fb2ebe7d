"""Score sheets in and reports out over HTTP: each handler is schema in, one call, schema out."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Request, Response, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from application.sheets import Download
from web.context import actor, principal, records, sheets
from web.parsing import DecimalJSONParser
from web.sheet_schemas import (
    ImportFormSchema,
    ImportQuerySchema,
    ImportResultOut,
    ReportQuerySchema,
    SheetProblemOut,
)

REPORT_MEDIA = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv; charset=utf-8",
    "text/html; charset=utf-8",
    "application/json",
    "application/pdf",
)


class UploadParser(DecimalJSONParser):
    """Form arguments include the file parts, so one schema describes a multipart body."""

    def load_form(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(
            CombinedMultiDict([req.files, req.form]),
            schema,
            known_multi_fields=tuple(self.KNOWN_MULTI_FIELDS),
        )


class SheetBlueprint(Blueprint):
    ARGUMENTS_PARSER = UploadParser()


blp = SheetBlueprint(
    "sheets", __name__, url_prefix="/api/v1", description="Score sheets in, reports out"
)

EVALUATION = "/evaluations/<uuid:evaluation_id>"


@blp.route("/evaluations/import", methods=["POST"])
@blp.arguments(ImportQuerySchema, location="query")
@blp.arguments(ImportFormSchema, location="form", content_type="multipart/form-data", unknown=RAISE)
@blp.response(201, ImportResultOut, description="Recorded; Location names the new evaluation.")
@blp.alt_response(200, schema=ImportResultOut, description="dry_run=true: nothing was recorded.")
@blp.alt_response(
    422,
    schema=SheetProblemOut,
    content_type="application/problem+json",
    description="The sheet cannot be imported; nothing was recorded. `rows` lists every problem "
    "with sheet, row (1-based), column (a letter, or a field path for JSON and header fields) "
    "and message; `errors.file` has the same as text.",
)
def import_evaluation(query: dict[str, Any], form: dict[str, Any]) -> Any:
    """Import a score sheet (xlsx, csv or JSON) as a new evaluation, all or nothing.

    Form fields title, subject, fiscal_year, kind, evaluator and total_weight fill or override
    what the sheet says. Each leaf's score becomes the sheet's 得分: a deduction of weight minus
    score on a deduction leaf, otherwise a recorded score (an override beside the rule's score
    where the leaf keeps a rule method). A checklist, ratio or survey leaf without its rule data
    is imported as manual, with a warning.
    """
    upload = form.pop("file")
    result = sheets().import_sheet(
        upload.data, upload.filename, form, by=actor(), dry_run=query["dry_run"]
    )
    if result["dry_run"]:
        return result, 200
    location = url_for("evaluations.get_evaluation", evaluation_id=result["id"])
    return result, 201, {"Location": location}


@blp.route(EVALUATION + "/report", methods=["GET"])
@blp.arguments(ReportQuerySchema, location="query")
@blp.alt_response(
    429,
    description="format=pdf: the caller already has as many PDFs rendering as one caller may "
    "(SCORETRAIL_PDF_PER_CALLER); Retry-After says when to ask again.",
)
@blp.alt_response(
    503,
    description="format=pdf: every PDF renderer is busy, the render took longer than "
    "SCORETRAIL_PDF_TIMEOUT_SECONDS and was stopped, or this installation cannot write PDF; "
    "Retry-After says when to ask again (not when PDF is unavailable).",
)
@blp.doc(
    responses={
        200: {
            "description": "The score sheet as a file named in Content-Disposition: xlsx; csv "
            "(UTF-8 with a byte-order mark); html (one self-contained printable page); json "
            "(the evaluation document); pdf (A4). html, xlsx and pdf also carry every deduction "
            "with its evidence hashes, the disputes and decisions, review notes, findings, "
            "sign-offs, the version's head digest, and when and by whom it was generated.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in REPORT_MEDIA
            },
        }
    }
)
def report(query: dict[str, Any], evaluation_id: Any) -> Any:
    """The score sheet report: indicator tree, weights, scores, 得分率, grade, deductions.

    Overrides stand beside their rule score; `version` or `as_of` give it as it stood then.
    """
    caller = principal()
    return download(
        records().report(
            str(evaluation_id),
            query.pop("format"),
            generated_by=caller.name,
            generated_role=caller.role,
            caller=caller.name,  # one person's tokens share one PDF limit
            **query,
        )
    )


def download(file: Download) -> Response:
    """The file with its type and a name: ASCII for old clients, UTF-8 (RFC 6266) for others."""
    response = Response(file.content, content_type=file.media_type)
    disposition = "inline" if file.inline else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{file.fallback_filename}"; '
        f"filename*=UTF-8''{quote(file.filename, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if file.media_type.startswith("text/html"):
        # The page is self-contained: a browser showing it need fetch nothing, run nothing.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response
