"""Writes answer with the document, or compactly with `Prefer: return=minimal`; GETs honour
If-None-Match."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, load_through_api
from web.response_schemas import DeductionChangesOut, EvaluationChangesOut, WithdrawalChangesOut

MINIMAL = {"Prefer": "return=minimal"}


@pytest.fixture
def evaluation_id(api: Api, reference_case: dict[str, Any]) -> str:
    return load_through_api(api, reference_case)


def indicator(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == code)


def test_a_deduction_preferred_minimal_answers_with_itself_and_what_moved(
    api: Api, evaluation_id: str
) -> None:
    before = api.get(f"/evaluations/{evaluation_id}").json
    created = api.post(
        f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
        json={"points": "0.5", "reason": "抽查", "evidence": [{"title": "台账"}]},
        headers=MINIMAL,
    )
    assert created.status_code == 201, created.json
    assert created.headers["Preference-Applied"] == "return=minimal"
    body = created.json
    assert body == DeductionChangesOut().dump(body)
    after = api.get(f"/evaluations/{evaluation_id}").json
    listed = indicator(after, "3.1.1")["deductions"][-1]
    assert {k: body[k] for k in listed} == listed and body["indicator"] == "3.1.1"
    summary = {k: after[k] for k in ("id", "version", "status", "total", "grade")}
    assert {k: v for k, v in body["evaluation"].items() if k != "changed"} == summary
    assert created.headers["ETag"] == f'"{after["version"]}"'
    moved = [
        i["code"]
        for i in after["indicators"]
        if (i["score"], i["rate"])
        != (indicator(before, i["code"])["score"], indicator(before, i["code"])["rate"])
    ]
    changed = body["evaluation"]["changed"]
    assert [c["code"] for c in changed] == moved and "3.1.1" in moved
    for c in changed:
        fields = ("code", "score", "rate", "rule_score", "overridden")
        assert c == {k: indicator(after, c["code"])[k] for k in fields}


def test_a_withdrawal_preferred_minimal_names_the_deduction_and_its_reason(
    api: Api, evaluation_id: str
) -> None:
    made = api.post(
        f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
        json={"points": "0.5", "reason": "抽查"},
    ).json
    withdrawn = api.post(
        f"/evaluations/{evaluation_id}/deductions/{made['id']}/withdrawal",
        json={"reason": "复核后撤回"},
        headers={"Prefer": 'respond-async, return="minimal"'},
    )
    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json == WithdrawalChangesOut().dump(withdrawn.json)
    assert (withdrawn.json["id"], withdrawn.json["status"]) == (made["id"], "withdrawn")
    assert withdrawn.json["withdrawal_reason"] == "复核后撤回"
    assert [c["code"] for c in withdrawn.json["evaluation"]["changed"]][-1] == "3.1.1"


def test_other_writes_preferred_minimal_answer_with_the_evaluation_changes_only(
    api: Api, evaluation_id: str
) -> None:
    recorded = api.post(
        f"/evaluations/{evaluation_id}/data-entries",
        json={"key": "unused_figure", "value": "1"},
        headers=MINIMAL,
    )
    assert recorded.status_code == 200, recorded.json
    assert recorded.json == EvaluationChangesOut().dump(recorded.json)
    assert recorded.json["evaluation"]["status"] == "draft"
    assert recorded.json["evaluation"]["changed"] == []  # no figure rests on that entry


def test_without_the_preference_a_write_answers_with_the_whole_document(
    api: Api, evaluation_id: str
) -> None:
    for prefer in ({}, {"Prefer": "return=representation"}, {"Prefer": "handling=lenient"}):
        created = api.post(
            f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
            json={"points": "0.1", "reason": "抽查"},
            headers=prefer,
        )
        assert created.status_code == 201
        assert "Preference-Applied" not in created.headers
        assert created.json["evaluation"] == api.get(f"/evaluations/{evaluation_id}").json


def test_a_replayed_idempotent_write_keeps_its_compact_answer_and_header(
    api: Api, evaluation_id: str
) -> None:
    headers = {**MINIMAL, "Idempotency-Key": "k-minimal-1"}
    path = f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions"
    first = api.post(path, json={"points": "0.1", "reason": "抽查"}, headers=headers)
    again = api.post(path, json={"points": "0.1", "reason": "抽查"}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json and again.headers["Preference-Applied"] == "return=minimal"


def test_a_get_whose_if_none_match_names_the_version_answers_304(
    api: Api, evaluation_id: str
) -> None:
    path = f"/evaluations/{evaluation_id}"
    tag = api.get(path).headers["ETag"]
    for header in (tag, f"W/{tag}", f'"1", {tag}', "*"):
        unchanged = api.get(path, headers={"If-None-Match": header})
        assert (unchanged.status_code, unchanged.data) == (304, b"")
        assert unchanged.headers["ETag"] == tag
    assert api.get(path, headers={"If-None-Match": '"1"'}).status_code == 200
    api.post(path + "/indicators/3.1.1/deductions", json={"points": "0.1", "reason": "抽查"})
    moved = api.get(path, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["ETag"] != tag


def test_openapi_describes_both_answers_and_the_prefer_header(api: Api) -> None:
    spec = api.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/evaluations/{evaluation_id}/indicators/{code}/deductions"]
    answer = operation["post"]["responses"]["201"]
    shapes = answer["content"]["application/json"]["schema"]["oneOf"]
    assert [s["$ref"].rsplit("/", 1)[-1] for s in shapes] == [
        "DeductionCreatedOut",
        "DeductionChangesOut",
    ]
    assert "Preference-Applied" in answer["headers"]
    assert "Prefer" in [p["name"] for p in operation["post"]["parameters"]]
    changes = spec["components"]["schemas"]["ChangesOut"]["properties"]
    assert set(changes) == {"id", "version", "status", "total", "grade", "changed"}
