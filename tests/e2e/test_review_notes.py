"""Review notes: a reviewer attaches them to indicators and resolves them; each is an event."""

from __future__ import annotations

import pytest
from flask import Flask
from freezegun import freeze_time

from tests.cases import load_directly, small_case
from tests.conftest import Api


@pytest.fixture
def base(app: Flask) -> str:
    """A draft evaluation scored by alice, as a path."""
    return f"/evaluations/{load_directly(app, small_case())}"


def version(api: Api, base: str) -> int:
    return int(api.get(base).json["version"])


def test_a_note_is_attached_listed_and_resolved(api: Api, reviewer_api: Api, base: str) -> None:
    with freeze_time("2026-05-04T08:00:00+00:00"):
        added = reviewer_api.post(base + "/indicators/1/notes", json={"text": "请补充立项论证材料"})
    assert added.status_code == 201, added.json
    note = added.json
    assert note == {
        **note,
        "indicator": "1",
        "text": "请补充立项论证材料",
        "status": "open",
        "author": "rita",
        "author_role": "reviewer",
        "created_at": "2026-05-04T08:00:00+00:00",
        "version": version(api, base),
        "resolution": None,
    }
    assert api.get(base + "/notes?status=open").json == {"items": [note], "total": 1}

    with freeze_time("2026-05-06T16:30:00+00:00"):
        resolved = reviewer_api.post(
            f"{base}/notes/{note['id']}/resolution", json={"reason": "已补充"}
        )
    assert resolved.status_code == 200, resolved.json
    assert resolved.json["status"] == "resolved"
    assert resolved.json["resolution"] == {
        "reason": "已补充",
        "resolved_by": "rita",
        "resolved_role": "reviewer",
        "resolved_at": "2026-05-06T16:30:00+00:00",
        "version": version(api, base),
    }
    assert api.get(base + "/notes?status=open").json["items"] == []
    assert api.get(base + "/notes?status=resolved").json["items"] == [resolved.json]

    events = api.get(base + "/history?per_page=1000").json["items"]
    assert [e["type"] for e in events[-2:]] == ["NoteAdded", "NoteResolved"]
    assert events[-1]["data"] == {"note_id": note["id"], "reason": "已补充"}


def test_a_note_may_be_resolved_without_a_reason_but_only_once(
    api: Api, reviewer_api: Api, base: str
) -> None:
    note = reviewer_api.post(base + "/indicators/2.1/notes", json={"text": "核对"}).json
    resolution = f"{base}/notes/{note['id']}/resolution"
    first = reviewer_api.post(resolution)
    assert (first.status_code, first.json["resolution"]["reason"]) == (200, None)
    before = version(api, base)
    again = reviewer_api.post(resolution, json={"reason": "again"})
    assert (again.status_code, again.json["type"]) == (409, "urn:scoretrail:problem:note-refused")
    assert version(api, base) == before


def test_notes_on_unknown_things_are_404_and_record_nothing(
    api: Api, reviewer_api: Api, base: str
) -> None:
    before = version(api, base)
    unknown_indicator = reviewer_api.post(base + "/indicators/9.9/notes", json={"text": "t"})
    assert (unknown_indicator.status_code, unknown_indicator.json["type"]) == (
        404,
        "urn:scoretrail:problem:unknown-indicator",
    )
    unknown_note = reviewer_api.post(base + "/notes/no-such-note/resolution")
    assert (unknown_note.status_code, unknown_note.json["type"]) == (
        404,
        "urn:scoretrail:problem:unknown-note",
    )
    blank = reviewer_api.post(base + "/indicators/1.1/notes", json={"text": "  "})
    assert (blank.status_code, blank.json["type"]) == (422, "urn:scoretrail:problem:invalid-value")
    assert version(api, base) == before


def test_notes_are_listed_for_a_missing_evaluation_as_404(api: Api) -> None:
    missing = "/evaluations/00000000-0000-4000-8000-000000000000"
    assert api.get(missing + "/notes").status_code == 404
    assert api.get(missing + "/disputes").status_code == 404
