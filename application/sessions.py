"""Browser sessions: a valid API token starts one, kept server-side, ended on sign-out."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from application.access import Principal
from application.tokens import TokenService, digest

# A browser session lasts a working day; signing in again is cheap, a stolen cookie less so.
SESSION_LIFETIME = timedelta(hours=8)
# Expired sessions deleted per sign-in: enough to outpace the sign-ins that leave them
# behind, few enough that one sign-in never waits on a large delete.
PURGE_BATCH = 100


class SessionStore(Protocol):
    """Where sessions live; only digests of their secrets are stored."""

    def add(self, record: dict[str, Any]) -> None: ...

    def by_digest(self, digest: str) -> dict[str, Any] | None:
        """The session with the token's name, role, subject and revoked_at beside it."""

    def remove(self, digest: str) -> None: ...

    def purge_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` sessions expired by `now`; how many were deleted."""


@dataclass(frozen=True)
class SignedIn:
    """A live session: who is behind it and the token its forms must carry."""

    principal: Principal
    csrf_token: str


class SessionService:
    """Start, resolve and end browser sessions; a revoked token ends its sessions at once."""

    def __init__(
        self,
        store: SessionStore,
        tokens: TokenService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lifetime: timedelta = SESSION_LIFETIME,
        purge_batch: int = PURGE_BATCH,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.lifetime = lifetime
        self.purge_batch = purge_batch

    def start(self, token: str) -> str | None:
        """A new session's secret (for the cookie) when the API token is valid, else None.
        Each sign-in first deletes a batch of sessions that expired (resolve refuses them
        anyway): the table holds the live sessions and few others."""
        principal = self.tokens.authenticate(token.strip())
        if principal is None:
            return None
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        self.store.purge_expired(now, self.purge_batch)
        self.store.add(
            {
                "digest": digest(secret),
                "token_id": principal.token_id,
                "csrf_token": secrets.token_urlsafe(32),
                "created_at": now,
                "expires_at": now + self.lifetime,
            }
        )
        return secret

    def resolve(self, secret: str | None) -> SignedIn | None:
        """The live session behind a cookie; None when unknown, expired or its token revoked."""
        if not secret:
            return None
        record = self.store.by_digest(digest(secret))
        if record is None or record["revoked_at"] is not None:
            return None
        if record["expires_at"] <= self.clock():
            return None
        principal = Principal(record["name"], record["role"], record["subject"], record["token_id"])
        return SignedIn(principal, record["csrf_token"])

    def end(self, secret: str | None) -> None:
        """Forget the session (signing out); an unknown one is already gone."""
        if secret:
            self.store.remove(digest(secret))
