"""Review notes (复核意见): a reviewer's note on an indicator and the rules that guard it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.errors import InvalidValue, NoteRefused, UnknownNote

OPEN, RESOLVED = "open", "resolved"


@dataclass
class ReviewNote:
    """A reviewer's note on an indicator, open until resolved."""

    id: str
    code: str
    text: str
    author: str
    version: int
    status: str = OPEN
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_version: int | None = None


def find_open_note(notes: Mapping[str, ReviewNote], note_id: str) -> ReviewNote:
    note = notes.get(note_id)
    if note is None:
        raise UnknownNote(f"note {note_id} does not exist", id=note_id)
    if note.status != OPEN:
        raise NoteRefused(f"note {note_id} is already resolved", id=note_id)
    return note


def check_note_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidValue("a note needs text", field="text")
    return cleaned
