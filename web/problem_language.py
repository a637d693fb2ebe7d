"""Problem titles and details in the caller's language: Chinese unless English is asked for."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from application.system_text import chinese as system_chinese
from web.field_messages import chinese_message
from web.problem_details import DETAILS, TITLES

LANGUAGES = ("zh", "en")


def history_in_language(page: dict[str, Any]) -> dict[str, Any]:
    """A history page with the texts the system wrote (a rescore's reason, a rule's note) in
    Chinese, unless English is asked for; what people typed stays as typed."""
    if requested_language() == "en":
        return page
    items = []
    for item in page.get("items") or []:
        shown = {**item, "reason": system_chinese(item.get("reason"))}
        if isinstance(item.get("data"), dict):
            shown["data"] = {
                k: system_chinese(v) if k in ("reason", "note") and isinstance(v, str) else v
                for k, v in item["data"].items()
            }
        items.append(shown)
    return {**page, "items": items}


def requested_language() -> str:
    """ "en" when the caller's Accept-Language prefers English to Chinese, else "zh"."""
    if not has_request_context():
        return "zh"
    best = request.accept_languages.best_match(LANGUAGES, default="zh")
    return best or "zh"


def chinese_detail(detail: str, title: str, values: dict[str, Any] | None) -> str:
    """The detail in Chinese from the catalogue; a detail the catalogue does not know yet
    follows the Chinese title as written, so that nothing it says is lost."""
    for pattern, chinese in DETAILS:
        match = pattern.match(detail)
        if match:
            return chinese.format(*match.groups())
    return f"{title}：{detail}" if detail else title


def localise(body: dict[str, Any]) -> dict[str, Any]:
    """A problem body in the requested language (the type, status and fields never change)."""
    if requested_language() == "en":
        return body
    kind = str(body.get("type", "")).rsplit(":", 1)[-1]
    title = TITLES.get(kind, "请求被拒绝")
    detail = chinese_detail(str(body.get("detail", "")), title, body.get("values"))
    localised = {**body, "title": title, "detail": detail}
    if isinstance(body.get("errors"), dict):
        localised["errors"] = {
            field: [chinese_message(str(m)) for m in messages]
            if isinstance(messages, list)
            else messages
            for field, messages in body["errors"].items()
        }
    return localised
