"""The signer's 职务/职称, 单位 and 联系电话 on a sign-off, on the in-memory service."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from application.self_evaluation import SelfEvaluationService
from application.service import EvaluationService
from domain.errors import SignOffRefused
from domain.evaluation import Actor
from tests.fakes.memory import memory_self_evaluation

UNIT_NAME = "某县水利局"
FILER = Actor("小王", "subject", "c1", subject=UNIT_NAME)
LEAD = Actor("alice", "evaluator", "c2")


@pytest.fixture
def forms(service: EvaluationService) -> SelfEvaluationService:
    return memory_self_evaluation(service)


@pytest.fixture
def evaluation_id(service: EvaluationService) -> str:
    created = service.create_evaluation(
        title="饮水项目自评", subject=UNIT_NAME, fiscal_year=2025, kind="self-evaluation", by=LEAD
    ).document()
    return str(created["id"])


def test_a_sign_off_records_the_signers_title_organization_and_phone(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str
) -> None:
    signed = forms.sign_off(
        evaluation_id,
        capacity="填报人",
        title="  科员 ",
        organization="某县  水利局",
        phone=" (0571) 8700-1234 ",
        by=FILER,
    )
    assert (signed["title"], signed["organization"], signed["phone"]) == (
        "科员",
        "某县 水利局",
        "(0571) 8700-1234",
    )
    [item] = service.document(evaluation_id)["sign_offs"]
    assert (item["capacity"], item["title"], item["organization"], item["phone"]) == (
        "填报人",
        "科员",
        "某县 水利局",
        "(0571) 8700-1234",
    )
    assert forms.sign_offs(evaluation_id)["items"][0]["phone"] == "(0571) 8700-1234"


def test_a_sign_off_without_the_signers_lines_leaves_them_empty(
    forms: SelfEvaluationService, evaluation_id: str
) -> None:
    signed = forms.sign_off(evaluation_id, capacity="评价组组长", title="  ", by=LEAD)
    assert (signed["title"], signed["organization"], signed["phone"]) == (None, None, None)


@pytest.mark.parametrize(
    "phone",
    ["0571-8700abcd", "电话 12345", "0571\u200b87001234", "12345\t678", "1" * 41, "+ - ()"],
    ids=["letters", "chinese", "zero-width-space", "tab", "too-long", "no-digit"],
)
def test_a_phone_with_other_characters_is_refused_and_nothing_is_recorded(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str, phone: str
) -> None:
    before = service.document(evaluation_id)["version"]
    with pytest.raises(SignOffRefused) as refused:
        forms.sign_off(evaluation_id, capacity="填报人", phone=phone, by=FILER)
    assert "phone" in refused.value.values
    assert service.document(evaluation_id)["version"] == before
    assert forms.sign_offs(evaluation_id)["items"] == []


@pytest.mark.parametrize(
    ("name", "text"),
    [("title", "科\u200b员"), ("organization", "水利局\u2060"), ("title", "长" * 101)],
    ids=["title-invisible", "organization-invisible", "title-too-long"],
)
def test_a_title_or_organization_that_is_not_short_visible_text_is_refused(
    service: EvaluationService,
    forms: SelfEvaluationService,
    evaluation_id: str,
    name: str,
    text: str,
) -> None:
    before = service.document(evaluation_id)["version"]
    with pytest.raises(SignOffRefused) as refused:
        forms.sign_off(evaluation_id, capacity="填报人", by=FILER, **{name: text})
    assert name in refused.value.values
    assert service.document(evaluation_id)["version"] == before


def test_a_sign_off_stored_before_the_signers_lines_reads_with_them_empty(
    service: EvaluationService, forms: SelfEvaluationService, evaluation_id: str
) -> None:
    forms.sign_off(evaluation_id, capacity="填报人", title="科员", phone="123", by=FILER)
    mapper = service.store.mapper
    stored = next(
        e
        for e in service.store.recorder.select_events(UUID(evaluation_id))
        if e.topic.endswith("SignedOff")
    )
    # the first shape: no class_version and none of the signer's lines
    state = mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    for name in ("title", "organization", "phone"):
        del state[name]
    first = replace(stored, state=mapper.transcoder.encode(state))
    event = mapper.to_domain_event(first)
    assert (event.title, event.organization, event.phone) == (None, None, None)
    assert event.capacity == "填报人"
