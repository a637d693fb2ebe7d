"""Documents list every deduction with its status; the standing ones alone on request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, load_through_api


@pytest.fixture
def evaluation_id(api: Api, reference_case: dict[str, Any]) -> str:
    evaluation_id = load_through_api(api, reference_case)
    for n in range(5):
        made = api.post(
            f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
            json={"points": "0.1", "reason": f"抽查{n}"},
        ).json
        if n % 2 == 0:  # three withdrawn, two standing
            api.post(
                f"/evaluations/{evaluation_id}/deductions/{made['id']}/withdrawal",
                json={"reason": "复核后撤回"},
            )
    return evaluation_id


def leaf(document: dict[str, Any], code: str) -> dict[str, Any]:
    """The indicator, with only this test's deductions (the reference case has its own)."""
    found = next(i for i in document["indicators"] if i["code"] == code)
    return {**found, "deductions": [d for d in found["deductions"] if "抽查" in d["reason"]]}


def test_the_document_lists_every_deduction_with_its_status_by_default(
    api: Api, evaluation_id: str
) -> None:
    document = api.get(f"/evaluations/{evaluation_id}").json
    listed = leaf(document, "3.1.1")["deductions"]
    assert [(d["reason"], d["status"]) for d in listed] == [
        ("抽查0", "withdrawn"),
        ("抽查1", "active"),
        ("抽查2", "withdrawn"),
        ("抽查3", "active"),
        ("抽查4", "withdrawn"),
    ]
    assert api.get(f"/evaluations/{evaluation_id}?deductions=all").json == document


def test_deductions_active_lists_only_the_ones_that_stand_with_the_same_scores(
    api: Api, evaluation_id: str
) -> None:
    document = api.get(f"/evaluations/{evaluation_id}?deductions=active").json
    listed = leaf(document, "3.1.1")["deductions"]
    assert [(d["reason"], d["status"]) for d in listed] == [
        ("抽查1", "active"),
        ("抽查3", "active"),
    ]
    assert (
        leaf(document, "3.1.1")["score"]
        == leaf(api.get(f"/evaluations/{evaluation_id}").json, "3.1.1")["score"]
    )


def test_an_earlier_version_lists_every_deduction_unless_asked_for_the_active_ones(
    api: Api, evaluation_id: str
) -> None:
    latest = api.get(f"/evaluations/{evaluation_id}").json["version"]
    everything = api.get(f"/evaluations/{evaluation_id}?version={latest - 2}").json
    standing = api.get(f"/evaluations/{evaluation_id}?version={latest - 2}&deductions=active").json
    assert [d["status"] for d in leaf(standing, "3.1.1")["deductions"]] == ["active"] * 3
    assert [d["status"] for d in leaf(everything, "3.1.1")["deductions"]] == (
        ["withdrawn", "active", "withdrawn", "active", "active"]
    )


def test_a_write_answers_with_the_document_listing_withdrawn_deductions_too(
    api: Api, evaluation_id: str
) -> None:
    made = api.post(
        f"/evaluations/{evaluation_id}/indicators/3.1.1/deductions",
        json={"points": "0.1", "reason": "抽查5"},
    ).json
    statuses = [d["status"] for d in leaf(made["evaluation"], "3.1.1")["deductions"]]
    assert statuses == ["withdrawn", "active"] * 2 + ["withdrawn", "active"]
    assert made["evaluation"] == api.get(f"/evaluations/{evaluation_id}").json


def test_withdrawn_deductions_are_listed_in_pages_with_their_withdrawal_reason(
    api: Api, evaluation_id: str
) -> None:
    first = api.get(f"/evaluations/{evaluation_id}/deductions?status=withdrawn&per_page=2").json
    second = api.get(
        f"/evaluations/{evaluation_id}/deductions?status=withdrawn&per_page=2&page=2"
    ).json
    assert (first["total"], first["pages"], second["total"]) == (3, 2, 3)
    items = first["items"] + second["items"]
    assert [i["reason"] for i in items] == ["抽查0", "抽查2", "抽查4"]  # the case has none
    assert {(i["indicator"], i["status"], i["withdrawal_reason"]) for i in items} == {
        ("3.1.1", "withdrawn", "复核后撤回")
    }
    assert [i["version"] for i in items] == sorted(i["version"] for i in items)


def test_deductions_of_any_status_are_counted_past_a_full_page(
    api: Api, evaluation_id: str
) -> None:
    everything = api.get(f"/evaluations/{evaluation_id}?deductions=all").json
    count = sum(len(i["deductions"]) for i in everything["indicators"])
    page = api.get(f"/evaluations/{evaluation_id}/deductions?per_page=4").json
    last = api.get(f"/evaluations/{evaluation_id}/deductions?per_page=4&page=3").json
    assert (len(page["items"]), page["total"], page["pages"]) == (4, count, (count + 3) // 4)
    assert (last["total"], len(last["items"])) == (count, max(0, min(4, count - 8)))


@pytest.mark.parametrize(
    ("query", "status"),
    [("?deductions=some", 422), ("/deductions?status=gone", 422)],
)
def test_unknown_deduction_views_are_refused(
    api: Api, evaluation_id: str, query: str, status: int
) -> None:
    assert api.get(f"/evaluations/{evaluation_id}{query}").status_code == status


def test_deductions_of_an_unknown_evaluation_are_a_404(api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/evaluations/{missing}/deductions").status_code == 404
