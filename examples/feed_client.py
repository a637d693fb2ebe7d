"""Follow ScoreTrail's change feed from a saved position; verify webhook signatures (stdlib only).

    python examples/feed_client.py https://scoretrail.example/api/v1 "$TOKEN" position.txt

prints each event as one JSON line and keeps the last position handled in position.txt, so a
restart goes on exactly after it. A webhook receiver calls `verify_signature` on the raw
body and `ScoreTrail-Signature` header, then skips positions it has already handled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

Item = dict[str, Any]


def verify_signature(
    secret: str, body: bytes, header: str, tolerance: float = 300, now: float | None = None
) -> bool:
    """True when `header` (`t=<unix seconds>,v1=<hex>`) signs `body` with `secret` and is
    no older than `tolerance` seconds (a replayed old delivery is refused)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), fields.get("v1", ""))


class Deduplicator:
    """At-least-once deliveries may repeat: handle each position once, in order."""

    def __init__(self, state: Path) -> None:
        self.state = state

    @property
    def last(self) -> int:
        try:
            return int(self.state.read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def save(self, position: int) -> None:
        """Written to a temporary file, then renamed over: a crash leaves the old or new."""
        temporary = self.state.with_name(self.state.name + ".tmp")
        temporary.write_text(str(position))
        os.replace(temporary, self.state)

    def fresh(self, items: list[Item]) -> list[Item]:
        """The items not handled yet."""
        last = self.last
        return [item for item in items if int(item["position"]) > last]


class FeedFollower:
    """Reads `GET /events` after the saved position; saves each position once handled."""

    def __init__(
        self,
        base_url: str,
        token: str,
        state: Path,
        fetch: Callable[[urllib.request.Request, float], Any] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.saved = Deduplicator(state)
        self.fetch = fetch or (
            lambda request, timeout: urllib.request.urlopen(request, timeout=timeout)
        )

    def poll(self, handle: Callable[[Item], None], wait: float = 30, limit: int = 1000) -> int:
        """One request (held up to `wait` seconds when nothing is new); handles each item
        and saves its position after it; the number handled."""
        query = urllib.parse.urlencode({"after": self.saved.last, "limit": limit, "wait": wait})
        request = urllib.request.Request(
            f"{self.base_url}/events?{query}",
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
        )
        with self.fetch(request, wait + 30) as response:
            page = json.loads(response.read().decode("utf-8"))
        for item in page["items"]:
            handle(item)
            self.saved.save(int(item["position"]))
        return len(page["items"])

    def follow(
        self, handle: Callable[[Item], None], stop: Callable[[], bool] = lambda: False
    ) -> None:
        """Poll until `stop()` says so; a failed request is tried again after a pause."""
        pause = 1.0
        while not stop():
            try:
                self.poll(handle)
                pause = 1.0
            except OSError as error:
                print(f"feed unavailable ({error}); again in {pause:.0f} s", file=sys.stderr)
                time.sleep(pause)
                pause = min(pause * 2, 60.0)


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    follower = FeedFollower(argv[1], argv[2], Path(argv[3]))
    follower.follow(lambda item: print(json.dumps(item, ensure_ascii=False), flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
