"""A served app keeps answering while four long PDF reports render in its worker processes."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.cases import load_directly
from tests.e2e.test_pdf_long_text import long_reasons_case
from web import create_app

RENDERS = 4


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The app on a SQLite file, four PDF workers with an 8-second limit, served by werkzeug
    in a thread on a free port of 127.0.0.1."""
    app = create_app(
        {
            "SCORETRAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
            "SCORETRAIL_LOG_LEVEL": "WARNING",
            "SCORETRAIL_PDF_WORKERS": RENDERS,
            "SCORETRAIL_PDF_TIMEOUT_SECONDS": 8,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["scoretrail.pdf"].close()


def get(url: str, token: str | None = None, timeout: float = 60) -> tuple[int, float]:
    """The status of a GET and the seconds it took."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def test_health_and_a_document_answer_within_2_seconds_while_four_pdfs_render(
    site: tuple[Flask, str],
) -> None:
    app, root = site
    evaluation_id = load_directly(app, long_reasons_case())
    tokens = app.extensions["scoretrail.tokens"]
    callers = [tokens.create(f"审计员{n}", "auditor", None)[1] for n in range(RENDERS)]
    report = f"{root}/api/v1/evaluations/{evaluation_id}/report?format=pdf"
    document = f"{root}/api/v1/evaluations/{evaluation_id}"
    app.extensions["scoretrail.pdf"].warm()
    answers: list[tuple[int, float]] = []
    renders = [
        threading.Thread(target=lambda t=token: answers.append(get(report, t)), daemon=True)
        for token in callers
    ]
    for render in renders:
        render.start()
    pool = app.extensions["scoretrail.pdf"]
    while pool.rendering() < RENDERS:  # until all four are admitted
        assert all(render.is_alive() for render in renders), answers
        time.sleep(0.01)

    checks: list[tuple[str, int, float]] = []
    while any(render.is_alive() for render in renders):
        checks.append(("healthz", *get(f"{root}/healthz", timeout=10)))
        checks.append(("document", *get(document, callers[0], timeout=10)))
    for render in renders:
        render.join(timeout=60)

    assert len(answers) == RENDERS
    assert all(status in (200, 503) for status, _ in answers), answers  # done, or stopped
    assert len(checks) >= 4
    assert all(status == 200 for _, status, _ in checks), checks
    slowest = max(seconds for _, _, seconds in checks)
    assert slowest < 2, checks
