"""Builds the webhook use cases and their delivery worker over the feed's store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

from adapters.webhook_sender import HttpSender, resolve
from adapters.webhook_tables import SqlWebhookStore
from application.delivery import DeliveryRunner
from application.feed import ChangeFeed
from application.service import EvaluationService
from application.webhooks import AddressPolicy, DeliveryWorker, Webhooks, WebhookStore


@dataclass(frozen=True)
class WebhookSettings:
    """What the settings say about receivers and their deliveries."""

    own: frozenset[tuple[str, int]] = frozenset()
    allow_loopback: bool = False
    retry_seconds: float = 30.0
    max_retry_seconds: float = 3600.0
    timeout_seconds: float = 10.0
    batch: int = 100


def now() -> datetime:
    return datetime.now(UTC)


def build_webhooks(
    service: EvaluationService, feed: ChangeFeed, settings: WebhookSettings
) -> tuple[Webhooks, DeliveryRunner]:
    """The admins' use cases and the (not yet started) delivery worker."""
    factory = service.store.factory
    assert isinstance(factory, SQLAlchemyFactory)
    store: WebhookStore = SqlWebhookStore(factory.datastore)
    policy = AddressPolicy(resolve, settings.own, settings.allow_loopback)
    worker = DeliveryWorker(
        store,
        feed.queries,
        HttpSender(settings.timeout_seconds),
        now,
        retry_seconds=settings.retry_seconds,
        max_retry_seconds=settings.max_retry_seconds,
        batch=settings.batch,
        lease_seconds=2 * settings.timeout_seconds + 30,
        check=policy.check,
    )
    return Webhooks(store, policy, now), DeliveryRunner(worker, feed.signal)
