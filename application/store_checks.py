"""What verification adds to the chain walk: the sealed snapshots and the stored score sheet."""

from __future__ import annotations

import base64
import json
from typing import Any, Protocol

from application.seals import SNAPSHOT_TAG


class Checked(Protocol):
    """The audit service's parts a check needs (structural, to keep the import one-way)."""

    service: Any
    queries: Any
    log: Any


def stores_checked(body: dict[str, Any], audit: Checked, evaluation_id: str) -> dict[str, Any]:
    """The chain's verdict with the snapshots' seals, the stored document and the stored rows
    of its past and current versions checked too.

    A sound chain with a refused snapshot, a stored document that the events do not
    produce or a stored row that fails its seal is not a sound evaluation: `ok` turns false
    and `problem` says where (`read_model.first_bad_row` names the row).
    """
    checks = audit.log.snapshot_checks(evaluation_id)
    refused = [{"version": c.version, "problem": c.problem} for c in checks if not c.ok]
    body["snapshots"] = {"checked": len(checks), "refused": refused}
    problem = document_problem(audit, evaluation_id) if body["ok"] else None
    # every stored row past documents are made of, against its seal
    bad_row = audit.queries.bad_row(evaluation_id) if body["ok"] else None
    if problem is None and bad_row is not None:
        problem = bad_row["problem"]
    body["read_model"] = {"ok": problem is None, "problem": problem, "first_bad_row": bad_row}
    if body["ok"] and refused:
        first = refused[0]
        body.update(
            ok=False, problem=f"the snapshot at version {first['version']}: {first['problem']}"
        )
    elif body["ok"] and problem:
        body.update(ok=False, problem=problem)
    return body


def document_problem(audit: Checked, evaluation_id: str) -> str | None:
    """Why the stored score sheet is not what the events make, or None when it is."""
    # every deduction, withdrawn ones too: the seal covers only the standing ones
    stored = audit.queries.document(evaluation_id, "all")
    if stored is None:
        return "the read models hold no score sheet for this evaluation"
    if "integrity_problem" in stored:
        return str(stored["integrity_problem"])
    replayed = audit.service.replayed_document(evaluation_id, "all")
    for name in sorted(replayed.keys() | stored.keys()):
        if stored.get(name) != replayed.get(name):
            return f"the stored score sheet's {name} differs from what the events produce"
    return text_problem(audit, evaluation_id)


def text_problem(audit: Checked, evaluation_id: str) -> str | None:
    """Why the score sheet kept as ready-to-send text is not what the events make, if it is
    not (the text is what a GET sends; the rows alone do not vouch for it)."""
    found = audit.queries.stored_document(evaluation_id, "active")
    if found is None:
        return None  # a store that keeps no text: the rows were checked above
    if found.problem is not None:
        return str(found.problem)
    if json.loads(found.text) != audit.service.replayed_document(evaluation_id, "active"):
        return "the stored score sheet's text differs from what the events produce"
    return None


def packet_snapshots(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The stored snapshots for the audit packet, with how their seals are made."""
    return {
        "message": "HMAC over length-prefixed (8-byte big-endian) fields: the tag "
        f"'{SNAPSHOT_TAG.decode()}', originator id, version, topic, stored state bytes, "
        "the chain digest at the snapshot's version",
        "items": [
            {
                "version": r["version"],
                "topic": r["topic"],
                "state_base64": base64.b64encode(r["state"]).decode("ascii"),
                "seal": r["seal"],
            }
            for r in records
        ],
    }
