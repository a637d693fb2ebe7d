"""The one rendering of the evaluation document, from the rows a read model keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from application.documents import completeness, iso, survey_rates
from application.form_documents import form_view, funds_view
from application.target_documents import target_view
from domain.targets.rules import TargetRules
from domain.values import fmt, rate_percent

Row = Mapping[str, Any]


class DocumentRows(Protocol):
    """One evaluation's rows as the read model keeps them, in the order documents list them
    (the SQL tables now or at a version, or an aggregate presented as those rows)."""

    def head(self) -> Row | None:
        """The evaluation's own row: header fields, status, version, total, grade, times."""

    def indicators(self) -> Sequence[Row]:
        """Every indicator in framework order, with its figures (scores as 2-decimal text)."""

    def deductions(self, everything: bool) -> Sequence[Row]:
        """The deductions in the order recorded: all of them, or the active ones only."""

    def data_entries(self) -> Sequence[Row]: ...

    def targets(self) -> Sequence[Row]:
        """Per target leaf: `code`, `definition`, `weight`, `monitored`, `final`."""

    def sign_offs(self) -> Sequence[Row]:
        """The sign-offs as the document lists them, each with its status."""

    def required(self) -> list[str] | None: ...

    def form(self) -> Mapping[str, Any]:
        """The form's filled fields by name."""

    def funds(self) -> Sequence[Row]:
        """The 项目资金 rows as `application.form_documents.funds_view` takes them."""


def render_document(rows: DocumentRows, everything: bool) -> dict[str, Any] | None:
    """The evaluation document of API v1 (None when there is no such evaluation): all its
    deductions, each with its status, or only the active ones."""
    head = rows.head()
    if head is None:
        return None
    nodes = rows.indicators()
    by_code = deductions_by_code(rows.deductions(everything))
    targets = {
        t["code"]: target_view(t["definition"], t["weight"], t["monitored"], t["final"])
        for t in rows.targets()
    }
    indicators = []
    for n in nodes:
        row = indicator_row(n, by_code.get(n["code"], []))
        target = targets.get(n["code"])
        if target is not None:
            row["target"] = target
        indicators.append(row)
    return {
        **summary(head),
        "indicators": indicators,
        "data_entries": [
            {k: e[k] for k in ("key", "value", "unit", "source", "version")}
            for e in rows.data_entries()
        ],
        "sign_offs": list(rows.sign_offs()),
        "required_sign_offs": rows.required() or [],
        **completeness(
            TargetRules.from_data(head["target_rules"]),
            [n["code"] for n in nodes if n["method"] is not None and n["score"] is None],
        ),
        "form": form_view(rows.form()),
        "funds": funds_view(rows.funds()),
    }


def deductions_by_code(deductions: Sequence[Row]) -> dict[str, list[dict[str, Any]]]:
    """Deductions as an indicator lists them, grouped by indicator in one pass."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for d in deductions:
        by_code.setdefault(d["code"], []).append(
            {
                "id": d["id"],
                "points": d["points"],
                "reason": d["reason"],
                "status": d["status"],
                "evidence": d["evidence"],
            }
        )
    return by_code


def with_every_deduction(view: dict[str, Any], rows: DocumentRows) -> dict[str, Any]:
    """The document listing every deduction, made from `view`, the same rows' document
    listing the active ones: only the indicators' deduction lists differ, so they alone are
    listed again (the rest is shared, not rendered twice)."""
    by_code = deductions_by_code(rows.deductions(True))
    indicators = [
        {**i, "deductions": by_code[i["code"]]} if i["code"] in by_code else i
        for i in view["indicators"]
    ]
    return {**view, "indicators": indicators}


def indicator_row(n: Row, cuts: list[dict[str, Any]]) -> dict[str, Any]:
    score = Decimal(n["score"]) if n["score"] is not None else None
    return {
        "code": n["code"],
        "parent": n["parent"],
        "name": n["name"],
        "level": n["level"],
        "weight": n["weight"],
        "method": n["method"],
        "explanation": n["explanation"],
        "criteria": n["criteria"],
        "score": n["score"],
        "rate": fmt(rate_percent(score, Decimal(n["weight"]))),
        "rule_score": n["rule_score"],
        "overridden": bool(n["overridden"]),
        "override_justification": n["override_justification"] if n["overridden"] else None,
        "note": n["note"],
        "survey_rates": survey_rates(n["method"], n["rates"]),
        "deductions": cuts,
    }


def summary(head: Row, bands: bool = True) -> dict[str, Any]:
    """The document's header; a listing leaves the grade bands out."""
    shown = {
        "id": head["id"],
        "title": head["title"],
        "subject": head["subject"],
        "fiscal_year": head["fiscal_year"],
        "kind": head["kind"],
        "evaluator": head["evaluator"],
        "status": head["status"],
        "version": head["version"],
        "total_weight": head["total_weight"],
        "total": head["total"],
        "grade": head["grade"],
    }
    if bands:
        shown["grade_bands"] = head["grade_bands"]
    shown.update(
        created_at=iso(head["created_at"]),
        updated_at=iso(head["updated_at"]),
        time_zone=head["time_zone"],
    )
    return shown
