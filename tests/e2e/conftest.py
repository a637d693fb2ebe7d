"""Page fixtures shared by the e2e tests: the small case loaded, an evaluator signed in."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.cases import load_directly, small_case
from tests.pages import Browser, browser_for


@pytest.fixture
def evaluation(app: Flask) -> str:
    """The small case, recorded as alice (a module may give its own)."""
    return load_directly(app, small_case())


@pytest.fixture
def evaluator(app: Flask) -> Browser:
    """alice, an evaluator, signed in to the pages."""
    return browser_for(app, "evaluator", "alice")
