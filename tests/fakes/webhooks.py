"""Webhook receivers and their delivery log in memory, for fast tests."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from application.feed import FeedQueries


class MemoryWebhookStore:
    """Receivers in a dict, leases and cursors as adapters.webhook_tables keeps them."""

    def __init__(self, feed: FeedQueries) -> None:
        self.feed = feed
        self.receivers: dict[str, dict[str, Any]] = {}
        self.attempts: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def add(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.receivers[record["id"]] = {
                **record,
                "delivered_up_to": self.feed.head(),
                "failures": 0,
                "next_attempt_at": None,
                "lease_owner": None,
                "leased_until": None,
            }

    def all(self) -> list[dict[str, Any]]:
        return sorted(self.receivers.values(), key=lambda r: (r["created_at"], r["id"]))

    def get(self, webhook_id: str) -> dict[str, Any] | None:
        found = self.receivers.get(webhook_id)
        return None if found is None else dict(found)

    def remove(self, webhook_id: str) -> bool:
        with self.lock:
            self.attempts.pop(webhook_id, None)
            return self.receivers.pop(webhook_id, None) is not None

    def deliveries(self, webhook_id: str, limit: int) -> list[dict[str, Any]]:
        logged = self.attempts.get(webhook_id, [])[::-1][:limit]
        return [
            {
                **{k: v for k, v in a.items() if k != "attempted_at"},
                "time": a["attempted_at"].isoformat(),
            }
            for a in logged
        ]

    def claim_due(self, owner: str, now: datetime, until: datetime) -> list[dict[str, Any]]:
        claimed = []
        with self.lock:
            for receiver in self.receivers.values():
                due = receiver["next_attempt_at"] is None or receiver["next_attempt_at"] <= now
                lease = receiver["leased_until"]
                free = lease is None or lease < now or receiver["lease_owner"] == owner
                if due and free:
                    receiver.update(lease_owner=owner, leased_until=until)
                    claimed.append(dict(receiver))
        return claimed

    def finish(
        self, webhook_id: str, owner: str, attempt: dict[str, Any] | None, schedule: dict[str, Any]
    ) -> None:
        with self.lock:
            receiver = self.receivers.get(webhook_id)
            if receiver is None or receiver["lease_owner"] != owner:
                return
            receiver.update(schedule, lease_owner=None, leased_until=None)
            if attempt is not None:
                self.attempts.setdefault(webhook_id, []).append(attempt)
