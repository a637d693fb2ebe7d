"""The self-evaluation form's header, overall goal and 项目资金 block, and their commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.form_events import FormCorrected, FormFilled, FundsCorrected, FundsRecorded
from domain.ledger import DataEntry
from domain.state import EvaluationState
from domain.values import to_decimal

# The header and 年度总体目标 of the form (项目名称 … 报告日期, 预期目标 / 实际完成情况),
# with the longest text each takes.
FORM_FIELDS: dict[str, int] = {
    "project_name": 200,  # 项目名称
    "department": 200,  # 主管部门
    "implementer": 200,  # 实施单位
    "budget_code": 100,  # 预算编码
    "contact": 100,  # 联系人
    "phone": 40,  # 联系电话
    "report_date": 10,  # 报告日期, YYYY-MM-DD
    "overall_goal": 4000,  # 年度总体目标：预期目标
    "overall_result": 4000,  # 年度总体目标：实际完成情况
}
# A funds row's amounts (万元 or yuan, as the form is kept), and the figure their sum over the
# sources is: the data-entry key a ratio leaf cites as its numerator or denominator.
FUND_SUMS: dict[str, str] = {
    "initial_budget": "年初预算数",
    "full_year_budget": "全年预算数",
    "executed": "全年执行数",
}
FUND_SOURCE = "项目资金"  # where a ratio's explanation says the sums come from
MAX_SOURCE = 60


def form_of(state: Mapping[str, Any]) -> Mapping[str, str]:
    """The form's filled fields, from an aggregate's __dict__ (older states have none)."""
    form: Mapping[str, str] = state.get("_form") or {}
    return form


def funds_of(state: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    """The funds rows by source, in the order first recorded (older states have none)."""
    funds: Mapping[str, Mapping[str, Any]] = state.get("_funds") or {}
    return funds


def fund_sums(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, Decimal | None]:
    """Each amount summed over the sources; None when no source gives it (年初预算数 is
    optional per source: its sum covers the sources that give one)."""
    sums: dict[str, Decimal | None] = {}
    for name in FUND_SUMS:
        given = [Decimal(str(r[name])) for r in rows.values() if r.get(name) is not None]
        sums[name] = sum(given, Decimal(0)) if given else None
    return sums


def with_fund_sums(
    entries: dict[str, DataEntry], rows: Mapping[str, Mapping[str, Any]]
) -> dict[str, DataEntry]:
    """The data entries the rules read: the recorded ones, and the funds' sums under their
    reserved keys (a data entry cannot take those keys once funds are recorded)."""
    if not rows:
        return entries
    version = max(int(r["version"]) for r in rows.values())
    merged = dict(entries)
    for name, value in fund_sums(rows).items():
        if value is not None:
            key = FUND_SUMS[name]
            merged[key] = DataEntry(key, value, None, FUND_SOURCE, [], version)
    return merged


def check_free_key(key: str, rows: Mapping[str, Mapping[str, Any]]) -> None:
    """A data entry may not take a key the funds' sums stand for once funds are recorded."""
    if rows and key in FUND_SUMS.values():
        raise InvalidValue(
            f"data entry {key} is the sum of the funds block; correct the funds instead",
            key=key,
        )


class FormCommands(EvaluationState):
    """Filling and correcting the form's fields and its funds rows; funds rescore the leaves."""

    def open_form(
        self,
        fields: Mapping[str, object] | None,
        funds: Sequence[Mapping[str, Any]] | None,
        by: Actor,
    ) -> None:
        """The header and funds an evaluation opens with (nothing when none are given)."""
        if fields and any(value is not None for value in fields.values()):
            self.fill_form(fields, None, by)
        if funds:
            self.record_fund_rows(funds, by)

    def fill_form(self, fields: Mapping[str, object], reason: str | None, by: Actor) -> None:
        """Set the fields given (None or blank clears one); changing a filled field is a
        correction and needs a reason."""
        self.check_open()
        current = form_of(self.__dict__)
        changes = {
            name: value
            for name, value in self.check_form_fields(fields).items()
            if current.get(name) != value
        }
        if not changes:
            raise InvalidValue("the form already reads as given; nothing to record")
        corrected = sorted(name for name in changes if current.get(name) is not None)
        if not corrected:
            self.trigger_event(FormFilled, fields=changes, meta=by.as_meta())
            return
        text = self.check_reason(reason, "correcting " + ", ".join(corrected))
        previous = {name: current.get(name) for name in changes}
        self.trigger_event(
            FormCorrected, fields=changes, previous=previous, reason=text, meta=by.as_meta()
        )

    def record_funds(
        self,
        source: str | None,
        *,
        initial_budget: object = None,
        full_year_budget: object,
        executed: object,
        reason: str | None = None,
        by: Actor,
    ) -> None:
        """One source's row of the 项目资金 block, as given; re-recording a source corrects
        it and needs a reason. The leaves citing the sums are rescored."""
        self.check_open()
        name = self.check_source(source)
        self.check_no_fund_entries()
        row = {
            "initial_budget": self.check_amount(initial_budget, "initial_budget", True),
            "full_year_budget": self.check_amount(full_year_budget, "full_year_budget"),
            "executed": self.check_amount(executed, "executed"),
        }
        earlier = funds_of(self.__dict__).get(name)
        if earlier is None:
            self.trigger_event(FundsRecorded, source=name, **row, meta=by.as_meta())
            self._rescore("FundsRecorded", f"funds of {name} recorded", by)
            return
        previous = {k: earlier[k] for k in FUND_SUMS}
        if previous == row:
            raise InvalidValue(f"the funds of {name} already stand as given", source=name)
        text = self.check_reason(reason, f"correcting the funds of {name}")
        self.trigger_event(
            FundsCorrected, source=name, **row, previous=previous, reason=text, meta=by.as_meta()
        )
        self._rescore("FundsCorrected", text, by)

    def record_fund_rows(self, rows: Sequence[Mapping[str, Any]], by: Actor) -> None:
        """Several sources at once (when the evaluation opens): each named once."""
        seen: set[str] = set()
        for row in rows:
            name = self.check_source(row.get("source"))
            if name in seen:
                raise InvalidValue(f"funds source {name} is given twice", source=name)
            seen.add(name)
        for row in rows:
            self.record_funds(
                row.get("source"),
                initial_budget=row.get("initial_budget"),
                full_year_budget=row.get("full_year_budget"),
                executed=row.get("executed"),
                by=by,
            )

    # -------------------------------------------------------------------- checks
    @staticmethod
    def check_form_fields(fields: Mapping[str, object]) -> dict[str, str | None]:
        checked: dict[str, str | None] = {}
        for name, value in fields.items():
            limit = FORM_FIELDS.get(name)
            if limit is None:
                raise InvalidValue(f"the form has no field {name}", field=name)
            text = None if value is None else " ".join(str(value).split()) or None
            if name in ("overall_goal", "overall_result") and value is not None:
                text = str(value).strip() or None  # long texts keep their line breaks
            if text is not None and len(text) > limit:
                raise InvalidValue(f"{name} is {len(text)} characters; at most {limit}", field=name)
            if name == "report_date" and text is not None:
                try:
                    text = date.fromisoformat(text).isoformat()
                except ValueError:
                    raise InvalidValue(
                        f"report_date must be a date written YYYY-MM-DD, got {text!r}",
                        field=name,
                    ) from None
            checked[name] = text
        return checked

    @staticmethod
    def check_source(source: str | None) -> str:
        name = " ".join((source or "").split())
        if not name:
            raise InvalidValue("a funds row names its source", field="source")
        if len(name) > MAX_SOURCE:
            raise InvalidValue(
                f"source is {len(name)} characters; at most {MAX_SOURCE}", field="source"
            )
        return name

    @staticmethod
    def check_amount(value: object, field: str, optional: bool = False) -> Decimal | None:
        if value is None and optional:
            return None
        if value is None:
            raise InvalidValue(f"{field} is required", field=field)
        amount = to_decimal(value, field)
        if amount < 0:
            raise InvalidValue(f"{field} must not be negative, got {amount}", field=field)
        return amount

    def check_no_fund_entries(self) -> None:
        """The sums would shadow a data entry of the same key: one source for each figure."""
        taken = sorted(set(FUND_SUMS.values()) & set(self.entries))
        if taken:
            raise InvalidValue(
                f"data entry {taken[0]} is recorded; the funds block would give it again",
                key=taken[0],
            )
