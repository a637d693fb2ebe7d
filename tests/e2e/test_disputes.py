"""Disputes through HTTP: raised by the evaluated unit, decided by a reviewer who is not a party."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.cases import SUBJECT, load_directly, small_case
from tests.conftest import Api, ApiFor

SHA = "a" * 64


@pytest.fixture
def unit_api(api_for: ApiFor) -> Api:
    """The evaluated unit's client, bound to the small case's subject."""
    return api_for("subject", "unit", subject=SUBJECT)


@pytest.fixture
def case(app: Flask, api: Api, reviewer_api: Api) -> dict[str, str]:
    """A submitted evaluation scored by alice; ids of it and of its deduction on 1.1."""
    evaluation_id = load_directly(app, small_case())
    base = f"/evaluations/{evaluation_id}"
    assert reviewer_api.post(base + "/submission").status_code == 200
    return {"id": evaluation_id, "base": base, "deduction": deduction_ids(api, base, "1.1")[0]}


def deduction_ids(api: Api, base: str, code: str) -> list[str]:
    return [d["id"] for d in leaf(api, base, code)["deductions"]]


def leaf(api: Api, base: str, code: str) -> dict[str, Any]:
    return next(i for i in api.get(base).json["indicators"] if i["code"] == code)


def version(api: Api, base: str) -> int:
    return int(api.get(base).json["version"])


def raise_on(unit_api: Api, base: str, **target: str) -> dict[str, Any]:
    response = unit_api.post(base + "/disputes", json={**target, "grounds": "理由不成立"})
    assert response.status_code == 201, response.json
    return dict(response.json)


def assert_refused(response: Any, status: int, kind: str) -> None:
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == f"urn:scoretrail:problem:{kind}"


# ------------------------------------------------------------------- raising
def test_the_unit_disputes_a_deduction_with_grounds_and_evidence(
    api: Api, unit_api: Api, case: dict[str, str]
) -> None:
    before = version(api, case["base"])
    body = {
        "deduction_id": case["deduction"],
        "grounds": "立项论证材料已于2023年3月补充报送",
        "evidence": [{"title": "补充报送函", "locator": "档案 12-3", "sha256": SHA}],
    }
    response = unit_api.post(case["base"] + "/disputes", json=body)

    assert response.status_code == 201, response.json
    dispute = response.json
    assert response.headers["Location"].endswith(f"{case['base']}/disputes/{dispute['id']}")
    assert dispute["status"] == "open" and dispute["decision"] is None
    assert (dispute["target"], dispute["indicator"], dispute["deduction_id"]) == (
        "deduction",
        "1.1",
        case["deduction"],
    )
    assert dispute["grounds"] == body["grounds"]
    assert dispute["evidence"] == body["evidence"]
    assert (dispute["raised_by"], dispute["raised_role"]) == ("unit", "subject")
    assert dispute["version"] == before + 1 == version(api, case["base"])
    assert unit_api.get(case["base"] + f"/disputes/{dispute['id']}").json == dispute
    assert api.get(case["base"] + "/disputes?status=open").json["items"] == [dispute]
    last = api.get(case["base"] + "/history?per_page=1000").json["items"][-1]
    assert (last["type"], last["actor"], last["role"]) == ("DisputeRaised", "unit", "subject")


def test_a_leaf_score_can_be_disputed_too(api: Api, unit_api: Api, case: dict[str, str]) -> None:
    dispute = raise_on(unit_api, case["base"], indicator="2.2")
    assert (dispute["target"], dispute["indicator"], dispute["deduction_id"]) == (
        "indicator",
        "2.2",
        None,
    )


def test_disputes_are_raised_only_while_submitted(app: Flask, api: Api, unit_api: Api) -> None:
    evaluation_id = load_directly(app, small_case())
    base = f"/evaluations/{evaluation_id}"
    before = version(api, base)
    response = unit_api.post(base + "/disputes", json={"indicator": "1.2", "grounds": "g"})
    assert_refused(response, 409, "dispute-refused")
    assert response.json["values"]["status"] == "draft"
    assert version(api, base) == before


@pytest.mark.parametrize(
    "body",
    [
        {"grounds": "g"},
        {"grounds": "g", "indicator": "1.1", "deduction_id": "x"},
        {"indicator": "1.1"},
        {"indicator": "1.1", "grounds": "g", "actor": "someone-else"},
    ],
    ids=["no-target", "two-targets", "no-grounds", "stray-field"],
)
def test_a_malformed_dispute_is_422(
    api: Api, unit_api: Api, case: dict[str, str], body: dict[str, Any]
) -> None:
    before = version(api, case["base"])
    assert_refused(
        unit_api.post(case["base"] + "/disputes", json=body), 422, "unprocessable-entity"
    )
    assert version(api, case["base"]) == before


@pytest.mark.parametrize(
    ("target", "status", "kind"),
    [
        ({"deduction_id": "no-such-deduction"}, 404, "unknown-deduction"),
        ({"indicator": "9.9"}, 404, "unknown-indicator"),
        ({"indicator": "1"}, 409, "method-mismatch"),
    ],
)
def test_a_dispute_must_name_something_disputable(
    api: Api, unit_api: Api, case: dict[str, str], target: dict[str, str], status: int, kind: str
) -> None:
    before = version(api, case["base"])
    response = unit_api.post(case["base"] + "/disputes", json={**target, "grounds": "g"})
    assert_refused(response, status, kind)
    assert version(api, case["base"]) == before


def test_blank_grounds_are_refused(api: Api, unit_api: Api, case: dict[str, str]) -> None:
    body = {"indicator": "1.2", "grounds": "   "}
    assert_refused(unit_api.post(case["base"] + "/disputes", json=body), 409, "reason-required")


def test_a_withdrawn_deduction_cannot_be_disputed(
    api: Api, unit_api: Api, case: dict[str, str]
) -> None:
    withdrawal = f"{case['base']}/deductions/{case['deduction']}/withdrawal"
    assert api.post(withdrawal, json={"reason": "误扣"}).status_code == 200
    response = unit_api.post(
        case["base"] + "/disputes", json={"deduction_id": case["deduction"], "grounds": "g"}
    )
    assert_refused(response, 409, "dispute-refused")


def test_one_open_dispute_per_target_and_a_new_one_after_the_decision(
    unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    first = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    again = unit_api.post(
        case["base"] + "/disputes", json={"deduction_id": case["deduction"], "grounds": "再议"}
    )
    assert_refused(again, 409, "dispute-refused")
    assert again.json["values"]["dispute_id"] == first["id"]

    decision = {"outcome": "upheld", "reason": "材料确不完整"}
    decided = reviewer_api.post(f"{case['base']}/disputes/{first['id']}/decision", json=decision)
    assert decided.status_code == 200
    raise_on(unit_api, case["base"], deduction_id=case["deduction"])


# ------------------------------------------------------------------ deciding
def decide(reviewer: Api, base: str, dispute_id: str, **body: Any) -> Any:
    return reviewer.post(f"{base}/disputes/{dispute_id}/decision", json=body)


def test_upheld_changes_no_score(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    response = decide(reviewer_api, case["base"], dispute["id"], outcome="upheld", reason="维持")

    assert response.status_code == 200, response.json
    decision = response.json["decision"]
    assert (response.json["status"], decision["outcome"], decision["points"]) == (
        "decided",
        "upheld",
        None,
    )
    assert (decision["decided_by"], decision["decided_role"]) == ("rita", "reviewer")
    assert leaf(api, case["base"], "1.1")["score"] == "18.00"
    assert response.json["evaluation"]["version"] == decision["version"]
    assert api.get(case["base"] + "/history?per_page=1000").json["items"][-1]["type"] == (
        "DisputeDecided"
    )
    assert api.get(case["base"] + "/disputes?status=open").json["items"] == []
    assert [d["id"] for d in api.get(case["base"] + "/disputes?status=decided").json["items"]] == [
        dispute["id"]
    ]


def test_overturned_withdraws_the_deduction_in_its_own_linked_score_change(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    response = decide(
        reviewer_api, case["base"], dispute["id"], outcome="overturned", reason="材料齐备，撤销扣分"
    )

    assert response.status_code == 200, response.json
    decided_at = response.json["decision"]["version"]
    node = leaf(api, case["base"], "1.1")
    assert node["score"] == "20.00"
    assert node["deductions"][0]["status"] == "withdrawn"
    assert leaf(api, case["base"] + "?deductions=active", "1.1")["deductions"] == []
    assert response.json["evaluation"]["total"] == "69.00"
    change = api.get(case["base"] + "/indicators/1.1/history").json["items"][-1]
    assert change == {
        **change,
        "type": "DisputeDecided",
        "cause_version": decided_at,
        "version": decided_at + 2,  # after the decision and the withdrawal it records
        "actor": "rita",
        "role": "reviewer",
        "score_before": "18.00",
        "score_after": "20.00",
        "reason": "材料齐备，撤销扣分",
        "dispute_id": dispute["id"],
    }
    event = api.get(case["base"] + "/history?per_page=1000").json["items"][-1]
    assert event["type"] == "ScoreChanged"
    assert (event["data"]["cause"], event["data"]["dispute_id"]) == (
        "DisputeDecided",
        dispute["id"],
    )


def test_amended_gives_the_deduction_new_points(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    response = decide(
        reviewer_api,
        case["base"],
        dispute["id"],
        outcome="amended",
        points="0.5",
        reason="部分成立",
    )

    assert response.status_code == 200, response.json
    assert (response.json["decision"]["points"], response.json["decision"]["previous_points"]) == (
        "0.50",
        "2.00",
    )
    node = leaf(api, case["base"], "1.1")
    assert (node["score"], node["deductions"][0]["points"]) == ("19.50", "0.50")
    assert node["deductions"][0]["status"] == "active"


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"outcome": "amended", "points": "0", "reason": "r"}, 409, "dispute-refused"),
        ({"outcome": "amended", "points": "2", "reason": "r"}, 409, "dispute-refused"),
        ({"outcome": "amended", "points": "20.01", "reason": "r"}, 409, "dispute-refused"),
        ({"outcome": "amended", "reason": "r"}, 422, "unprocessable-entity"),
        ({"outcome": "upheld", "points": "1", "reason": "r"}, 422, "unprocessable-entity"),
        ({"outcome": "dismissed", "reason": "r"}, 422, "unprocessable-entity"),
        ({"outcome": "upheld"}, 422, "unprocessable-entity"),
        ({"outcome": "upheld", "reason": " "}, 409, "reason-required"),
    ],
    ids=[
        "zero",
        "unchanged",
        "over-weight",
        "no-points",
        "stray-points",
        "bad-outcome",
        "no-reason",
        "blank-reason",
    ],
)
def test_a_bad_decision_is_refused_and_records_nothing(
    api: Api,
    unit_api: Api,
    reviewer_api: Api,
    case: dict[str, str],
    body: dict[str, Any],
    status: int,
    kind: str,
) -> None:
    dispute = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    before = version(api, case["base"])
    assert_refused(decide(reviewer_api, case["base"], dispute["id"], **body), status, kind)
    assert version(api, case["base"]) == before
    assert api.get(f"{case['base']}/disputes/{dispute['id']}").json["status"] == "open"


def test_amending_a_leaf_score_records_an_override_beside_the_rule_score(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], indicator="2.2")
    response = decide(
        reviewer_api, case["base"], dispute["id"], outcome="amended", points="27", reason="样本偏少"
    )

    assert response.status_code == 200, response.json
    node = leaf(api, case["base"], "2.2")
    assert (node["score"], node["rule_score"], node["overridden"]) == ("27.00", "24.00", True)
    assert "样本偏少" in node["override_justification"]
    assert response.json["decision"]["previous_points"] == "24.00"
    change = api.get(case["base"] + "/indicators/2.2/history").json["items"][-1]
    assert (change["type"], change["score_before"], change["score_after"]) == (
        "DisputeDecided",
        "24.00",
        "27.00",
    )


def test_a_leaf_amendment_stays_within_the_weight(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], indicator="2.2")
    response = decide(
        reviewer_api, case["base"], dispute["id"], outcome="amended", points="31", reason="r"
    )
    assert_refused(response, 409, "score-refused")


def test_overturning_a_leaf_dispute_removes_the_override_and_restores_the_rule_score(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    override = {"score": "25", "justification": "现场核查全部达标"}
    assert api.post(case["base"] + "/indicators/2.1/score", json=override).status_code == 200
    dispute = raise_on(unit_api, case["base"], indicator="2.1")
    response = decide(
        reviewer_api, case["base"], dispute["id"], outcome="overturned", reason="核查记录不支持"
    )

    assert response.status_code == 200, response.json
    node = leaf(api, case["base"], "2.1")
    assert (node["score"], node["rule_score"], node["overridden"]) == ("10.00", "10.00", False)
    assert node["override_justification"] is None
    assert response.json["decision"]["previous_points"] == "25.00"


def test_overturning_a_leaf_dispute_without_an_override_is_refused(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], indicator="2.2")
    response = decide(reviewer_api, case["base"], dispute["id"], outcome="overturned", reason="r")
    assert_refused(response, 409, "dispute-refused")


def test_a_dispute_is_decided_once(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    assert (
        decide(reviewer_api, case["base"], dispute["id"], outcome="upheld", reason="r").status_code
        == 200
    )
    before = version(api, case["base"])
    again = decide(reviewer_api, case["base"], dispute["id"], outcome="overturned", reason="r")
    assert_refused(again, 409, "dispute-refused")
    assert again.json["values"]["outcome"] == "upheld"
    assert version(api, case["base"]) == before


def test_a_reviewer_may_not_decide_on_a_deduction_they_recorded(
    api: Api, unit_api: Api, reviewer_api: Api, api_for: ApiFor, case: dict[str, str]
) -> None:
    recorded = reviewer_api.post(
        case["base"] + "/indicators/1.1/deductions", json={"points": "1", "reason": "复核补扣"}
    )
    assert recorded.status_code == 201
    dispute = raise_on(unit_api, case["base"], deduction_id=recorded.json["id"])
    before = version(api, case["base"])

    own = decide(reviewer_api, case["base"], dispute["id"], outcome="overturned", reason="r")
    assert_refused(own, 403, "not-permitted")
    assert version(api, case["base"]) == before

    other_reviewer = api_for("reviewer", "victor")
    assert (
        decide(
            other_reviewer, case["base"], dispute["id"], outcome="upheld", reason="r"
        ).status_code
        == 200
    )


def test_the_reviewer_who_raised_a_dispute_may_not_decide_it(
    api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    dispute = raise_on(reviewer_api, case["base"], indicator="1.2")
    response = decide(reviewer_api, case["base"], dispute["id"], outcome="upheld", reason="r")
    assert_refused(response, 403, "not-permitted")


def test_an_unknown_dispute_is_404(api: Api, reviewer_api: Api, case: dict[str, str]) -> None:
    response = decide(reviewer_api, case["base"], "no-such-dispute", outcome="upheld", reason="r")
    assert_refused(response, 404, "unknown-dispute")
    assert_refused(api.get(case["base"] + "/disputes/no-such-dispute"), 404, "unknown-dispute")


def test_finalization_waits_for_every_open_dispute(
    api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    first = raise_on(unit_api, case["base"], deduction_id=case["deduction"])
    second = raise_on(unit_api, case["base"], indicator="2.2")
    before = version(api, case["base"])

    refused = reviewer_api.post(case["base"] + "/finalization")
    assert_refused(refused, 409, "lifecycle-refused")
    assert refused.json["values"]["disputes"] == [first["id"], second["id"]]
    assert version(api, case["base"]) == before

    decide(reviewer_api, case["base"], first["id"], outcome="upheld", reason="r")
    assert reviewer_api.post(case["base"] + "/finalization").status_code == 409
    decide(reviewer_api, case["base"], second["id"], outcome="upheld", reason="r")
    assert reviewer_api.post(case["base"] + "/finalization").json["status"] == "finalized"


def test_the_dispute_list_filters_by_status(api: Api, case: dict[str, str]) -> None:
    assert api.get(case["base"] + "/disputes").json == {"items": [], "total": 0}
    assert_refused(api.get(case["base"] + "/disputes?status=closed"), 422, "unprocessable-entity")


def test_read_models_agree_with_a_replay_after_disputes(
    app: Flask, api: Api, unit_api: Api, reviewer_api: Api, case: dict[str, str]
) -> None:
    outcomes = [
        ({"deduction_id": case["deduction"]}, {"outcome": "amended", "points": "1"}),
        ({"indicator": "2.2"}, {"outcome": "amended", "points": "28"}),
        ({"indicator": "2.2"}, {"outcome": "overturned"}),
        ({"deduction_id": case["deduction"]}, {"outcome": "overturned"}),
    ]
    for target, decision in outcomes:
        dispute = raise_on(unit_api, case["base"], **target)
        assert (
            decide(reviewer_api, case["base"], dispute["id"], **decision, reason="r").status_code
            == 200
        )
    service = app.extensions["scoretrail"]
    assert service.document(case["id"]) == service.replayed_document(case["id"])

    disputes = api.get(case["base"] + "/disputes").json
    history = api.get(case["base"] + "/indicators/2.2/history").json
    service.rebuild_read_models()
    assert api.get(case["base"] + "/disputes").json == disputes
    assert api.get(case["base"] + "/indicators/2.2/history").json == history
    assert service.document(case["id"]) == service.replayed_document(case["id"])
