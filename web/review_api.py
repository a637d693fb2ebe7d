"""Disputes and review notes: thin handlers over the review service."""

from __future__ import annotations

from typing import Any

from flask import url_for

from web.api import EVALUATION, ApiBlueprint, Json
from web.context import actor, reviews
from web.preconditions import if_match
from web.review_schemas import (
    DecisionSchema,
    DisputeCreateSchema,
    DisputeDecidedOut,
    DisputeListOut,
    DisputeOut,
    DisputeQuerySchema,
    NoteCreateSchema,
    NoteListOut,
    NoteOut,
    NoteQuerySchema,
    NoteResolutionSchema,
)

blp = ApiBlueprint(
    "review", __name__, url_prefix="/api/v1", description="Disputes (异议) and review notes"
)


@blp.route(EVALUATION + "/disputes", methods=["POST"])
@blp.arguments(DisputeCreateSchema)
@blp.response(201, DisputeOut)
def raise_dispute(body: Json, evaluation_id: Any) -> Any:
    """Contest a deduction or a leaf's score while the evaluation is submitted."""
    dispute = reviews().raise_dispute(str(evaluation_id), **body, by=actor(), **if_match())
    location = url_for("review.get_dispute", evaluation_id=evaluation_id, dispute_id=dispute["id"])
    return dispute, 201, {"Location": location}


@blp.route(EVALUATION + "/disputes", methods=["GET"])
@blp.arguments(DisputeQuerySchema, location="query")
@blp.response(200, DisputeListOut)
def list_disputes(query: Json, evaluation_id: Any) -> Any:
    """The dispute queue of an evaluation, oldest first; `status` filters open or decided."""
    return reviews().disputes(str(evaluation_id), query["status"])


@blp.route(EVALUATION + "/disputes/<dispute_id>", methods=["GET"])
@blp.response(200, DisputeOut)
def get_dispute(evaluation_id: Any, dispute_id: str) -> Any:
    """One dispute, with its decision once decided."""
    return reviews().dispute(str(evaluation_id), dispute_id)


@blp.route(EVALUATION + "/disputes/<dispute_id>/decision", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, DisputeDecidedOut)
def decide_dispute(body: Json, evaluation_id: Any, dispute_id: str) -> Any:
    """Uphold, overturn or amend; a score change is its own event, linked to the dispute."""
    return reviews().decide_dispute(
        str(evaluation_id), dispute_id, **body, by=actor(), **if_match()
    )


@blp.route(EVALUATION + "/indicators/<code>/notes", methods=["POST"])
@blp.arguments(NoteCreateSchema)
@blp.response(201, NoteOut)
def add_note(body: Json, evaluation_id: Any, code: str) -> Any:
    """Attach a review note to an indicator."""
    return reviews().add_note(str(evaluation_id), code, **body, by=actor(), **if_match())


@blp.route(EVALUATION + "/notes/<note_id>/resolution", methods=["POST"])
@blp.arguments(NoteResolutionSchema, required=False)
@blp.response(200, NoteOut)
def resolve_note(body: Json, evaluation_id: Any, note_id: str) -> Any:
    """Resolve a review note, optionally saying how."""
    return reviews().resolve_note(str(evaluation_id), note_id, **body, by=actor(), **if_match())


@blp.route(EVALUATION + "/notes", methods=["GET"])
@blp.arguments(NoteQuerySchema, location="query")
@blp.response(200, NoteListOut)
def list_notes(query: Json, evaluation_id: Any) -> Any:
    """Review notes, oldest first; `status` filters open or resolved."""
    return reviews().notes(str(evaluation_id), query["status"])
