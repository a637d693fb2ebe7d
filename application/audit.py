"""Auditors' use cases: time travel and diffs, explanations, findings, chain verification."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.documents import (
    evaluation_document,
    event_meta,
    event_payload,
    event_type,
    iso,
    unscored_leaves,
)
from application.errors import EvaluationNotFound, VersionNotFound
from application.event_facts import diff_event, lineage
from application.evidence import EvidenceFiles
from application.explanations import explain
from application.findings import find
from application.form_documents import form_changes
from application.history import NAMED_BOUNDS
from application.integrity import ALGORITHM, RawRecord, prove, walk
from application.service import EvaluationService
from application.store_checks import packet_snapshots, stores_checked
from application.target_findings import target_findings, unscored_findings
from domain.errors import InvalidValue, UnknownIndicator
from domain.evaluation import Evaluation

Anchor = int | datetime | str  # a version, a time, or a named moment (application.history)


class EventLog(Protocol):
    """Stored records and digests read straight from the tables, with the chain's key."""

    key: bytes

    def records(self, evaluation_id: str, upto: int | None = None) -> list[RawRecord]: ...

    def stored_digests(self, evaluation_id: str) -> dict[int, str]: ...

    def evaluation_ids(self) -> list[str]: ...

    def snapshot_checks(self, evaluation_id: str) -> list[Any]: ...

    def snapshot_records(self, evaluation_id: str) -> list[dict[str, Any]]: ...


class AuditService:
    """Answers auditors' questions from the event store, the chain and the read models."""

    def __init__(self, service: EvaluationService, log: EventLog) -> None:
        self.service = service
        self.store = service.store
        self.queries = service.queries
        self.log = log
        self.evidence: EvidenceFiles | None = None  # set when evidence files are kept

    # ------------------------------------------------------------- time travel
    def load(self, evaluation_id: str, version: int | None = None) -> Evaluation:
        """The aggregate now, or at a version (from the nearest snapshot on)."""
        if version is not None and version < 1:
            raise VersionNotFound(f"version {version} does not exist", version=version)
        return self.service._get(evaluation_id, version)

    def version_of(self, evaluation_id: str, anchor: Anchor) -> int:
        """A version number as given, or the last version recorded at or before a time."""
        if isinstance(anchor, int):
            return anchor
        if isinstance(anchor, str):  # a named moment: the latest such event
            named = self.queries.last_version_of(str(evaluation_id), NAMED_BOUNDS[anchor])
            if named is None:
                self.load(evaluation_id)
                raise VersionNotFound(
                    f"evaluation {evaluation_id} has no {anchor} yet", moment=anchor
                )
            return named
        found = self.queries.version_at(str(evaluation_id), anchor)
        if found is None:
            self.load(evaluation_id)  # 404 when the evaluation does not exist at all
            raise VersionNotFound(
                f"evaluation {evaluation_id} did not exist at {anchor.isoformat()}",
                as_of=anchor.isoformat(),
            )
        return found

    def load_at(
        self, evaluation_id: str, version: int | None = None, as_of: datetime | None = None
    ) -> Evaluation:
        """The aggregate at ?version= or ?as_of= (the earlier of the two when both are given)."""
        if as_of is not None:
            found = self.version_of(evaluation_id, as_of)
            version = found if version is None else min(version, found)
        return self.load(evaluation_id, version)

    def diff(self, evaluation_id: str, start: Anchor, end: Anchor | None = None) -> dict[str, Any]:
        """What changed between two versions or times (`end` defaults to now)."""
        latest = self.load(
            evaluation_id, None if end is None else self.version_of(evaluation_id, end)
        )
        first, last = self.version_of(evaluation_id, start), latest.version
        if first > last:
            raise InvalidValue(
                f"from (version {first}) must not come after to (version {last})",
                start=first,
                end=last,
            )
        before = evaluation_document(self.load(evaluation_id, first), "all")
        after = evaluation_document(latest, "all")
        old = {i["code"]: i for i in before["indicators"]}
        new = {i["code"]: i for i in after["indicators"]}
        events: list[Any] = list(
            self.store.events.get(UUID(str(evaluation_id)), gt=first, lte=last)
        )
        listed = [diff_event(e, latest) for e in events]
        parents = {i["code"]: i["parent"] for i in [*before["indicators"], *after["indicators"]]}
        changed = [
            {
                "code": code,
                "name": (new.get(code) or old[code])["name"],
                "before": (old.get(code) or {}).get("score"),
                "after": (new.get(code) or {}).get("score"),
                "events": [e for e in listed if code in lineage(e["indicator"], parents)],
            }
            for code in [*new, *(c for c in old if c not in new)]
            if (old.get(code) or {}).get("score") != (new.get(code) or {}).get("score")
        ]
        return {
            "id": str(evaluation_id),
            "from_version": first,
            "to_version": last,
            "total_before": before["total"],
            "total_after": after["total"],
            "grade_before": before["grade"],
            "grade_after": after["grade"],
            "indicators": changed,
            "events": listed,
            **form_changes(before, after),  # the form's fields and funds rows that changed
        }

    # ---------------------------------------------------------- explanations
    def explanation(
        self,
        evaluation_id: str,
        code: str,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """How one indicator's score is made, at the current or a requested version."""
        evaluation = self.load_at(evaluation_id, version, as_of)
        if code not in evaluation.tree:
            raise UnknownIndicator(f"indicator {code} does not exist", code=code)
        return explain(evaluation, code)

    def findings(
        self,
        evaluation_id: str,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        overshoot_margin: Decimal | None = None,
    ) -> dict[str, Any]:
        """Everything that does not add up, at the current or a requested version."""
        evaluation = self.load_at(evaluation_id, version, as_of)
        events = self.store.events.get(evaluation.id, lte=evaluation.version)
        rules = evaluation.target_rule_set
        if overshoot_margin is not None:
            rules = replace(rules, overshoot_margin=overshoot_margin)
        unscored = [
            (code, evaluation.tree[code].name, evaluation.tree[code].method)
            for code in unscored_leaves(evaluation)
        ]
        items = [
            *unscored_findings(unscored),
            *find(evaluation, events),
            *target_findings(evaluation.target_leaves(), rules),
        ]
        return {
            "id": str(evaluation.id),
            "version": evaluation.version,
            "total": len(items),
            "items": items,
        }

    # ------------------------------------------------------------- the chain
    def verification(self, evaluation_id: str) -> dict[str, Any]:
        """Walk the chain from the raw stored records and name the first one that breaks."""
        key, records, stored = self._raw(evaluation_id)
        verdict = stores_checked(walk(self.log.key, key, records, stored).as_dict(), self, key)
        if self.evidence is None or not verdict["ok"]:
            return verdict  # a broken chain says nothing trustworthy about the files
        files = self.evidence.check(key)
        verdict["evidence"] = files
        if not files["ok"]:
            verdict.update(ok=False, first_bad_version=None, problem=files["problem"])
        return verdict

    def prove(self, evaluation_id: str, *, digest: str, version: int) -> dict[str, Any]:
        """Does the stored history up to `version` still hash to a digest taken earlier?"""
        key, records, _ = self._raw(evaluation_id)
        return prove(self.log.key, key, records, version, digest)

    def verify_all(
        self,
        evaluation_ids: Iterable[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Verify each evaluation (every one in the store by default)."""
        ids = list(evaluation_ids) if evaluation_ids is not None else self.log.evaluation_ids()
        results = []
        for done, evaluation_id in enumerate(ids, start=1):
            try:
                results.append({"id": evaluation_id, **self.verification(evaluation_id)})
            except EvaluationNotFound as error:
                results.append(
                    {
                        "id": evaluation_id,
                        "ok": False,
                        "events_checked": 0,
                        "head_version": None,
                        "head_digest": None,
                        "first_bad_version": None,
                        "problem": error.detail,
                        "not_found": True,
                    }
                )
            if progress:
                progress(done, len(ids))
        return results

    def _raw(self, evaluation_id: str) -> tuple[str, list[RawRecord], dict[int, str]]:
        try:
            key = str(UUID(str(evaluation_id)))
        except ValueError:
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist") from None
        records, stored = self.log.records(key), self.log.stored_digests(key)
        if not records and not stored:
            raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist")
        return key, records, stored

    # ---------------------------------------------------------- audit packet
    def packet(self, evaluation_id: str) -> dict[str, Any]:
        """Every stored record (raw and decoded), the digests and the verdict at export time."""
        key, records, stored = self._raw(evaluation_id)
        verdict = stores_checked(walk(self.log.key, key, records, stored).as_dict(), self, key)
        events = []
        for record in records:
            events.append(
                {
                    "version": record.version,
                    "topic": record.topic,
                    "state_base64": base64.b64encode(record.state).decode("ascii"),
                    "digest": stored.get(record.version),
                    **self._decoded(record),
                }
            )
        head = max(stored) if stored else None
        return {
            "evaluation_id": key,
            "chain": {
                "algorithm": ALGORITHM,
                "message": "HMAC over length-prefixed (8-byte big-endian) fields: the tag "
                "'scoretrail-event-chain/1', originator id, version, topic, stored state "
                "bytes, previous digest in hex (64 zeros before version 1)",
                "head_version": head,
                "head_digest": stored.get(head) if head else None,
            },
            "verification": verdict,
            "events": events,
            "snapshots": packet_snapshots(self.log.snapshot_records(key)),
        }

    def _decoded(self, record: RawRecord) -> dict[str, Any]:
        """The record decoded through the application's mapper, or why it cannot be."""
        stored = StoredEvent(
            originator_id=UUID(record.originator_id),
            originator_version=record.version,
            topic=record.topic,
            state=record.state,
        )
        try:
            event: Any = self.store.mapper.to_domain_event(stored)
        except Exception as error:  # a tampered record may not decode at all
            return {"type": None, "decode_error": str(error)}
        return {
            "type": event_type(event),
            "recorded_at": iso(event.timestamp),
            **event_meta(event),
            "payload": event_payload(event),
        }
