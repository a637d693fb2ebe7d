"""Evidence files over HTTP: upload (multipart), list, download the bytes."""

from __future__ import annotations

import mimetypes
from typing import Any, cast

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields
from werkzeug.exceptions import RequestEntityTooLarge

from application.errors import EvidenceTooLarge
from application.evidence import EvidenceFiles, readable_size
from application.sheets import Download
from web.context import actor
from web.preconditions import if_match
from web.sheet_schemas import FilePart, Strict
from web.sheets import UploadParser, download

EVALUATION = "/evaluations/<uuid:evaluation_id>"
# multipart framing around the file part, allowed on top of the file size limit
FRAMING_BYTES = 64 * 1024


class EvidenceBlueprint(Blueprint):
    ARGUMENTS_PARSER = UploadParser()


blp = EvidenceBlueprint(
    "evidence", __name__, url_prefix="/api/v1", description="Evidence files (佐证材料)"
)


def files() -> EvidenceFiles:
    return cast(EvidenceFiles, current_app.extensions["scoretrail.evidence"])


class EvidenceFormSchema(Strict):
    file = FilePart(required=True, metadata={"description": "the file; its part's name is kept"})


class EvidenceFileOut(Schema):
    id = fields.String()
    name = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class EvidenceListOut(Schema):
    items = fields.List(fields.Nested(EvidenceFileOut))


# Routes whose body may carry an evidence file: the upload, and the page forms with a file.
EVIDENCE_SIZED = frozenset(
    {
        "evidence.upload_evidence",
        "ui.record_deduction",
        "ui.record_target_value",
        "ui.record_data_entry",
        "ui.record_score",
        "ui.raise_dispute",
    }
)


def allow_evidence_sized_bodies() -> None:
    """Uploads may be larger than other bodies, up to the evidence limit; one whose declared
    length is past it is refused, naming that limit, before a byte of it is read.

    Installed on the app ahead of every check that reads a body (create_app), so the form is
    never parsed under the general limit first."""
    if request.endpoint not in EVIDENCE_SIZED:
        return
    limits = files().limits
    request.max_content_length = limits.max_bytes + FRAMING_BYTES
    length = request.content_length
    if length is not None and length > request.max_content_length:
        raise limits.too_large("the upload", length)


@blp.errorhandler(RequestEntityTooLarge)
def body_past_the_evidence_limit(_error: RequestEntityTooLarge) -> Any:
    """A body without a declared length that ran past the evidence limit while read."""
    limit = files().limits.max_bytes
    return current_app.handle_user_exception(
        EvidenceTooLarge(
            "the upload is larger than evidence files may be: "
            f"up to {limit} bytes ({readable_size(limit)})",
            limit=limit,
        )
    )


def media_type_of(filename: str) -> str:
    """The part's declared type, or one guessed from the file name when it says nothing."""
    declared = ""
    part = request.files.get("file")
    if part is not None:
        declared = (part.mimetype or "").lower()
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(filename)[0] or declared or "application/octet-stream"


@blp.route(EVALUATION + "/evidence", methods=["POST"])
@blp.arguments(
    EvidenceFormSchema, location="form", content_type="multipart/form-data", unknown=RAISE
)
@blp.response(201, EvidenceFileOut)
@blp.alt_response(413, description="The file is larger than the evidence limit.")
@blp.alt_response(415, description="Files of this media type are not accepted.")
def upload_evidence(form: dict[str, Any], evaluation_id: Any) -> Any:
    """Upload an evidence file; the server computes its SHA-256 and records it on the
    evaluation, so evidence lists may cite it as `{id}` and the event chain covers it."""
    upload = form["file"]
    return files().upload(
        str(evaluation_id),
        name=upload.filename,
        media_type=media_type_of(upload.filename),
        content=upload.data,
        by=actor(),
        **if_match(),
    )


@blp.route(EVALUATION + "/evidence", methods=["GET"])
@blp.response(200, EvidenceListOut)
def list_evidence(evaluation_id: Any) -> Any:
    """Every evidence file attached to the evaluation, in upload order."""
    return {"items": files().listing(str(evaluation_id))}


@blp.route(EVALUATION + "/evidence/<evidence_id>", methods=["GET"])
@blp.doc(
    responses={
        200: {
            "description": "The file's bytes, as uploaded (re-hashed before they are served).",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    }
)
@blp.alt_response(404, description="No such evaluation or evidence file.")
@blp.alt_response(409, description="The stored file no longer matches its recorded hash.")
def download_evidence(evaluation_id: Any, evidence_id: str) -> Any:
    """The bytes of one evidence file, with its name and SHA-256 in the headers; a stored file
    that no longer matches its recorded hash answers 409 and is not served."""
    found, content = files().download(str(evaluation_id), evidence_id)
    response = download(
        Download(
            content,
            found["media_type"],
            found["name"],
            f"evidence-{found['id']}{mimetypes.guess_extension(found['media_type']) or ''}",
        )
    )
    response.headers["X-Content-SHA256"] = found["sha256"]
    return response
