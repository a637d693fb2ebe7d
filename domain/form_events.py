"""Events of the form's header, overall goal and funds block; apply bodies copy values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.signoffs import note_change

# The state is kept under private names the apply bodies replace, never mutate (read through
# domain.form.form_of / funds_of): an evaluation from an older snapshot reads them as empty.


def _filled(aggregate: Any, fields: dict[str, str | None]) -> None:
    form = {**(aggregate.__dict__.get("_form") or {}), **fields}
    aggregate._form = {k: v for k, v in form.items() if v is not None}


def _funds(aggregate: Any, event: Any) -> None:
    rows = dict(aggregate.__dict__.get("_funds") or {})
    earlier = rows.get(event.source)
    rows[event.source] = {  # a correction keeps the row's place
        "initial_budget": event.initial_budget,
        "full_year_budget": event.full_year_budget,
        "executed": event.executed,
        "version": event.originator_version,
        "first_version": earlier["first_version"] if earlier else event.originator_version,
    }
    aggregate._funds = rows
    note_change(aggregate.sign_offs, event.originator_version, type(event).__name__, None)


class FormFilled(Aggregate.Event):
    """Fields of the form filled for the first time (project name, contact, goals, …)."""

    fields: dict[str, str | None]
    meta: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        _filled(aggregate, self.fields)


class FormCorrected(Aggregate.Event):
    """Fields of the form changed from what they read (`previous`), with the reason."""

    fields: dict[str, str | None]
    previous: dict[str, str | None]
    reason: str
    meta: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        _filled(aggregate, self.fields)


class FundsRecorded(Aggregate.Event):
    """One source's row of the 项目资金 block: 年初预算数, 全年预算数, 全年执行数."""

    source: str
    initial_budget: Decimal | None
    full_year_budget: Decimal
    executed: Decimal
    meta: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        _funds(aggregate, self)


class FundsCorrected(Aggregate.Event):
    """One source's row replaced; `previous` is what it said, `reason` why it changed."""

    source: str
    initial_budget: Decimal | None
    full_year_budget: Decimal
    executed: Decimal
    previous: dict[str, Decimal | None]
    reason: str
    meta: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        _funds(aggregate, self)
