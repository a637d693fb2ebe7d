"""A form's evidence file: read from the `file` part and cited in the same unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from application.access import Action
from application.evidence import EvidenceFiles, Upload
from web.context import access, actor
from web.evidence_api import media_type_of

T = TypeVar("T")


def files() -> EvidenceFiles:
    return cast(EvidenceFiles, current_app.extensions["scoretrail.evidence"])


def uploaded() -> Upload | None:
    """The form's `file` part, when one was chosen."""
    part = request.files.get("file")
    if part is None or not part.filename:
        return None
    return Upload(part.filename, media_type_of(part.filename), part.read())


def citing(
    evaluation_id: str,
    evidence: list[dict[str, Any]] | None,
    record: Callable[[list[dict[str, Any]] | None], T],
) -> T:
    """Run `record(evidence)`, with the uploaded file (if any) attached and cited; attaching
    needs the same permission as the API's upload."""
    file = uploaded()
    if file is not None:
        access().authorize(g.identity, Action.ATTACH, evaluation_id)
    return files().citing(evaluation_id, file, evidence, record, by=actor())
