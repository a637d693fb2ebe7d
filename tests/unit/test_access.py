"""The permission table and the subject scope, without HTTP."""

from __future__ import annotations

import pytest

from application.access import (
    PERMISSIONS,
    ROLES,
    AccessControl,
    Action,
    Principal,
)
from application.errors import EvaluationNotFound, Forbidden

WRITES = {
    Action.CREATE,
    Action.RECORD,
    Action.SUBMIT,
    Action.TRANSITION,
    Action.DISPUTE,
    Action.DECIDE,
    Action.NOTE,
    Action.SIGN,
    Action.MANAGE_TOKENS,
}


def test_the_roles_are_the_five_of_the_design() -> None:
    assert set(ROLES) == {"evaluator", "reviewer", "subject", "auditor", "admin"}


def test_auditors_read_everything_and_write_nothing() -> None:
    assert PERMISSIONS["auditor"] == {Action.READ, Action.READ_TRAIL}
    assert not PERMISSIONS["auditor"] & WRITES


def test_admins_manage_tokens_and_webhooks_and_read_no_evaluation() -> None:
    assert PERMISSIONS["admin"] == {Action.MANAGE_TOKENS, Action.MANAGE_WEBHOOKS}


def test_only_reviewers_finalize_reopen_and_decide() -> None:
    for action in (Action.TRANSITION, Action.DECIDE, Action.NOTE):
        assert {role for role in ROLES if action in PERMISSIONS[role]} == {"reviewer"}


def test_evaluators_and_reviewers_hand_the_draft_to_the_unit() -> None:
    assert {role for role in ROLES if Action.SUBMIT in PERMISSIONS[role]} == {
        "evaluator",
        "reviewer",
    }


def test_subjects_read_dispute_attach_evidence_and_sign_their_opinion_but_never_record() -> None:
    assert PERMISSIONS["subject"] == {Action.READ, Action.DISPUTE, Action.ATTACH, Action.SIGN}


def test_signing_is_for_the_evaluation_team_and_the_unit_not_for_auditors() -> None:
    assert {role for role in ROLES if Action.SIGN in PERMISSIONS[role]} == {
        "evaluator",
        "reviewer",
        "subject",
    }


def test_auditors_and_admins_attach_no_evidence() -> None:
    assert {role for role in ROLES if Action.ATTACH in PERMISSIONS[role]} == {
        "evaluator",
        "reviewer",
        "subject",
    }


def test_every_action_is_granted_to_someone() -> None:
    assert set().union(*PERMISSIONS.values()) == set(Action)


def access_to(subjects: dict[str, str]) -> AccessControl:
    return AccessControl(subjects.get)


def test_a_role_without_the_action_is_forbidden_before_any_lookup() -> None:
    looked_up: list[str] = []
    control = AccessControl(lambda i: looked_up.append(i) or "S")  # type: ignore[func-returns-value]
    with pytest.raises(Forbidden):
        control.authorize(Principal("u", "subject", "S"), Action.RECORD, "e1")
    assert looked_up == []


def test_a_subject_sees_its_own_evaluations_only() -> None:
    control = access_to({"e1": "S", "e2": "T"})
    unit = Principal("u", "subject", "S")
    control.authorize(unit, Action.READ, "e1")
    for hidden in ("e2", "missing"):
        with pytest.raises(EvaluationNotFound):
            control.authorize(unit, Action.READ, hidden)
    control.authorize(Principal("a", "auditor"), Action.READ, "e2")


def test_a_subject_without_a_subject_sees_nothing() -> None:
    with pytest.raises(EvaluationNotFound):
        access_to({}).authorize(Principal("u", "subject", None), Action.READ, "missing")


def test_list_filters_are_narrowed_to_the_subject() -> None:
    unit = Principal("u", "subject", "S")
    assert AccessControl.scope_filters(unit, {"fiscal_year": 2023}) == {
        "fiscal_year": 2023,
        "subject": "S",
    }
    assert AccessControl.scope_filters(unit, {"subject": "T"}) is None
    assert AccessControl.scope_filters(Principal("a", "auditor"), {"subject": "T"}) == {
        "subject": "T"
    }


def test_an_unknown_role_may_do_nothing() -> None:
    assert not any(Principal("x", "root").may(action) for action in Action)
