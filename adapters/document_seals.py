"""Seals over the read-model documents: written with each projection, checked on each read.

The score sheet is served from read-model rows that anyone with database access can edit.
Each projection seals the document it leaves behind (application.seals); each read
recomputes the seal over what it is about to serve and compares the document's version
with the head of the event chain, so an edited or rolled-back row is flagged at once,
for the cost of one HMAC and one indexed lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from adapters.tables import document_seals
from application.seals import document_seal, same

Assemble = Callable[[Session, str], dict[str, Any] | None]

# Shown to every reader of a document whose stored rows fail their seal.
TAMPERED = (
    "the stored score sheet does not match its seal: a read-model row was changed outside "
    "the application; the figures shown are recomputed from the events"
)
ROLLED_BACK = (
    "the stored score sheet stands at version {stored} but the event chain ends at version "
    "{head}: read-model rows or events were removed or restored from elsewhere; the figures "
    "shown are recomputed from the events"
)


def seal_documents(
    session: Session,
    key: bytes,
    ids: Iterable[str],
    assemble: Assemble,
    known: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    """Seal the documents of these evaluations as the session now holds them.

    `known` gives documents already in hand (the service's `evaluation_document` of the
    aggregate it just saved, the same shape and values the rows give back, as the replay
    tests hold): those are sealed as they are, the others assembled from the rows.
    """
    known = known or {}
    for evaluation_id in sorted(set(ids)):
        document = known.get(evaluation_id)
        if document is None:
            document = assemble(session, evaluation_id)
        session.execute(
            delete(document_seals).where(document_seals.c.evaluation_id == evaluation_id)
        )
        if document is not None:
            session.execute(
                insert(document_seals).values(
                    evaluation_id=evaluation_id,
                    version=document["version"],
                    seal=document_seal(key, evaluation_id, document),
                )
            )


def document_problem(
    session: Session, key: bytes, evaluation_id: str, document: dict[str, Any], digests: Any
) -> str | None:
    """Why this stored document cannot be trusted, or None when its seal and version hold."""
    seal = select(document_seals.c.seal).where(document_seals.c.evaluation_id == evaluation_id)
    head: Any = None
    if digests is not None:  # one statement: the seal and the chain's head together
        head = (
            select(func.max(digests.c.originator_version))
            .where(digests.c.originator_id == evaluation_id)
            .scalar_subquery()
        )
    row = session.execute(select(seal.scalar_subquery(), head)).one()
    stored, last = row[0], row[1]
    if not same(stored, document_seal(key, evaluation_id, document)):
        return TAMPERED
    if last is not None and int(last) != document["version"]:
        return ROLLED_BACK.format(stored=document["version"], head=last)
    return None
