"""Searching the history: by type, actor, role, indicator, dispute and time; dates as days."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from tests.cases import SUBJECT, load_directly, small_case
from tests.conftest import Api, ApiFor

# 2026-06-01 23:30 UTC is already 2026-06-02 07:30 in Shanghai
LATE_EVENING_UTC = "2026-06-01T23:30:00+00:00"


@pytest.fixture
def story(app: Any, api_for: ApiFor) -> dict[str, Any]:
    """Draft by alice, submitted by rita, disputed by the unit and decided by rita."""
    reviewer = api_for("reviewer", "rita")
    unit = api_for("subject", "unit", subject=SUBJECT)
    alice = api_for("evaluator", "alice")
    with freeze_time("2026-06-01T09:00:00+00:00"):
        evaluation_id = load_directly(app, small_case())
    base = f"/evaluations/{evaluation_id}"
    with freeze_time(LATE_EVENING_UTC):
        cut = alice.post(
            base + "/indicators/1.1/deductions", json={"points": 1, "reason": "台账缺页"}
        )
        assert cut.status_code == 201
        extra = alice.post(
            base + "/indicators/1.1/deductions", json={"points": 1, "reason": "重复"}
        )
        withdrawn = alice.post(
            f"{base}/deductions/{extra.json['id']}/withdrawal", json={"reason": "与上一条重复"}
        )
        assert withdrawn.status_code == 200
    with freeze_time("2026-06-03T02:00:00+00:00"):
        assert reviewer.post(base + "/submission").status_code == 200
    with freeze_time("2026-06-04T02:00:00+00:00"):
        raised = unit.post(
            base + "/disputes", json={"deduction_id": cut.json["id"], "grounds": "台账已补"}
        )
        assert raised.status_code == 201, raised.json
        decided = reviewer.post(
            f"{base}/disputes/{raised.json['id']}/decision",
            json={"outcome": "overturned", "reason": "补充台账属实"},
        )
        assert decided.status_code == 200, decided.json
    return {"base": base, "auditor": api_for("auditor", "audrey"), "dispute": raised.json["id"]}


def search(api: Api, base: str, query: str) -> list[dict[str, Any]]:
    response = api.get(f"{base}/history?{query}")
    assert response.status_code == 200, response.json
    return list(response.json["items"])


def test_every_history_item_says_which_indicator_it_touched_and_why(story: dict[str, Any]) -> None:
    items = search(story["auditor"], story["base"], "per_page=1000")
    by_type = {i["type"]: i for i in items}
    recorded = [(i["indicator"], i["reason"]) for i in items if i["type"] == "DeductionRecorded"]
    assert ("1.1", "台账缺页") in recorded
    assert by_type["DisputeRaised"]["reason"] == "台账已补"
    withdrawals = [i for i in items if i["type"] == "DeductionWithdrawn"]
    direct = [i for i in withdrawals if i["cause"] is None]
    assert [(i["indicator"], i["reason"]) for i in direct] == [("1.1", "与上一条重复")]
    # overturning the dispute withdrew the contested deduction in an event of its own
    consequence = [i for i in withdrawals if i["cause"] == story["dispute"]]
    assert [i["indicator"] for i in consequence] == ["1.1"]
    assert "补充台账属实" in consequence[0]["reason"]
    assert by_type["Submitted"]["indicator"] is None and by_type["Submitted"]["reason"] is None


@pytest.mark.parametrize("query", ["from=reopening", "to=finalization", "from=finalization"])
def test_a_named_moment_that_has_not_happened_is_refused_by_name(
    story: dict[str, Any], query: str
) -> None:
    moment = query.split("=")[1]

    response = story["auditor"].get(
        f"{story['base']}/history?{query}", headers={"Accept-Language": "en"}
    )

    assert response.status_code == 404, response.json
    assert response.json["type"] == "urn:scoretrail:problem:version-not-found"
    assert response.json["values"] == {"moment": moment}
    assert f"has no {moment} yet" in response.json["detail"]
    chinese = story["auditor"].get(f"{story['base']}/history?{query}")
    assert moment in chinese.json["detail"] and "尚无" in chinese.json["detail"]


def test_a_named_moment_of_an_unknown_evaluation_is_that_evaluations_404(api: Api) -> None:
    missing = "/evaluations/00000000-0000-4000-8000-000000000000"

    response = api.get(f"{missing}/history?from=reopening")

    assert response.status_code == 404
    assert response.json["type"] == "urn:scoretrail:problem:evaluation-not-found"


def test_everything_changed_after_submission_is_one_call(story: dict[str, Any]) -> None:
    items = search(story["auditor"], story["base"], "from=submission")
    assert items[0]["type"] == "Submitted"
    assert {i["actor"] for i in items} == {"rita", "unit"}
    assert {"DisputeRaised", "DisputeDecided", "ScoreChanged"} <= {i["type"] for i in items}


def test_everything_one_person_did_is_one_call(story: dict[str, Any]) -> None:
    items = search(story["auditor"], story["base"], "actor=unit")
    assert [i["type"] for i in items] == ["DisputeRaised"]
    assert search(story["auditor"], story["base"], "role=subject") == items


def test_history_filters_by_type_indicator_and_dispute(story: dict[str, Any]) -> None:
    auditor, base = story["auditor"], story["base"]
    typed = search(auditor, base, "type=DisputeRaised,DisputeDecided")
    assert [i["type"] for i in typed] == ["DisputeRaised", "DisputeDecided"]
    by_cause = search(auditor, base, f"cause={story['dispute']}")
    # the decision's consequence (the contested deduction withdrawn) names the dispute too
    assert {i["type"] for i in by_cause} == {
        "DisputeRaised",
        "DisputeDecided",
        "DeductionWithdrawn",
        "ScoreChanged",
    }
    on_leaf = search(auditor, base, "indicator=1.2")
    assert on_leaf and {i["indicator"] for i in on_leaf} == {"1.2"}
    assert search(auditor, base, "indicator=1.2&type=DeductionRecorded") == []


def test_a_date_alone_is_a_whole_day_in_the_local_time_zone(story: dict[str, Any]) -> None:
    auditor, base = story["auditor"], story["base"]
    # the deduction at 23:30 UTC on 1 June happened on 2 June in Shanghai
    day = search(auditor, base, "from=2026-06-02&to=2026-06-02")
    assert [i["type"] for i in day if i["type"] != "ScoreChanged"] == [
        "DeductionRecorded",
        "DeductionRecorded",
        "DeductionWithdrawn",
    ]
    first_day = search(auditor, base, "to=2026-06-01&per_page=1000")
    assert "台账缺页" not in {i["reason"] for i in first_day}
    assert "立项论证材料不完整" in {i["reason"] for i in first_day}
    versions = search(auditor, base, "from=2&to=3")
    assert [i["version"] for i in versions] == [2, 3]


def test_as_of_a_date_means_the_end_of_that_local_day(story: dict[str, Any]) -> None:
    auditor, base = story["auditor"], story["base"]
    on_first = auditor.get(f"{base}?as_of=2026-06-01").json
    on_second = auditor.get(f"{base}?as_of=2026-06-02").json
    leaf = {i["code"]: i for i in on_second["indicators"]}["1.1"]
    assert [d["reason"] for d in leaf["deductions"]][:2] == ["立项论证材料不完整", "台账缺页"]
    assert on_first["version"] < on_second["version"]
    naive = auditor.get(f"{base}?as_of=2026-06-02T07:29:00").json  # Shanghai, before 23:30 UTC
    assert naive["version"] == on_first["version"]
    assert on_second["updated_at"].endswith("+00:00")


def test_unreadable_history_bounds_are_refused(story: dict[str, Any]) -> None:
    response = story["auditor"].get(f"{story['base']}/history?from=yesterday")
    assert response.status_code == 422
    assert "from" in response.json["errors"]


def test_the_diff_lists_the_events_with_reasons_under_each_changed_indicator(
    story: dict[str, Any],
) -> None:
    diff = story["auditor"].get(f"{story['base']}/diff?from=1")
    assert diff.status_code == 200, diff.json
    changed = {i["code"]: i for i in diff.json["indicators"]}
    reasons = {e["reason"] for e in changed["1.1"]["events"]}
    assert {"台账缺页", "补充台账属实"} <= reasons
    assert changed["1"]["events"]  # the parent lists what moved its leaves
    assert {e["indicator"] for e in changed["1.1"]["events"]} == {"1.1"}


def test_a_diff_from_submission_names_what_moved_since(story: dict[str, Any]) -> None:
    diff = story["auditor"].get(f"{story['base']}/diff?from=submission")
    assert diff.status_code == 200, diff.json
    assert [i["code"] for i in diff.json["indicators"]] == ["1", "1.1"]
    assert {e["actor"] for e in diff.json["events"]} == {"rita", "unit"}


@pytest.mark.parametrize(
    "zone",
    ["localtime", "posixrules", "Factory", "posix/Asia/Shanghai", "right/UTC", "PRC", "EST5EDT"],
)
def test_a_time_zone_that_is_no_area_and_location_is_refused_by_name(
    api_for: ApiFor, zone: str
) -> None:
    alice = api_for("evaluator", "alice")
    header = {**small_case()["evaluation"], "time_zone": zone}

    refused = alice.post("/evaluations", json=header, headers={"Accept-Language": "en"})

    assert refused.status_code == 422, refused.json
    assert refused.json["values"]["time_zone"] == zone
    assert zone in refused.json["detail"]
    assert alice.get("/evaluations").json["total"] == 0


@pytest.mark.parametrize(
    "zone", ["UTC", "Asia/Urumqi", "America/Argentina/Buenos_Aires", "Etc/GMT-8"]
)
def test_an_area_and_location_time_zone_or_utc_is_kept(api_for: ApiFor, zone: str) -> None:
    alice = api_for("evaluator", "alice")
    header = {**small_case()["evaluation"], "time_zone": zone}

    created = alice.post("/evaluations", json=header)

    assert created.status_code == 201, created.json
    assert created.json["time_zone"] == zone


def test_an_evaluation_may_keep_its_own_time_zone(api_for: ApiFor) -> None:
    alice = api_for("evaluator", "alice")
    header = {**small_case()["evaluation"], "time_zone": "Europe/Berlin"}
    with freeze_time("2026-06-01T09:00:00+00:00"):
        created = alice.post("/evaluations", json=header)
    assert created.status_code == 201, created.json
    assert created.json["time_zone"] == "Europe/Berlin"
    base = f"/evaluations/{created.json['id']}"
    with freeze_time("2026-06-01T21:30:00+00:00"):  # 2 June in Shanghai, 1 June in Berlin
        framework = alice.post(base + "/framework", json={"indicators": small_case()["indicators"]})
        assert framework.status_code == 200
    version = alice.get(base).json["version"]
    on_first = search(alice, base, "from=2026-06-01&to=2026-06-01")
    assert [i["version"] for i in on_first] == list(range(1, version + 1))
    assert alice.get(f"{base}?as_of=2026-06-01").json["version"] == version
    refused = alice.post("/evaluations", json={**header, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert refused.json["values"]["time_zone"] == "Mars/Olympus"
