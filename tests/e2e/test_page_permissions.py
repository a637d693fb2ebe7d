"""Every page × every kind of caller → the expected answer; a refused form records nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.cases import SUBJECT, small_case
from tests.e2e.test_permission_matrix import World, as_caller, fill
from tests.pages import Browser, browser_for
from web.auth import ROUTE_ACTIONS
from web.ui import OPEN_ENDPOINTS, PAGE_ACTIONS, SESSION_ENDPOINTS

# Columns as in the API's matrix: the five roles, then a subject bound to another subject.
# 303: the form went through and the page sends the browser on (post/redirect/get).
MATRIX = """
page              evaluator reviewer subject auditor admin other-subject
evaluations       200       200      200     200     403   200
sheet             200       200      200     200     403   404
sheet_past        200       200      200     200     403   404
indicator         200       200      200     200     403   404
report            200       200      200     200     403   404
disputes          200       200      200     200     403   200
diff              200       200      403     200     403   403
history           200       200      403     200     403   403
history_csv       200       200      403     200     403   403
audit_packet      200       200      403     200     403   403
record_deduction  303       303      403     403     403   403
raise_dispute     403       303      303     403     403   404
decide_dispute    403       303      403     403     403   403
add_note          403       303      403     403     403   403
submit            303       303      403     403     403   403
finalize          403       303      403     403     403   403
reopen            403       303      403     403     403   403
record_target_value 303     303      403     403     403   403
sign_off          303       303      303     403     403   404
withdraw_deduction 303      303      403     403     403   403
new_evaluation    200       403      403     403     403   403
open_evaluation   303       403      403     403     403   403
import_form       200       403      403     403     403   403
import_sheet      303       403      403     403     403   403
record_data_entry 303       303      403     403     403   403
assess_checklist  303       303      403     403     403   403
record_score      303       303      403     403     403   403
evidence_file     200       200      200     200     403   404
"""
SMALL_CASE_BASE64 = base64.b64encode(json.dumps(small_case()).encode()).decode()
CALLERS = ("evaluator", "reviewer", "subject", "auditor", "admin", "other-subject")
E = "/ui/evaluations/{id}"


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str
    method: str = "GET"
    state: str = "draft"
    form: dict[str, Any] = field(default_factory=dict)


PAGES = {
    p.endpoint.removeprefix("ui.").split("#")[0]: p
    for p in (
        Page("ui.evaluations", "/ui/evaluations?fiscal_year=2023"),
        Page("ui.sheet", E),
        Page("ui.sheet#past", E + "?version=2"),
        Page("ui.indicator", E + "/indicators/1.1"),
        Page("ui.report", E + "/report?format=csv"),
        Page("ui.disputes", "/ui/disputes"),
        Page("ui.diff", E + "/diff?from=1"),
        Page("ui.history", E + "/history"),
        Page("ui.history_csv", E + "/history.csv"),
        Page("ui.audit_packet", E + "/audit-packet"),
        Page(
            "ui.record_deduction",
            E + "/indicators/1.1/deductions",
            "POST",
            form={"points": "1", "reason": "档案缺失", "evidence_title": "档案清单"},
        ),
        Page(
            "ui.raise_dispute",
            E + "/disputes",
            "POST",
            "submitted",
            {"deduction_id": "{deduction}", "indicator": "1.1", "grounds": "材料已补齐"},
        ),
        Page(
            "ui.decide_dispute",
            E + "/disputes/{dispute}/decision",
            "POST",
            "disputed",
            {"outcome": "amended", "points": "1", "reason": "部分材料属实"},
        ),
        Page("ui.add_note", E + "/indicators/1.1/notes", "POST", form={"text": "核对原始凭证"}),
        Page("ui.submit", E + "/submission", "POST"),
        Page("ui.finalize", E + "/finalization", "POST", "submitted"),
        Page("ui.reopen", E + "/reopening", "POST", "finalized", {"reason": "审计发现问题"}),
        Page(
            "ui.record_target_value",
            E + "/indicators/1.1/target-values",
            "POST",
            "targeted",
            {"stage": "monitored", "value": "9", "source": "年中监控表"},
        ),
        Page("ui.sign_off", E + "/sign-offs", "POST", "targeted", {"capacity": "{capacity}"}),
        Page(
            "ui.withdraw_deduction",
            E + "/deductions/{deduction}/withdrawal",
            "POST",
            form={"reason": "补充材料后撤回", "indicator": "1.1"},
        ),
        Page("ui.new_evaluation", "/ui/evaluations/new"),
        Page(
            "ui.open_evaluation",
            "/ui/evaluations/new",
            "POST",
            form={"title": "新评价", "subject": SUBJECT, "fiscal_year": "2024", "kind": "project"},
        ),
        Page("ui.import_form", "/ui/evaluations/import"),
        Page(
            "ui.import_sheet",
            "/ui/evaluations/import",
            "POST",
            form={"confirm": "true", "filename": "case.json", "content": SMALL_CASE_BASE64},
        ),
        Page(
            "ui.record_data_entry",
            E + "/data-entries",
            "POST",
            form={"key": "到位数", "value": "100", "unit": "万元"},
        ),
        Page(
            "ui.assess_checklist",
            E + "/indicators/2.1/checklist",
            "POST",
            form={"met": ["true", "true"], "justification": "抽查"},
        ),
        Page(
            "ui.record_score",
            E + "/indicators/1.2/score",
            "POST",
            form={"score": "8", "justification": "目标明确"},
        ),
        Page("ui.evidence_file", E + "/evidence/{evidence}", state="evidenced"),
    )
}
PAGES["sheet_past"] = Page("ui.sheet", E + "?version=2")
# Each form does what one API route does: it must need the same action.
API_TWINS = {
    "ui.evaluations": "evaluations.list_evaluations",
    "ui.sheet": "evaluations.get_evaluation",
    "ui.indicator": "evaluations.indicator_history",
    "ui.report": "sheets.report",
    "ui.diff": "audit.diff",
    "ui.history": "evaluations.history",
    "ui.history_csv": "evaluations.history",
    "ui.audit_packet": "audit.verification",
    "ui.record_deduction": "evaluations.record_deduction",
    "ui.raise_dispute": "review.raise_dispute",
    "ui.decide_dispute": "review.decide_dispute",
    "ui.add_note": "review.add_note",
    "ui.submit": "evaluations.submit",
    "ui.finalize": "evaluations.finalize",
    "ui.reopen": "evaluations.reopen",
    "ui.disputes": "review.list_disputes",
    "ui.record_target_value": "targets.record_target_value",
    "ui.sign_off": "targets.sign_off",
    "ui.withdraw_deduction": "evaluations.withdraw_deduction",
    "ui.new_evaluation": "evaluations.create_evaluation",
    "ui.open_evaluation": "evaluations.create_evaluation",
    "ui.import_form": "sheets.import_evaluation",
    "ui.import_sheet": "sheets.import_evaluation",
    "ui.record_data_entry": "evaluations.record_data_entry",
    "ui.assess_checklist": "evaluations.assess_checklist",
    "ui.record_score": "evaluations.record_score",
    "ui.evidence_file": "evidence.download_evidence",
}


def parse() -> dict[tuple[str, str], int]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    assert tuple(lines[0][1:]) == CALLERS
    return {(r[0], c): int(code) for r in lines[1:] for c, code in zip(CALLERS, r[1:], strict=True)}


EXPECTED = parse()


class PageWorld(World):
    """The API matrix's world, with a signed-in page client per caller."""

    def __init__(self) -> None:
        super().__init__()
        identities = {
            "evaluator": ("alice", None),
            "reviewer": ("rita", None),
            "subject": ("unit", SUBJECT),
            "auditor": ("audrey", None),
            "admin": ("adam", None),
            "other-subject": ("stranger", "另一个被评价单位"),
        }
        self.browsers: dict[str, Browser] = {
            caller: browser_for(self.app, caller.replace("other-", ""), name, subject)
            for caller, (name, subject) in identities.items()
        }


@pytest.fixture(scope="module")
def pages_world() -> Iterator[PageWorld]:
    yield PageWorld()


CASES = [(name, caller) for name in PAGES for caller in CALLERS]


@pytest.mark.parametrize(("name", "caller"), CASES, ids=[f"{n}-{c}" for n, c in CASES])
def test_page_answers_the_caller_as_the_matrix_says(
    pages_world: PageWorld, name: str, caller: str
) -> None:
    page = PAGES[name]
    expected = EXPECTED[(name, caller)]
    ids = pages_world.prepare(page.state) if expected < 400 else pages_world.reused(page.state)
    before = pages_world.footprint(ids)
    browser = pages_world.browsers[caller]
    path = fill(page.path, ids)
    if page.method == "GET":
        response = browser.get(path)
    else:
        response = browser.post(path, fill(page.form, as_caller(ids, caller)))

    assert response.status_code == expected, response.text[:2000]
    if expected >= 400:
        assert response.mimetype == "text/html", "a refusal on a page is a page"
        assert "Traceback" not in response.text
        assert pages_world.footprint(ids) == before, "a refused form recorded something"
    elif page.method == "POST":
        assert pages_world.footprint(ids) != before, "an accepted form recorded nothing"


def test_every_page_is_classified_in_the_page_table(pages_world: PageWorld) -> None:
    endpoints = {r.endpoint for r in pages_world.app.url_map.iter_rules()}
    pages = {e for e in endpoints if e.startswith("ui.")}
    assert pages - OPEN_ENDPOINTS - SESSION_ENDPOINTS == set(PAGE_ACTIONS)
    assert {p.endpoint.split("#")[0] for p in PAGES.values()} == set(PAGE_ACTIONS)


@pytest.mark.parametrize("page", sorted(API_TWINS))
def test_a_page_needs_the_same_action_as_its_api_route(page: str) -> None:
    assert PAGE_ACTIONS[page] == ROUTE_ACTIONS[API_TWINS[page]]
