"""A document assembled from read-model rows: what the queries answer and the projection seals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from adapters.form_projection import form_parts
from adapters.row_sources import CurrentRows, RowsAt
from adapters.target_queries import document_parts, with_target
from application.documents import completeness, iso, survey_rates
from domain.targets.rules import TargetRules
from domain.values import fmt, rate_percent


def assemble(
    session: Session,
    evaluation_id: str,
    everything: bool = False,
    version: int | None = None,
) -> dict[str, Any] | None:
    """The document as the session's rows make it (also what the projection seals):
    its active deductions, or all of them; at `version`, as the history tables held it."""
    rows = (
        CurrentRows(session, evaluation_id)
        if version is None
        else RowsAt(session, evaluation_id, version)
    )
    return assemble_rows(rows, everything)


def assemble_rows(rows: CurrentRows, everything: bool) -> dict[str, Any] | None:
    head = rows.head()
    if head is None:
        return None
    nodes = rows.indicators()
    cuts = rows.deductions(everything)
    entries = rows.data_entries()
    parts = document_parts(rows)
    by_code: dict[str, list[dict[str, Any]]] = {}
    for d in cuts:
        by_code.setdefault(d["code"], []).append(
            {
                "id": d["id"],
                "points": d["points"],
                "reason": d["reason"],
                "status": d["status"],
                "evidence": d["evidence"],
            }
        )
    return {
        **summary(head),
        "grade_bands": head["grade_bands"],
        "indicators": [
            with_target(indicator_row(n, by_code.get(n["code"], [])), parts["targets"])
            for n in nodes
        ],
        "data_entries": [
            {k: e[k] for k in ("key", "value", "unit", "source", "version")} for e in entries
        ],
        "sign_offs": parts["sign_offs"],
        "required_sign_offs": parts["required_sign_offs"],
        **completeness(
            TargetRules.from_data(head["target_rules"]),
            [n["code"] for n in nodes if n["method"] is not None and n["score"] is None],
        ),
        **form_parts(rows),
    }


def indicator_row(n: Any, cuts: list[dict[str, Any]]) -> dict[str, Any]:
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


def summary(head: Any) -> dict[str, Any]:
    return {
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
        "created_at": iso(head["created_at"]),
        "updated_at": iso(head["updated_at"]),
        "time_zone": head["time_zone"],
    }
