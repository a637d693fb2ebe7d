"""Staging and retiring pace their write transactions so that waiting writers get a turn."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from adapters import staged_switch
from adapters.staged_switch import HOLD_BUDGET, POLL_GAP, Turns


def test_a_run_of_transactions_pauses_longer_than_a_writers_poll_once_its_budget_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(staged_switch.time, "sleep", pauses.append)
    with freeze_time("2026-12-08 03:00:00") as clock:
        turns = Turns()
        clock.tick(HOLD_BUDGET / 2)
        turns.take()
        assert pauses == []  # within the budget: no pause
        clock.tick(HOLD_BUDGET)
        turns.take()
        assert pauses == [POLL_GAP]
        turns.take()  # the budget starts again after a pause
        assert pauses == [POLL_GAP]
    assert POLL_GAP > 0.1  # SQLite's busy handler polls at least every 100 ms
