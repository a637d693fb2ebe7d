"""GET …/indicators/{code}/explanation: how each score is made, each step citing its event."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cases import mixed_case
from tests.conftest import Api, load_through_api


@pytest.fixture
def evaluation_id(api: Api) -> str:
    return load_through_api(api, mixed_case())


def explanation(api: Api, evaluation_id: str, code: str, query: str = "") -> dict[str, Any]:
    response = api.get(f"/evaluations/{evaluation_id}/indicators/{code}/explanation{query}")
    assert response.status_code == 200, response.json
    return dict(response.json)


def steps(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in body["steps"] if s["kind"] == kind]


def event_types(api: Api, evaluation_id: str) -> dict[int, str]:
    items = api.get(f"/evaluations/{evaluation_id}/history?per_page=1000").json["items"]
    return {e["version"]: e["type"] for e in items}


def test_a_deduction_leaf_shows_active_and_withdrawn_deductions_with_their_versions(
    api: Api, evaluation_id: str
) -> None:
    base = f"/evaluations/{evaluation_id}"
    cut = api.post(base + "/indicators/A1/deductions", json={"points": "2", "reason": "台账缺失"})
    assert cut.status_code == 201
    withdrawn = api.post(
        base + f"/deductions/{cut.json['id']}/withdrawal", json={"reason": "复核撤销"}
    )
    assert withdrawn.status_code == 200
    body = explanation(api, evaluation_id, "A1")
    types = event_types(api, evaluation_id)
    [weight] = steps(body, "weight")
    assert (weight["value"], types[weight["version"]]) == ("10", "FrameworkDefined")
    [active] = steps(body, "deduction")
    assert active["value"] == "-1.5" and types[active["version"]] == "DeductionRecorded"
    assert active["details"]["reason"] == "制度执行不到位"
    [gone] = steps(body, "withdrawn_deduction")
    assert gone["details"]["points"] == "2.00"
    assert gone["details"]["withdrawal_reason"] == "复核撤销"
    assert types[gone["version"]] == "DeductionWithdrawn"
    assert types[gone["details"]["recorded_version"]] == "DeductionRecorded"
    [rounding] = steps(body, "rounding")
    assert (rounding["value"], body["score"]) == ("8.50", "8.50")
    assert types[rounding["version"]] == "ScoreChanged"


def test_a_checklist_leaf_lists_items_met_and_unmet_with_points(
    api: Api, evaluation_id: str
) -> None:
    body = explanation(api, evaluation_id, "A2")
    items = steps(body, "checklist_item")
    assert [(i["details"]["met"], i["details"]["points"], i["value"]) for i in items] == [
        (True, "6.00", "6"),
        (False, "4.00", "0"),
    ]
    [assessment] = steps(body, "checklist_assessment")
    assert assessment["details"]["justification"] == "未及时归档"
    assert event_types(api, evaluation_id)[assessment["version"]] == "ChecklistAssessed"
    assert all(i["version"] == assessment["version"] for i in items)
    assert body["score"] == "6.00"


def test_a_ratio_leaf_cites_its_data_entries_and_their_corrections(
    api: Api, evaluation_id: str
) -> None:
    base = f"/evaluations/{evaluation_id}"
    corrected = api.post(
        base + "/data-entries", json={"key": "实际支出", "value": "133", "reason": "剔除预付款"}
    )
    assert corrected.status_code == 200
    body = explanation(api, evaluation_id, "A3")
    numerator, denominator = steps(body, "data_entry")
    assert (numerator["details"]["key"], numerator["value"]) == ("实际支出", "133")
    assert numerator["version"] == corrected.json["version"] - 1  # the entry, then its score
    [earlier] = numerator["details"]["corrections"]
    assert earlier["value"] == "150"
    assert event_types(api, evaluation_id)[earlier["version"]] == "DataEntryRecorded"
    assert (denominator["details"]["key"], denominator["value"]) == ("预算资金", "200")
    [ratio] = steps(body, "ratio")
    assert ratio["value"] == "0.665" and ratio["details"]["rate"] == "66.50"
    [rounding] = steps(body, "rounding")
    assert rounding["details"]["exact"] == "13.300" and body["score"] == "13.30"


def test_a_survey_leaf_shows_each_questions_rate(api: Api, evaluation_id: str) -> None:
    body = explanation(api, evaluation_id, "B1")
    questions = steps(body, "survey_question")
    assert [q["details"]["rate"] for q in questions] == ["89.33", "86.67"]
    assert [q["details"]["points"] for q in questions] == ["268", "260"]
    assert [q["details"]["max_points"] for q in questions] == ["300", "300"]
    assert questions[0]["details"]["counts"][0] == {"label": "满意", "weight": "10", "count": 20}
    assert event_types(api, evaluation_id)[questions[0]["version"]] == "SurveyRecorded"
    [satisfaction] = steps(body, "survey_satisfaction")
    assert satisfaction["details"]["rate"] == "88.00"
    assert body["score"] == "17.60"


def test_the_document_shows_survey_rates_per_question(api: Api, evaluation_id: str) -> None:
    document = api.get(f"/evaluations/{evaluation_id}").json
    rows = {i["code"]: i for i in document["indicators"]}
    assert rows["B1"]["survey_rates"] == ["89.33", "86.67"]
    assert rows["A1"]["survey_rates"] is None
    replayed = api.get(f"/evaluations/{evaluation_id}?version={document['version']}").json
    assert {i["code"]: i["survey_rates"] for i in replayed["indicators"]} == {
        code: row["survey_rates"] for code, row in rows.items()
    }


def test_an_override_stands_beside_the_rules_score_with_its_justification(
    api: Api, evaluation_id: str
) -> None:
    response = api.post(
        f"/evaluations/{evaluation_id}/indicators/B1/score",
        json={"score": "18", "justification": "问卷样本偏少，按访谈结果调整"},
    )
    assert response.status_code == 200
    body = explanation(api, evaluation_id, "B1")
    [override] = steps(body, "override")
    assert override["value"] == "18"
    assert override["details"]["rule_score"] == "17.60"
    assert "规则得分 17.60，认定为 18.00" in override["text"]
    assert event_types(api, evaluation_id)[override["version"]] == "ScoreOverridden"
    assert (body["score"], body["rule_score"], body["overridden"]) == ("18.00", "17.60", True)


def test_a_manual_leaf_cites_the_recorded_score(api: Api, evaluation_id: str) -> None:
    body = explanation(api, evaluation_id, "B2")
    [manual] = steps(body, "manual_score")
    assert manual["value"] == "35" and manual["details"]["justification"] == "效益较好"
    assert event_types(api, evaluation_id)[manual["version"]] == "ScoreRecorded"


def test_a_parent_sums_its_childrens_scores(api: Api, evaluation_id: str) -> None:
    body = explanation(api, evaluation_id, "A")
    children = steps(body, "child")
    assert [(c["details"]["code"], c["value"]) for c in children] == [
        ("A1", "8.50"),
        ("A2", "6.00"),
        ("A3", "15.00"),
    ]
    [total] = steps(body, "sum")
    assert total["value"] == "29.50" and body["score"] == "29.50"
    assert total["version"] == max(c["version"] for c in children)


def test_an_explanation_at_an_earlier_version_shows_the_state_then(
    api: Api, evaluation_id: str
) -> None:
    types = event_types(api, evaluation_id)
    before_deduction = min(v for v, t in types.items() if t == "DeductionRecorded") - 1
    body = explanation(api, evaluation_id, "A1", f"?version={before_deduction}")
    assert body["version"] == before_deduction
    assert steps(body, "deduction") == [] and body["score"] == "10.00"


def test_unknown_indicator_evaluation_or_version_are_404(api: Api, evaluation_id: str) -> None:
    assert api.get(f"/evaluations/{evaluation_id}/indicators/Z9/explanation").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/evaluations/{missing}/indicators/A1/explanation").status_code == 404
    far = api.get(f"/evaluations/{evaluation_id}/indicators/A1/explanation?version=9999")
    assert far.status_code == 404
    assert far.headers["Content-Type"] == "application/problem+json"
    bad = api.get(f"/evaluations/{evaluation_id}/indicators/A1/explanation?version=0")
    assert bad.status_code == 422 and "version" in bad.json["errors"]
