"""Unit tests run the service on the in-memory store, unit of work and read model."""

from __future__ import annotations

import pytest

from application.service import EvaluationService
from tests.fakes.memory import memory_service


@pytest.fixture
def service() -> EvaluationService:
    """The whole service in memory: no database."""
    return memory_service()
