"""The records a projected batch inserts, so its later events need not read them back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.review_tables import notes
from adapters.tables import deductions
from application.event_facts import INDICATOR_BY_RECORD


class BatchRecords:
    """The deductions and notes a batch inserts, by id, with their evaluation and indicator:
    a later event of the same batch that acts on one (a withdrawal, a resolution) finds its
    indicator here instead of sending the held-back writes to read it back. A new framework
    deletes its evaluation's deductions: those are forgotten, and the evaluation noted."""

    def __init__(self) -> None:
        self.deductions: dict[str, tuple[str, str]] = {}
        self.notes: dict[str, tuple[str, str]] = {}
        self.cleared: set[str] = set()

    def note(self, kind: str, evaluation_id: str, event: Any) -> None:
        if kind == "DeductionRecorded":
            self.deductions[str(event.deduction_id)] = (evaluation_id, event.code)
        elif kind == "NoteAdded":
            self.notes[str(event.note_id)] = (evaluation_id, event.code)
        elif kind == "FrameworkDefined":
            self.cleared.add(evaluation_id)
            self.deductions = {
                key: value for key, value in self.deductions.items() if value[0] != evaluation_id
            }

    def indicator_of(self, session: Session, event: Any) -> str | None:
        """The indicator of the deduction or note an event acts on (None for other events)."""
        field = INDICATOR_BY_RECORD.get(type(event).__name__)
        if field is None:
            return None
        table = deductions if field == "deduction_id" else notes
        record_id = str(getattr(event, field))
        inserted = self.deductions if table is deductions else self.notes
        if record_id in inserted:  # inserted earlier in this batch
            return inserted[record_id][1]
        if table is deductions and str(event.originator_id) in self.cleared:
            return None  # stored before the batch, deleted by its new framework
        # stored before this batch and not deleted by it: the row answers as it is (a
        # record's code never changes), without sending the batch's held-back writes
        value = session.execute(select(table.c.code).where(table.c.id == record_id)).scalar()
        return str(value) if value is not None else None
