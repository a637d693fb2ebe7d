"""Checking a sheet's import: the spec as recorded, every problem pinned to its cell."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from application import fixture
from application.documents import event_meta, event_payload, event_type
from application.errors import SheetRejected
from domain.errors import DomainError, FrameworkRejected
from domain.evaluation import Actor, Evaluation

Problem = dict[str, Any]
Location = Mapping[str, Any]

# What a rule method needs besides a score. A sheet row names the method but rarely carries
# this data; a leaf with none of it is imported as manual (see `prepare`).
RULE_DATA: dict[str, tuple[str, ...]] = {
    "checklist": ("items",),
    "ratio": ("numerator", "denominator"),
    "survey": ("choices",),
}
RULE_LABELS = {
    "checklist": ("清单", "清单条目（items）"),
    "ratio": ("比率", "分子、分母数据（numerator、denominator）"),
    "survey": ("问卷", "问卷选项（choices）"),
}
HEADER_FIELDS = {
    "title": "标题",
    "subject": "被评价单位",
    "fiscal_year": "评价年度",
    "kind": "评价类型",
}
# Stand-ins for missing header fields, so the rest of the sheet is still checked and every
# problem is reported in one go; an import with a missing field never records anything.
PLACEHOLDERS: dict[str, Any] = {"title": "-", "subject": "-", "fiscal_year": 2000, "kind": "-"}
# Event fields a preview leaves out: derived figures and lists the history keeps in full.
PREVIEW_HIDDEN = ("parents", "rates", "exact", "rule_exact", "evidence")


# --- preparing and checking an import ---------------------------------------------------------


def prepare(
    spec: Mapping[str, Any], sources: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The spec as it will be recorded, and a warning for each leaf imported differently.

    A leaf whose method is checklist, ratio or survey but which carries none of that method's
    data (items; numerator and denominator; choices), as rows of a score table do, becomes a
    `manual` leaf: its score is the sheet's, recorded with the row's 评价过程 as justification,
    and its criteria text keeps the sheet's method. With some of the data present the method
    stays, and the framework check says what is missing.
    """
    prepared = copy.deepcopy(dict(spec))
    warnings: list[Problem] = []
    indicators: list[dict[str, Any]] = prepared.get("indicators") or []
    parents = {indicator.get("parent") for indicator in indicators}
    for indicator in indicators:
        method = indicator.get("method")
        needs = RULE_DATA.get(method or "")
        if indicator["code"] in parents or not needs or any(indicator.get(k) for k in needs):
            continue
        label, what = RULE_LABELS[str(method)]
        note = (
            f"（导入时表中评分方法为「{label}」（{method}），未附{what}，按手工评分记录表中得分）"
        )
        criteria = indicator.get("criteria")
        indicator["criteria"] = f"{criteria}\n{note}" if criteria else note
        indicator["method"] = "manual"
        warnings.append(
            _at(
                _indicator_location(sources, indicator["code"], "method"),
                f"{_label(indicator)}：评分方法为「{label}」，但没有{what}，"
                "按手工评分（manual）导入，得分取表中得分，原方法写入评分标准",
            )
        )
    return prepared, warnings


def build(spec: Mapping[str, Any], sources: Mapping[str, Any], by: Actor) -> Evaluation:
    """The evaluation the spec describes, in memory; SheetRejected names every row that fails."""
    header = dict(spec.get("evaluation") or {})
    where = sources.get("evaluation") or {}
    problems = _header_problems(header, where)
    named = {**header, **{name: PLACEHOLDERS[name] for name in _missing(header)}}
    try:
        evaluation = fixture.start(named, by)
    except DomainError as error:
        field = str(error.values.get("field") or next(iter(error.values), ""))
        raise SheetRejected([*problems, _at(_field(where, field), error.detail)]) from None
    indicators = list(spec.get("indicators") or [])
    names = {str(i.get("code")): i for i in indicators}
    try:
        evaluation.define_framework(indicators, by)
    except FrameworkRejected as error:
        rejected = [_framework_problem(p, names, sources) for p in error.problems]
        raise SheetRejected(problems + rejected) from None
    except DomainError as error:
        raise SheetRejected([*problems, _at(where, error.detail)]) from None

    def refused(kind: str, index: int, step: Mapping[str, Any], error: Exception) -> None:
        # a fixture's own lists have no sheet position: name the item by its path
        location = _item_location(sources, kind, index) or {
            "sheet": None,
            "row": None,
            "column": f"{kind}[{index}]",
        }
        on_leaf = kind in ("actions", "target_values")
        subject = names.get(str(step.get("indicator"))) if on_leaf else None
        problems.append(_at(location, _step_message(error, subject)))

    fixture.record_steps(evaluation, spec, by, refused)
    if problems:
        raise SheetRejected(problems)
    return evaluation


def reconcile(
    spec: Mapping[str, Any], sources: Mapping[str, Any], document: Mapping[str, Any]
) -> list[Problem]:
    """Figures the file reports that the recorded scores do not give: kept and flagged."""
    warnings: list[Problem] = []
    where = sources.get("evaluation") or {}
    reported = (spec.get("evaluation") or {}).get("reported_total")
    if reported is not None and not _same(reported, document["total"]):
        warnings.append(
            _at(
                sources.get("reported_total") or {**where, "column": None},
                f"表中合计得分 {reported} 与各项得分之和 {document['total']} 不一致："
                "按各项得分记录，合计以记录为准",
            )
        )
    expected = spec.get("expected")
    if isinstance(expected, Mapping):
        indicators = {i["code"]: i for i in document["indicators"]}
        checks: list[tuple[str, str | None, Any, Any]] = [
            ("expected.total", None, expected.get("total"), document["total"]),
            ("expected.grade", None, expected.get("grade"), document["grade"]),
        ]
        for group in ("levels", "leaves"):
            for code, value in (expected.get(group) or {}).items():
                found = indicators.get(code) or {}
                checks.append((f"expected.{group}.{code}", code, value, found.get("score")))
        for path, code, wanted, got in checks:
            if wanted is None or _same(wanted, got):
                continue
            known = code is not None and code in indicators
            cell = _indicator_location(sources, str(code), "score") if known else None
            named = f"{_label(indicators[str(code)])}：" if known else ""
            warnings.append(
                _at(
                    # a sheet's row where the file has one, else the figure's path in the JSON
                    cell
                    if cell and cell.get("row")
                    else {"sheet": None, "row": None, "column": path},
                    f"{named}文件给出 {wanted}，按记录计算为 {got}：按记录保存，请核对",
                )
            )
    return warnings


def summarise(event: Any) -> dict[str, Any]:
    """An event as a dry run shows it: version, type, who, and the data that matters."""
    data = event_payload(event)
    for key in PREVIEW_HIDDEN:
        data.pop(key, None)
    if isinstance(data.get("indicators"), list):
        data["indicators"] = len(data["indicators"])
    meta = event_meta(event)
    return {
        "version": event.originator_version,
        "type": event_type(event),
        "actor": meta["actor"],
        "role": meta["role"],
        "data": data,
    }


# --- locations and messages -------------------------------------------------------------------


def _at(location: Location | None, message: str) -> Problem:
    place = location or {}
    return {
        "sheet": place.get("sheet"),
        "row": place.get("row"),
        "column": place.get("column"),
        "message": message,
    }


def _field(location: Location, name: str) -> dict[str, Any]:
    """A header field of the evaluation: a path under the JSON's object, or the field's name."""
    column = location.get("column")
    return {**location, "column": f"{column}.{name}" if column and name else name or column}


def _indicator_location(sources: Mapping[str, Any], code: str, part: str) -> Location | None:
    found = (sources.get("indicators") or {}).get(code) or {}
    return found.get(part) or found.get("name")


def _item_location(sources: Mapping[str, Any], kind: str, index: int) -> Location | None:
    items = sources.get(kind) or []
    return items[index] if index < len(items) else None


def _label(indicator: Mapping[str, Any] | None) -> str:
    if not indicator:
        return "指标"
    return f"「{indicator.get('name') or ''}」（{indicator.get('code')}）"


def _missing(header: Mapping[str, Any]) -> list[str]:
    return [
        name
        for name in HEADER_FIELDS
        if header.get(name) is None or (isinstance(header[name], str) and not header[name].strip())
    ]


def _header_problems(header: Mapping[str, Any], where: Location) -> list[Problem]:
    return [
        _at(
            _field(where, name),
            f"缺少{HEADER_FIELDS[name]}（{name}）：请在表头上方写「{HEADER_FIELDS[name]}：…」，"
            f"或导入时给出 {name}",
        )
        for name in _missing(header)
    ]


def _framework_problem(
    found: Mapping[str, str], names: Mapping[str, Any], sources: Mapping[str, Any]
) -> Problem:
    """A framework rule broken by one indicator, pinned to the cell it concerns."""
    code, message = found.get("code", ""), found.get("message", "")
    if code not in names:  # the roots' sum against the total weight, or an empty code
        where = sources.get("evaluation") or {}
        return _at(_field(where, "total_weight"), f"一级指标 {code}：{message}")
    if "weight" in message:
        part = "weight"
    elif re.search(r"method|items|numerator|denominator|choices|cap", message):
        part = "method"
    else:
        part = "name"
    return _at(_indicator_location(sources, code, part), f"{_label(names[code])}：{message}")


def _step_message(error: Exception, indicator: Mapping[str, Any] | None) -> str:
    if isinstance(error, DomainError):
        detail = error.detail
    elif isinstance(error, KeyError):
        detail = f"缺少字段 {error.args[0]}"
    else:
        detail = f"无法读取：{error}"
    return f"{_label(indicator)}：{detail}" if indicator else detail


def _same(a: Any, b: Any) -> bool:
    """Two figures as the same number (3 == "3.00"), or two texts as equal."""
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return str(a) == str(b)
