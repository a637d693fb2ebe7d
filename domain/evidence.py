"""Evidence files (佐证材料): attached by content hash, cited by id from any evidence list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import InvalidValue

HEX = frozenset("0123456789abcdef")


def check_file(
    evidence_id: str, name: str, media_type: str, size: int, sha256: str, known: Mapping[str, Any]
) -> None:
    """A file to attach: a fresh id, a name, a positive size and a SHA-256 in hex."""
    if evidence_id in known:
        raise InvalidValue(f"evidence {evidence_id} is already attached", id=evidence_id)
    if not name.strip():
        raise InvalidValue("an evidence file needs a name", name=name)
    if size < 1:
        raise InvalidValue("an evidence file cannot be empty", size=size)
    if len(sha256) != 64 or not set(sha256) <= HEX:
        raise InvalidValue("sha256 must be 64 lowercase hexadecimal digits", sha256=sha256)
    if not media_type.strip():
        raise InvalidValue("an evidence file needs a media type", media_type=media_type)


def cite(
    items: list[dict[str, Any]] | None, files: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]] | None:
    """Evidence items with each cited file's hash filled in (and its name as the default
    title), so that the event records the hash and the chain covers the content.

    An item citing an id this evaluation does not hold, or stating another hash than the
    file's, is refused.
    """
    if not items:
        return items
    cited: list[dict[str, Any]] = []
    for item in items:
        evidence_id = item.get("id")
        if not evidence_id:
            cited.append(item)
            continue
        found = files.get(str(evidence_id))
        if found is None:
            raise InvalidValue(
                f"evidence file {evidence_id} is not attached to this evaluation",
                evidence=str(evidence_id),
            )
        stated = item.get("sha256")
        if stated and str(stated).lower() != found["sha256"]:
            raise InvalidValue(
                f"evidence file {evidence_id} has sha256 {found['sha256']}, not {stated}",
                evidence=str(evidence_id),
                sha256=str(stated),
            )
        title = str(item.get("title") or "").strip() or found["name"]
        cited.append({**item, "id": str(evidence_id), "title": title, "sha256": found["sha256"]})
    return cited
