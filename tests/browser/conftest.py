"""Browser fixtures: one server and one Chromium per test module; a screenshot on failure."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import ARTIFACTS, Site, chromium, missing_browser, served


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    reason = missing_browser()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run under CI: {reason}")
        pytest.skip(reason)
    with served(tmp_path_factory.mktemp("browser") / "pages.sqlite3") as running:
        yield running


@pytest.fixture(scope="module")
def chrome(site: Site) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def new_page(chrome: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """`new_page()`: a fresh browser context (its own cookies) and page; each is checked for
    CSP violations and photographed if the test fails."""
    opened: list[tuple[Any, list[str]]] = []

    def open_page() -> Any:
        context = chrome.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        opened.append((page, console))
        return page

    yield open_page
    failed = getattr(request.node, "report_call", None)
    for index, (page, _) in enumerate(opened):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
        page.context.close()
    violations = [text for _, console in opened for text in console if "Content Security" in text]
    assert not violations, f"the pages broke their own Content-Security-Policy: {violations}"
