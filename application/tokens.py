"""API tokens: shown once when issued, stored as SHA-256 digests, resolved per request."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from application.access import ROLES, SCOPED_ROLES, Principal
from application.errors import TokenRefused, UnknownToken

# A recognisable prefix lets secret scanners spot leaked tokens.
TOKEN_PREFIX = "st_"
NAME_MAX = 200


class TokenStore(Protocol):
    """Where token records live; secrets themselves are never stored."""

    def add(self, record: dict[str, Any]) -> None: ...

    def by_digest(self, digest: str) -> dict[str, Any] | None: ...

    def all(self) -> list[dict[str, Any]]: ...

    def revoke(self, token_ids: list[str], when: datetime) -> None: ...


def digest(secret: str) -> str:
    """The stored form of a token: a high-entropy secret needs no salt or slow hash."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A token record without its digest."""
    return {k: v for k, v in record.items() if k != "digest"}


class TokenService:
    """Issue, list, revoke and authenticate bearer tokens.

    The name is the identity recorded on events; one name may hold several tokens
    (one per machine, or a rotation), and revoking the name revokes them all.
    """

    def __init__(
        self, store: TokenStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.clock = clock

    def create(
        self, name: str, role: str, subject: str | None = None, another_role: bool = False
    ) -> tuple[dict[str, Any], str]:
        """Issue a token; returns its record and the secret, which is never shown again.

        A name already held with another role or subject is refused unless `another_role`
        says it is meant: otherwise two people (or one person in two capacities) would be
        recorded on events under one name. Events record the token id as well either way.
        """
        name, subject = (name or "").strip(), (subject or "").strip() or None
        if not name or len(name) > NAME_MAX:
            raise TokenRefused(f"a token needs a name of 1 to {NAME_MAX} characters", field="name")
        if role not in ROLES:
            raise TokenRefused(
                f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role", role=role
            )
        if role in SCOPED_ROLES and subject is None:
            raise TokenRefused(f"a {role} token is bound to a subject: give one", field="subject")
        if role not in SCOPED_ROLES and subject is not None:
            raise TokenRefused(f"a {role} token is not bound to a subject", field="subject")
        if not another_role:
            self.check_same_identity(name, role, subject)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = {
            "id": str(uuid.uuid4()),
            "name": name,
            "role": role,
            "subject": subject,
            "digest": digest(secret),
            "created_at": self.clock(),
            "revoked_at": None,
        }
        self.store.add(record)
        return public(record), secret

    def check_same_identity(self, name: str, role: str, subject: str | None) -> None:
        """Refuse a name that active tokens already hold with another role or subject."""
        held = {
            (r["role"], r["subject"])
            for r in self.store.all()
            if r["name"] == name and r["revoked_at"] is None
        }
        others = sorted(f"{r}{f' ({s})' if s else ''}" for r, s in held - {(role, subject)})
        if others:
            raise TokenRefused(
                f"{name} already holds a token as {', '.join(others)}; issue this one with "
                "another name, or say another_role to give the same name a second role",
                field="name",
                name=name,
            )

    def list_tokens(self) -> list[dict[str, Any]]:
        """Every token ever issued, oldest first, without digests."""
        return [public(r) for r in self.store.all()]

    def revoke(self, name_or_id: str) -> list[dict[str, Any]]:
        """Revoke the active token with that id, or every active token with that name."""
        active = [r for r in self.store.all() if r["revoked_at"] is None]
        chosen = [r for r in active if r["id"] == name_or_id] or [
            r for r in active if r["name"] == name_or_id
        ]
        if not chosen:
            raise UnknownToken(f"no active token has the name or id {name_or_id!r}")
        when = self.clock()
        self.store.revoke([r["id"] for r in chosen], when)
        return [public({**r, "revoked_at": when}) for r in chosen]

    def authenticate(self, secret: str) -> Principal | None:
        """The principal a presented token stands for; None when unknown or revoked."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        record = self.store.by_digest(digest(secret))
        if record is None or record["revoked_at"] is not None:
            return None
        return Principal(record["name"], record["role"], record["subject"], record["id"])
