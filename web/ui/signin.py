"""Sign-in with an API token, sign-out, and the CSRF check of every form that changes state."""

from __future__ import annotations

import hmac
import secrets
from typing import Any, cast

from flask import Response, current_app, g, redirect, render_template, request, url_for

from application.errors import Forbidden, Unauthenticated
from application.sessions import SessionService, SignedIn
from web.ui.blueprint import bp

COOKIE = "scoretrail_session"
LOGIN_COOKIE = "scoretrail_login"  # double-submit token of the sign-in form, before a session


class SignInRequired(Unauthenticated):
    """A form was posted without a live session."""


class CsrfRefused(Forbidden):
    """A form came without this session's CSRF token: it may have been forged elsewhere."""


def sessions() -> SessionService:
    return cast(SessionService, current_app.extensions["scoretrail.sessions"])


def current() -> SignedIn | None:
    """The session behind this request's cookie, if it is live."""
    return sessions().resolve(request.cookies.get(COOKIE))


def same(sent: str, expected: str) -> bool:
    """Constant-time comparison of what a form sent (any text, not only ASCII) and a token."""
    return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


def check_csrf(expected: str) -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not same(sent, expected):
        raise CsrfRefused("表单缺少有效的 CSRF 令牌，已拒绝；未记录任何内容。请刷新页面后重试。")


def safe_next(target: str | None) -> str:
    """Only a page of this workspace: never an address elsewhere (open redirects)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("ui.evaluations")


def cookie_options() -> dict[str, Any]:
    return {"httponly": True, "samesite": "Lax", "secure": request.is_secure}


def login_form(error: str | None = None, status: int = 200) -> Response:
    form_token = secrets.token_urlsafe(24)
    page = render_template(
        "ui/login.html",
        error=error,
        login_token=form_token,
        next=request.values.get("next", ""),
    )
    response = Response(page, status=status, mimetype="text/html")
    response.set_cookie(LOGIN_COOKIE, form_token, path="/ui/login", **cookie_options())
    return response


@bp.route("/", methods=["GET"])
def home() -> Response:
    return redirect(url_for("ui.evaluations"))  # type: ignore[return-value]


@bp.route("/login", methods=["GET"])
def login() -> Response:
    if current() is not None:
        return redirect(safe_next(request.args.get("next")))  # type: ignore[return-value]
    return login_form()


@bp.route("/login", methods=["POST"])
def login_submit() -> Response:
    sent, expected = request.form.get("csrf_token", ""), request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not expected or not same(sent, expected):
        return login_form("登录表单已过期，请重新输入令牌。", 403)
    secret = sessions().start(request.form.get("token", ""))
    if secret is None:
        return login_form("令牌无效或已被吊销。", 401)
    response = redirect(safe_next(request.form.get("next")), code=303)
    response.set_cookie(COOKIE, secret, path="/ui", **cookie_options())
    response.delete_cookie(LOGIN_COOKIE, path="/ui/login")
    return response  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    sessions().end(request.cookies.get(COOKIE))
    g.identity = None
    response = redirect(url_for("ui.login"), code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response  # type: ignore[return-value]
