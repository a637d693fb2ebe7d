"""Refuse, before any handler runs, what no field may hold: deep nesting and unstorable text.

JSON nested thousands deep exhausts the parser's recursion; a lone surrogate cannot be
encoded for the database; NUL is refused by PostgreSQL; other C0 control characters are
stored fine but make every spreadsheet export of the evaluation fail later. Each is a
400 or 422 problem naming the field, and nothing is recorded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_smorest import abort

MAX_DEPTH = 64
# C0 controls other than tab, line feed and carriage return, and UTF-16 surrogates.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def problem_with(text: str) -> str | None:
    """Why a string cannot be stored as text, or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return "Must not contain a lone surrogate (invalid Unicode)."
    return f"Must not contain control character U+{ord(char):04X}."


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, keys included, with its dotted path (iteratively)."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where or "_schema", item
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                yield name, str(key)
                stack.append((child, name))
        elif isinstance(item, list):
            stack.extend(
                (child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item)
            )


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


def check_request() -> None:
    errors: dict[str, list[str]] = {}
    form = request.form if request.mimetype == "multipart/form-data" else {}
    for source in (request.view_args or {}, request.args, form):
        for name, value in source.items():
            message = problem_with(value) if isinstance(value, str) else None
            if message:
                errors[name] = [message]
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
    """Check every request's parameters and JSON body before its handler."""
    app.before_request(check_request)
