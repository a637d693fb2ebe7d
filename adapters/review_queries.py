"""Queries of the dispute queue and the review notes."""

from __future__ import annotations

from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import and_, select

from adapters.review_tables import disputes, notes
from adapters.tables import deductions, evaluations, indicators
from application.documents import iso
from domain.disputes import DisputeStatus
from domain.review import RESOLVED


class SqlReviewQueries:
    """Reads the dispute queue, the notes and evaluation subjects."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore

    def disputes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        where = [disputes.c.evaluation_id == evaluation_id]
        if status is not None:
            where.append(disputes.c.status == status)
        rows = self._rows(select(disputes).where(and_(*where)).order_by(disputes.c.raised_version))
        return [dispute_row(r) for r in rows]

    def dispute(self, evaluation_id: str, dispute_id: str) -> dict[str, Any] | None:
        rows = self._rows(
            select(disputes).where(
                and_(disputes.c.evaluation_id == evaluation_id, disputes.c.id == dispute_id)
            )
        )
        return dispute_row(rows[0]) if rows else None

    def queue(self, status: str, subject: str | None, limit: int) -> list[dict[str, Any]]:
        """Disputes of one status across evaluations, oldest first, with each one's title, the
        contested deduction (its points now, reason and who recorded it) and the indicator's
        weight and score now (so a decision can show the score it will leave)."""
        contested = deductions.alias("contested")
        query = (
            select(
                disputes,
                evaluations.c.title,
                evaluations.c.subject,
                contested.c.points.label("deduction_points"),
                contested.c.reason.label("deduction_reason"),
                contested.c.actor.label("deduction_actor"),
                indicators.c.score.label("indicator_score"),
                indicators.c.weight.label("indicator_weight"),
            )
            .join(evaluations, evaluations.c.id == disputes.c.evaluation_id)
            .outerjoin(contested, contested.c.id == disputes.c.deduction_id)
            .outerjoin(
                indicators,
                and_(
                    indicators.c.evaluation_id == disputes.c.evaluation_id,
                    indicators.c.code == disputes.c.code,
                ),
            )
            .where(disputes.c.status == status)
            .order_by(disputes.c.raised_at, disputes.c.id)
            .limit(limit)
        )
        if subject is not None:
            query = query.where(evaluations.c.subject == subject)
        return [
            {
                **dispute_row(r),
                "title": r["title"],
                "subject": r["subject"],
                "indicator_weight": r["indicator_weight"],
                "indicator_score": r["indicator_score"],
                "deduction": None
                if r["deduction_points"] is None
                else {
                    "points": r["deduction_points"],
                    "reason": r["deduction_reason"],
                    "recorded_by": r["deduction_actor"],
                },
            }
            for r in self._rows(query)
        ]

    def notes(self, evaluation_id: str, status: str | None) -> list[dict[str, Any]]:
        where = [notes.c.evaluation_id == evaluation_id]
        if status is not None:
            where.append(notes.c.status == status)
        rows = self._rows(select(notes).where(and_(*where)).order_by(notes.c.version))
        return [note_row(r) for r in rows]

    def note(self, evaluation_id: str, note_id: str) -> dict[str, Any] | None:
        rows = self._rows(
            select(notes).where(and_(notes.c.evaluation_id == evaluation_id, notes.c.id == note_id))
        )
        return note_row(rows[0]) if rows else None

    def subject_of(self, evaluation_id: str) -> str | None:
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(evaluations.c.subject).where(evaluations.c.id == evaluation_id)
            ).scalar()
        return None if value is None else str(value)

    def _rows(self, query: Any) -> list[Any]:
        with self.datastore.transaction(commit=False) as session:
            return list(session.execute(query).mappings().all())


def dispute_row(r: Any) -> dict[str, Any]:
    decision = None
    if r["status"] == DisputeStatus.DECIDED:
        decision = {
            "outcome": r["outcome"],
            "points": r["points"],
            "previous_points": r["previous_points"],
            "reason": r["decision_reason"],
            "decided_by": r["decided_by"],
            "decided_role": r["decided_role"],
            "decided_at": iso(r["decided_at"]),
            "version": r["decided_version"],
        }
    return {
        "id": r["id"],
        "evaluation_id": r["evaluation_id"],
        "status": r["status"],
        "target": r["target"],
        "indicator": r["code"],
        "deduction_id": r["deduction_id"],
        "grounds": r["grounds"],
        "evidence": r["evidence"],
        "raised_by": r["raised_by"],
        "raised_role": r["raised_role"],
        "raised_at": iso(r["raised_at"]),
        "version": r["raised_version"],
        "decision": decision,
    }


def note_row(r: Any) -> dict[str, Any]:
    resolution = None
    if r["status"] == RESOLVED:
        resolution = {
            "reason": r["resolution"],
            "resolved_by": r["resolved_by"],
            "resolved_role": r["resolved_role"],
            "resolved_at": iso(r["resolved_at"]),
            "version": r["resolved_version"],
        }
    return {
        "id": r["id"],
        "evaluation_id": r["evaluation_id"],
        "indicator": r["code"],
        "text": r["text"],
        "status": r["status"],
        "author": r["author"],
        "author_role": r["author_role"],
        "created_at": iso(r["created_at"]),
        "version": r["version"],
        "resolution": resolution,
    }
