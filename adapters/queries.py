"""Queries of the read-model tables: documents, lists and histories, paged."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from eventsourcing.persistence import OperationalError as StoreUnavailable
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Connection, Engine, and_, exc, func, select
from sqlalchemy.orm import Session

from adapters.assembly import TableRows, assemble
from adapters.document_seals import document_problem, stored_document
from adapters.history_query import history_item, history_where
from adapters.integrity import digest_table
from adapters.row_sources import RowsAt, first_bad_row, recorded_by
from adapters.score_changes import score_change_page
from adapters.tables import deductions, evaluations, events, indicators
from application.documents import active_view
from application.ports import StoredDocument
from application.rendering import render_document, summary


class SqlEvaluationQueries:
    """Answers from the read-model tables the projection keeps."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        events_table: str | None = None,
        key: bytes | None = None,
    ) -> None:
        self.datastore = datastore
        # Checks the documents' seals (adapters.document_seals); None serves them unchecked.
        self.key = key
        self.digests = digest_table(events_table, None) if events_table else None

    def _page_of(
        self, table: Any, where: Any, order: tuple[Any, ...], page: int, per_page: int
    ) -> tuple[Sequence[Any], int]:
        """One page of a table's matching rows, in order, and how many match in all."""
        offset = (page - 1) * per_page
        with self.datastore.transaction(commit=False) as session:
            query = select(table).where(where).order_by(*order).offset(offset).limit(per_page)
            rows = session.execute(query).mappings().all()
            if 0 < len(rows) < per_page or (page == 1 and not rows):
                return rows, offset + len(rows)  # the last page: the count is known, no 2nd read
            counted = session.execute(select(func.count()).select_from(table).where(where))
            return rows, int(counted.scalar() or 0)

    def exists(self, evaluation_id: str, code: str | None = None) -> bool:
        """Whether the evaluation (and, given a code, that indicator of it) exists: one seek."""
        table, where = (evaluations, evaluations.c.id == evaluation_id)
        if code is not None:
            table = indicators
            where = and_(indicators.c.evaluation_id == evaluation_id, indicators.c.code == code)
        with self.datastore.transaction(commit=False) as session:
            return (
                session.execute(select(1).select_from(table).where(where).limit(1)).first()
                is not None
            )

    def document(self, evaluation_id: str, deductions: str = "all") -> dict[str, Any] | None:
        """The document assembled from the rows; `integrity_problem` names why it fails its
        seal, if it does.

        The seal covers the view listing the deductions that stand and the number of
        withdrawn ones; with `deductions="all"` that view and that count are checked, the
        withdrawn rows' own fields are not.
        """
        everything = deductions == "all"
        with self.datastore.transaction(commit=False) as session:
            document = assemble(session, evaluation_id, everything)
            if document is None or self.key is None:
                return document
            sealed, withdrawn = active_view(document) if everything else (document, None)
            problem = document_problem(
                session, self.key, evaluation_id, sealed, withdrawn, self.digests
            )
        return document if problem is None else {**document, "integrity_problem": problem}

    def stored_document(self, evaluation_id: str, deductions: str = "all") -> StoredDocument | None:
        """The document as the projection stored it, ready to send, checked against its seal;
        None when this view must be assembled (withdrawn deductions asked for) or nothing is
        stored (the evaluation does not exist, or the store keeps no seals)."""
        if self.key is None:
            return None
        everything = deductions == "all"
        with self.one_statement_reads() as connection:
            return stored_document(connection, self.key, evaluation_id, everything, self.digests)

    def document_at(
        self, evaluation_id: str, version: int, deductions: str = "all"
    ) -> dict[str, Any] | None:
        """The document at a past version from the history tables; None when they cannot
        tell (the read model has not reached that version, or has no such evaluation)."""
        return self.past_document(evaluation_id, version, None, deductions)[1]

    def past_document(
        self,
        evaluation_id: str,
        version: int | None,
        as_of: datetime | None,
        deductions: str = "all",
    ) -> tuple[int | None, dict[str, Any] | None]:
        """The version asked (`version`, or the last recorded by `as_of`, the earlier of the
        two when both are given; None when nothing was recorded by then) and the document
        at it from the history tables (None when they cannot tell; only `integrity_problem`
        when a row read fails its seal).

        On PostgreSQL that is one statement (adapters.history_batch) on an autocommit
        connection: one round trip, with no BEGIN and ROLLBACK around it.
        """
        engine = self.datastore.engine
        if isinstance(engine, Engine) and engine.dialect.name == "postgresql":
            with self.one_statement_reads() as connection:
                return self._past(connection, evaluation_id, version, as_of, deductions)
        # SQLite runs a statement per table, in process: one transaction sees them alike
        with self.datastore.transaction(commit=False) as session:
            return self._past(session, evaluation_id, version, as_of, deductions)

    def _past(
        self,
        source: Session | Connection,
        evaluation_id: str,
        version: int | None,
        as_of: datetime | None,
        deductions: str,
    ) -> tuple[int | None, dict[str, Any] | None]:
        rows = RowsAt(source, evaluation_id, version, deductions == "all", as_of, self.key)
        reached = rows.reached()
        asked = rows.upto
        if asked is None or reached is None or asked > reached or asked < 1:
            return asked, None
        document = render_document(TableRows(rows), deductions == "all")
        if document is None or rows.problem is None:
            return asked, document
        return asked, {"integrity_problem": rows.problem}

    def bad_row(self, evaluation_id: str) -> dict[str, Any] | None:
        if self.key is None:
            return None
        with self.one_statement_reads() as connection:
            return first_bad_row(connection, self.key, evaluation_id)

    def deduction_page(
        self, evaluation_id: str, status: str | None, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        where = deductions.c.evaluation_id == evaluation_id
        if status is not None:
            where = and_(where, deductions.c.status == status)
        order = (deductions.c.version,)
        rows, total = self._page_of(deductions, where, order, page, per_page)
        return [deduction_listing(r) for r in rows], total

    def list_evaluations(
        self, filters: dict[str, Any], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        conditions = [
            getattr(evaluations.c, name) == value
            for name, value in filters.items()
            if value is not None
        ]
        where = and_(True, *conditions)
        order = (evaluations.c.created_at, evaluations.c.id)
        rows, count = self._page_of(evaluations, where, order, page, per_page)
        return [summary(r, bands=False) for r in rows], count

    def history(
        self,
        evaluation_id: str,
        page: int,
        per_page: int,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        where = history_where(evaluation_id, filters or {})
        rows, total = self._page_of(events, where, (events.c.version,), page, per_page)
        return [history_item(r) for r in rows], total

    def time_zone_of(self, evaluation_id: str) -> str | None:
        """The evaluation's own time zone, if it has one (a primary-key read)."""
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(evaluations.c.time_zone).where(evaluations.c.id == evaluation_id)
            ).scalar()
        return str(value) if value else None

    def last_version_of(self, evaluation_id: str, kind: str) -> int | None:
        """The version of the latest event of that type (one seek down the type index)."""
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(func.max(events.c.version)).where(
                    and_(events.c.evaluation_id == evaluation_id, events.c.type == kind)
                )
            ).scalar()
        return int(value) if value is not None else None

    def indicator_history(
        self, evaluation_id: str, code: str, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        with self.one_statement_reads() as connection:
            return score_change_page(connection, evaluation_id, code, page, per_page)

    @contextmanager
    def one_statement_reads(self) -> Iterator[Connection]:
        """A connection for reads of one statement each, which need no transaction of their
        own: on an autocommit connection a read is one round trip instead of three on
        PostgreSQL (BEGIN, the read, ROLLBACK), and needs no ORM session. Committed rows
        only, even when called inside a transaction. (An in-memory SQLite store shares one
        connection under the datastore's lock: it reads through the datastore's session.)"""
        engine = self.datastore.engine
        if isinstance(engine, Engine) and self.datastore.access_lock is None:
            try:
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    yield c
            except exc.OperationalError as error:
                # reported as the datastore's transactions report it (a lost connection, a
                # timeout): the store is busy or unreachable, not an unexpected error
                raise StoreUnavailable(error) from error
            return
        with self.datastore.transaction(commit=False) as session:
            yield session.connection()

    def version_at(self, evaluation_id: str, when: datetime) -> int | None:
        """The version of the last event recorded at or before `when`."""
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(select(recorded_by(evaluation_id, when))).scalar()
        return int(value) if value is not None else None

    def find(self, title: str, subject: str, fiscal_year: int) -> str | None:
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(evaluations.c.id)
                .where(
                    and_(
                        evaluations.c.title == title,
                        evaluations.c.subject == subject,
                        evaluations.c.fiscal_year == fiscal_year,
                    )
                )
                .limit(1)
            ).scalar()
        return str(value) if value is not None else None


def deduction_listing(d: Any) -> dict[str, Any]:
    """A deduction as documents list it, with its indicator and when it was recorded."""
    return {
        "id": d["id"],
        "indicator": d["code"],
        "points": d["points"],
        "reason": d["reason"],
        "status": d["status"],
        "evidence": d["evidence"],
        "version": d["version"],
        "withdrawal_reason": d["withdrawal_reason"],
    }
