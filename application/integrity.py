"""The hash chain over stored event records: each digest seals a record and its predecessor."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Used only when no secret is configured outside production: anyone can forge digests with it.
INSECURE_DEVELOPMENT_SECRET = "scoretrail-insecure-development-secret-do-not-use-in-production"

ALGORITHM = "HMAC-SHA256"
DOMAIN_TAG = b"scoretrail-event-chain/1"
GENESIS = "0" * 64


@dataclass(frozen=True)
class RawRecord:
    """One stored event record exactly as the events table holds it."""

    originator_id: str
    version: int
    topic: str
    state: bytes


def _field(data: bytes) -> bytes:
    # length-prefixed, so no two different records can concatenate to the same message
    return len(data).to_bytes(8, "big") + data


def chain_message(record: RawRecord, previous: str) -> bytes:
    """The bytes a digest covers: tag, originator id, version, topic, state, previous digest."""
    return b"".join(
        _field(part)
        for part in (
            DOMAIN_TAG,
            record.originator_id.encode("ascii"),
            str(record.version).encode("ascii"),
            record.topic.encode("utf-8"),
            record.state,
            previous.encode("ascii"),
        )
    )


def link_digest(key: bytes, record: RawRecord, previous: str) -> str:
    """HMAC-SHA256 of the record chained to its predecessor's digest, as 64 hex digits."""
    return hmac.new(key, chain_message(record, previous), hashlib.sha256).hexdigest()


def chain_key(secret: str) -> bytes:
    """The HMAC key derived from the configured secret."""
    return secret.encode("utf-8")


@dataclass
class Verdict:
    """What walking one evaluation's chain found."""

    ok: bool
    events_checked: int
    head_version: int | None
    head_digest: str | None
    first_bad_version: int | None = None
    problem: str | None = None
    digests: dict[int, str] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "head_version": self.head_version,
            "head_digest": self.head_digest,
        }
        if not self.ok:
            body.update(first_bad_version=self.first_bad_version, problem=self.problem)
        return body


def walk(
    key: bytes,
    evaluation_id: str,
    records: Iterable[RawRecord],
    stored: Mapping[int, str],
    upto: int | None = None,
) -> Verdict:
    """Recompute the chain from version 1 and compare each link with the stored digest.

    Stops at the first record that is missing, foreign, out of place or altered; the head
    reported is then the last version proven intact. With `upto`, only versions 1..upto
    are walked and stored digests beyond it are ignored.
    """
    by_version: dict[int, RawRecord] = {}
    for record in records:
        by_version[record.version] = record
    last = max([*by_version, *stored, 0])
    if upto is not None:
        last = upto
    previous, checked = GENESIS, 0
    head: tuple[int | None, str | None] = (None, None)
    digests: dict[int, str] = {}

    def broken(version: int, problem: str) -> Verdict:
        return Verdict(False, checked, head[0], head[1], version, problem, digests)

    impossible = sorted(v for v in by_version if v < 1)
    if impossible:
        return broken(impossible[0], f"a record is stored at impossible version {impossible[0]}")
    for version in range(1, last + 1):
        found = by_version.get(version)
        if found is None:
            return broken(version, f"the record at version {version} is missing")
        record = found
        checked += 1
        if record.originator_id != evaluation_id:
            return broken(version, f"the record at version {version} belongs to another evaluation")
        expected = stored.get(version)
        if expected is None:
            return broken(version, f"the record at version {version} has no stored digest")
        digest = link_digest(key, record, previous)
        if not hmac.compare_digest(digest, expected):
            return broken(
                version,
                f"the record at version {version} does not match its digest: its content, "
                "its position or an earlier record was changed",
            )
        digests[version] = digest
        previous, head = digest, (version, digest)
    return Verdict(True, checked, head[0], head[1], digests=digests)


def prove(
    key: bytes, evaluation_id: str, records: Iterable[RawRecord], version: int, digest: str
) -> dict[str, Any]:
    """Does the stored history up to `version` still hash to a digest taken earlier?"""
    listed = list(records)
    available = max((r.version for r in listed), default=0)
    claimed = digest.strip().lower()
    body: dict[str, Any] = {"version": version, "digest": claimed, "events_checked": 0}
    if version > available:
        body.update(
            ok=False,
            computed_digest=None,
            problem=f"the history holds {available} versions, not {version}",
        )
        return body
    previous, checked = GENESIS, 0
    by_version = {r.version: r for r in listed}
    for current in range(1, version + 1):
        record = by_version.get(current)
        if record is None or record.originator_id != evaluation_id:
            body.update(
                ok=False,
                events_checked=checked,
                computed_digest=None,
                first_bad_version=current,
                problem=f"the record at version {current} is missing",
            )
            return body
        previous = link_digest(key, record, previous)
        checked += 1
    ok = hmac.compare_digest(previous, claimed)
    body.update(ok=ok, events_checked=checked, computed_digest=previous)
    if not ok:
        body["problem"] = (
            f"the history up to version {version} no longer hashes to the given digest"
        )
    return body
