"""Who asks for a change: recorded in the meta of every event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: identity, role and the request's correlation id."""

    name: str
    role: str
    correlation_id: str
    token_id: str = ""  # the API token that asked; two tokens of one name stay apart
    # the subject a unit's account is bound to (kept out of the meta: the token says it)
    subject: str = ""

    def as_meta(self) -> dict[str, str]:
        meta = {"actor": self.name, "role": self.role, "correlation_id": self.correlation_id}
        if self.token_id:
            meta["token_id"] = self.token_id
        return meta
