"""Lifecycle through HTTP: draft → submitted → finalized; a reviewer reopens, with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from tests.cases import load_directly, small_case
from tests.conftest import Api, load_through_api


def version(api: Api, evaluation_id: str) -> int:
    return int(api.get(f"/evaluations/{evaluation_id}").json["version"])


@pytest.fixture
def finalized(app: Flask, api: Api, reviewer_api: Api) -> dict[str, str]:
    """A finalized evaluation, with one note left open, and its deduction's id."""
    evaluation_id = load_directly(app, small_case())
    base = f"/evaluations/{evaluation_id}"
    note = reviewer_api.post(base + "/indicators/1.1/notes", json={"text": "核对"}).json["id"]
    assert reviewer_api.post(base + "/submission").status_code == 200
    assert reviewer_api.post(base + "/finalization").status_code == 200
    document = api.get(base).json
    leaf = next(i for i in document["indicators"] if i["code"] == "1.1")
    return {"id": evaluation_id, "deduction": leaf["deductions"][0]["id"], "note": note}


CHANGES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("evaluator", "/framework", {"indicators": small_case()["indicators"]}),
    ("evaluator", "/data-entries", {"key": "执行数", "value": "90"}),
    ("evaluator", "/indicators/1.1/deductions", {"points": "1", "reason": "r"}),
    ("evaluator", "/deductions/{deduction}/withdrawal", {"reason": "r"}),
    ("evaluator", "/indicators/2.1/checklist", {"met": [True, True], "justification": "j"}),
    ("evaluator", "/indicators/1.2/score", {"score": "19", "justification": "j"}),
    ("evaluator", "/indicators/2.2/survey", {"tallies": [[10, 0]]}),
    ("reviewer", "/indicators/1.1/deductions", {"points": "1", "reason": "r"}),
    ("reviewer", "/submission", None),
    ("reviewer", "/finalization", None),
    ("reviewer", "/disputes", {"deduction_id": "{deduction}", "grounds": "g"}),
    ("reviewer", "/indicators/1.1/notes", {"text": "t"}),
    ("reviewer", "/notes/{note}/resolution", {"reason": "r"}),
]


@pytest.mark.parametrize(("role", "path", "body"), CHANGES, ids=[c[1] for c in CHANGES])
def test_a_finalized_evaluation_refuses_every_change_with_409(
    api: Api,
    reviewer_api: Api,
    finalized: dict[str, str],
    role: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    caller = api if role == "evaluator" else reviewer_api
    before = version(api, finalized["id"])
    filled = {k: v.format(**finalized) for k, v in (body or {}).items() if isinstance(v, str)}
    response = caller.post(
        f"/evaluations/{finalized['id']}" + path.format(**finalized),
        json={**(body or {}), **filled} if body is not None else None,
    )
    assert response.status_code == 409, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] in (
        "urn:scoretrail:problem:evaluation-locked",
        "urn:scoretrail:problem:lifecycle-refused",
    )
    assert version(api, finalized["id"]) == before


def test_reopening_needs_a_reason_and_then_changes_are_accepted_again(
    api: Api, reviewer_api: Api, finalized: dict[str, str]
) -> None:
    base = f"/evaluations/{finalized['id']}"
    before = version(api, finalized["id"])
    assert reviewer_api.post(base + "/reopening", json={}).status_code == 422
    blank = reviewer_api.post(base + "/reopening", json={"reason": "   "})
    assert (blank.status_code, blank.json["type"]) == (
        409,
        "urn:scoretrail:problem:reason-required",
    )
    assert version(api, finalized["id"]) == before

    reopened = reviewer_api.post(base + "/reopening", json={"reason": "复核发现计算错误"})
    assert (reopened.status_code, reopened.json["status"]) == (200, "submitted")
    deduction = {"points": "1", "reason": "复核补扣"}
    assert api.post(base + "/indicators/1.1/deductions", json=deduction).status_code == 201


def test_only_a_draft_is_submitted_and_only_a_submitted_one_finalized(
    app: Flask, reviewer_api: Api
) -> None:
    evaluation_id = load_directly(app, small_case())
    base = f"/evaluations/{evaluation_id}"
    premature = reviewer_api.post(base + "/finalization")
    assert (premature.status_code, premature.json["values"]["status"]) == (409, "draft")
    assert reviewer_api.post(base + "/reopening", json={"reason": "r"}).status_code == 409
    assert reviewer_api.post(base + "/submission").status_code == 200
    assert reviewer_api.post(base + "/submission").status_code == 409


def test_each_transition_is_an_event_with_who_when_and_why(api: Api, reviewer_api: Api) -> None:
    with freeze_time("2026-03-01T09:00:00+00:00") as clock:
        evaluation_id = load_through_api(api, small_case())
        base = f"/evaluations/{evaluation_id}"
        clock.move_to("2026-03-02T10:00:00+00:00")
        reviewer_api.post(base + "/submission")
        clock.move_to("2026-03-05T11:00:00+00:00")
        reviewer_api.post(base + "/finalization")
        clock.move_to("2026-04-01T08:30:00+00:00")
        reviewer_api.post(base + "/reopening", json={"reason": "审计发现问题"})

    items = api.get(base + "/history?per_page=1000").json["items"]
    transitions = [
        (e["type"], e["actor"], e["role"], e["recorded_at"], e["data"].get("reason"))
        for e in items
        if e["type"] in ("Submitted", "Finalized", "Reopened")
    ]
    assert transitions == [
        ("Submitted", "rita", "reviewer", "2026-03-02T10:00:00+00:00", None),
        ("Finalized", "rita", "reviewer", "2026-03-05T11:00:00+00:00", None),
        ("Reopened", "rita", "reviewer", "2026-04-01T08:30:00+00:00", "审计发现问题"),
    ]
