"""Who may sign in which capacity: every capacity × every role, on the in-memory service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from application.access import PERMISSIONS, Action
from application.self_evaluation import SelfEvaluationService
from application.service import EvaluationService
from domain.errors import SignOffNotPermitted, SignOffRefused
from domain.evaluation import Actor
from domain.signoffs import SIGNERS, check_capacity
from tests.fakes.memory import memory_self_evaluation

UNIT_NAME = "某县水利局"
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "county-water-supply-self-evaluation-2025.json"
)
# The sign-off block as the finance bureau reads it, written out here on its own so that a
# change to the table in domain.signoffs shows up as a failing cell.
PARTY = {
    "部门负责人": "unit",
    "单位意见": "unit",
    "填报人": "unit",
    "财政部门归口业务科室": "finance",
    "财政部门意见": "finance",
    "评价组组长": "group",
    "评价组成员": "group",
}
# Each kind of caller, and the party whose capacities it signs (None: no party's).
CALLERS = {
    "evaluator": (Actor("alice", "evaluator", "c1"), "group"),
    "reviewer": (Actor("rita", "reviewer", "c2"), "finance"),
    "unit": (Actor("局长", "subject", "c3", subject=UNIT_NAME), "unit"),
    "other-unit": (Actor("外单位", "subject", "c4", subject="另一个单位"), None),
    "unbound-unit": (Actor("无主", "subject", "c5"), None),
    "auditor": (Actor("audrey", "auditor", "c6"), None),
    "admin": (Actor("adam", "admin", "c7"), None),
}
CELLS = [(capacity, caller) for capacity in PARTY for caller in CALLERS]


@pytest.fixture
def forms(service: EvaluationService) -> SelfEvaluationService:
    return memory_self_evaluation(service)


@pytest.fixture
def evaluation_id(service: EvaluationService) -> str:
    created = service.create_evaluation(
        title="饮水项目自评",
        subject=UNIT_NAME,
        fiscal_year=2025,
        kind="self-evaluation",
        required_sign_offs=["评价组组长", "部门负责人", "财政部门归口业务科室"],
        by=CALLERS["evaluator"][0],
    ).document()
    return str(created["id"])


def test_the_table_is_the_one_the_finance_bureau_reads() -> None:
    assert dict(SIGNERS) == {
        capacity: {"unit": "subject", "finance": "reviewer", "group": "evaluator"}[party]
        for capacity, party in PARTY.items()
    }
    # every party's role may sign at all, so no capacity is left without a signer
    assert all(Action.SIGN in PERMISSIONS[role] for role in set(SIGNERS.values()))


@pytest.mark.parametrize(("capacity", "caller"), CELLS, ids=[f"{c}-{r}" for c, r in CELLS])
def test_only_the_capacitys_party_signs_in_it(
    service: EvaluationService,
    forms: SelfEvaluationService,
    evaluation_id: str,
    capacity: str,
    caller: str,
) -> None:
    by, party = CALLERS[caller]
    before = service.document(evaluation_id)["version"]
    if PARTY[capacity] == party:
        signed = forms.sign_off(evaluation_id, capacity=capacity, by=by)
        assert (signed["capacity"], signed["actor"], signed["role"]) == (
            capacity,
            by.name,
            by.role,
        )
        return
    with pytest.raises(SignOffNotPermitted) as refused:
        forms.sign_off(evaluation_id, capacity=capacity, by=by)
    assert (refused.value.values["capacity"], refused.value.values["role"]) == (capacity, by.role)
    assert service.document(evaluation_id)["version"] == before
    assert forms.sign_offs(evaluation_id)["items"] == []


def test_the_unit_signing_as_the_finance_bureau_leaves_finalization_waiting(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str
) -> None:
    unit, evaluator, reviewer = (CALLERS[c][0] for c in ("unit", "evaluator", "reviewer"))
    forms.sign_off(evaluation_id, capacity="部门负责人", by=unit)
    forms.sign_off(evaluation_id, capacity="评价组组长", by=evaluator)
    with pytest.raises(SignOffNotPermitted):
        forms.sign_off(evaluation_id, capacity="财政部门归口业务科室", by=unit)
    assert forms.sign_offs(evaluation_id)["missing"] == ["财政部门归口业务科室"]
    service.submit(evaluation_id, by=reviewer)
    with pytest.raises(SignOffRefused) as waiting:
        service.finalize(evaluation_id, by=reviewer)
    assert waiting.value.values["missing"] == ["财政部门归口业务科室"]


@pytest.mark.parametrize(
    "capacity",
    ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "部门负责人\u200b", "部门\u2060负责人"],
)
def test_an_invisible_capacity_or_one_holding_format_characters_is_refused(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str, capacity: str
) -> None:
    before = service.document(evaluation_id)["version"]
    with pytest.raises(SignOffRefused) as refused:
        forms.sign_off(evaluation_id, capacity=capacity, by=CALLERS["unit"][0])
    assert refused.value.values["capacity"] == capacity
    assert service.document(evaluation_id)["version"] == before


@pytest.mark.parametrize("capacity", ["", "   ", "\u3000", None])
def test_an_empty_capacity_is_refused(capacity: str | None) -> None:
    with pytest.raises(SignOffRefused):
        check_capacity(capacity)


def test_a_control_character_inside_a_capacity_is_refused() -> None:
    with pytest.raises(SignOffRefused) as refused:
        check_capacity("部门\t负责人")
    assert refused.value.values["characters"] == ["U+0009"]


def test_surrounding_whitespace_is_trimmed_before_the_table_is_read(
    forms: SelfEvaluationService, evaluation_id: str
) -> None:
    signed = forms.sign_off(evaluation_id, capacity=" 部门负责人 ", by=CALLERS["unit"][0])
    assert signed["capacity"] == "部门负责人"
    assert "部门负责人" not in forms.sign_offs(evaluation_id)["missing"]


@pytest.mark.parametrize("caller", list(CALLERS))
def test_a_capacity_outside_the_sign_off_block_is_refused_for_every_role(
    forms: SelfEvaluationService, evaluation_id: str, caller: str
) -> None:
    with pytest.raises(SignOffRefused) as refused:
        forms.sign_off(evaluation_id, capacity="项目负责人", by=CALLERS[caller][0])
    assert refused.value.values["capacity"] == "项目负责人"
    assert forms.sign_offs(evaluation_id)["items"] == []


@pytest.mark.parametrize(
    "required", [["\u200b"], ["评价组组长", "项目负责人"], ["部门负责人\ufeff"]]
)
def test_required_sign_offs_obey_the_table_when_the_evaluation_opens(
    service: EvaluationService, required: list[str]
) -> None:
    with pytest.raises(SignOffRefused):
        service.create_evaluation(
            title="t",
            subject=UNIT_NAME,
            fiscal_year=2025,
            kind="self-evaluation",
            required_sign_offs=required,
            by=CALLERS["evaluator"][0],
        )
    assert service.list_evaluations({})["total"] == 0


def test_required_sign_offs_are_trimmed(service: EvaluationService) -> None:
    created = service.create_evaluation(
        title="t",
        subject=UNIT_NAME,
        fiscal_year=2025,
        kind="self-evaluation",
        required_sign_offs=[" 部门负责人 ", "部门负责人", "评价组组长"],
        by=CALLERS["evaluator"][0],
    ).document()
    assert created["required_sign_offs"] == ["部门负责人", "评价组组长"]


def test_an_import_signs_as_the_importer_so_it_cannot_sign_for_the_unit(
    service: EvaluationService,
) -> None:
    spec = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    with pytest.raises(SignOffNotPermitted) as refused:
        service.import_evaluation(spec, CALLERS["evaluator"][0])
    assert refused.value.values == {
        "capacity": "部门负责人",
        "role": "evaluator",
        "actor": "alice",
        "party": "subject",
    }
    assert service.list_evaluations({})["total"] == 0


def test_a_transcribed_form_signs_each_capacity_as_its_party_bound_to_the_subject(
    service: EvaluationService,
) -> None:
    spec = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    spec["sign_offs"][1]["signed_by"] = "县水利局局长"
    loaded = service.import_evaluation(
        spec, CALLERS["evaluator"][0], transcribe_sign_offs=True
    ).document()
    signed = [(s["capacity"], s["actor"], s["role"]) for s in loaded["sign_offs"]]
    assert signed == [
        ("评价组组长", "alice", "evaluator"),
        ("部门负责人", "县水利局局长", "subject"),
    ]
    assert loaded["subject"] == spec["evaluation"]["subject"]
