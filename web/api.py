"""The v1 REST API: each handler is schema in, one service call, schema out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from flask_smorest import Blueprint

from application.written import Written
from web.answers import (
    Shape,
    answered,
    document_or_changes,
    document_or_record_changes,
    record_with_evaluation,
)
from web.auth import visible_filters
from web.context import actor, service, sheets
from web.parsing import DecimalJSONParser
from web.preconditions import if_match, with_etag
from web.problem_language import history_in_language
from web.response_schemas import (
    DeductionCreatedOut,
    DeductionPageOut,
    DocumentOut,
    EventPageOut,
    ScoreChangePageOut,
    SummaryPageOut,
)
from web.schemas import (
    ChecklistSchema,
    DataEntrySchema,
    DeductionCreateSchema,
    DeductionPageQuerySchema,
    DocumentQuerySchema,
    EmptySchema,
    EvaluationCreateSchema,
    FrameworkSchema,
    ListQuerySchema,
    PageQuerySchema,
    ReasonSchema,
    ScoreSchema,
    SurveySchema,
)
from web.sheet_schemas import HistoryQuerySchema
from web.sheets import download


class ApiBlueprint(Blueprint):
    """Blueprint whose JSON bodies keep numbers exact (parse_float=Decimal)."""

    ARGUMENTS_PARSER = DecimalJSONParser()


blp = ApiBlueprint(
    "evaluations", __name__, url_prefix="/api/v1", description="Evaluations and their audit trail"
)

Json = dict[str, Any]
EVALUATION = "/evaluations/<uuid:evaluation_id>"
SCORE_CHANGE_PAGE_KEYS = tuple(ScoreChangePageOut().fields)


def written(
    write: Callable[..., Written],
    *args: Any,
    status: int | None = None,
    shape: Shape = document_or_changes,
    **kw: Any,
) -> Any:
    """Run one service write as the caller, with its If-Match; the answer is shaped as the
    request prefers it (web.answers) and carries the ETag."""
    return answered(write(*args, **kw, by=actor(), **if_match()), status, shape=shape)


@blp.route("/evaluations", methods=["POST"])
@blp.arguments(EvaluationCreateSchema())
@blp.response(201, DocumentOut)
def create_evaluation(body: Json) -> Any:
    """Open an evaluation in draft."""
    result = service().create_evaluation(**body, by=actor())
    location = url_for("evaluations.get_evaluation", evaluation_id=result.id)
    return answered(result, 201, {"Location": location})


@blp.route("/evaluations", methods=["GET"])
@blp.arguments(ListQuerySchema(), location="query")
@blp.response(200, SummaryPageOut)
def list_evaluations(query: Json) -> Any:
    """Evaluations filtered by fiscal_year, subject, kind, status and grade."""
    page, per_page = query.pop("page"), query.pop("per_page")
    filters = visible_filters(query)  # a subject token lists its own subject only
    if filters is None:
        return {"items": [], "total": 0, "page": page, "per_page": per_page, "pages": 0}
    return service().list_evaluations(filters, page, per_page)


@blp.route(EVALUATION, methods=["GET"])
@blp.arguments(DocumentQuerySchema(), location="query")
@blp.response(200, DocumentOut)
def get_evaluation(query: Json, evaluation_id: Any) -> Any:
    """The evaluation document, now or as it stood at a version or time."""
    if query["version"] is None and query["as_of"] is None:
        return with_etag(service().current_document(str(evaluation_id), query["deductions"]))
    return with_etag(service().document(str(evaluation_id), **query))


@blp.route(EVALUATION + "/framework", methods=["POST"])
@blp.arguments(FrameworkSchema())
@blp.response(200, DocumentOut)
def define_framework(body: Json, evaluation_id: Any) -> Any:
    """Define or replace the indicator tree while nothing is scored."""
    return written(service().define_framework, str(evaluation_id), body["indicators"])


@blp.route(EVALUATION + "/data-entries", methods=["POST"])
@blp.arguments(DataEntrySchema())
@blp.response(200, DocumentOut)
def record_data_entry(body: Json, evaluation_id: Any) -> Any:
    """Record a raw figure; an existing key is a correction and needs a reason."""
    return written(service().record_data_entry, str(evaluation_id), **body)


@blp.route(EVALUATION + "/indicators/<code>/deductions", methods=["POST"])
@blp.arguments(DeductionCreateSchema())
@blp.response(201, DeductionCreatedOut)
def record_deduction(body: Json, evaluation_id: Any, code: str) -> Any:
    """Take points off a deduction leaf, with a reason and optional evidence."""
    return written(
        service().record_deduction,
        str(evaluation_id),
        code,
        **body,
        status=201,
        shape=record_with_evaluation,
    )


@blp.route(EVALUATION + "/deductions", methods=["GET"])
@blp.arguments(DeductionPageQuerySchema(), location="query")
@blp.response(200, DeductionPageOut)
def list_deductions(query: Json, evaluation_id: Any) -> Any:
    """The evaluation's deductions, oldest first, paged; status=withdrawn lists withdrawn ones."""
    return service().deductions(str(evaluation_id), **query)


@blp.route(EVALUATION + "/deductions/<deduction_id>/withdrawal", methods=["POST"])
@blp.arguments(ReasonSchema())
@blp.response(200, DocumentOut)
def withdraw_deduction(body: Json, evaluation_id: Any, deduction_id: str) -> Any:
    """Withdraw a deduction; it stays in the history."""
    return written(
        service().withdraw_deduction,
        str(evaluation_id),
        deduction_id,
        **body,
        shape=document_or_record_changes,
    )


@blp.route(EVALUATION + "/indicators/<code>/checklist", methods=["POST"])
@blp.arguments(ChecklistSchema())
@blp.response(200, DocumentOut)
def assess_checklist(body: Json, evaluation_id: Any, code: str) -> Any:
    """Mark each checklist item met or unmet."""
    return written(service().assess_checklist, str(evaluation_id), code, **body)


@blp.route(EVALUATION + "/indicators/<code>/score", methods=["POST"])
@blp.arguments(ScoreSchema())
@blp.response(200, DocumentOut)
def record_score(body: Json, evaluation_id: Any, code: str) -> Any:
    """The score of a manual leaf, or an override of any other leaf."""
    return written(service().record_score, str(evaluation_id), code, **body)


@blp.route(EVALUATION + "/indicators/<code>/survey", methods=["POST"])
@blp.arguments(SurveySchema())
@blp.response(200, DocumentOut)
def record_survey(body: Json, evaluation_id: Any, code: str) -> Any:
    """Questionnaire tallies for a survey leaf, one list of counts per question."""
    return written(service().record_survey, str(evaluation_id), code, **body)


@blp.route(EVALUATION + "/submission", methods=["POST"])
@blp.arguments(EmptySchema(), required=False)
@blp.response(200, DocumentOut)
def submit(body: Json, evaluation_id: Any) -> Any:
    """Submit the scores to the evaluated unit (draft → submitted)."""
    return written(service().submit, str(evaluation_id))


@blp.route(EVALUATION + "/finalization", methods=["POST"])
@blp.arguments(EmptySchema(), required=False)
@blp.response(200, DocumentOut)
def finalize(body: Json, evaluation_id: Any) -> Any:
    """Finalize (submitted → finalized): every later change is refused until reopened."""
    return written(service().finalize, str(evaluation_id))


@blp.route(EVALUATION + "/reopening", methods=["POST"])
@blp.arguments(ReasonSchema())
@blp.response(200, DocumentOut)
def reopen(body: Json, evaluation_id: Any) -> Any:
    """Reopen a finalized evaluation, with a reason."""
    return written(service().reopen, str(evaluation_id), **body)


@blp.route(EVALUATION + "/history", methods=["GET"])
@blp.arguments(HistoryQuerySchema(), location="query")
@blp.response(200, EventPageOut)
@blp.doc(responses={200: {"content": {"text/csv; charset=utf-8": {"schema": {"type": "string"}}}}})
def history(query: Json, evaluation_id: Any) -> Any:
    """Every event of the evaluation, oldest first; format=csv gives them all as a CSV file."""
    if query.pop("format") == "csv":
        query.pop("page"), query.pop("per_page")
        return download(sheets().history_report(str(evaluation_id), filters=query))
    return history_in_language(service().history(str(evaluation_id), **query))


@blp.route(EVALUATION + "/indicators/<code>/history", methods=["GET"])
@blp.arguments(PageQuerySchema(), location="query")
@blp.response(200, ScoreChangePageOut)
def indicator_history(query: Json, evaluation_id: Any, code: str) -> Any:
    """Every change to one indicator's score, with before, after and why."""
    answer = service().indicator_history(str(evaluation_id), code, **query)
    # Items come from the read model as JSON primitives in the schema's shape
    # (tests/e2e/test_history_responses.py checks a dump changes nothing): a page of
    # hundreds is encoded once, in the schema's key order, instead of walked field by field.
    page = {key: answer[key] for key in SCORE_CHANGE_PAGE_KEYS}
    return current_app.json.response(history_in_language(page))
