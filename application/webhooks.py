"""Webhooks: receivers registered by admins; the signed, retried delivery of the feed to them."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from application.errors import ApplicationError
from application.feed import FeedQueries, items_json

SIGNATURE_HEADER = "ScoreTrail-Signature"
POSITION_HEADER = "ScoreTrail-Event-Position"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookRefused(ApplicationError):
    """A receiver's URL is not one the service will post to."""

    title = "Webhook refused"
    status = 422


class UnknownWebhook(ApplicationError):
    """No receiver has that id."""

    title = "Unknown webhook"
    status = 404


class WebhookStore(Protocol):
    """Receivers, their delivery cursors and leases, and the log of attempts."""

    def add(self, record: dict[str, Any]) -> None:
        """Store a receiver; its cursor starts at the feed's head, read in the same
        transaction: every event committed afterwards is due to it."""

    def all(self) -> list[dict[str, Any]]: ...

    def get(self, webhook_id: str) -> dict[str, Any] | None:
        """The receiver with its secret, cursor and schedule."""

    def remove(self, webhook_id: str) -> bool: ...

    def deliveries(self, webhook_id: str, limit: int) -> list[dict[str, Any]]:
        """The latest attempts, newest first."""

    def claim_due(self, owner: str, now: datetime, until: datetime) -> list[dict[str, Any]]:
        """Receivers due at `now` whose lease is free (or `owner`'s), leased to `owner`
        until `until`; other workers leave them alone meanwhile."""

    def finish(
        self, webhook_id: str, owner: str, attempt: dict[str, Any] | None, schedule: dict[str, Any]
    ) -> None:
        """Log the attempt (if any), set the cursor and schedule, and release the lease
        (only while `owner` holds it)."""


@dataclass(frozen=True)
class Reply:
    """What a receiver answered: its status code, or why there was none."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Sender = Callable[[str, bytes, dict[str, str]], Reply]
Resolver = Callable[[str, int], list[str]]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t." + body>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


@dataclass(frozen=True)
class AddressPolicy:
    """Which receivers are refused: loopback, link-local, private, unspecified, multicast
    and reserved addresses, and the service's own host and port. `allow_loopback` lets
    loopback receivers in (tests run them), never the service itself."""

    resolve: Resolver
    own: frozenset[tuple[str, int]] = frozenset()
    allow_loopback: bool = False

    def check(self, url: str, served_at: str | None = None) -> None:
        """Refuse the URL (WebhookRefused) unless every address of its host is allowed;
        `served_at`: the host:port the request reached the service by, also refused."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WebhookRefused("a receiver's URL must be http or https with a host", url=url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise WebhookRefused("the receiver's port is not a number", url=url) from None
        try:
            addresses = [
                ipaddress.ip_address(a.split("%")[0]) for a in self.resolve(parts.hostname, port)
            ]
        except (OSError, ValueError):
            raise WebhookRefused(
                "the receiver's host does not resolve", host=parts.hostname
            ) from None
        if not addresses:
            raise WebhookRefused("the receiver's host does not resolve", host=parts.hostname)
        own = set(self.own)
        if served_at:
            name, _, number = served_at.rpartition(":")
            if number.isdigit():
                own.add((name.strip("[]"), int(number)))
            else:  # no port given: the scheme's default
                own.update({(served_at.strip("[]"), 80), (served_at.strip("[]"), 443)})
        for address in addresses:
            self._check_address(address, port, parts.hostname, own)

    def _check_address(
        self, address: Address, port: int, host: str, own: set[tuple[str, int]]
    ) -> None:
        if self._is_own(address, port, own) or (host, port) in own:
            raise WebhookRefused("a receiver may not be the service itself", host=host, port=port)
        if address.is_loopback and self.allow_loopback:
            return
        if (
            address.is_loopback
            or address.is_link_local
            or address.is_private
            or address.is_unspecified
            or address.is_multicast
            or address.is_reserved
        ):
            raise WebhookRefused(
                "a receiver may not be on a loopback, link-local or private address",
                host=host,
                address=str(address),
            )

    @staticmethod
    def _is_own(address: Address, port: int, own: set[tuple[str, int]]) -> bool:
        for host, own_port in own:
            if own_port != port:
                continue
            try:
                mine = ipaddress.ip_address(host)
            except ValueError:
                mine = None
            if mine is not None and (
                mine == address or (mine.is_unspecified and address.is_loopback)
            ):
                return True
            if mine is None and host == "localhost" and address.is_loopback:
                return True
        return False


class Webhooks:
    """The admins' use cases: register, list, remove receivers and read their attempts."""

    def __init__(
        self, store: WebhookStore, policy: AddressPolicy, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock

    def register(
        self,
        url: str,
        secret: str,
        types: list[str] | None = None,
        *,
        by: str,
        served_at: str | None = None,
    ) -> dict[str, Any]:
        """Register a receiver (WebhookRefused for a URL it will not post to)."""
        self.policy.check(url, served_at)
        record = {
            "id": str(uuid.uuid4()),
            "url": url,
            "secret": secret,
            "types": sorted(set(types)) if types else None,
            "created_at": self.clock(),
            "created_by": by,
        }
        self.store.add(record)
        return public(record)

    def all(self) -> list[dict[str, Any]]:
        return [public(r) for r in self.store.all()]

    def remove(self, webhook_id: str) -> None:
        if not self.store.remove(webhook_id):
            raise UnknownWebhook(f"webhook {webhook_id} does not exist", id=webhook_id)

    def deliveries(self, webhook_id: str, limit: int = 100) -> list[dict[str, Any]]:
        if self.store.get(webhook_id) is None:
            raise UnknownWebhook(f"webhook {webhook_id} does not exist", id=webhook_id)
        return self.store.deliveries(webhook_id, limit)


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A receiver as the API shows it: never its secret."""
    return {
        "id": record["id"],
        "url": record["url"],
        "types": record["types"],
        "created_at": record["created_at"].isoformat(),
    }


@dataclass
class DeliveryWorker:
    """Posts what is due to each receiver: the feed after its cursor, in batches.

    The events are the outbox: they are committed with the writer's transaction, and each
    receiver's cursor (the last position it acknowledged) moves only after a 2xx. A worker
    that dies between the POST and the cursor's update posts that batch again: at least
    once. A failure waits `retry_seconds`, doubling each time up to `max_retry_seconds`,
    and the receiver is tried for as long as it is registered.
    """

    store: WebhookStore
    queries: FeedQueries
    send: Sender
    clock: Callable[[], datetime]
    retry_seconds: float = 30.0
    max_retry_seconds: float = 3600.0
    batch: int = 100
    lease_seconds: float = 60.0
    check: Callable[[str], None] | None = None  # the address policy, again at delivery time
    owner: str = ""

    def __post_init__(self) -> None:
        self.owner = self.owner or str(uuid.uuid4())

    def run_once(self) -> bool:
        """Deliver one batch to each receiver due; True when some receiver has more."""
        now = self.clock()
        until = now + timedelta(seconds=self.lease_seconds)
        more = False
        for receiver in self.store.claim_due(self.owner, now, until):
            more = self._deliver(receiver) or more
        return more

    def _deliver(self, receiver: dict[str, Any]) -> bool:
        head = self.queries.head()  # read first: everything up to it is committed
        types = tuple(receiver["types"]) if receiver["types"] else None
        cursor = int(receiver["delivered_up_to"])
        items = self.queries.events_after(cursor, self.batch, types=types)
        if not items:  # nothing of its types up to the head: skip past them next time
            self.store.finish(
                receiver["id"], self.owner, None, {"delivered_up_to": max(cursor, head)}
            )
            return False
        body = ("{" + items_json(items) + "}").encode()
        last = items[-1]["position"]
        now = self.clock()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(receiver["secret"], body, int(now.timestamp())),
            POSITION_HEADER: str(last),
        }
        reply = self._post(receiver["url"], body, headers)
        attempt = {
            "first_position": items[0]["position"],
            "position": last,
            "status": "delivered" if reply.ok else "failed",
            "attempted_at": now,
            "response_code": reply.status,
            "error": reply.error,
        }
        if reply.ok:
            schedule = {"delivered_up_to": last, "failures": 0, "next_attempt_at": None}
        else:
            failures = int(receiver["failures"]) + 1
            wait = min(self.retry_seconds * 2 ** (failures - 1), self.max_retry_seconds)
            schedule = {"failures": failures, "next_attempt_at": now + timedelta(seconds=wait)}
        self.store.finish(receiver["id"], self.owner, attempt, schedule)
        return reply.ok and len(items) == self.batch

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        if self.check is not None:
            try:
                self.check(url)  # a name may resolve elsewhere now than at registration
            except WebhookRefused as refused:
                return Reply(None, refused.detail)
        return self.send(url, body, headers)
