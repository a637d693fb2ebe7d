"""Pages and reports speak Chinese: no English word outside code values and format names."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.evaluation import Actor
from tests.conftest import REFERENCE
from tests.pages import Browser, browser_for

# Names a Chinese reader meets as they are: the product, file formats, time standard, hashes.
ALLOWED = re.compile(
    r"\b(ScoreTrail|PDF|Excel|CSV|HTML|JSON|UTC|SHA-?256|HMAC|xlsx|csv|pdf|json)\b"
)
CODES = re.compile(
    r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|\b[0-9a-f]{6,}\b|\bv\d+\b|\bAsia/Shanghai\b"
)


def english_words(text: str) -> list[str]:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    text = CODES.sub(" ", ALLOWED.sub(" ", text))
    return sorted(set(re.findall(r"[A-Za-z]{3,}", text)))


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference case, submitted, with a dispute decided: most of what pages show."""
    from web import create_app

    folder = tmp_path_factory.mktemp("language")
    app = create_app(
        {"SCORETRAIL_DATABASE_URL": f"sqlite:///{folder}/t.db", "SCORETRAIL_LOG_LEVEL": "WARNING"}
    )
    service, reviews = app.extensions["scoretrail"], app.extensions["scoretrail.review"]
    evaluation_id = str(
        service.import_evaluation(
            json.loads(REFERENCE.read_text(encoding="utf-8")), Actor("张评价", "evaluator", "t")
        ).id
    )
    service.submit(evaluation_id, by=Actor("李复核", "reviewer", "t"))
    document = service.document(evaluation_id)
    deduction = next(i for i in document["indicators"] if i["deductions"])["deductions"][0]
    dispute = reviews.raise_dispute(
        evaluation_id,
        deduction_id=deduction["id"],
        grounds="材料已补齐",
        by=Actor("联络员", "subject", "t"),
    )
    reviews.decide_dispute(
        evaluation_id,
        dispute["id"],
        outcome="overturned",
        reason="核实",
        by=Actor("王复核", "reviewer", "t"),
    )
    return {
        "app": app,
        "id": evaluation_id,
        "codes": [i["code"] for i in service.document(evaluation_id)["indicators"]],
    }


def reader(trail: dict[str, Any], role: str = "reviewer") -> Browser:
    return browser_for(trail["app"], role, "评价读者" if role == "evaluator" else "复核读者")


def test_no_page_shows_an_english_word(trail: dict[str, Any]) -> None:
    e = f"/ui/evaluations/{trail['id']}"
    pages = [
        "/ui/evaluations",
        e,
        e + "?checks=1",
        e + "?version=20",
        e + "/history",
        e + "/diff?from=1&to=20",
        "/ui/disputes?status=decided",
        *(f"{e}/indicators/{code}" for code in trail["codes"]),
    ]
    found = {}
    browser = reader(trail)
    for path in pages:
        answer = browser.get(path)
        assert answer.status_code == 200, path
        words = english_words(answer.text)
        if words:
            found[path] = words
    evaluator = reader(trail, "evaluator")
    for path in ("/ui/evaluations/new", "/ui/evaluations/import"):
        words = english_words(evaluator.get(path).text)
        if words:
            found[path] = words
    assert found == {}


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_no_report_shows_an_english_word(trail: dict[str, Any], fmt: str) -> None:
    answer = reader(trail).get(f"/ui/evaluations/{trail['id']}/report?format={fmt}")
    assert english_words(answer.data.decode("utf-8-sig")) == []


def test_the_workbook_speaks_chinese(trail: dict[str, Any]) -> None:
    answer = reader(trail).get(f"/ui/evaluations/{trail['id']}/report?format=xlsx")
    book = load_workbook(io.BytesIO(answer.data))
    cells = (cell.value for sheet in book for row in sheet.iter_rows() for cell in row)
    text = " ".join(str(value) for value in cells if value is not None)
    assert english_words(text) == []


def test_the_history_csv_headers_and_reasons_are_chinese(trail: dict[str, Any]) -> None:
    answer = reader(trail).get(f"/ui/evaluations/{trail['id']}/history.csv")
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert english_words(" ".join(rows[0])) == [], "headers"
    assert english_words(" ".join(r["原因或说明"] for r in rows)) == []


def test_the_apis_history_speaks_chinese_unless_english_is_asked_for(
    trail: dict[str, Any],
) -> None:
    from tests.conftest import Api, bearer

    tokens = trail["app"].extensions["scoretrail.tokens"]
    api = Api(trail["app"].test_client(), bearer(tokens.create("审计读者", "auditor")[1]))
    path = f"/evaluations/{trail['id']}/history?per_page=200"
    chinese = api.get(path).json["items"]
    english = api.get(path, headers={"Accept-Language": "en"}).json["items"]
    reasons = {e["reason"] for e in chinese if e["reason"]}
    assert "定义指标体系" in reasons and "framework defined" not in reasons
    assert "framework defined" in {e["reason"] for e in english}
    leaf = api.get(f"/evaluations/{trail['id']}/indicators/2.1.3/history").json["items"]
    assert "定义指标体系" in {e["reason"] for e in leaf}
