"""A real server on a free port and Debian's Chromium driven by Playwright, for page tests."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from domain.evaluation import Actor
from tests.conftest import REFERENCE
from web import create_app

CHROMIUM = Path(os.environ.get("SCORETRAIL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOADER = Actor(name="张评价", role="evaluator", correlation_id="browser-setup")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium chromium-driver)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


@dataclass
class Site:
    """The app served on 127.0.0.1, and its services for preparing data."""

    app: Flask
    base: str

    def url(self, path: str) -> str:
        return self.base + path

    def token(self, name: str, role: str, subject: str | None = None) -> str:
        return str(self.app.extensions["scoretrail.tokens"].create(name, role, subject)[1])

    def load_reference(self, subject: str | None = None) -> str:
        spec = json.loads(REFERENCE.read_text(encoding="utf-8"))
        if subject is not None:
            spec["evaluation"]["subject"] = subject
        return str(self.app.extensions["scoretrail"].import_evaluation(spec, LOADER).id)

    @property
    def service(self) -> Any:
        return self.app.extensions["scoretrail"]


@contextmanager
def served(database: Path) -> Iterator[Site]:
    """create_app on a fresh SQLite file, served by werkzeug in a thread on a free port."""
    app = create_app(
        {"SCORETRAIL_DATABASE_URL": f"sqlite:///{database}", "SCORETRAIL_LOG_LEVEL": "WARNING"}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless; Playwright never downloads a browser of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, site: Site, token: str) -> None:
    """Fill in the sign-in form as a person would."""
    page.goto(site.url("/ui/login"))
    page.fill("input[name=token]", token)
    page.click("form button[type=submit]")
    page.wait_for_url("**/ui/evaluations**")
