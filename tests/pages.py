"""Signing in to the pages from a test: a client holding a session and its CSRF token."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A Flask test client signed in to the pages, sending the session's CSRF token."""

    def __init__(self, client: FlaskClient, csrf_token: str) -> None:
        self.client = client
        self.csrf_token = csrf_token

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True) -> Any:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf_token
        return self.client.post(path, data=form)


def sign_in_with(client: FlaskClient, secret: str) -> Any:
    """Fill in the sign-in form with a token; returns the answer to the form."""
    form = client.get("/ui/login")
    token = CSRF.search(form.text)
    assert token is not None, form.text
    return client.post("/ui/login", data={"token": secret, "csrf_token": token.group(1)})


def browser_for(app: Flask, role: str, name: str, subject: str | None = None) -> Browser:
    """A signed-in page client for a fresh token of that role."""
    _, secret = app.extensions["scoretrail.tokens"].create(name, role, subject)
    client = app.test_client()
    answer = sign_in_with(client, secret)
    assert answer.status_code == 303, answer.text
    page = client.get("/ui/evaluations")
    token = CSRF.search(page.text)
    assert token is not None, "a signed-in page carries the sign-out form's CSRF token"
    return Browser(client, token.group(1))
