"""Pages for people: signed in with a token, over the same services and permission table."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from application.access import Action
from application.errors import ApplicationError, Forbidden
from domain.errors import DomainError
from web.context import access
from web.hostile_input import page_refusals
from web.ui import (  # noqa: F401  (routes)
    actions,
    apidocs,
    errors,
    labels,
    pages,
    record_pages,
    signin,
)
from web.ui.blueprint import bp
from web.ui.forms import FormInvalid

A = Action
# Page (Flask endpoint) → the action it performs, checked against application.access like the
# API's routes; a page missing here is refused (a test lists unclassified pages).
PAGE_ACTIONS: dict[str, Action] = {
    "ui.evaluations": A.READ,
    "ui.sheet": A.READ,
    "ui.indicator": A.READ,
    "ui.report": A.READ,
    "ui.disputes": A.READ,
    "ui.diff": A.READ_TRAIL,
    "ui.history": A.READ_TRAIL,
    "ui.history_csv": A.READ_TRAIL,
    "ui.audit_packet": A.READ_TRAIL,
    "ui.record_deduction": A.RECORD,
    "ui.record_target_value": A.RECORD,
    "ui.withdraw_deduction": A.RECORD,
    "ui.sign_off": A.SIGN,
    "ui.raise_dispute": A.DISPUTE,
    "ui.decide_dispute": A.DECIDE,
    "ui.add_note": A.NOTE,
    "ui.submit": A.SUBMIT,
    "ui.finalize": A.TRANSITION,
    "ui.reopen": A.TRANSITION,
    "ui.new_evaluation": A.CREATE,
    "ui.open_evaluation": A.CREATE,
    "ui.import_form": A.CREATE,
    "ui.import_sheet": A.CREATE,
    "ui.record_data_entry": A.RECORD,
    "ui.assess_checklist": A.RECORD,
    "ui.record_score": A.RECORD,
    "ui.evidence_file": A.READ,
}
# Pages anyone may open: the sign-in form, the stylesheet, unknown addresses (a 404 page).
OPEN_ENDPOINTS = frozenset({"ui.login", "ui.login_submit", "ui.static", "ui.missing", "ui.home"})
# Signed in, but no evaluation action: leaving.
SESSION_ENDPOINTS = frozenset({"ui.logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# No inline script or style anywhere; forms post only to this site; no framing.
CSP = (
    "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def guard() -> Any:
    """Before each page: a live session, a matching CSRF token on writes, the table, then the
    text gate over the form and query (a refusal is shown beside the form, nothing recorded)."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_ENDPOINTS:
        check_text()
        return None
    signed = signin.current()
    if signed is None:
        if request.method in SAFE_METHODS:
            return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
        raise signin.SignInRequired("请先登录")
    g.identity, g.csrf_token = signed.principal, signed.csrf_token
    if request.method not in SAFE_METHODS:
        signin.check_csrf(signed.csrf_token)
    if endpoint in SESSION_ENDPOINTS:
        return None
    action = PAGE_ACTIONS.get(endpoint)
    if action is None:
        raise Forbidden(f"the page {endpoint} is not classified", action="unclassified")
    evaluation_id = (request.view_args or {}).get("evaluation_id")
    access().authorize(g.identity, action, None if evaluation_id is None else str(evaluation_id))
    check_text()
    return None


def check_text() -> None:
    refused = page_refusals()
    if refused:
        raise FormInvalid(refused)


def page_context() -> dict[str, Any]:
    """What every template may use: who is signed in and the token their forms carry."""
    return {
        "identity": getattr(g, "identity", None),
        "csrf_token": getattr(g, "csrf_token", ""),
        "notice": NOTICES.get(request.args.get("notice", "")),
        "zone_label": labels.zone_label,
    }


# Fixed texts after a form went through (a notice never echoes the query string).
NOTICES = {
    "deducted": "扣分已记录。",
    "target": "指标值已记录。",
    "withdrawn": "扣分已撤回。",
    "signed": "已签字。",
    "disputed": "异议已提出，等待复核人裁定。",
    "decided": "异议已裁定。",
    "noted": "复核意见已添加。",
    "submitted": "已提交被评价单位。",
    "finalized": "已定稿。",
    "reopened": "已重新打开。",
    "opened": "评价已建立。",
    "imported": "评分表已导入。",
    "entered": "数据已记录。",
    "assessed": "清单评估已记录。",
    "scored": "得分已记录。",
}


def secure_headers(response: Response) -> Response:
    """Every page: the strict policy (a download that sets its own keeps it), no sniffing."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def install(app: Flask) -> None:
    """Register the pages and the API browser on the app built by create_app."""
    app.jinja_env.filters.update(labels.filters())
    app.register_blueprint(bp)
    app.register_blueprint(apidocs.bp)


# The blueprint is set up once, at import; every app built by create_app registers it.
bp.context_processor(page_context)
bp.before_request(guard)
bp.after_request(secure_headers)
bp.register_error_handler(DomainError, errors.refused)
bp.register_error_handler(ApplicationError, errors.refused)
bp.register_error_handler(FormInvalid, errors.refused)
bp.register_error_handler(HTTPException, errors.http_error)
bp.register_error_handler(Exception, errors.unexpected)
