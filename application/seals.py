"""Keyed seals over stored snapshots and read-model documents, bound to the event chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SNAPSHOT_TAG = b"scoretrail-snapshot-seal/1"
# /2 (BLAKE2b personalisation, at most 16 bytes): keyed BLAKE2b over compact JSON
ROW_TAG = b"scoretrail-row/2"
# /2: the seal also covers how many withdrawn deductions the sealed (active) view leaves out
DOCUMENT_TAG = b"scoretrail-document-seal/2"


def _field(data: bytes) -> bytes:
    # length-prefixed, like the chain's messages: no two inputs concatenate alike
    return len(data).to_bytes(8, "big") + data


def snapshot_message(
    originator_id: str, version: int, topic: str, state: bytes, chain_digest: str
) -> bytes:
    """The bytes a snapshot seal covers: tag, id, version, topic, state, chain digest there."""
    parts = (
        SNAPSHOT_TAG,
        originator_id.encode("ascii"),
        str(version).encode("ascii"),
        topic.encode("utf-8"),
        state,
        chain_digest.encode("ascii"),
    )
    return b"".join(_field(p) for p in parts)


def snapshot_seal(
    key: bytes, originator_id: str, version: int, topic: str, state: bytes, chain_digest: str
) -> str:
    """HMAC-SHA256 of a stored snapshot bound to the chain digest at its version."""
    message = snapshot_message(originator_id, version, topic, state, chain_digest)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def canonical(document: Any) -> bytes:
    """One byte string per document value: sorted keys, no spacing, non-JSON values as text."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def document_seal(key: bytes, evaluation_id: str, document: Any, withdrawn: int = 0) -> str:
    """HMAC-SHA256 of an evaluation's read-model document (the view listing its active
    deductions) and the number of withdrawn deductions that view leaves out."""
    return text_seal(key, evaluation_id, canonical(document), withdrawn)


def text_seal(key: bytes, evaluation_id: str, text: bytes, withdrawn: int) -> str:
    """`document_seal` over a document already encoded by `canonical` (stored text)."""
    parts = (DOCUMENT_TAG, evaluation_id.encode("ascii"), text, str(withdrawn).encode("ascii"))
    return hmac.new(key, b"".join(_field(p) for p in parts), hashlib.sha256).hexdigest()


def same(seal: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing seal never matches."""
    return seal is not None and hmac.compare_digest(str(seal), expected)


def row_seal(
    key: bytes, table: str, lower: int | None, upper: int | None, values: Mapping[str, Any]
) -> str:
    """Keyed BLAKE2b (a MAC, cheaper than HMAC for inputs this short) of one stored read-model
    row: its table, the inclusive version range in which its values held (upper None while
    they still hold) and the values (its key among them), as one compact JSON array (the
    values by column name; times as aware UTC whatever zone they came in)."""
    fields = values if isinstance(values, dict) else dict(values)
    text = _ROW_TEXT.encode([table, lower, upper, fields])
    mac = hashlib.blake2b(text.encode(), key=_mac_key(key), digest_size=32, person=ROW_TAG)
    return mac.hexdigest()


def _plain(value: Any) -> str:
    """A value JSON has no form for, as text (called for those alone: times, decimals)."""
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value)


# made once, not per row: a past read seals thousands of rows, and the encoder holds no state
_ROW_TEXT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=_plain)


def _mac_key(key: bytes) -> bytes:
    # BLAKE2b takes keys of up to 64 bytes; a longer secret is hashed down, as HMAC does
    return key if len(key) <= 64 else hashlib.sha256(key).digest()
