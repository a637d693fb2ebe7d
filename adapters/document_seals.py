"""Seals over the read-model documents: written with each projection, checked on each read.

The score sheet is served from read-model rows that anyone with database access can edit.
Each projection seals the document it leaves behind (application.seals); each read
recomputes the seal over what it is about to serve and compares the document's version
with the head of the event chain, so an edited or rolled-back row is flagged at once,
for the cost of one HMAC and one indexed lookup.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, null, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from adapters.tables import deductions, document_seals
from application.ports import ActiveView, StoredDocument
from application.seals import canonical, document_seal, same, text_seal

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
    known: Mapping[str, ActiveView] | None = None,
) -> None:
    """Seal and store the documents of these evaluations as the session now holds them.

    `known` gives documents already in hand (the service's `active_document` of the
    aggregate it just saved, the same shape and values the rows give back, as the replay
    tests hold), with their withdrawn counts: those are sealed as they are, the others
    assembled from the rows (their withdrawn deductions counted there).
    """
    known = known or {}
    for evaluation_id in sorted(set(ids)):
        view = known.get(evaluation_id)
        if view is None:
            document = assemble(session, evaluation_id)
            view = None if document is None else (document, withdrawn_rows(session, evaluation_id))
        session.execute(
            delete(document_seals).where(document_seals.c.evaluation_id == evaluation_id)
        )
        if view is not None:
            document, withdrawn = view
            text = canonical(document)
            session.execute(
                insert(document_seals).values(
                    evaluation_id=evaluation_id,
                    version=document["version"],
                    seal=text_seal(key, evaluation_id, text, withdrawn),
                    withdrawn=withdrawn,
                    text=text.decode("utf-8"),
                )
            )


def withdrawn_rows(session: Session, evaluation_id: str) -> int:
    """How many of the evaluation's deduction rows are not active (rebuilds only)."""
    where = and_(deductions.c.evaluation_id == evaluation_id, deductions.c.status != "active")
    return int(session.execute(select(func.count()).where(where)).scalar() or 0)


def _seal_and_head(
    session: Session | Connection, evaluation_id: str, digests: Any, *columns: Any
) -> Any:
    """One statement: the stored seal row's columns and the head of the event chain (all
    None when no seal is stored)."""
    query = _seal_and_head_query(digests, tuple(c.name for c in columns))
    found = session.execute(query, {"evaluation_id": evaluation_id}).first()
    return found or (None,) * (len(columns) + 1)


@functools.lru_cache(maxsize=64)
def _seal_and_head_query(digests: Any, names: tuple[str, ...]) -> Any:
    # built once per shape: a read then skips building the statement and its cache key
    evaluation_id: Any = bindparam("evaluation_id")
    head: Any = null()
    if digests is not None:
        head = (
            select(func.max(digests.c.originator_version))
            .where(digests.c.originator_id == evaluation_id)
            .scalar_subquery()
        )
    columns = [document_seals.c[name] for name in names]
    return select(*columns, head).where(document_seals.c.evaluation_id == evaluation_id)


def document_problem(
    session: Session,
    key: bytes,
    evaluation_id: str,
    document: dict[str, Any],
    withdrawn: int | None,
    digests: Any,
) -> str | None:
    """Why this assembled document (its active view) cannot be trusted, or None when its seal
    and version hold. `withdrawn`: the count the rows gave, or None to take the stored one
    (which the seal then vouches for)."""
    columns = (document_seals.c.seal, document_seals.c.withdrawn)
    stored, stored_withdrawn, last = _seal_and_head(session, evaluation_id, digests, *columns)
    count = int(stored_withdrawn or 0) if withdrawn is None else withdrawn
    if not same(stored, document_seal(key, evaluation_id, document, count)):
        return TAMPERED
    if last is not None and int(last) != document["version"]:
        return ROLLED_BACK.format(stored=document["version"], head=last)
    return None


def stored_document(
    session: Session | Connection, key: bytes, evaluation_id: str, everything: bool, digests: Any
) -> StoredDocument | None:
    """The stored text of the document, checked against its seal and the chain's head: one
    statement and one HMAC. None when the evaluation has none stored, or when all deductions
    are asked for and some were withdrawn (the stored text lists the active ones only)."""
    c = document_seals.c
    row = _seal_and_head(session, evaluation_id, digests, c.seal, c.withdrawn, c.text, c.version)
    seal, withdrawn, text, version, last = row
    if seal is None or text is None:
        return None
    encoded = text.encode("utf-8")
    if not same(seal, text_seal(key, evaluation_id, encoded, int(withdrawn))):
        return StoredDocument(text, int(version), TAMPERED)
    if text_version(text) != version:  # the column beside the sealed text was edited
        return StoredDocument(text, int(version), TAMPERED)
    if last is not None and int(last) != version:
        return StoredDocument(text, int(version), ROLLED_BACK.format(stored=version, head=last))
    if everything and withdrawn:
        return None
    return StoredDocument(text, int(version))


# `canonical` sorts keys and "version" sorts last among the document's top-level keys.
_TAIL = re.compile(r',"version":(\d+)}$')


def text_version(text: str) -> int | None:
    """The version a stored document's text states (its last top-level key)."""
    found = _TAIL.search(text, max(0, len(text) - 40))
    if found is not None:
        return int(found.group(1))
    value = json.loads(text).get("version")  # a shape with keys after "version"
    return int(value) if isinstance(value, int) else None
