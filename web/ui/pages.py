"""The pages that show: each is one query string in, the application's answers, one template."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, current_app, g, render_template, request
from werkzeug.exceptions import NotFound

from application.access import Action
from application.audit import AuditService
from application.errors import VersionNotFound
from application.explanation_text import in_language
from application.history import NAMED_BOUNDS, page_of
from domain.signoffs import capacities_of
from web.auth import visible_filters
from web.context import records, reviews, service, sheets
from web.moments import local_zone
from web.sheets import download
from web.ui import forms, labels
from web.ui.blueprint import bp
from web.ui.chart import score_chart

EVALUATION = "/evaluations/<uuid:evaluation_id>"
PER_PAGE = 50
FormError = dict[str, Any]


def audit() -> AuditService:
    return cast(AuditService, current_app.extensions["scoretrail_audit"])


def may(action: str) -> bool:
    """Whether the signed-in role may do this: forms are shown only to those who may send."""
    return bool(g.identity.may(Action(action)))


def page(template: str, status: int = 200, **context: Any) -> Response:
    # the sign-off form offers the capacities of the signed-in party only
    signs_as = capacities_of(g.identity.role)
    html = render_template(f"ui/{template}", may=may, signs_as=signs_as, **context)
    return Response(html, status=status, mimetype="text/html")


@bp.route("/evaluations", methods=["GET"])
def evaluations() -> Response:
    query = forms.load(forms.ListQuery, request.args)
    number = query.pop("page")
    wanted = {k: v for k, v in query.items() if v is not None}
    scoped = visible_filters(wanted)  # a subject sees its own subject only
    empty = {"items": [], "total": 0, "page": number, "per_page": PER_PAGE, "pages": 0}
    found = empty if scoped is None else service().list_evaluations(scoped, number, PER_PAGE)
    return page("evaluations.html", found=found, filters=wanted)


def sheet_page(
    evaluation_id: str, status: int = 200, form_error: FormError | None = None
) -> Response:
    anchor = forms.load(forms.AnchorQuery, request.args) if request.method == "GET" else {}
    # the sheet shows withdrawn deductions beside the standing ones, marked as withdrawn
    document = service().document(evaluation_id, **anchor, deductions="all")
    past = bool(anchor.get("version") or anchor.get("as_of"))
    current = service().document(evaluation_id) if past else document
    # The chain check and the findings read the whole history: run on request (a link at
    # the top of the sheet), so opening a sheet costs the same however long its past.
    checks = may("read-trail") and request.method == "GET" and request.args.get("checks") == "1"
    context = {
        "doc": document,
        "current": current,
        "past": past,
        "anchor": anchor,
        "findings": audit().findings(evaluation_id, version=document["version"])
        if checks
        else None,
        "verification": audit().verification(evaluation_id) if checks else None,
        "disputes": reviews().disputes(evaluation_id)["items"],
        "notes": reviews().notes(evaluation_id, "open")["items"] if may("read-trail") else [],
        "form_error": form_error,
    }
    return page("sheet.html", status, **context)


@bp.route(EVALUATION, methods=["GET"])
def sheet(evaluation_id: Any) -> Response:
    return sheet_page(str(evaluation_id))


def indicator_page(
    evaluation_id: str, code: str, status: int = 200, form_error: FormError | None = None
) -> Response:
    document = service().document(evaluation_id, deductions="all")
    indicator = next((i for i in document["indicators"] if i["code"] == code), None)
    if indicator is None:
        raise NotFound(f"指标 {code} 不存在")
    changes = service().indicator_history(evaluation_id, code, 1, 1000)["items"]
    disputes = [d for d in reviews().disputes(evaluation_id)["items"] if d["indicator"] == code]
    open_on = {d["deduction_id"] for d in disputes if d["status"] == "open"}
    return page(
        "indicator.html",
        status,
        doc=document,
        ind=indicator,
        children=[i for i in document["indicators"] if i["parent"] == code],
        changes=list(reversed(changes)),
        chart=score_chart(changes, indicator["weight"], local_zone()),
        explanation=in_language(audit().explanation(evaluation_id, code), "zh"),
        disputes=disputes,
        open_on=open_on,
        leaf_disputed=any(d["status"] == "open" and d["target"] != "deduction" for d in disputes),
        form_error=form_error,
    )


@bp.route(EVALUATION + "/indicators/<code>", methods=["GET"])
def indicator(evaluation_id: Any, code: str) -> Response:
    return indicator_page(str(evaluation_id), code)


@bp.route(EVALUATION + "/diff", methods=["GET"])
def diff(evaluation_id: Any) -> Response:
    query = forms.load(forms.DiffQuery, request.args)
    document = service().document(str(evaluation_id))
    result = None
    if query.get("start"):
        result = audit().diff(str(evaluation_id), anchor(query["start"]), anchor(query.get("end")))
    return page("diff.html", doc=document, query=query, diff=result, moments=labels.MOMENTS)


def anchor(value: str | None) -> Any:
    """A diff end: a version number, a named moment (`submission`, …) or a time (a picker's
    time without offset is local, a date alone the end of that day), as the API reads it."""
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    if value in NAMED_BOUNDS:
        return value
    loaded = forms.load(forms.AnchorQuery, {"as_of": value})  # type: ignore[arg-type]
    return loaded["as_of"]


@bp.route(EVALUATION + "/history", methods=["GET"])
def history(evaluation_id: Any) -> Response:
    query = forms.load(forms.HistoryQuery, request.args)
    document = service().document(str(evaluation_id))
    kinds = [query["type"]] if query["type"] else None
    note = None
    try:
        found = service().history(
            str(evaluation_id),
            query["page"],
            PER_PAGE,
            type=kinds,
            actor=query["actor"],
            start=query["since"],
        )
    except VersionNotFound as missing:
        if "moment" not in missing.values:
            raise
        # the page offers the filter on every evaluation: one never submitted says so
        found = page_of([], 0, query["page"], PER_PAGE)
        note = "该评价尚未提交，“仅提交之后”没有事件可列。"
    shown = {k: query[k] for k in ("type", "actor", "since") if query[k]}
    return page(
        "history.html", doc=document, found=found, filters=shown, kinds=labels.EVENT, note=note
    )


@bp.route(EVALUATION + "/history.csv", methods=["GET"])
def history_csv(evaluation_id: Any) -> Response:
    return download(sheets().history_report(str(evaluation_id)))


@bp.route(EVALUATION + "/report", methods=["GET"])
def report(evaluation_id: Any) -> Response:
    """The same report the API gives: xlsx, html and pdf carry the whole record."""
    query = forms.load(forms.ReportQuery, request.args)
    fmt = query.pop("format")
    return download(
        records().report(
            str(evaluation_id),
            fmt,
            generated_by=g.identity.name,
            generated_role=g.identity.role,
            **query,
        )
    )


@bp.route(EVALUATION + "/audit-packet", methods=["GET"])
def audit_packet(evaluation_id: Any) -> Response:
    from adapters.audit_packet import packet_download

    return download(packet_download(audit(), str(evaluation_id)))


def queue_page(status: int = 200, form_error: FormError | None = None) -> Response:
    query = forms.load(forms.QueueQuery, request.args) if request.method == "GET" else {}
    wanted = query.get("status", "open")
    subject = g.identity.subject if g.identity.scoped else None
    found = reviews().queue(wanted, subject)
    return page("disputes.html", status, found=found, wanted=wanted, form_error=form_error)


@bp.route("/disputes", methods=["GET"])
def disputes() -> Response:
    return queue_page()


@bp.route("/<path:rest>", methods=["GET", "POST"])
def missing(rest: str) -> Response:
    raise NotFound("页面不存在")
