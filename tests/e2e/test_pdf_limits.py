"""PDF reports render in worker processes: a render past its time limit is killed (503),
a caller past its limit gets 429, a full pool 503, each with Retry-After; the service answers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from adapters.pdf_pool import PdfPool
from tests.cases import load_directly, small_case
from tests.conftest import Api, signed_in
from web import create_app

NEVER = "tests.e2e.pdf_renderers:never_finishes"
ECHO = "tests.e2e.pdf_renderers:echoes"


def app_with(renderer: str, **settings: Any) -> Flask:
    return create_app(
        {
            "SCORETRAIL_DATABASE_URL": "sqlite:///:memory:",
            "SCORETRAIL_LOG_LEVEL": "WARNING",
            "PDF_RENDERER": renderer,
            **settings,
        }
    )


def pool_of(app: Flask) -> PdfPool:
    pool: PdfPool = app.extensions["scoretrail.pdf"]
    return pool


@pytest.fixture
def stuck() -> Iterator[Flask]:
    """An app whose renders never finish, with a one-second limit, two workers, one a caller."""
    app = app_with(NEVER, SCORETRAIL_PDF_TIMEOUT_SECONDS=1, SCORETRAIL_PDF_WORKERS=2)
    yield app
    pool_of(app).close()


def report_url(app: Flask) -> str:
    return f"/evaluations/{load_directly(app, small_case())}/report?format=pdf"


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    thread.start()
    return thread, answers


def pdf_workers() -> set[int]:
    """Every PDF worker process of this test process, of any app's pool."""
    return {p.pid for p in multiprocessing.active_children() if p.name == "scoretrail-pdf"}


def wait_until_rendering(pool: PdfPool, count: int) -> None:
    """Until `count` renders are admitted and have their worker processes (a handshake with
    the other threads, not a delay)."""
    deadline = time.monotonic() + 10
    while pool.rendering() < count or len(pool.pids()) < count:
        assert time.monotonic() < deadline, "the renders never started"
        time.sleep(0.01)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_render_past_the_time_limit_is_killed_and_answers_503_while_the_service_answers(
    stuck: Flask,
) -> None:
    auditor = signed_in(stuck, "auditor", "审计员")
    url = report_url(stuck)
    started = time.monotonic()
    thread, answers = in_background(lambda: auditor.get(url))
    wait_until_rendering(pool_of(stuck), 1)

    health = stuck.test_client().get("/healthz")  # asked while the render hangs
    rendering = pool_of(stuck).pids()

    thread.join(timeout=30)
    elapsed = time.monotonic() - started
    assert health.status_code == 200
    assert not thread.is_alive()
    (response,) = answers
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "urn:scoretrail:problem:pdf-render-stopped"
    assert response.json["title"] == "PDF 报告生成已中止"
    assert "1 秒" in response.json["detail"]
    assert int(response.headers["Retry-After"]) >= 1
    assert elapsed < 15  # the time limit (1 s) and a worker's start, not the render's end
    assert pool_of(stuck).running == {}
    assert rendering and all(gone(pid) for pid in rendering)  # killed and reaped


def test_closing_the_pool_leaves_no_worker_process_behind(stuck: Flask) -> None:
    auditor = signed_in(stuck, "auditor", "审计员")
    assert auditor.get(report_url(stuck)).status_code == 503
    pool = pool_of(stuck)
    replacement = pool.pids()  # started for the killed one, waiting for the next page

    pool.close()

    assert replacement and all(gone(pid) for pid in replacement)
    assert pool.alive() == 0
    assert pool.pids() == set()
    assert not replacement & pdf_workers()


def test_a_second_pdf_of_the_same_caller_is_refused_with_429_and_retry_after(
    stuck: Flask,
) -> None:
    auditor = signed_in(stuck, "auditor", "审计员")
    url = report_url(stuck)
    thread, _ = in_background(lambda: auditor.get(url))
    wait_until_rendering(pool_of(stuck), 1)

    second = auditor.get(url)
    other_token_same_person = signed_in(stuck, "auditor", "审计员").get(url)

    thread.join(timeout=30)
    for response in (second, other_token_same_person):
        assert response.status_code == 429
        assert response.mimetype == "application/problem+json"
        assert response.json["type"] == "urn:scoretrail:problem:pdf-caller-busy"
        assert response.json["title"] == "PDF 报告生成中，请求过多"
        assert "1 份 PDF 报告正在生成" in response.json["detail"]
        assert int(response.headers["Retry-After"]) >= 1


def test_a_pdf_beyond_the_pool_answers_503_with_retry_after_and_other_formats_still_work(
    stuck: Flask,
) -> None:
    url = report_url(stuck)
    callers = [signed_in(stuck, "auditor", name) for name in ("甲", "乙", "丙")]
    threads = [in_background(lambda c=c: c.get(url))[0] for c in callers[:2]]  # type: ignore[misc]
    wait_until_rendering(pool_of(stuck), 2)

    third = callers[2].get(url)
    html = callers[2].get(url.replace("pdf", "html"))

    for thread in threads:
        thread.join(timeout=30)
    assert third.status_code == 503
    assert third.json["type"] == "urn:scoretrail:problem:pdf-renderers-busy"
    assert third.json["title"] == "PDF 报告生成繁忙"
    assert int(third.headers["Retry-After"]) >= 1
    assert html.status_code == 200


def test_a_worker_renders_the_page_built_in_the_request() -> None:
    app = app_with(ECHO)
    try:
        auditor: Api = signed_in(app, "auditor", "审计员")
        response = auditor.get(report_url(app))
        again = auditor.get(report_url(app))  # the same worker, kept for the next page
    finally:
        pool_of(app).close()
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF-stand-in ")
    assert int(response.data.split()[1]) > 1000  # the whole record page went to the worker
    assert again.status_code == 200


def test_a_worker_that_died_while_idle_is_replaced_for_the_next_pdf() -> None:
    app = app_with(ECHO)
    try:
        auditor = signed_in(app, "auditor", "审计员")
        url = report_url(app)
        assert auditor.get(url).status_code == 200
        (idle,) = pool_of(app).pids()
        os.kill(idle, signal.SIGKILL)  # as the kernel's OOM killer would

        response = auditor.get(url)

        assert response.status_code == 200, response.data[:300]
        assert pool_of(app).pids() and idle not in pool_of(app).pids()
    finally:
        pool_of(app).close()


def test_a_worker_that_cannot_load_its_renderer_answers_503_rendering_unavailable() -> None:
    app = app_with("tests.e2e.no_such_renderer:render")  # as when Pango fails to load there
    try:
        response = signed_in(app, "auditor", "审计员").get(report_url(app))
    finally:
        pool_of(app).close()
    assert response.status_code == 503
    assert response.json["type"] == "urn:scoretrail:problem:rendering-unavailable"
    assert response.json["title"] == "无法生成该格式的报告"
    assert "Retry-After" not in response.headers  # asking again will not help
