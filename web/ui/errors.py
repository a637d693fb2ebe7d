"""Errors on pages: a refused form is shown again with the reason; others get a readable page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from application.errors import ApplicationError, Unauthenticated
from application.text_gate import escaped
from domain.errors import DomainError
from web.problem_language import localise
from web.problems import slug, status_of

log = logging.getLogger("scoretrail.web")

Origin = Callable[[dict[str, Any], dict[str, Any], int], Response]
# Form endpoint → (the form's key on its page, how to show that page again).
ORIGINS: dict[str, tuple[str, Origin]] = {}
# Refusals shown beside the form; 403 and 404 get their own page (the form is not theirs).
BESIDE_THE_FORM = frozenset({409, 412, 422})
TITLES = {
    401: "需要登录",
    403: "无权进行此操作",
    404: "未找到",
    405: "不支持的请求方式",
    409: "操作被拒绝",
    412: "版本已变化",
    413: "提交内容过大",
    422: "输入有误",
    429: "请稍后重试",
    500: "系统内部错误",
    503: "系统繁忙",
}


def error_page(status: int, detail: str) -> Response:
    signed_in = getattr(g, "identity", None) is not None
    html = render_template(
        "ui/error.html",
        status=status,
        title=TITLES.get(status, "出错了"),
        detail=detail,
        signed_in=signed_in,
        request_id=getattr(g, "request_id", ""),
    )
    return Response(html, status=status, mimetype="text/html")


def refused(error: Exception) -> Response:
    """A domain or application refusal, or a form that failed its shape checks."""
    if isinstance(error, DomainError | ApplicationError):
        status = status_of(error)
        # the same words the API answers with: Chinese unless the browser prefers English
        body = {"type": f"urn:scoretrail:problem:{slug(type(error).__name__)}"}
        detail = localise({**body, "detail": error.detail})["detail"]
    else:
        status, detail = 422, str(getattr(error, "detail", error))
    origin = ORIGINS.get(request.endpoint or "")
    if request.method == "POST" and origin is not None and status in BESIDE_THE_FORM:
        key, render = origin
        beside = {
            "form": key,
            "target": request.form.get("target", ""),
            "message": detail,
            "fields": getattr(error, "fields", {}),
            # shown again with refused characters written out (\x00), never echoed raw
            "values": escaped(request.form.to_dict()),
        }
        try:
            return render(dict(request.view_args or {}), beside, status)
        except (DomainError, ApplicationError, HTTPException):
            pass  # the page itself cannot be shown: fall back to the plain error page
    response = error_page(status, detail)
    if isinstance(error, Unauthenticated):
        response.headers["Cache-Control"] = "no-store"
    return response


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    detail = error.description if status == 404 and error.description else TITLES.get(status, "")
    if status == 404 and "requested URL was not found" in detail:
        detail = "页面或记录不存在。"
    return error_page(status, detail)


def unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return http_error(error)
    log.exception("unhandled error on a page")
    return error_page(500, "出现了意外错误，已记录日志；未记录任何业务数据。")
