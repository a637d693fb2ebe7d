"""Sign-offs: capacities, staleness after a moving change, finalization waiting for them."""

from __future__ import annotations

import pytest

from domain.errors import SignOffRefused
from domain.signoffs import (
    KEPT_CHANGES,
    SignOff,
    check_capacity,
    check_required,
    check_signed,
    missing_capacities,
    note_change,
)


def sign(capacity: str, version: int, id: str = "s1") -> SignOff:
    return SignOff(id, "王组长", "reviewer", capacity, None, version, "ab" * 32, "2026-01-01")


def test_a_capacity_is_required_and_trimmed() -> None:
    assert check_capacity("  评价组  组长 ") == "评价组 组长"
    with pytest.raises(SignOffRefused):
        check_capacity(" ")


def test_required_capacities_are_named_once() -> None:
    assert check_required(["评价组组长", "部门负责人", "评价组组长"]) == [
        "评价组组长",
        "部门负责人",
    ]


def test_a_change_after_the_signed_version_makes_it_stale_and_lists_the_change() -> None:
    signed = {"s1": sign("评价组组长", 7)}
    note_change(signed, 7, "ScoreChanged", "A1")  # the signed version itself changes nothing
    assert signed["s1"].status == "current"
    note_change(signed, 9, "TargetValueRecorded", "C11")
    assert signed["s1"].status == "stale"
    assert signed["s1"].as_dict()["changed_after"] == [
        {"version": 9, "type": "TargetValueRecorded", "indicator": "C11"}
    ]


def test_kept_changes_are_bounded_while_the_count_goes_on() -> None:
    signed = {"s1": sign("评价组组长", 1)}
    for version in range(2, KEPT_CHANGES + 12):
        note_change(signed, version, "ScoreChanged", None)
    assert len(signed["s1"].changes) == KEPT_CHANGES
    assert signed["s1"].change_count == KEPT_CHANGES + 10


def test_finalization_waits_for_each_required_capacity_and_names_them() -> None:
    required = ("评价组组长", "部门负责人")
    signed = {"s1": sign("评价组组长", 3)}
    with pytest.raises(SignOffRefused) as caught:
        check_signed(required, signed)
    assert caught.value.values["missing"] == ["部门负责人"]
    note_change(signed, 5, "DataEntryRecorded", None)
    assert missing_capacities(required, signed) == ["评价组组长", "部门负责人"]
    with pytest.raises(SignOffRefused) as caught:
        check_signed(required, signed)
    assert caught.value.values["stale"] == ["评价组组长"]
    signed["s2"] = sign("评价组组长", 6, "s2")
    signed["s3"] = sign("部门负责人", 6, "s3")
    check_signed(required, signed)
