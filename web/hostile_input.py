"""Refuse, before any handler runs, what no field may hold: deep nesting and unstorable text.

JSON nested thousands deep exhausts the parser's recursion. Text goes through the one gate,
`application.text_gate`: path segments, query strings, form fields (urlencoded and multipart),
the names of uploaded files and every string of a JSON body. The API answers a 400 or 422
problem naming the field; pages (`page_refusals`) show the refusal beside their form. Either
way nothing is recorded.
"""

from __future__ import annotations

import json

from flask import Flask, request
from flask_smorest import abort

from application.text_gate import Refusal, refusal, strings

MAX_DEPTH = 64
PAGES = "ui"  # the pages' blueprint: they check in their own guard, after the session


def problem_with(text: str) -> str | None:
    """Why a string cannot be stored as text, or None (the API's words)."""
    refused = refusal(text)
    return None if refused is None else refused.english


def too_deep(raw: bytes) -> bool:
    """Does the JSON text nest deeper than MAX_DEPTH? (counted on brackets outside strings)"""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def field_refusals() -> dict[str, Refusal]:
    """Each path parameter, query or form field and uploaded file name that the gate refuses."""
    found: dict[str, Refusal] = {}
    fields = [
        *(request.view_args or {}).items(),
        *request.args.items(multi=True),
        *request.form.items(multi=True),
    ]
    for name, value in fields:
        refused = refusal(value) if isinstance(value, str) else None
        if refused is not None:
            found.setdefault(name, refused)
    for name, part in request.files.items(multi=True):
        refused = refusal(part.filename or "", name=True)
        if refused is not None:
            found.setdefault(name, refused)
    return found


def page_refusals() -> dict[str, list[str]]:
    """The refusals for a page's form or query, in Chinese, field by field."""
    return {
        name: [("文件名" if name in request.files else "") + refused.chinese]
        for name, refused in field_refusals().items()
    }


def check_request() -> None:
    if request.blueprint == PAGES:
        return
    errors = {name: [r.english] for name, r in field_refusals().items()}
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        if raw and too_deep(raw):
            abort(400, message=f"the JSON body nests deeper than {MAX_DEPTH} levels")
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            body = None  # malformed JSON: the schema's parser answers 400
        for name, text in strings(body):
            message = problem_with(text)
            if message:
                errors.setdefault(name, [message])
    if errors:
        abort(422, errors=errors)


def install(app: Flask) -> None:
    """Check every API request's parameters, files' names and JSON body before its handler."""
    app.before_request(check_request)
