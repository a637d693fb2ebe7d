"""Findings (what does not add up), reported figures, and diffs between versions or times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from tests.cases import mixed_case
from tests.conftest import Api, load_through_api

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def evaluation_id(api: Api) -> str:
    with freeze_time(START, auto_tick_seconds=1):
        return load_through_api(api, mixed_case())


def findings(api: Api, evaluation_id: str, query: str = "") -> list[dict[str, Any]]:
    response = api.get(f"/evaluations/{evaluation_id}/findings{query}")
    assert response.status_code == 200, response.json
    return list(response.json["items"])


def version(api: Api, evaluation_id: str) -> int:
    return int(api.get(f"/evaluations/{evaluation_id}").json["version"])


def test_a_consistent_evaluation_has_no_findings(api: Api, evaluation_id: str) -> None:
    assert findings(api, evaluation_id) == []


def test_an_override_differing_from_the_rule_is_a_finding_with_both_figures(
    api: Api, evaluation_id: str
) -> None:
    api.post(
        f"/evaluations/{evaluation_id}/indicators/A2/score",
        json={"score": "9", "justification": "档案已补齐"},
    )
    [found] = findings(api, evaluation_id)
    assert found["kind"] == "override_differs"
    assert (found["indicator"], found["recorded"], found["recomputed"]) == ("A2", "9.00", "6.00")
    assert "档案已补齐" in found["message"]
    assert len(found["versions"]) == 2


def test_reported_figures_that_do_not_recompute_are_findings(api: Api, evaluation_id: str) -> None:
    base = f"/evaluations/{evaluation_id}/reported-figures"
    assert api.post(base, json={"indicator": "B1", "value": "17.60"}).status_code == 200
    wrong = api.post(base, json={"indicator": "B1", "value": "17.42", "source": "报告附表1"})
    assert wrong.status_code == 200
    assert (
        api.post(base, json={"indicator": "A3", "figure": "rate", "value": "75"}).status_code == 200
    )
    assert api.post(base, json={"figure": "total", "value": 82.1}).status_code == 200
    assert api.post(base, json={"indicator": "B", "value": "52.00"}).status_code == 200
    found = findings(api, evaluation_id)
    assert [(f["indicator"], f["recorded"], f["recomputed"]) for f in found] == [
        ("B1", "17.42", "17.60"),
        ("B", "52.00", "52.60"),
    ]
    assert all(f["kind"] == "reported_figure_differs" for f in found)
    assert "报告附表1" in found[0]["message"]
    assert wrong.json["version"] in found[0]["versions"]


def test_a_reported_total_in_the_fixture_format_is_recorded_and_checked(api: Api) -> None:
    case = mixed_case()
    case["evaluation"]["reported_total"] = "82.60"
    evaluation_id = load_through_api(api, case)
    [found] = findings(api, evaluation_id)
    assert (found["details"]["figure"], found["recorded"], found["recomputed"]) == (
        "total",
        "82.60",
        "82.10",
    )


def test_a_data_entry_corrected_after_a_score_used_it_is_a_finding(
    api: Api, evaluation_id: str
) -> None:
    response = api.post(
        f"/evaluations/{evaluation_id}/data-entries",
        json={"key": "预算资金", "value": "250", "reason": "追加预算"},
    )
    assert response.status_code == 200
    [found] = findings(api, evaluation_id)
    assert found["kind"] == "data_corrected_after_use"
    assert (found["key"], found["indicator"]) == ("预算资金", "A3")
    assert (found["recorded"], found["recomputed"]) == ("15.00", "12.00")
    assert found["details"] == {
        "old_value": "200",
        "new_value": "250",
        "reason": "追加预算",
    }
    assert max(found["versions"]) == response.json["version"] - 1


def test_findings_at_an_earlier_version_leave_out_what_came_later(
    api: Api, evaluation_id: str
) -> None:
    before = version(api, evaluation_id)
    api.post(
        f"/evaluations/{evaluation_id}/indicators/A2/score",
        json={"score": "9", "justification": "档案已补齐"},
    )
    assert findings(api, evaluation_id, f"?version={before}") == []
    assert len(findings(api, evaluation_id)) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"indicator": "Z9", "value": "1"}, 404),
        ({"indicator": "A1", "figure": "total", "value": "1"}, 422),
        ({"figure": "score", "value": "1"}, 422),
        ({"indicator": "A1", "figure": "grade", "value": "1"}, 422),
        ({"indicator": "A1", "value": "abc"}, 422),
        ({"indicator": "A1"}, 422),
        ({"indicator": "A1", "value": "1", "extra": True}, 422),
    ],
)
def test_a_bad_reported_figure_is_refused_and_nothing_is_recorded(
    api: Api, evaluation_id: str, body: dict[str, Any], status: int
) -> None:
    before = version(api, evaluation_id)
    response = api.post(f"/evaluations/{evaluation_id}/reported-figures", json=body)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == status
    assert version(api, evaluation_id) == before


def test_a_diff_between_versions_lists_changed_scores_totals_and_events(
    api: Api, evaluation_id: str
) -> None:
    before = version(api, evaluation_id)
    base = f"/evaluations/{evaluation_id}"
    api.post(base + "/indicators/A1/deductions", json={"points": "1", "reason": "资料不全"})
    api.post(base + "/data-entries", json={"key": "实际支出", "value": "170", "reason": "补录"})
    response = api.get(f"{base}/diff?from={before}&to={before + 4}")
    assert response.status_code == 200, response.json
    diff = response.json
    assert (diff["from_version"], diff["to_version"]) == (before, before + 4)
    assert (diff["total_before"], diff["total_after"]) == ("82.10", "83.10")
    assert (diff["grade_before"], diff["grade_after"]) == ("良", "良")
    changed = {i["code"]: (i["before"], i["after"]) for i in diff["indicators"]}
    assert changed == {
        "A": ("29.50", "30.50"),
        "A1": ("8.50", "7.50"),
        "A3": ("15.00", "17.00"),
    }
    assert [e["type"] for e in diff["events"]] == [
        "DeductionRecorded",
        "ScoreChanged",
        "DataEntryRecorded",
        "ScoreChanged",
    ]
    assert [e["version"] for e in diff["events"]] == list(range(before + 1, before + 5))
    assert all(e["actor"] == "alice" for e in diff["events"])


def test_a_diff_between_times_maps_each_time_to_a_version(api: Api, evaluation_id: str) -> None:
    before = version(api, evaluation_id)
    later = START + timedelta(days=2)
    with freeze_time(later):
        api.post(
            f"/evaluations/{evaluation_id}/indicators/A1/deductions",
            json={"points": "1", "reason": "资料不全"},
        )
    midday = (START + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    response = api.get(f"/evaluations/{evaluation_id}/diff?from={midday}")
    assert response.status_code == 200, response.json
    assert response.json["from_version"] == before
    assert response.json["to_version"] == before + 2
    assert [i["code"] for i in response.json["indicators"]] == ["A", "A1"]
    same = api.get(f"/evaluations/{evaluation_id}/diff?from={before}&to={before}").json
    assert same["indicators"] == [] and same["events"] == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 422),
        ("?from=yesterday", 422),
        ("?from=0", 422),
        ("?from=5&to=3", 422),
        ("?from=1&to=9999", 404),
        ("?from=2020-01-01T00:00:00Z", 404),
    ],
)
def test_a_bad_diff_request_is_a_problem(
    api: Api, evaluation_id: str, query: str, status: int
) -> None:
    response = api.get(f"/evaluations/{evaluation_id}/diff{query}")
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"


def test_findings_and_diff_of_an_unknown_evaluation_are_404(api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/evaluations/{missing}/findings").status_code == 404
    assert api.get(f"/evaluations/{missing}/diff?from=1").status_code == 404
    response = api.post(f"/evaluations/{missing}/reported-figures", json={"value": "1"})
    assert response.status_code == 404
